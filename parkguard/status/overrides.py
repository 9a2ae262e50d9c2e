"""Manual status overrides: the one way a person's entry status changes without evidence.

A hold opens and clears from evidence (a result, an alert, a plan, a tracing decision). When
staff must step outside that (a person held by mistake, someone to keep out for a reason the
records do not show), one person proposes the change with a reason and a SECOND person of
the enterprise or its park approves it; only then does the status change. Both steps are
audited. More than `STATUS_OVERRIDES_PER_HOUR` proposals in one enterprise within an hour are
refused and the park's admins are alerted, so a burst of quiet changes cannot pass unseen.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from parkguard.audit.services import audit_record
from parkguard.notify.choices import Kind
from parkguard.notify.services import notify_send
from parkguard.orgs.access import Scope, require
from parkguard.orgs.choices import PARK_EDITORS
from parkguard.orgs.models import Membership
from parkguard.people.models import Person
from parkguard.status.choices import HoldKind, OverrideAction, OverrideState
from parkguard.status.models import StatusHold, StatusOverride
from parkguard.status.services import status_hold_clear, status_hold_open

REASON_MIN = 4
WINDOW = dt.timedelta(hours=1)

REASON_REQUIRED = f"请写明理由（至少 {REASON_MIN} 个字），复核人和审计记录都会看到"
HOLD_REQUIRED = "请选择要解除的限制"
HOLD_NOT_OPEN = "该限制已解除或不属于此人"
HOLD_ALREADY_PENDING = "该限制已有一条待复核的解除申请"
SELF_APPROVAL = "不能复核自己提出的更正：须由另一人复核"
NOT_PENDING = "该更正已复核过"
TOO_MANY = "本企业一小时内的人工更正已达上限（{limit} 条），已通知园区；请稍后再试或联系园区"
ALERT_TITLE = "人工更正状态过于频繁"


def _audit(*, by: User, action: str, override: StatusOverride, at: dt.datetime) -> None:
    person = override.person
    audit_record(
        actor=by,
        action=action,
        at=at,
        target=override,
        enterprise_id=person.enterprise_id,
        jurisdiction_id=person.enterprise.jurisdiction_id,
        reason=override.reason[:200],
        detail={"person_id": person.pk, "action": override.action},
        subjects=[person.pk],
    )


def _rate_check(*, person: Person, by: User, at: dt.datetime) -> None:
    limit = settings.STATUS_OVERRIDES_PER_HOUR
    recent = StatusOverride.objects.filter(
        person__enterprise_id=person.enterprise_id, requested_at__gt=at - WINDOW
    ).count()
    if recent < limit:
        return
    enterprise = person.enterprise
    admins = Membership.objects.filter(
        role__in=PARK_EDITORS, jurisdiction_id=enterprise.jurisdiction_id
    ).values_list("user_id", flat=True)
    # Its own transaction, before the refusal is raised: the alert must survive it.
    with transaction.atomic():
        notify_send(
            user_ids=admins,
            jurisdiction=enterprise.jurisdiction,
            kind=Kind.GENERAL,
            title=f"{enterprise.name}：{ALERT_TITLE}",
            body=f"一小时内已提出 {recent} 条人工更正，新的申请已被拒绝。请核查。",
            at=at,
        )
        audit_record(
            actor=by,
            action="status_override_blocked",
            at=at,
            enterprise_id=enterprise.pk,
            jurisdiction_id=enterprise.jurisdiction_id,
            detail={"recent": recent, "limit": limit},
        )
    raise ValidationError({"__all__": TOO_MANY.format(limit=limit)})


def status_override_request(
    *,
    scope: Scope,
    person: Person,
    action: str,
    reason: str,
    hold: StatusHold | None = None,
    by: User,
    at: dt.datetime,
) -> StatusOverride:
    """Propose a manual change; nothing about the person's status changes yet.

    Not one transaction as a whole: a proposal refused for being one too many still leaves
    its alert to the park and its audit entry (see `_rate_check`)."""
    require(scope, "override_status", person)
    errors: dict[str, str] = {}
    reason = reason.strip()
    if len(reason) < REASON_MIN:
        errors["reason"] = REASON_REQUIRED
    if action == OverrideAction.RELEASE:
        if hold is None:
            errors["hold"] = HOLD_REQUIRED
        elif hold.person_id != person.pk or hold.cleared_at is not None:
            errors["hold"] = HOLD_NOT_OPEN
        elif StatusOverride.objects.filter(hold=hold, state=OverrideState.PENDING).exists():
            errors["hold"] = HOLD_ALREADY_PENDING
    elif action != OverrideAction.HOLD:
        errors["action"] = "未知的操作"
    if errors:
        raise ValidationError(errors)
    _rate_check(person=person, by=by, at=at)
    with transaction.atomic():
        override = StatusOverride.objects.create(
            person=person,
            action=action,
            hold=hold if action == OverrideAction.RELEASE else None,
            reason=reason[:300],
            requested_by=by,
            requested_at=at,
        )
        _audit(by=by, action="status_override_request", override=override, at=at)
    return override


@transaction.atomic
def status_override_decide(
    *,
    scope: Scope,
    override: StatusOverride,
    approve: bool,
    note: str = "",
    by: User,
    at: dt.datetime,
) -> StatusOverride:
    """A second person approves (the change takes effect now) or refuses the proposal."""
    require(scope, "override_status", override.person)
    override = StatusOverride.objects.select_for_update().get(pk=override.pk)
    if override.state != OverrideState.PENDING:
        raise ValidationError({"__all__": NOT_PENDING})
    if override.requested_by_id == by.pk:
        raise ValidationError({"__all__": SELF_APPROVAL})
    override.decided_by, override.decided_at = by, at
    override.decision_note = note.strip()[:300]
    override.state = OverrideState.APPROVED if approve else OverrideState.REFUSED
    if approve and override.action == OverrideAction.HOLD:
        source = f"status.override:{override.pk}"
        status_hold_open(
            person_ids=[override.person_id],
            kind=HoldKind.MANUAL,
            reason=f"人工限制：{override.reason}",
            citation={},
            source=source,
            at=at,
        )
        override.hold = StatusHold.objects.get(
            person_id=override.person_id, source=source, cleared_at__isnull=True
        )
    elif approve and override.hold is not None:
        hold = override.hold
        if hold.cleared_at is None:
            status_hold_clear(
                person_ids=[override.person_id],
                kind=hold.kind,
                source=hold.source,
                by=by,
                at=at,
            )
    override.save(update_fields=["decided_by", "decided_at", "decision_note", "state", "hold"])
    action = "status_override_approve" if approve else "status_override_refuse"
    _audit(by=by, action=action, override=override, at=at)
    return override
