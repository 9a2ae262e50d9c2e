"""Per-person status: the one row the gate reads, kept current by the services that write
evidence (declarations, temperatures, results, leave), in the same transaction."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from parkguard.orgs.models import Enterprise
from parkguard.people.models import Person
from parkguard.status.choices import HoldKind, OverrideAction, OverrideState


class PersonStatus(models.Model):
    """One row per person: latest negative, pending results, holds with reasons and citations.

    Derived, never edited by hand: `manage.py status rebuild --check` recomputes every row from
    the records (holds from `StatusHold`, the rest from the contributors in `status.sources`)
    and reports differences. `enterprise` is denormalised so scoping and the gate read one row.
    """

    person = models.OneToOneField(
        Person,
        verbose_name="人员",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="health_status",
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="+"
    )
    latest_negative_at = models.DateTimeField("最近阴性采样时间", null=True, blank=True)
    pending_results = models.PositiveIntegerField("待出结果数", default=0)
    on_hold = models.BooleanField("限制进入", default=False)
    # [{"kind", "label", "reason", "citation", "source", "opened_at"}], open holds oldest first.
    holds = models.JSONField("限制原因", default=list, blank=True)
    alert_count = models.PositiveIntegerField("未解除的限制数", default=0)
    declared_on = models.DateField("最近健康申报日期", null=True, blank=True)
    last_temperature = models.DecimalField(
        "最近体温", max_digits=4, decimal_places=1, null=True, blank=True
    )
    last_temperature_at = models.DateTimeField("最近测温时间", null=True, blank=True)
    # Set by the services from their `at`, not auto_now: bulk updates carry it explicitly.
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    scope_jurisdiction = "enterprise__jurisdiction"
    scope_enterprise = "enterprise"
    scope_org_unit = "person__org_unit"
    scope_community = "person__home_community"
    scope_person = "person"

    class Meta:
        verbose_name = "人员状态"
        verbose_name_plural = "人员状态"
        indexes = [models.Index(fields=["enterprise", "on_hold"], name="status_ent_hold")]

    def __str__(self) -> str:
        return f"{self.person_id}"


class StatusHold(models.Model):
    """One reason a person may not enter, open until cleared; the record behind `holds`."""

    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.CASCADE, related_name="status_holds"
    )
    kind = models.CharField("类型", max_length=20, choices=HoldKind.choices)
    reason = models.CharField("原因", max_length=300)
    # {"pack_id", "version", "document_number", "requirement", "clause", "rule_id"}
    citation = models.JSONField("依据", default=dict, blank=True)
    # Which record opened it, e.g. "health.alert:12" or "sampling.pool:123".
    source = models.CharField("来源", max_length=80, blank=True)
    opened_at = models.DateTimeField("开始时间")
    cleared_at = models.DateTimeField("解除时间", null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="解除人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope_jurisdiction = "person__enterprise__jurisdiction"
    scope_enterprise = "person__enterprise"
    scope_org_unit = "person__org_unit"
    scope_person = "person"

    class Meta:
        verbose_name = "状态限制"
        verbose_name_plural = "状态限制"
        ordering = ["opened_at", "id"]
        indexes = [
            models.Index(fields=["person", "cleared_at"], name="statushold_person_open"),
            models.Index(fields=["kind", "source"], name="statushold_kind_source"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reason}"


class StatusOverride(models.Model):
    """A manual change of a person's entry status, outside the evidence: hold them, or release
    one open hold. It takes effect only when a second person approves it (issue 18 §2), so no
    one can quietly turn a person's status red or green, as health codes were misused in 2022.
    """

    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.CASCADE, related_name="status_overrides"
    )
    action = models.CharField("操作", max_length=10, choices=OverrideAction.choices)
    # The hold to release (RELEASE); the hold this override opened once approved (HOLD).
    hold = models.ForeignKey(
        StatusHold,
        verbose_name="限制",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="overrides",
    )
    reason = models.CharField("理由", max_length=300)
    state = models.CharField(
        "状态", max_length=10, choices=OverrideState.choices, default=OverrideState.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="复核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("复核时间", null=True, blank=True)
    decision_note = models.CharField("复核意见", max_length=300, blank=True)

    scope_jurisdiction = "person__enterprise__jurisdiction"
    scope_enterprise = "person__enterprise"
    scope_org_unit = "person__org_unit"

    class Meta:
        verbose_name = "状态人工更正"
        verbose_name_plural = "状态人工更正"
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["state", "requested_at"], name="override_state_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.person_id}"
