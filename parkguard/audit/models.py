"""An append-only, hash-chained log of sensitive actions (reveals, exports, logins, overrides)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One sensitive action. `digest` is a keyed HMAC over the previous event's digest and
    this event's fields (actor id included), so an edit, an insertion or a recomputed chain
    shows; `AuditHead` remembers the tail, so deleted tail rows show too."""

    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The actor's id as recorded, chained: `actor` is nulled if the user is deleted.
    actor_id_ref = models.BigIntegerField("操作人编号", null=True, blank=True)
    actor_label = models.CharField("操作人账号", max_length=150)
    action = models.CharField("操作", max_length=50, db_index=True)
    target_type = models.CharField("对象类型", max_length=50, blank=True)
    target_id = models.CharField("对象", max_length=50, blank=True)
    enterprise_id_ref = models.BigIntegerField("企业", null=True, blank=True, db_index=True)
    jurisdiction_id_ref = models.BigIntegerField("辖区", null=True, blank=True, db_index=True)
    reason = models.CharField("事由", max_length=200, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    # SHA-256 over the sorted ids of the people the action concerned (`AuditSubject`), chained
    # when set; blank for events about no one, whose links hash exactly as before.
    subjects_digest = models.CharField(max_length=64, blank=True, default="")
    prev_digest = models.CharField(max_length=64)
    digest = models.CharField(max_length=64, unique=True)

    # Read through orgs.access with action "read_audit": the enterprise's editors see their
    # enterprise's entries; the park admin those of the park, of its enterprises (an entry
    # with an enterprise and no jurisdiction) and the logins of its own people (an entry with
    # neither: the actor's roles place it). Failed logins name no user: superusers only.
    scope_jurisdiction = "jurisdiction_id_ref"
    scope_enterprise = "enterprise_id_ref"
    scope_enterprise_ref = "enterprise_id_ref"
    scope_actor_ref = "actor_id_ref"

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]

    def __str__(self) -> str:
        from parkguard.audit.labels import action_label

        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {action_label(self.action)}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Append-only: an existing event is never rewritten.
        if self.pk is not None:
            raise RuntimeError("审计记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("审计记录只能追加，不能删除")


class AuditHead(models.Model):
    """The chain's running head, kept outside the event table and updated in the same
    transaction as each append: the last id, the number of events and the last digest,
    with its own HMAC. Deleting tail rows leaves the chain valid but not the head."""

    last_id = models.BigIntegerField(default=0)
    count = models.BigIntegerField(default=0)
    digest = models.CharField(max_length=64)
    mac = models.CharField(max_length=64)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return f"#{self.last_id} ({self.count})"


class AuditSubject(models.Model):
    """One person an audited action concerned (a reveal, an export that listed them, an
    override, an edit): the index behind each person's own access log (PIPL Art. 44-45).

    A plain id, not a foreign key: the entry outlives the person's record. The set of ids of
    one event is chained through `AuditEvent.subjects_digest`, so `audit verify` sees a row
    added, changed or removed here too."""

    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="subjects")
    person_id_ref = models.BigIntegerField("人员")

    class Meta:
        verbose_name = "审计记录涉及人员"
        verbose_name_plural = "审计记录涉及人员"
        indexes = [models.Index(fields=["person_id_ref", "event"], name="audit_subject_person")]

    def __str__(self) -> str:
        return f"{self.event_id}:{self.person_id_ref}"
