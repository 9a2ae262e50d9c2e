"""Protective supplies (H-4.1, Z-5.3e): a stock ledger per enterprise, its moves, low-stock
alerts and the park's minimum days of cover; and disinfection (B-2.5, L-3.3, H-4.1): the
enterprise's areas and the tasks generated for them each day from the packs' schedules."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from parkguard.orgs.models import Enterprise, Jurisdiction, OrgUnit
from parkguard.supplies.choices import ItemKind, MoveKind


class SupplyItem(models.Model):
    """One protective item an enterprise keeps in stock, with its quantity on hand."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="supply_items"
    )
    kind = models.CharField("类别", max_length=20, choices=ItemKind.choices)
    name = models.CharField("名称", max_length=60)
    unit = models.CharField("单位", max_length=10)
    on_hand = models.PositiveIntegerField("库存", default=0)
    # The officer's planned use per day, used until issues give a usage rate.
    planned_daily_use = models.PositiveIntegerField("计划日用量", default=0)
    # The earliest expiry date of the stock on hand (replacement by expiry, H-4.1).
    expires_on = models.DateField("最早到期日", null=True, blank=True)

    scope_jurisdiction = "enterprise__jurisdiction"
    scope_enterprise = "enterprise"

    class Meta:
        verbose_name = "防护物资"
        verbose_name_plural = "防护物资"
        ordering = ["enterprise_id", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "name"], name="supply_item_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class StockMove(models.Model):
    """A receipt, an issue to an org unit, a replacement by expiry or a disposal of used items."""

    item = models.ForeignKey(
        SupplyItem, verbose_name="物资", on_delete=models.CASCADE, related_name="moves"
    )
    kind = models.CharField("类型", max_length=10, choices=MoveKind.choices)
    quantity = models.PositiveIntegerField("数量")
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name="领用部门", null=True, blank=True, on_delete=models.SET_NULL
    )
    expires_on = models.DateField("到期日", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    balance = models.PositiveIntegerField("结存")
    at = models.DateTimeField("时间")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_jurisdiction = "item__enterprise__jurisdiction"
    scope_enterprise = "item__enterprise"

    class Meta:
        verbose_name = "出入库记录"
        verbose_name_plural = "出入库记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["item", "kind", "at"], name="supply_move_item_kind_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity}"


class CoverMinimum(models.Model):
    """The minimum days of cover a park asks of its enterprises' stock, with its basis.

    The notices ask for "充裕" stock without a figure (H-4.1, Z-5.3e), so the park sets the
    number and writes down where it comes from; a pack that declares the parameter
    `supplies_min_cover_days` takes precedence (supplies.rules)."""

    jurisdiction = models.OneToOneField(
        Jurisdiction, verbose_name="园区", on_delete=models.CASCADE, related_name="cover_minimum"
    )
    days = models.PositiveSmallIntegerField("最低保障天数")
    basis = models.CharField("依据（文件、条款）", max_length=200)
    set_at = models.DateTimeField("设定时间")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_jurisdiction = "jurisdiction"

    class Meta:
        verbose_name = "物资最低保障天数"
        verbose_name_plural = "物资最低保障天数"

    def __str__(self) -> str:
        return f"{self.days}"


class LowStockAlert(models.Model):
    """Open while an item's days of cover are below the minimum; a receipt closes it."""

    item = models.ForeignKey(
        SupplyItem, verbose_name="物资", on_delete=models.CASCADE, related_name="alerts"
    )
    cover_days = models.DecimalField("可保障天数", max_digits=8, decimal_places=1)
    minimum_days = models.PositiveSmallIntegerField("最低保障天数")
    basis = models.CharField("依据", max_length=300)
    opened_at = models.DateTimeField("预警时间")
    closed_at = models.DateTimeField("解除时间", null=True, blank=True)

    scope_jurisdiction = "item__enterprise__jurisdiction"
    scope_enterprise = "item__enterprise"

    class Meta:
        verbose_name = "物资不足预警"
        verbose_name_plural = "物资不足预警"
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=Q(closed_at__isnull=True), name="supply_alert_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.cover_days}"


class DisinfectionArea(models.Model):
    """A place of the enterprise that is disinfected; its kind is one of the places a pack's
    schedule names (车间工作区, 办公室, 宿舍区…), so the schedule finds it."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="disinfection_areas"
    )
    name = models.CharField("区域名称", max_length=60)
    kind = models.CharField("区域类别", max_length=30)
    key_area = models.BooleanField("重点区域", default=False)
    # "重点区域应多次消杀" (B-2.5) gives no figure: the enterprise's own plan says how many rounds.
    rounds = models.PositiveSmallIntegerField("每个时段消杀次数", default=1)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="负责人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="disinfection_areas",
    )

    scope_jurisdiction = "enterprise__jurisdiction"
    scope_enterprise = "enterprise"

    class Meta:
        verbose_name = "消杀区域"
        verbose_name_plural = "消杀区域"
        ordering = ["enterprise_id", "kind", "name"]

    def __str__(self) -> str:
        return self.name


class DisinfectionTask(models.Model):
    """One disinfection of one area in one slot of one day, from a pack's schedule."""

    area = models.ForeignKey(
        DisinfectionArea, verbose_name="区域", on_delete=models.CASCADE, related_name="tasks"
    )
    on = models.DateField("日期")
    slot = models.CharField("时段", max_length=20)
    round = models.PositiveSmallIntegerField("第几次", default=1)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="负责人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="disinfection_tasks",
    )
    citation = models.JSONField("依据", default=dict, blank=True)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField("说明", max_length=200, blank=True)
    # A photo is small and rare: kept in the database, so no server's disk holds state.
    photo = models.BinaryField("照片", null=True, blank=True, editable=False)
    photo_type = models.CharField("照片类型", max_length=20, blank=True)

    scope_jurisdiction = "area__enterprise__jurisdiction"
    scope_enterprise = "area__enterprise"
    # The person assigned sees (and completes) their own tasks.
    scope_user = "assignee"

    class Meta:
        verbose_name = "消杀任务"
        verbose_name_plural = "消杀任务"
        ordering = ["on", "slot", "area_id", "round"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "on", "slot", "round"], name="disinfection_task_unique"
            )
        ]
        indexes = [models.Index(fields=["on", "area"], name="disinfection_task_on_area")]

    def __str__(self) -> str:
        return f"{self.on} {self.slot} {self.area_id}"
