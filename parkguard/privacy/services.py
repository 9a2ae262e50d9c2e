"""Writes of subject rights and retention: correction requests and their answers, the
scheduled purge and the end-of-emergency purge with its second approver.

Every step is audited with the person it concerns (`subjects`), so it shows in their own
access log; purges delete records, never audit entries, so `audit verify` still passes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min, Model, QuerySet
from django.urls import reverse
from django.utils import timezone

from parkguard.audit.services import audit_record
from parkguard.notify.choices import Kind
from parkguard.notify.services import notify_send
from parkguard.orgs.access import Scope, require
from parkguard.orgs.choices import ENTERPRISE_EDITORS, PARK_EDITORS
from parkguard.orgs.models import Enterprise, Jurisdiction, Membership
from parkguard.people.models import Person
from parkguard.privacy.choices import CorrectionField, CorrectionState, PurgeKind, PurgeState
from parkguard.privacy.models import CorrectionRequest, Purge
from parkguard.privacy.retention import EMERGENCY_KINDS, KINDS, RecordKind

TEXT_MIN = 4
FIELD_UNKNOWN = "请选择需要更正的内容"
TEXT_REQUIRED = f"请写明哪里不对、应当是什么（至少 {TEXT_MIN} 个字）"
TEXT_TOO_LONG = "说明不超过 500 个字"
ANSWER_REQUIRED = f"请写明答复（至少 {TEXT_MIN} 个字）：更正了什么，或不予更正的理由"
STATE_UNKNOWN = "请选择“已更正”或“不予更正”"
ALREADY_ANSWERED = "该申请已答复"
REASON_REQUIRED = f"请写明理由（至少 {TEXT_MIN} 个字），复核人和审计记录都会看到"
KINDS_REQUIRED = "请至少选择一类数据"
KIND_UNKNOWN = "不能清除这类数据"
UNTIL_REQUIRED = "请填写清除截止日期（疫情结束之日）"
UNTIL_FUTURE = "清除截止日期不能晚于今天"
SELF_APPROVAL = "不能复核自己提出的清除：须由园区另一位管理员复核"
NOT_PENDING = "该清除申请已复核过"
NOT_A_PARK = "只能清除园区的数据"


def _words(text: str) -> str:
    return " ".join(text.split())


def correction_due(*, at: dt.datetime) -> dt.datetime:
    return at + dt.timedelta(days=settings.PRIVACY_CORRECTION_DAYS)


def _officers(enterprise_id: int) -> list[int]:
    return list(
        Membership.objects.filter(enterprise_id=enterprise_id, role__in=ENTERPRISE_EDITORS)
        .values_list("user_id", flat=True)
        .distinct()
    )


def _park_admins(jurisdiction_id: int) -> list[int]:
    return list(
        Membership.objects.filter(jurisdiction_id=jurisdiction_id, role__in=PARK_EDITORS)
        .values_list("user_id", flat=True)
        .distinct()
    )


@transaction.atomic
def correction_file(
    *, scope: Scope, person: Person, field: str, text: str, by: User, at: dt.datetime
) -> CorrectionRequest:
    """The person asks for a correction of their own record; the officers are told at once."""
    require(scope, "request_correction", person)
    errors: dict[str, str] = {}
    text = _words(text)
    if field not in CorrectionField.values:
        errors["field"] = FIELD_UNKNOWN
    if len(text) < TEXT_MIN:
        errors["text"] = TEXT_REQUIRED
    elif len(text) > 500:
        errors["text"] = TEXT_TOO_LONG
    if errors:
        raise ValidationError(errors)
    enterprise = person.enterprise
    request = CorrectionRequest.objects.create(
        person=person,
        enterprise=enterprise,
        field=field,
        text=text,
        filed_by=by,
        filed_at=at,
        due_at=correction_due(at=at),
    )
    audit_record(
        actor=by,
        action="privacy_correction_file",
        at=at,
        target=request,
        enterprise_id=enterprise.pk,
        jurisdiction_id=enterprise.jurisdiction_id,
        detail={"field": field},
        subjects=[person.pk],
    )
    notify_send(
        user_ids=_officers(enterprise.pk),
        kind=Kind.PRIVACY,
        title=f"个人信息更正申请：{request.get_field_display()}",
        body=f"请于 {timezone.localtime(request.due_at):%Y-%m-%d} 前答复。",
        link=reverse("privacy_correction", args=[request.pk]),
        at=at,
    )
    return request


@transaction.atomic
def correction_answer(
    *,
    scope: Scope,
    request: CorrectionRequest,
    state: str,
    answer: str,
    by: User,
    at: dt.datetime,
) -> CorrectionRequest:
    """An officer of the person's enterprise answers: corrected, or refused with a reason.

    The correction itself is made on the record's own page (audited there); this records
    the answer the person sees, and tells them."""
    require(scope, "answer_correction", request)
    request = CorrectionRequest.objects.select_for_update().get(pk=request.pk)
    errors: dict[str, str] = {}
    answer = _words(answer)
    if request.state != CorrectionState.OPEN:
        errors["__all__"] = ALREADY_ANSWERED
    if state not in {CorrectionState.CORRECTED, CorrectionState.REFUSED}:
        errors["state"] = STATE_UNKNOWN
    if len(answer) < TEXT_MIN:
        errors["answer"] = ANSWER_REQUIRED
    elif len(answer) > 500:
        errors["answer"] = TEXT_TOO_LONG
    if errors:
        raise ValidationError(errors)
    request.state = state
    request.answer = answer
    request.answered_by = by
    request.answered_at = at
    request.save(update_fields=["state", "answer", "answered_by", "answered_at"])
    audit_record(
        actor=by,
        action="privacy_correction_answer",
        at=at,
        target=request,
        enterprise_id=request.enterprise_id,
        jurisdiction_id=request.enterprise.jurisdiction_id,
        reason=answer[:200],
        detail={"state": state, "late": at > request.due_at},
        subjects=[request.person_id],
    )
    owners = Membership.objects.filter(person_id=request.person_id).values_list(
        "user_id", flat=True
    )
    notify_send(
        user_ids=owners,
        kind=Kind.PRIVACY,
        title=f"您的更正申请已答复：{request.get_state_display()}",
        body=answer,
        link=reverse("privacy_person", args=[request.person_id]),
        at=at,
    )
    return request


@transaction.atomic
def corrections_flag_overdue(*, at: dt.datetime) -> int:
    """Flag each unanswered request past its deadline, once, to the enterprise's officers and
    its park's admins (Kind.PRIVACY). Returns how many were flagged."""
    overdue = list(
        CorrectionRequest.objects.select_for_update()
        .filter(state=CorrectionState.OPEN, due_at__lt=at, overdue_flagged_at__isnull=True)
        .select_related("enterprise")
    )
    for request in overdue:
        enterprise = request.enterprise
        notify_send(
            user_ids=_officers(enterprise.pk) + _park_admins(enterprise.jurisdiction_id),
            jurisdiction=None,
            kind=Kind.PRIVACY,
            title=f"{enterprise.name}：个人信息更正申请已逾期",
            body=f"期限 {timezone.localtime(request.due_at):%Y-%m-%d}，尚未答复。",
            link=reverse("privacy_correction", args=[request.pk]),
            at=at,
        )
        audit_record(
            actor=None,
            action="privacy_correction_overdue",
            at=at,
            target=request,
            enterprise_id=enterprise.pk,
            jurisdiction_id=enterprise.jurisdiction_id,
            subjects=[request.person_id],
        )
    CorrectionRequest.objects.filter(pk__in=[r.pk for r in overdue]).update(overdue_flagged_at=at)
    return len(overdue)


# --- retention ------------------------------------------------------------------------------


def _park_ids(park: Jurisdiction) -> list[int]:
    return list(
        Jurisdiction.objects.filter(path__startswith=park.path).values_list("pk", flat=True)
    )


def _delete(kind: RecordKind, rows: QuerySet[Model]) -> dict[str, Any]:
    """Delete `rows` (with what hangs off them, and their change history); a receipt line."""
    span = rows.aggregate(first=Min(kind.at), last=Max(kind.at))
    ids = list(rows.values_list("pk", flat=True))
    line: dict[str, Any] = {"kind": kind.key, "label": kind.label, "rows": len(ids)}
    for key in ("first", "last"):
        value = span[key]
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value).date()
        line[key] = value.isoformat() if value is not None else None
    if not ids:
        return line
    model = kind.model_class()
    for start in range(0, len(ids), 1000):
        model._default_manager.filter(pk__in=ids[start : start + 1000]).delete()
    for label, attname in kind.history:
        # django-simple-history keeps a copy of each version (and adds one on delete).
        history = apps.get_model(label).history.model
        for start in range(0, len(ids), 1000):
            history.objects.filter(**{f"{attname}__in": ids[start : start + 1000]}).delete()
    return line


def _receipt_audit(*, purge: Purge, by: User | None, at: dt.datetime) -> None:
    audit_record(
        actor=by,
        action="privacy_purge",
        at=at,
        target=purge,
        jurisdiction_id=purge.jurisdiction_id,
        reason=purge.reason[:200],
        detail={
            "kind": purge.kind,
            "until": purge.until.isoformat() if purge.until else None,
            "receipt": [
                {k: line[k] for k in ("kind", "rows", "first", "last")} for line in purge.receipt
            ],
            "requested_by": purge.requested_by_id,
        },
    )


@transaction.atomic
def retention_purge(*, at: dt.datetime) -> list[Purge]:
    """The scheduled purge: every kind's rows older than its retention period, finished
    with, park by park; one receipt (and one audit entry) per park that lost any rows."""
    parks = set(Enterprise.objects.values_list("jurisdiction_id", flat=True).distinct())
    receipts = []
    for park_id in sorted(parks):
        lines = []
        for kind in KINDS.values():
            cutoff = at - dt.timedelta(days=kind.days)
            rows = (
                kind.model_class()
                ._default_manager.filter(kind.finished)
                .filter(**{kind.park: park_id, f"{kind.at}__lt": cutoff})
            )
            line = _delete(kind, rows)
            if line["rows"]:
                line["cutoff"] = timezone.localtime(cutoff).date().isoformat()
                lines.append(line)
        if not lines:
            continue
        purge = Purge.objects.create(
            jurisdiction_id=park_id,
            kind=PurgeKind.SCHEDULED,
            state=PurgeState.DONE,
            kinds=[line["kind"] for line in lines],
            reason="按保存期限自动清除",
            requested_at=at,
            done_at=at,
            receipt=lines,
        )
        _receipt_audit(purge=purge, by=None, at=at)
        receipts.append(purge)
    return receipts


@transaction.atomic
def emergency_purge_request(
    *,
    scope: Scope,
    park: Jurisdiction,
    kinds: Iterable[str],
    until: dt.date | None,
    reason: str,
    by: User,
    at: dt.datetime,
) -> Purge:
    """A park admin proposes deleting the park's health and movement data up to the end of the
    emergency; nothing is deleted until another admin of the park approves."""
    require(scope, "purge_data", park)
    errors: dict[str, str] = {}
    chosen = sorted(set(kinds))
    reason = _words(reason)
    if not chosen:
        errors["kinds"] = KINDS_REQUIRED
    elif any(k not in EMERGENCY_KINDS for k in chosen):
        errors["kinds"] = KIND_UNKNOWN
    if until is None:
        errors["until"] = UNTIL_REQUIRED
    elif until > timezone.localtime(at).date():
        errors["until"] = UNTIL_FUTURE
    if len(reason) < TEXT_MIN:
        errors["reason"] = REASON_REQUIRED
    if errors:
        raise ValidationError(errors)
    purge = Purge.objects.create(
        jurisdiction=park,
        kind=PurgeKind.EMERGENCY,
        state=PurgeState.PENDING,
        kinds=chosen,
        until=until,
        reason=reason[:300],
        requested_by=by,
        requested_at=at,
    )
    audit_record(
        actor=by,
        action="privacy_purge_request",
        at=at,
        target=purge,
        jurisdiction_id=park.pk,
        reason=reason[:200],
        detail={"kinds": chosen, "until": until.isoformat() if until else None},
    )
    others = [u for u in _park_admins(park.pk) if u != by.pk]
    notify_send(
        user_ids=others,
        kind=Kind.PRIVACY,
        title=f"{park.name}：疫情结束数据清除待复核",
        body=f"截止 {until}，共 {len(chosen)} 类数据。",
        link=reverse("privacy_park", args=[park.pk]),
        at=at,
    )
    return purge


@transaction.atomic
def emergency_purge_decide(
    *, scope: Scope, purge: Purge, approve: bool, note: str = "", by: User, at: dt.datetime
) -> Purge:
    """Another admin of the park approves (the data is deleted now, with its receipt) or
    refuses. The proposer may not decide their own request."""
    require(scope, "purge_data", purge.jurisdiction)
    purge = Purge.objects.select_for_update().get(pk=purge.pk)
    if purge.state != PurgeState.PENDING or purge.kind != PurgeKind.EMERGENCY:
        raise ValidationError({"__all__": NOT_PENDING})
    if purge.requested_by_id == by.pk:
        raise ValidationError({"__all__": SELF_APPROVAL})
    purge.decided_by = by
    purge.decided_at = at
    purge.decision_note = _words(note)[:200]
    if approve:
        assert purge.until is not None
        end = dt.datetime.combine(
            purge.until + dt.timedelta(days=1), dt.time(), tzinfo=timezone.get_current_timezone()
        )
        park_ids = _park_ids(purge.jurisdiction)
        lines = []
        for key in purge.kinds:
            kind = KINDS[key]
            rows = kind.model_class()._default_manager.filter(
                **{f"{kind.park}__in": park_ids, f"{kind.at}__lt": end}
            )
            lines.append(_delete(kind, rows))
        purge.receipt = lines
        purge.state = PurgeState.DONE
        purge.done_at = at
    else:
        purge.state = PurgeState.REFUSED
    purge.save()
    audit_record(
        actor=by,
        action="privacy_purge_decide",
        at=at,
        target=purge,
        jurisdiction_id=purge.jurisdiction_id,
        reason=purge.decision_note,
        detail={"approve": approve},
    )
    if approve:
        _receipt_audit(purge=purge, by=by, at=at)
    return purge


def own_record_export_audit(*, scope: Scope, person: Person, by: User, at: dt.datetime) -> None:
    """The person downloaded their own record: audited like any export that lists them."""
    require(scope, "view_own_record", person)
    audit_record(
        actor=by,
        action="privacy_own_export",
        at=at,
        target=person,
        enterprise_id=person.enterprise_id,
        jurisdiction_id=person.enterprise.jurisdiction_id,
        subjects=[person.pk],
    )
