"""Gates and entrances, passes, and the access log (issue 13: Z-5.2e, Z-5.2d, J-1.5a, L-3.1)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from parkguard.gate.choices import CodeSource, Direction, Method, Place, Refusal, VisitorKind
from parkguard.orgs.models import ApiToken, Enterprise, Jurisdiction
from parkguard.people.models import Person


class Gate(models.Model):
    """An entrance of an enterprise (or of the park itself, with no enterprise)."""

    park = models.ForeignKey(
        Jurisdiction, verbose_name="园区", on_delete=models.CASCADE, related_name="+"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name="企业",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="gates",
    )
    name = models.CharField("名称", max_length=50)
    place = models.CharField("场所类型", max_length=20, choices=Place.choices)
    # The random code in the place-code poster's URL (J-1.5a); no meaning of its own.
    place_code = models.CharField("场所码", max_length=32, unique=True, editable=False)
    # Z-5.2d "两点一线": the dormitories and workshops this gate connects, and whether the
    # enterprise is in a closed-loop period at this gate.
    route_areas = models.JSONField("所在路线（宿舍、车间）", default=list, blank=True)
    closed_loop = models.BooleanField("闭环管理中", default=False)
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间")

    scope_jurisdiction = "park"
    scope_enterprise = "enterprise"
    # A gate's name is no personal data: every member of the enterprise may see it.
    scope_enterprise_level = "member"

    class Meta:
        verbose_name = "出入口"
        verbose_name_plural = "出入口"
        ordering = ["park_id", "enterprise_id", "name", "id"]

    def __str__(self) -> str:
        return self.name


class PrintedPass(models.Model):
    """A paper pass for a person without a phone: a random serial, revocable (L-3.1)."""

    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.CASCADE, related_name="printed_passes"
    )
    serial = models.CharField("编号", max_length=32, unique=True, editable=False)
    issued_at = models.DateTimeField("签发时间")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField("作废时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_jurisdiction = "person__enterprise__jurisdiction"
    scope_enterprise = "person__enterprise"
    scope_person = "person"

    class Meta:
        verbose_name = "纸质通行证"
        verbose_name_plural = "纸质通行证"
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.serial[:6]}…"


class TemporaryPass(models.Model):
    """A visitor's or truck crew's pass, valid only in its window. Other apps (visits, freight)
    issue them through `gate.services.temporary_pass_issue`, naming themselves in `source`."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField("类别", max_length=20, choices=VisitorKind.choices)
    name = models.CharField("姓名", max_length=50)
    id_tail = models.CharField("证件尾号", max_length=4, blank=True)
    plate = models.CharField("车牌", max_length=12, blank=True)
    negative_sampled_at = models.DateTimeField("最近阴性采样时间", null=True, blank=True)
    valid_from = models.DateTimeField("有效起")
    valid_until = models.DateTimeField("有效止")
    serial = models.CharField("编号", max_length=32, unique=True, editable=False)
    source = models.CharField("来源", max_length=80, blank=True)
    issued_at = models.DateTimeField("签发时间")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField("作废时间", null=True, blank=True)

    scope_jurisdiction = "enterprise__jurisdiction"
    scope_enterprise = "enterprise"

    class Meta:
        verbose_name = "临时通行证"
        verbose_name_plural = "临时通行证"
        ordering = ["-valid_from", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.serial[:6]}…"


class TokenUse(models.Model):
    """A phone pass token let through once at a gate in a direction (replay protection)."""

    gate = models.ForeignKey(Gate, on_delete=models.CASCADE, related_name="+")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    digest = models.CharField(max_length=64)
    expires_at = models.DateTimeField()

    scope_jurisdiction = "gate__park"
    scope_enterprise = "gate__enterprise"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["gate", "direction", "digest"], name="gate_token_once")
        ]
        indexes = [models.Index(fields=["expires_at"], name="gate_tokenuse_expiry")]

    def __str__(self) -> str:
        return f"{self.gate_id} {self.direction}"


class AccessCheck(models.Model):
    """One check at a gate, allowed or refused, with its reasons and pack versions (the access
    log; contact tracing reads it by person and time)."""

    at = models.DateTimeField("查验时间")  # when the guard scanned (a queued check keeps it)
    recorded_at = models.DateTimeField("记录时间")
    gate = models.ForeignKey(
        Gate, verbose_name="出入口", on_delete=models.PROTECT, related_name="+"
    )
    park = models.ForeignKey(
        Jurisdiction, verbose_name="园区", on_delete=models.CASCADE, related_name="+"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name="企业",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    direction = models.CharField("方向", max_length=3, choices=Direction.choices)
    method = models.CharField("方式", max_length=20, choices=Method.choices)
    person = models.ForeignKey(
        Person,
        verbose_name="人员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    temporary_pass = models.ForeignKey(
        TemporaryPass,
        verbose_name="临时通行证",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    guard = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="门岗",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    device = models.ForeignKey(
        ApiToken,
        verbose_name="设备",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    allowed = models.BooleanField("放行")
    refusal = models.CharField("拒绝类型", max_length=20, choices=Refusal.choices, blank=True)
    # [{"text", "citation": {...} | null}]
    reasons = models.JSONField("原因", default=list, blank=True)
    # [[pack_id, version], ...]
    packs = models.JSONField("规则包版本", default=list, blank=True)
    code_colour = models.CharField("健康码", max_length=10, blank=True)
    code_source = models.CharField(
        "健康码来源", max_length=10, choices=CodeSource.choices, default=CodeSource.NONE
    )
    temperature = models.DecimalField("体温", max_digits=4, decimal_places=1, null=True, blank=True)
    steps = models.JSONField("已确认步骤", default=list, blank=True)
    queued = models.BooleanField("断网补传", default=False)

    scope_jurisdiction = "park"
    scope_enterprise = "enterprise"
    scope_person = "person"

    class Meta:
        verbose_name = "出入记录"
        verbose_name_plural = "出入记录"
        ordering = ["-at", "-id"]
        indexes = [
            # Contact tracing: who passed when (L-3.1), and one gate's day.
            models.Index(fields=["person", "at"], name="access_person_at"),
            models.Index(fields=["enterprise", "at"], name="access_enterprise_at"),
            # One gate's day, and who passed it when: with the person in the key, contact
            # tracing's (gate, at) ranges are answered from the index alone.
            models.Index(fields=["gate", "at", "person"], name="access_gate_at_person"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_direction_display()}"
