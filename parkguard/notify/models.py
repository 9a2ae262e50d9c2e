"""The in-app inbox, group-robot webhooks and their deliveries, and each park's reminder clock."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from parkguard.notify.choices import DeliveryStatus, Kind, Vendor
from parkguard.orgs.models import Enterprise, Jurisdiction


class Message(models.Model):
    """One message in one user's inbox. A user sees only their own (`scope_user`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="收件人",
        on_delete=models.CASCADE,
        related_name="inbox",
        db_index=False,  # (user, created_at) leads with it
    )
    kind = models.CharField("类别", max_length=30, choices=Kind.choices)
    title = models.CharField("标题", max_length=120)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间")
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    scope_user = "user"

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notify_msg_user_time"),
            # The unread badge on every page: a count over this small partial index.
            models.Index(
                fields=["user"], condition=Q(read_at__isnull=True), name="notify_msg_unread"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def local_link(self) -> str:
        """The link if it stays on this site (a path), else empty: never an open redirect."""
        link = self.link
        return link if link.startswith("/") and not link.startswith("//") else ""


class Webhook(models.Model):
    """A group robot of an enterprise or of a park (DingTalk, WeCom, Feishu).

    The URL carries the robot's access token or key, so it is stored encrypted like the
    secret; screens show only `url_hint`. Nothing is sent unless `enabled` and the message's
    kind is in `kinds`.
    """

    name = models.CharField("名称", max_length=60)
    vendor = models.CharField("类型", max_length=20, choices=Vendor.choices)
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name="企业",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhooks",
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name="园区",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhooks",
    )
    # The park that oversees the webhook (its own, or its enterprise's), so park admins see it.
    owner_park = models.ForeignKey(
        Jurisdiction, verbose_name="所属园区", on_delete=models.CASCADE, related_name="+"
    )
    url_encrypted = models.TextField(editable=False)
    url_hint = models.CharField("地址", max_length=200, editable=False)
    signed = models.BooleanField("加签", default=False)
    secret_encrypted = models.TextField(editable=False, blank=True)
    kinds = models.JSONField("推送的消息类别", default=list, blank=True)
    enabled = models.BooleanField("启用", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间")
    updated_at = models.DateTimeField("修改时间")

    scope_jurisdiction = "owner_park"
    scope_enterprise = "enterprise"

    class Meta:
        verbose_name = "群机器人"
        verbose_name_plural = "群机器人"
        ordering = ["owner_park_id", "enterprise_id", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(enterprise__isnull=True, jurisdiction__isnull=False)
                | Q(enterprise__isnull=False, jurisdiction__isnull=True),
                name="webhook_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_vendor_display()}）"

    @property
    def has_secret(self) -> bool:
        return bool(self.secret_encrypted)


class Delivery(models.Model):
    """One message for one webhook, sent by a background job with retries."""

    webhook = models.ForeignKey(
        Webhook, verbose_name="群机器人", on_delete=models.CASCADE, related_name="deliveries"
    )
    kind = models.CharField("类别", max_length=30, choices=Kind.choices)
    title = models.CharField("标题", max_length=120)
    text = models.TextField("内容（已去除个人信息）")
    status = models.CharField(
        "状态", max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.CharField("最近错误", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间")
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    scope_jurisdiction = "webhook__owner_park"
    scope_enterprise = "webhook__enterprise"

    class Meta:
        verbose_name = "推送记录"
        verbose_name_plural = "推送记录"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["webhook", "-created_at"], name="notify_delivery_hook")]

    def __str__(self) -> str:
        return f"{self.webhook_id} · {self.title}"


class ParkReminderConfig(models.Model):
    """A park's reminder clock: when to remind who has not declared, and when to send the
    digest to officers. Empty times mean no reminder (the default)."""

    jurisdiction = models.OneToOneField(
        Jurisdiction, verbose_name="园区", on_delete=models.CASCADE, related_name="reminder_config"
    )
    declare_remind_at = models.TimeField("未申报提醒时间", null=True, blank=True)
    digest_at = models.TimeField("未申报汇总时间", null=True, blank=True)
    updated_at = models.DateTimeField("修改时间")

    scope_jurisdiction = "jurisdiction"

    class Meta:
        verbose_name = "园区提醒设置"
        verbose_name_plural = "园区提醒设置"

    def __str__(self) -> str:
        return str(self.jurisdiction)


class ReminderRun(models.Model):
    """That a park's reminder of a kind ran on a day: the unique row makes each run happen
    once however many job consumers tick at the same time."""

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    day = models.DateField()
    ran_at = models.DateTimeField()
    reminded = models.PositiveIntegerField(default=0)

    scope_jurisdiction = "jurisdiction"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "kind", "day"], name="reminder_run_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction_id} {self.kind} {self.day}"
