"""Writes of oversight: plan and record visits, findings, and the rectification ledger.

Each service asks `orgs.access` first ("inspect" for inspectors and park admins, "rectify" for
the enterprise's officers); bad input raises ValidationError with the field and a message
constant below, and writes nothing. Closing, reopening and reporting upward are audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from parkguard.audit.services import audit_record
from parkguard.notify.choices import Kind
from parkguard.notify.services import notify_send
from parkguard.orgs.access import Scope, can, require
from parkguard.orgs.choices import Role
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.oversight import selectors
from parkguard.oversight.choices import (
    PARK_GROUP_KINDS,
    ApplicationStatus,
    CheckResult,
    EventKind,
    GroupKind,
    InspectionStatus,
    PhotoRole,
    RectificationStatus,
)
from parkguard.oversight.models import (
    Application,
    ChecklistItem,
    Finding,
    GroupMember,
    Inspection,
    Photo,
    Rectification,
    RectificationEvent,
    ResponsibilityGroup,
)
from parkguard.oversight.photos import CheckedPhoto

PLAN_DATE_PAST = "计划日期不能早于今天"
PLAN_INSPECTOR_OUTSIDE = "所选督查员不在该园区"
FINDING_NO_DEADLINE = "请填写整改期限：每个问题都要有整改期限"
FINDING_DEADLINE_PAST = "整改期限不能早于今天"
FINDING_NO_OWNER = "请填写企业的整改责任人"
FINDING_NO_DESCRIPTION = "请描述发现的问题"
FINDING_ITEM_UNKNOWN = "检查清单中没有这一项"
INSPECTION_NOT_PLANNED = "这次督查已经记录，不能重复记录"
CHECK_RESULT_UNKNOWN = "检查结果只能是：符合、有问题、不涉及"
REPLY_NO_EVIDENCE = "请上传整改佐证照片：没有佐证的回复不能提交"
REPLY_NO_TEXT = "请说明整改情况"
REPLY_NOT_OPEN = "该整改项不在待整改状态，不能回复"
DECIDE_NOT_REPLIED = "企业尚未回复整改情况，不能复核"
REOPEN_NO_REASON = "请写明退回的理由"
REPORT_NO_RULE = "本园区采用的规则包没有规定上报条件，不能上报"
REPORT_TOO_EARLY = "退回次数未达到上报条件（{count} 次，须 {needed} 次）"
REPORT_ALREADY = "该整改项已上报"
REPORT_NO_DEADLINE = "请填写专项工作组责成的限期整改期限"
REPORT_DEADLINE_PAST = "限期整改期限不能早于今天"
REPORT_CLOSED = "该整改项已销号，无需上报"
ITEM_NO_TEXT = "请填写检查内容"
ITEM_NO_KIND = "请填写类别"


def _link(name: str, pk: int) -> str:
    return reverse(name, args=[pk])


@transaction.atomic
def inspection_plan(
    *,
    scope: Scope,
    enterprise: Enterprise,
    planned_on: dt.date,
    inspector: User | None,
    purpose: str,
    at: dt.datetime,
) -> Inspection:
    """Plan a visit to an enterprise (Z-6); the inspector defaults to the caller."""
    require(scope, "inspect", enterprise)
    if planned_on < timezone.localdate(at):
        raise ValidationError({"planned_on": PLAN_DATE_PAST})
    park = enterprise.jurisdiction
    if (
        inspector is not None
        and not inspector.memberships.filter(
            jurisdiction=park, role__in=[Role.INSPECTOR, Role.PARK_ADMIN]
        ).exists()
    ):
        raise ValidationError({"inspector": PLAN_INSPECTOR_OUTSIDE})
    return Inspection.objects.create(
        jurisdiction=park,
        enterprise=enterprise,
        inspector=inspector,
        planned_on=planned_on,
        purpose=purpose.strip(),
        created_at=at,
    )


@transaction.atomic
def inspection_record(
    *,
    scope: Scope,
    inspection: Inspection,
    results: Mapping[str, tuple[str, str]],
    summary: str,
    at: dt.datetime,
) -> Inspection:
    """Record the checklist of a visit: each item's result and note, with its citation, as the
    list stood today (packs in force plus the park's own items)."""
    require(scope, "inspect", inspection)
    if inspection.status != InspectionStatus.PLANNED:
        raise ValidationError({"__all__": INSPECTION_NOT_PLANNED})
    entries = selectors.checklist_for(park=inspection.jurisdiction, on=timezone.localdate(at))
    rows = []
    for entry in entries:
        result, note = results.get(entry.key, ("", ""))
        if result not in CheckResult.values:
            raise ValidationError({f"result_{entry.key}": CHECK_RESULT_UNKNOWN})
        rows.append(
            {
                "key": entry.key,
                "kind": entry.kind,
                "text": entry.text,
                "citation": entry.citation,
                "basis": entry.basis,
                "result": result,
                "note": note.strip()[:200],
            }
        )
    inspection.checklist = rows
    inspection.summary = summary.strip()
    inspection.status = InspectionStatus.DONE
    inspection.visited_at = at
    inspection.save(update_fields=["checklist", "summary", "status", "visited_at"])
    return inspection


def _item_of(inspection: Inspection, key: str, on: dt.date) -> tuple[str, dict[str, object]]:
    """The text and citation of a checklist item, from the recorded list or today's."""
    for row in inspection.checklist:
        if row.get("key") == key:
            return str(row.get("text", "")), dict(row.get("citation") or {})
    for entry in selectors.checklist_for(park=inspection.jurisdiction, on=on):
        if entry.key == key:
            return entry.text, entry.citation
    raise ValidationError({"item_key": FINDING_ITEM_UNKNOWN})


def _photos_save(
    *,
    rectification: Rectification,
    photos: Sequence[CheckedPhoto],
    role: str,
    event: RectificationEvent | None,
    at: dt.datetime,
) -> None:
    Photo.objects.bulk_create(
        [
            Photo(
                rectification=rectification,
                event=event,
                role=role,
                content_type=p.content_type,
                size=len(p.content),
                content=p.content,
                uploaded_at=at,
            )
            for p in photos
        ]
    )


@transaction.atomic
def finding_add(
    *,
    scope: Scope,
    inspection: Inspection,
    item_key: str,
    description: str,
    owner_name: str,
    deadline: dt.date | None,
    photos: Sequence[CheckedPhoto],
    at: dt.datetime,
    by: User | None,
) -> Rectification:
    """A problem found on a visit, at once a rectification item with owner and deadline."""
    require(scope, "inspect", inspection)
    today = timezone.localdate(at)
    errors: dict[str, str] = {}
    if not description.strip():
        errors["description"] = FINDING_NO_DESCRIPTION
    if not owner_name.strip():
        errors["owner_name"] = FINDING_NO_OWNER
    if deadline is None:
        errors["deadline"] = FINDING_NO_DEADLINE
    elif deadline < today:
        errors["deadline"] = FINDING_DEADLINE_PAST
    if errors:
        raise ValidationError(errors)
    assert deadline is not None
    text, citation = _item_of(inspection, item_key, today) if item_key else ("", {})
    finding = Finding.objects.create(
        inspection=inspection,
        item_key=item_key,
        item_text=text,
        citation=citation,
        description=description.strip(),
        created_at=at,
    )
    item = Rectification.objects.create(
        finding=finding,
        jurisdiction=inspection.jurisdiction,
        enterprise=inspection.enterprise,
        owner_name=owner_name.strip(),
        deadline=deadline,
        created_at=at,
    )
    RectificationEvent.objects.create(
        rectification=item, kind=EventKind.OPENED, text=finding.description, by=by, at=at
    )
    _photos_save(rectification=item, photos=photos, role=PhotoRole.FINDING, event=None, at=at)
    notify_send(
        user_ids=selectors.enterprise_officer_ids(inspection.enterprise),
        enterprise=inspection.enterprise,
        kind=Kind.GENERAL,
        title="督查发现问题，请限期整改",
        body=f"{finding.description[:80]}（整改期限 {deadline:%Y-%m-%d}）",
        link=_link("oversight_rectification", item.pk),
        at=at,
    )
    return item


@transaction.atomic
def rectification_reply(
    *,
    scope: Scope,
    rectification: Rectification,
    text: str,
    evidence: Sequence[CheckedPhoto],
    at: dt.datetime,
    by: User | None,
) -> Rectification:
    """The enterprise reports what it fixed, with photos as evidence; the inspector reviews."""
    require(scope, "rectify", rectification)
    item = Rectification.objects.select_for_update().get(pk=rectification.pk)
    if item.status != RectificationStatus.OPEN:
        raise ValidationError({"__all__": REPLY_NOT_OPEN})
    errors: dict[str, str] = {}
    if not text.strip():
        errors["text"] = REPLY_NO_TEXT
    if not evidence:
        errors["evidence"] = REPLY_NO_EVIDENCE
    if errors:
        raise ValidationError(errors)
    event = RectificationEvent.objects.create(
        rectification=item, kind=EventKind.REPLIED, text=text.strip(), by=by, at=at
    )
    _photos_save(rectification=item, photos=evidence, role=PhotoRole.EVIDENCE, event=event, at=at)
    item.status = RectificationStatus.REPLIED
    item.save(update_fields=["status"])
    inspector_id = item.finding.inspection.inspector_id
    if inspector_id:
        notify_send(
            user_ids=[inspector_id],
            kind=Kind.GENERAL,
            title=f"{item.enterprise.name} 已回复整改情况，请复核",
            body=text.strip()[:80],
            link=_link("oversight_rectification", item.pk),
            at=at,
        )
    rectification.refresh_from_db()
    return item


def _decided(*, scope: Scope, rectification: Rectification) -> Rectification:
    require(scope, "inspect", rectification)
    item = Rectification.objects.select_for_update().get(pk=rectification.pk)
    if item.status != RectificationStatus.REPLIED:
        raise ValidationError({"__all__": DECIDE_NOT_REPLIED})
    return item


@transaction.atomic
def rectification_close(
    *, scope: Scope, rectification: Rectification, note: str, at: dt.datetime, by: User | None
) -> Rectification:
    """The inspector accepts the evidence: the item is closed (销号). Audited."""
    item = _decided(scope=scope, rectification=rectification)
    item.status = RectificationStatus.CLOSED
    item.closed_at = at
    item.save(update_fields=["status", "closed_at"])
    RectificationEvent.objects.create(
        rectification=item, kind=EventKind.CLOSED, text=note.strip(), by=by, at=at
    )
    audit_record(
        actor=by,
        action="rectification_close",
        at=at,
        target=item,
        enterprise_id=item.enterprise_id,
        jurisdiction_id=item.jurisdiction_id,
        reason=note.strip()[:200],
    )
    return item


@transaction.atomic
def rectification_reopen(
    *,
    scope: Scope,
    rectification: Rectification,
    reason: str,
    deadline: dt.date | None,
    at: dt.datetime,
    by: User | None,
) -> Rectification:
    """The inspector refuses the reply: back to the enterprise, counted as a refusal (J-2.4),
    with a new deadline if one is given. Audited."""
    item = _decided(scope=scope, rectification=rectification)
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = REOPEN_NO_REASON
    if deadline is not None and deadline < timezone.localdate(at):
        errors["deadline"] = FINDING_DEADLINE_PAST
    if errors:
        raise ValidationError(errors)
    item.status = RectificationStatus.OPEN
    item.refusals += 1
    if deadline is not None:
        item.deadline = deadline
    item.save(update_fields=["status", "refusals", "deadline"])
    RectificationEvent.objects.create(
        rectification=item, kind=EventKind.REOPENED, text=reason.strip(), by=by, at=at
    )
    audit_record(
        actor=by,
        action="rectification_reopen",
        at=at,
        target=item,
        enterprise_id=item.enterprise_id,
        jurisdiction_id=item.jurisdiction_id,
        reason=reason.strip()[:200],
        detail={"refusals": item.refusals},
    )
    notify_send(
        user_ids=selectors.enterprise_officer_ids(item.enterprise),
        enterprise=item.enterprise,
        kind=Kind.GENERAL,
        title="整改未通过复核，已退回",
        body=f"{reason.strip()[:80]}（整改期限 {item.deadline:%Y-%m-%d}）",
        link=_link("oversight_rectification", item.pk),
        at=at,
    )
    return item


@transaction.atomic
def rectification_report(
    *,
    scope: Scope,
    rectification: Rectification,
    deadline: dt.date | None,
    note: str,
    at: dt.datetime,
    by: User | None,
) -> Rectification:
    """Report an enterprise that refused repeatedly to the task force above, with the deadline
    it orders (J-2.4). Only at the refusals the park's pack parameter names. Audited."""
    require(scope, "inspect", rectification)
    item = Rectification.objects.select_for_update().get(pk=rectification.pk)
    if item.status == RectificationStatus.CLOSED:
        raise ValidationError({"__all__": REPORT_CLOSED})
    if item.reported_at is not None:
        raise ValidationError({"__all__": REPORT_ALREADY})
    threshold = selectors.threshold_for(park=item.jurisdiction, on=timezone.localdate(at))
    if threshold is None:
        raise ValidationError({"__all__": REPORT_NO_RULE})
    if item.refusals < threshold.refusals:
        raise ValidationError(
            {"__all__": REPORT_TOO_EARLY.format(count=item.refusals, needed=threshold.refusals)}
        )
    if deadline is None:
        raise ValidationError({"deadline": REPORT_NO_DEADLINE})
    if deadline < timezone.localdate(at):
        raise ValidationError({"deadline": REPORT_DEADLINE_PAST})
    c = threshold.citation
    item.reported_at = at
    item.report_deadline = deadline
    item.report_citation = {
        "pack_id": c.pack_id,
        "version": c.version,
        "document_number": c.document_number,
        "requirement": c.requirement,
        "clause": c.clause,
        "refusals": threshold.refusals,
    }
    item.save(update_fields=["reported_at", "report_deadline", "report_citation"])
    RectificationEvent.objects.create(
        rectification=item,
        kind=EventKind.REPORTED,
        text=f"限期 {deadline:%Y-%m-%d} 前整改。{note.strip()}",
        by=by,
        at=at,
    )
    audit_record(
        actor=by,
        action="rectification_report",
        at=at,
        target=item,
        enterprise_id=item.enterprise_id,
        jurisdiction_id=item.jurisdiction_id,
        reason=note.strip()[:200],
        detail={"refusals": item.refusals, "deadline": deadline.isoformat()},
    )
    recipients = set(selectors.park_admin_ids(item.jurisdiction))
    recipients |= set(selectors.enterprise_officer_ids(item.enterprise))
    if item.enterprise.park_cadre_id:
        recipients.add(item.enterprise.park_cadre_id)
    notify_send(
        user_ids=recipients,
        enterprise=item.enterprise,
        kind=Kind.GENERAL,
        title=f"{item.enterprise.name} 经多次督促未整改，已上报专项工作组",
        body=f"责成于 {deadline:%Y-%m-%d} 前整改：{item.finding.description[:60]}",
        link=_link("oversight_rectification", item.pk),
        at=at,
    )
    return item


@transaction.atomic
def rectifications_escalate_overdue(*, at: dt.datetime) -> int:
    """Items still open past their deadline, not yet escalated: marked and sent to the park's
    admins, the enterprise's cadre, the inspector and the enterprise's officers (督办)."""
    today = timezone.localdate(at)
    due = list(
        Rectification.objects.select_for_update()
        .exclude(status=RectificationStatus.CLOSED)
        .filter(deadline__lt=today, escalated_at__isnull=True)
        .select_related("enterprise", "finding__inspection")
    )
    for item in due:
        item.escalated_at = at
        item.save(update_fields=["escalated_at"])
        RectificationEvent.objects.create(
            rectification=item,
            kind=EventKind.ESCALATED,
            text=f"整改期限 {item.deadline:%Y-%m-%d} 已过，未销号",
            at=at,
        )
        recipients = set(selectors.park_admin_ids(item.jurisdiction))
        recipients |= set(selectors.enterprise_officer_ids(item.enterprise))
        if item.enterprise.park_cadre_id:
            recipients.add(item.enterprise.park_cadre_id)
        if item.finding.inspection.inspector_id:
            recipients.add(item.finding.inspection.inspector_id)
        notify_send(
            user_ids=recipients,
            enterprise=item.enterprise,
            kind=Kind.GENERAL,
            title=f"整改逾期：{item.enterprise.name}",
            body=f"{item.finding.description[:60]}（期限 {item.deadline:%Y-%m-%d}）",
            link=_link("oversight_rectification", item.pk),
            at=at,
        )
    return len(due)


@transaction.atomic
def checklist_item_add(
    *, scope: Scope, park: Jurisdiction, kind: str, text: str, basis: str, at: dt.datetime
) -> ChecklistItem:
    """A park's own inspection item, checked beside the packs' items."""
    require(scope, "inspect", park)
    errors: dict[str, str] = {}
    if not kind.strip():
        errors["kind"] = ITEM_NO_KIND
    if not text.strip():
        errors["text"] = ITEM_NO_TEXT
    if errors:
        raise ValidationError(errors)
    return ChecklistItem.objects.create(
        jurisdiction=park, kind=kind.strip(), text=text.strip(), basis=basis.strip(), created_at=at
    )


# --- approvals: business events, gatherings, return to work (J-1.4, H-4.3b, B-2.1) ---------
APPLY_TOO_LATE = "已过申请期限：须于 {apply_by} 前向{approver}申请（{basis}）"
APPLY_PLAN_REQUIRED = "请填写防控方案和应急预案：{names}（{basis}）"
APPLY_NO_TITLE = "请填写名称"
APPLY_STARTS_PAST = "开始时间不能早于现在"
APPROVER_OUTSIDE_ROUTE = "您不在这项申请的审批路线上，不能审批"
APPROVAL_NOT_PENDING = "这项申请不在待审批状态"
APPROVAL_NO_NOTE = "不予批准时请写明理由"


def _basis(citation: Mapping[str, object]) -> str:
    return f"{citation.get('document_number', '')} {citation.get('clause', '')}".strip()


@transaction.atomic
def application_submit(
    *,
    scope: Scope,
    enterprise: Enterprise,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    headcount: int,
    participants_origin: str,
    plan: str,
    at: dt.datetime,
    by: User | None,
) -> Application:
    """Apply for an event or a return to work: the engine routes it by head count and origin
    under the packs in force on its day; late applications and missing plans are refused."""
    require(scope, "apply", enterprise)
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = APPLY_NO_TITLE
    if starts_at < at:
        errors["starts_at"] = APPLY_STARTS_PAST
    if errors:
        raise ValidationError(errors)
    route = selectors.application_route(
        enterprise=enterprise,
        kind=kind,
        starts_at=starts_at,
        headcount=headcount,
        origin=participants_origin,
    )
    approval = route["approval"]
    if approval is not None and at > dt.datetime.fromisoformat(approval["apply_by"]):
        apply_by = timezone.localtime(dt.datetime.fromisoformat(approval["apply_by"]))
        raise ValidationError(
            {
                "starts_at": APPLY_TOO_LATE.format(
                    apply_by=f"{apply_by:%Y-%m-%d %H:%M}",
                    approver=approval["approver"],
                    basis=_basis(approval["citation"]),
                )
            }
        )
    if route["documents"] and not plan.strip():
        raise ValidationError(
            {
                "plan": APPLY_PLAN_REQUIRED.format(
                    names="、".join(d["name"] for d in route["documents"]),
                    basis=_basis(route["documents"][0]["citation"]),
                )
            }
        )
    application = Application.objects.create(
        jurisdiction=enterprise.jurisdiction,
        enterprise=enterprise,
        kind=kind,
        title=title.strip(),
        starts_at=starts_at,
        headcount=headcount,
        participants_origin=participants_origin,
        plan=plan.strip(),
        status=ApplicationStatus.PENDING if approval else ApplicationStatus.NOT_REQUIRED,
        route=route,
        applied_at=at,
        applied_by=by,
    )
    if approval is not None:
        notify_send(
            user_ids=selectors.park_admin_ids(enterprise.jurisdiction),
            jurisdiction=enterprise.jurisdiction,
            kind=Kind.GENERAL,
            title=f"{enterprise.name} 申请：{application.title}",
            body=f"审批：{approval['approver']}；{application.headcount} 人",
            link=_link("oversight_application", application.pk),
            at=at,
        )
    return application


@transaction.atomic
def application_decide(
    *,
    scope: Scope,
    application: Application,
    approve: bool,
    note: str,
    at: dt.datetime,
    by: User | None,
) -> Application:
    """The approver on the route decides. In the platform the park's admins hold the route
    for their park's enterprises (recording the named approver's decision); anyone else is
    outside it. Audited."""
    if not can(scope, "approve", application):
        raise PermissionDenied(APPROVER_OUTSIDE_ROUTE)
    item = Application.objects.select_for_update().get(pk=application.pk)
    if item.status != ApplicationStatus.PENDING:
        raise ValidationError({"__all__": APPROVAL_NOT_PENDING})
    if not approve and not note.strip():
        raise ValidationError({"note": APPROVAL_NO_NOTE})
    item.status = ApplicationStatus.APPROVED if approve else ApplicationStatus.REFUSED
    item.decided_at = at
    item.decided_by = by
    item.decision_note = note.strip()
    item.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    audit_record(
        actor=by,
        action="application_approve" if approve else "application_refuse",
        at=at,
        target=item,
        enterprise_id=item.enterprise_id,
        jurisdiction_id=item.jurisdiction_id,
        reason=item.decision_note,
    )
    notify_send(
        user_ids=selectors.enterprise_officer_ids(item.enterprise),
        enterprise=item.enterprise,
        kind=Kind.GENERAL,
        title=f"{item.title}：{item.get_status_display()}",
        body=item.decision_note or item.get_status_display(),
        link=_link("oversight_application", item.pk),
        at=at,
    )
    return item


# --- responsibility (Z-2.1, J-2.3, H-3) --------------------------------------------------
GROUP_NO_NAME = "请填写机构名称"
GROUP_KIND_WRONG = "园区设领导小组或工作专班；企业设防疫专班"
MEMBER_NO_NAME = "请填写成员姓名"
MEMBER_NO_POST = "请填写成员职务"


@transaction.atomic
def group_create(
    *,
    scope: Scope,
    park: Jurisdiction,
    enterprise: Enterprise | None,
    kind: str,
    name: str,
    duties: str,
    at: dt.datetime,
) -> ResponsibilityGroup:
    """A park's leading group or task team (its admins), or an enterprise's task team (its
    admins and officers, or the park's admins)."""
    if enterprise is None:
        require(scope, "administer", park)
        allowed: tuple[str, ...] = PARK_GROUP_KINDS
    else:
        require(scope, "change", enterprise)
        allowed = (GroupKind.ENTERPRISE_TEAM,)
    errors: dict[str, str] = {}
    if kind not in allowed:
        errors["kind"] = GROUP_KIND_WRONG
    if not name.strip():
        errors["name"] = GROUP_NO_NAME
    if errors:
        raise ValidationError(errors)
    return ResponsibilityGroup.objects.create(
        jurisdiction=enterprise.jurisdiction if enterprise else park,
        enterprise=enterprise,
        kind=kind,
        name=name.strip(),
        duties=duties.strip(),
        created_at=at,
    )


@transaction.atomic
def group_member_add(
    *, scope: Scope, group: ResponsibilityGroup, name: str, post: str, duty: str
) -> GroupMember:
    require(scope, "change", group)
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = MEMBER_NO_NAME
    if not post.strip():
        errors["post"] = MEMBER_NO_POST
    if errors:
        raise ValidationError(errors)
    return GroupMember.objects.create(
        group=group, name=name.strip(), post=post.strip(), duty=duty.strip()
    )
