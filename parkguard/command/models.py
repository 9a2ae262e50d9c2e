"""Lockdown orders with their checkpoints, deadline misses, passes and teams (L-3.0, L-3.1);
24-hour duty rosters (L-4.4b); living and medical supplies in lockdown (L-3.2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from parkguard.command.choices import Deadline, NeedKind, OrderState, PassKind, TeamKind
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.people.models import Person
from parkguard.response.models import Area

_USER = settings.AUTH_USER_MODEL


class LockdownOrder(models.Model):
    """A county or park command's order to close areas or whole enterprises (L-3.0). The due
    times are the pack's, fixed when the order is placed."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name="下令指挥部", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("指令名称", max_length=120)
    reason = models.CharField("封控原因", max_length=300)
    state = models.CharField(
        "状态", max_length=10, choices=OrderState.choices, default=OrderState.ORDERED
    )
    ordered_at = models.DateTimeField("下令时间")
    ordered_by = models.ForeignKey(
        _USER, verbose_name="下令人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    staff_due_at = models.DateTimeField("到岗时限")
    close_due_at = models.DateTimeField("封闭时限")
    citation = models.JSONField("依据", default=dict, blank=True)
    closed_at = models.DateTimeField("全部封闭时间", null=True, blank=True)
    lifted_at = models.DateTimeField("解封时间", null=True, blank=True)
    lifted_by = models.ForeignKey(
        _USER,
        verbose_name="解封人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lift_reason = models.CharField("解封理由", max_length=300, blank=True)

    scope_jurisdiction = "jurisdiction"

    class Meta:
        verbose_name = "封控指令"
        verbose_name_plural = "封控指令"
        ordering = ["-ordered_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def all_staffed_at(self) -> object:
        """When the last checkpoint reported arrival; None while one is still unstaffed."""
        times = [c.staffed_at for c in self.checkpoints.all()]
        return None if not times or None in times else max(t for t in times if t is not None)

    @property
    def source(self) -> str:
        """The status holds of this order carry this source."""
        return f"command.lockdown:{self.pk}"


class Checkpoint(models.Model):
    """The one entrance of one controlled area (an area, or a whole enterprise) (L-3.1)."""

    order = models.ForeignKey(
        LockdownOrder, verbose_name="封控指令", on_delete=models.CASCADE, related_name="checkpoints"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        Area, verbose_name="区块", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("卡点（唯一出入口）", max_length=80)
    staffed_at = models.DateTimeField("到岗时间", null=True, blank=True)
    staffed_by = models.ForeignKey(
        _USER, verbose_name="到岗报告人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    closed_at = models.DateTimeField("封闭时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        _USER, verbose_name="封闭报告人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip

    # The park of the controlled enterprise reaches it too, for a county's order.
    scope_jurisdiction = "enterprise__jurisdiction"

    class Meta:
        verbose_name = "封控卡点"
        verbose_name_plural = "封控卡点"
        ordering = ["order_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "enterprise", "area"], name="checkpoint_one_per_area"
            ),
            models.UniqueConstraint(
                fields=["order", "enterprise"],
                condition=models.Q(area__isnull=True),
                name="checkpoint_one_per_enterprise",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def controlled(self) -> str:
        return f"{self.enterprise.name}·{self.area.name}" if self.area else self.enterprise.name


class DeadlineMiss(models.Model):
    """A checkpoint that missed one of the order's deadlines, recorded once."""

    checkpoint = models.ForeignKey(
        Checkpoint, verbose_name="卡点", on_delete=models.CASCADE, related_name="misses"
    )
    deadline = models.CharField("时限", max_length=10, choices=Deadline.choices)
    due_at = models.DateTimeField("应完成时间")
    recorded_at = models.DateTimeField("记录时间")

    scope_jurisdiction = "checkpoint__enterprise__jurisdiction"

    class Meta:
        verbose_name = "超时记录"
        verbose_name_plural = "超时记录"
        ordering = ["due_at", "id"]
        constraints = [models.UniqueConstraint(fields=["checkpoint", "deadline"], name="miss_once")]

    def __str__(self) -> str:
        return f"{self.checkpoint_id}:{self.deadline}"


class LockdownPass(models.Model):
    """A person allowed through a lockdown (L-3.1): printed (a gate printed pass with its QR)
    or electronic (their own phone pass). Holding one clears their lockdown hold."""

    order = models.ForeignKey(
        LockdownOrder, verbose_name="封控指令", on_delete=models.CASCADE, related_name="passes"
    )
    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("形式", max_length=12, choices=PassKind.choices)
    purpose = models.CharField("通行事由", max_length=120)
    printed_serial = models.CharField("纸质通行证编号", max_length=40, blank=True)
    issued_at = models.DateTimeField("签发时间")
    issued_by = models.ForeignKey(
        _USER, verbose_name="签发人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField("作废时间", null=True, blank=True)

    scope_jurisdiction = "person__enterprise__jurisdiction"

    class Meta:
        verbose_name = "封控通行证"
        verbose_name_plural = "封控通行证"
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.order_id}:{self.person_id}"


class Team(models.Model):
    """A team listed on the order: policy questions, requests, living support (L-3.1)."""

    order = models.ForeignKey(
        LockdownOrder, verbose_name="封控指令", on_delete=models.CASCADE, related_name="teams"
    )
    kind = models.CharField("小组", max_length=10, choices=TeamKind.choices)
    leader = models.CharField("负责人", max_length=50)
    hotline = models.CharField("电话", max_length=20, blank=True)

    scope_jurisdiction = "order__jurisdiction"

    class Meta:
        verbose_name = "封控工作小组"
        verbose_name_plural = "封控工作小组"
        ordering = ["order_id", "kind"]
        constraints = [models.UniqueConstraint(fields=["order", "kind"], name="team_one_per_kind")]

    def __str__(self) -> str:
        return self.get_kind_display()


class Shift(models.Model):
    """One shift on a 24-hour duty roster (L-4.4b): a checkpoint's, or a named post's."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name="园区/指挥部", on_delete=models.PROTECT, related_name="+"
    )
    checkpoint = models.ForeignKey(
        Checkpoint, verbose_name="卡点", null=True, blank=True, on_delete=models.CASCADE,
        related_name="shifts",
    )  # fmt: skip
    post = models.CharField("岗位", max_length=80)
    user = models.ForeignKey(
        _USER, verbose_name="值班人", on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField("开始")
    ends_at = models.DateTimeField("结束")
    handed_over_at = models.DateTimeField("交接时间", null=True, blank=True)
    handover_note = models.CharField("交接记录", max_length=300, blank=True)
    created_by = models.ForeignKey(
        _USER, verbose_name="排班人", null=True, on_delete=models.PROTECT, related_name="+"
    )

    scope_jurisdiction = "jurisdiction"
    scope_user = "user"

    class Meta:
        verbose_name = "值班班次"
        verbose_name_plural = "值班班次"
        ordering = ["post", "starts_at", "id"]
        indexes = [models.Index(fields=["checkpoint", "starts_at"], name="shift_checkpoint_start")]

    def __str__(self) -> str:
        return f"{self.post} {self.starts_at:%m-%d %H:%M}"

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600


class SupplyNeed(models.Model):
    """A day's count of living or medical needs of a locked-down enterprise or checkpoint."""

    order = models.ForeignKey(
        LockdownOrder, verbose_name="封控指令", on_delete=models.CASCADE, related_name="needs"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="+"
    )
    checkpoint = models.ForeignKey(
        Checkpoint, verbose_name="卡点", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    day = models.DateField("日期")
    kind = models.CharField("类别", max_length=10, choices=NeedKind.choices)
    item = models.CharField("物资", max_length=60)
    quantity = models.PositiveIntegerField("需求数量")
    unit = models.CharField("单位", max_length=10)
    counted_at = models.DateTimeField("统计时间")
    counted_by = models.ForeignKey(
        _USER, verbose_name="统计人", null=True, on_delete=models.PROTECT, related_name="+"
    )

    scope_jurisdiction = "enterprise__jurisdiction"

    class Meta:
        verbose_name = "物资需求"
        verbose_name_plural = "物资需求"
        ordering = ["-day", "id"]

    def __str__(self) -> str:
        return f"{self.item} {self.quantity}{self.unit}"


class Delivery(models.Model):
    """A package for an enterprise or checkpoint, packed and delivered at a set time by a
    grid worker or volunteer, then confirmed by the receiver (L-3.2)."""

    order = models.ForeignKey(
        LockdownOrder, verbose_name="封控指令", on_delete=models.CASCADE, related_name="deliveries"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="+"
    )
    checkpoint = models.ForeignKey(
        Checkpoint, verbose_name="卡点", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    contents = models.CharField("配送物资", max_length=200)
    packages = models.PositiveIntegerField("包数")
    due_at = models.DateTimeField("约定送达时间")
    courier = models.CharField("配送人（网格员/志愿者）", max_length=50)
    packed_at = models.DateTimeField("打包时间")
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    confirmed_by = models.CharField("签收人", max_length=50, blank=True)
    created_by = models.ForeignKey(
        _USER, verbose_name="登记人", null=True, on_delete=models.PROTECT, related_name="+"
    )

    scope_jurisdiction = "enterprise__jurisdiction"

    class Meta:
        verbose_name = "物资配送"
        verbose_name_plural = "物资配送"
        ordering = ["due_at", "id"]

    def __str__(self) -> str:
        return self.contents


class Shortfall(models.Model):
    """Supplies short for a locked-down enterprise, raised to the county supply group."""

    order = models.ForeignKey(
        LockdownOrder, verbose_name="封控指令", on_delete=models.CASCADE, related_name="shortfalls"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="+"
    )
    item = models.CharField("物资", max_length=60)
    short_by = models.PositiveIntegerField("缺口数量")
    unit = models.CharField("单位", max_length=10)
    raised_at = models.DateTimeField("提出时间")
    raised_by = models.ForeignKey(
        _USER, verbose_name="提出人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    notified = models.PositiveIntegerField("已通知人数", default=0)

    scope_jurisdiction = "enterprise__jurisdiction"

    class Meta:
        verbose_name = "物资缺口"
        verbose_name_plural = "物资缺口"
        ordering = ["-raised_at", "-id"]

    def __str__(self) -> str:
        return f"{self.item} 缺 {self.short_by}{self.unit}"
