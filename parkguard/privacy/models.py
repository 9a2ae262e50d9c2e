"""Subject rights and retention: correction requests, and the receipts of deletions."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.people.models import Person
from parkguard.privacy.choices import CorrectionField, CorrectionState, PurgeKind, PurgeState


class CorrectionRequest(models.Model):
    """A person asks that something in their record be corrected (PIPL Art. 46); an officer
    of their enterprise answers by `due_at` (PARKGUARD_CORRECTION_DAYS), corrected or refused
    with a reason. Past the deadline it is flagged to the officers and the park."""

    person = models.ForeignKey(
        Person, verbose_name="本人", on_delete=models.CASCADE, related_name="correction_requests"
    )
    # Denormalised from the person: the officers' list and the scope read one column.
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="+"
    )
    field = models.CharField("更正内容", max_length=20, choices=CorrectionField.choices)
    text = models.CharField("说明（哪里不对，应当是什么）", max_length=500)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提出人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    filed_at = models.DateTimeField("提出时间")
    due_at = models.DateTimeField("答复期限")
    state = models.CharField(
        "状态", max_length=12, choices=CorrectionState.choices, default=CorrectionState.OPEN
    )
    answer = models.CharField("答复", max_length=500, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    # Set when the overdue flag went out, so it goes out once.
    overdue_flagged_at = models.DateTimeField("逾期提醒时间", null=True, blank=True)

    scope_jurisdiction = "enterprise__jurisdiction"
    scope_enterprise = "enterprise"
    scope_person = "person"

    class Meta:
        verbose_name = "个人信息更正申请"
        verbose_name_plural = "个人信息更正申请"
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["enterprise", "state", "due_at"], name="correction_ent_state_due"),
            models.Index(fields=["state", "due_at"], name="correction_state_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_field_display()} · {self.get_state_display()}"


class Purge(models.Model):
    """One deletion of personal data and its receipt: what kinds, how many rows, which dates,
    who and when. A scheduled purge (retention periods) is done at once by the system; an
    end-of-emergency purge of a park's health and movement data is proposed by one park
    admin and done only when another approves. Audit entries are never deleted by either."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name="园区", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField("类型", max_length=12, choices=PurgeKind.choices)
    state = models.CharField("状态", max_length=10, choices=PurgeState.choices)
    # The kinds of record (`retention.KINDS` keys) it deletes.
    kinds = models.JSONField("数据种类", default=list)
    # Emergency: everything recorded up to the end of this (local) day.
    until = models.DateField("清除截止日期", null=True, blank=True)
    reason = models.CharField("理由", max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField("申请时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="复核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("复核时间", null=True, blank=True)
    decision_note = models.CharField("复核意见", max_length=200, blank=True)
    done_at = models.DateTimeField("清除时间", null=True, blank=True)
    # The receipt: [{"kind", "label", "rows", "first", "last"}] per kind (counts, never data).
    receipt = models.JSONField("删除回执", default=list, blank=True)

    scope_jurisdiction = "jurisdiction"

    class Meta:
        verbose_name = "数据清除与回执"
        verbose_name_plural = "数据清除与回执"
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.requested_at:%Y-%m-%d}"

    @property
    def total_rows(self) -> int:
        return sum(int(line.get("rows", 0)) for line in self.receipt)
