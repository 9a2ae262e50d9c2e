"""Writes of oversight: plan and record visits, findings, and the rectification ledger.

Each service asks `orgs.access` first ("inspect" for inspectors and park admins, "rectify" for
the enterprise's officers); bad input raises ValidationError with the field and a message
constant below, and writes nothing. Closing, reopening and reporting upward are audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from parkguard.audit.services import audit_record
from parkguard.notify.choices import Kind
from parkguard.notify.services import notify_send
from parkguard.orgs.access import SYSTEM, Scope, can, require
from parkguard.orgs.choices import Role
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.oversight import selectors
from parkguard.oversight.choices import (
    PARK_GROUP_KINDS,
    ApplicationStatus,
    CaseChannel,
    CaseKind,
    CaseStatus,
    CheckResult,
    DrillStatus,
    EventKind,
    GroupKind,
    InspectionStatus,
    PhotoRole,
    PlanKind,
    PlanStatus,
    RectificationStatus,
)
from parkguard.oversight.models import (
    Application,
    ChecklistItem,
    Drill,
    DrillGap,
    Finding,
    GroupMember,
    HotlineCase,
    Inspection,
    Photo,
    Plan,
    ReadinessSnapshot,
    Rectification,
    RectificationEvent,
    ResponsibilityGroup,
    Training,
)
from parkguard.oversight.photos import CheckedPhoto
from parkguard.policy.inspection import HOTLINE_REPLY_HOURS

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


def _tell(
    *,
    to: Iterable[int],
    kind: str,
    title: str,
    body: str,
    page: str,
    pk: int,
    at: dt.datetime,
    enterprise: Enterprise | None = None,
    jurisdiction: Jurisdiction | None = None,
) -> None:
    """Tell `to` of a step of oversight in their inbox, linking the page of the object it
    concerns; the enterprise's or park's group robots may carry it too (`notify_send`)."""
    notify_send(
        user_ids=to,
        enterprise=enterprise,
        jurisdiction=jurisdiction,
        kind=kind,
        title=title,
        body=body,
        link=_link(page, pk),
        at=at,
    )


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
    _tell(
        to=selectors.enterprise_officer_ids(inspection.enterprise),
        enterprise=inspection.enterprise,
        kind=Kind.INSPECTION,
        title="督查发现问题，请限期整改",
        body=f"{finding.description[:80]}（整改期限 {deadline:%Y-%m-%d}）",
        page="oversight_rectification",
        pk=item.pk,
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
    inspection = item.finding.inspection
    inspector_id = inspection.inspector_id if inspection else None
    if inspector_id:
        _tell(
            to=[inspector_id],
            kind=Kind.INSPECTION,
            title=f"{item.enterprise.name} 已回复整改情况，请复核",
            body=text.strip()[:80],
            page="oversight_rectification",
            pk=item.pk,
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
    _tell(
        to=selectors.enterprise_officer_ids(item.enterprise),
        enterprise=item.enterprise,
        kind=Kind.INSPECTION,
        title="整改未通过复核，已退回",
        body=f"{reason.strip()[:80]}（整改期限 {item.deadline:%Y-%m-%d}）",
        page="oversight_rectification",
        pk=item.pk,
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
    _tell(
        to=recipients,
        enterprise=item.enterprise,
        kind=Kind.INSPECTION,
        title=f"{item.enterprise.name} 经多次督促未整改，已上报专项工作组",
        body=f"责成于 {deadline:%Y-%m-%d} 前整改：{item.finding.description[:60]}",
        page="oversight_rectification",
        pk=item.pk,
        at=at,
    )
    return item


@transaction.atomic
def rectifications_escalate_overdue(*, at: dt.datetime) -> int:
    """Items still open past their deadline, not yet escalated: marked and sent to the park's
    admins, the enterprise's cadre, the inspector and the enterprise's officers (督办)."""
    today = timezone.localdate(at)
    due = list(
        Rectification.objects.select_for_update(of=("self",))
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
        inspection = item.finding.inspection
        if inspection is not None and inspection.inspector_id:
            recipients.add(inspection.inspector_id)
        _tell(
            to=recipients,
            enterprise=item.enterprise,
            kind=Kind.INSPECTION,
            title=f"整改逾期：{item.enterprise.name}",
            body=f"{item.finding.description[:60]}（期限 {item.deadline:%Y-%m-%d}）",
            page="oversight_rectification",
            pk=item.pk,
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
        _tell(
            to=selectors.park_admin_ids(enterprise.jurisdiction),
            jurisdiction=enterprise.jurisdiction,
            kind=Kind.APPROVAL,
            title=f"{enterprise.name} 申请：{application.title}",
            body=f"审批：{approval['approver']}；{application.headcount} 人",
            page="oversight_application",
            pk=application.pk,
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
    _tell(
        to=selectors.enterprise_officer_ids(item.enterprise),
        enterprise=item.enterprise,
        kind=Kind.APPROVAL,
        title=f"{item.title}：{item.get_status_display()}",
        body=item.decision_note or item.get_status_display(),
        page="oversight_application",
        pk=item.pk,
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


# --- plans (一园一策、一企一策, Z-4.1) -------------------------------------------------------
PLAN_NO_TITLE = "请填写预案名称"
PLAN_NO_RULE = "本园区采用的规则包没有规定预案的章节，暂不能提交"
PLAN_SECTION_MISSING = "缺少必备章节“{title}”（{basis}）"
PLAN_PENDING = "上一版预案（第 {version} 版）尚在审批中，请审批后再提交新版本"
PLAN_NOT_PENDING = "这份预案不在待审批状态"
PLAN_RETURN_NO_NOTE = "退回修改时请写明意见"
PLAN_SELF_APPROVAL = "园区预案须由另一位园区管理员审批，不能审批自己提交的预案"


@transaction.atomic
def plan_submit(
    *,
    scope: Scope,
    park: Jurisdiction,
    enterprise: Enterprise | None,
    title: str,
    texts: Mapping[str, str],
    at: dt.datetime,
    by: User | None,
) -> Plan:
    """Submit a new version of the park's plan (its admins) or an enterprise's plan (its
    officers), with every section the packs in force ask for (Z-4.1); a missing section
    is refused with its name and clause. The park approves or returns it."""
    if enterprise is None:
        require(scope, "administer", park)
        kind = PlanKind.PARK
        Jurisdiction.objects.select_for_update().get(pk=park.pk)
    else:
        require(scope, "apply", enterprise)
        park = enterprise.jurisdiction
        kind = PlanKind.ENTERPRISE
        Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    sections = selectors.plan_sections_for(park=park, on=timezone.localdate(at), kind=kind)
    if not sections:
        raise ValidationError({"__all__": PLAN_NO_RULE})
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = PLAN_NO_TITLE
    for s in sections:
        if not texts.get(s.key, "").strip():
            errors[s.field] = PLAN_SECTION_MISSING.format(title=s.title, basis=s.basis)
    if errors:
        raise ValidationError(errors)
    earlier = Plan.objects.filter(jurisdiction=park, enterprise=enterprise, kind=kind)
    pending = earlier.filter(status=PlanStatus.SUBMITTED).first()
    if pending is not None:
        raise ValidationError({"__all__": PLAN_PENDING.format(version=pending.version)})
    version = (earlier.aggregate(n=Max("version"))["n"] or 0) + 1
    plan = Plan.objects.create(
        jurisdiction=park,
        enterprise=enterprise,
        kind=kind,
        version=version,
        title=title.strip(),
        sections=[
            {
                "key": s.key,
                "title": s.title,
                "citation": s.citation,
                "text": texts[s.key].strip(),
            }
            for s in sections
        ],
        submitted_at=at,
        submitted_by=by,
    )
    recipients = set(selectors.park_admin_ids(park))
    if by is not None:
        recipients.discard(by.pk)
    _tell(
        to=recipients,
        jurisdiction=park,
        kind=Kind.APPROVAL,
        title=f"预案待审批：{plan.title}（第 {version} 版）",
        body=enterprise.name if enterprise else park.name,
        page="oversight_plan",
        pk=plan.pk,
        at=at,
    )
    return plan


@transaction.atomic
def plan_decide(
    *, scope: Scope, plan: Plan, approve: bool, note: str, at: dt.datetime, by: User | None
) -> Plan:
    """The park approves a plan, or returns it with comments (the next version answers
    them). A park plan needs a second admin. Audited."""
    if not can(scope, "approve", plan):
        raise PermissionDenied(APPROVER_OUTSIDE_ROUTE)
    item = Plan.objects.select_for_update().get(pk=plan.pk)
    if item.status != PlanStatus.SUBMITTED:
        raise ValidationError({"__all__": PLAN_NOT_PENDING})
    if item.kind == PlanKind.PARK and by is not None and item.submitted_by_id == by.pk:
        raise ValidationError({"__all__": PLAN_SELF_APPROVAL})
    if not approve and not note.strip():
        raise ValidationError({"note": PLAN_RETURN_NO_NOTE})
    item.status = PlanStatus.APPROVED if approve else PlanStatus.RETURNED
    item.decided_at = at
    item.decided_by = by
    item.decision_note = note.strip()
    item.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    audit_record(
        actor=by,
        action="plan_approve" if approve else "plan_return",
        at=at,
        target=item,
        enterprise_id=item.enterprise_id,
        jurisdiction_id=item.jurisdiction_id,
        reason=item.decision_note[:200],
        detail={"version": item.version},
    )
    recipients = {item.submitted_by_id} if item.submitted_by_id else set()
    if item.enterprise is not None:
        recipients |= set(selectors.enterprise_officer_ids(item.enterprise))
    _tell(
        to=recipients,
        enterprise=item.enterprise,
        jurisdiction=None if item.enterprise else item.jurisdiction,
        kind=Kind.APPROVAL,
        title=f"{item.title}（第 {item.version} 版）：{item.get_status_display()}",
        body=item.decision_note[:80] or item.get_status_display(),
        page="oversight_plan",
        pk=item.pk,
        at=at,
    )
    return item


# --- drills, gaps, training (Z-4.1, J-2.2) -----------------------------------------------
DRILL_NO_SCENARIO = "请填写演练内容"
DRILL_DATE_PAST = "计划日期不能早于今天"
DRILL_NOT_PLANNED = "这次演练已经记录，不能重复记录"
DRILL_NO_DATE = "请填写演练日期"
DRILL_DATE_FUTURE = "演练日期不能晚于今天"
DRILL_NO_SUMMARY = "请写明演练情况"
GAP_NO_NOTE = "请写明整改情况"
GAP_ALREADY = "该问题已整改或已列入整改台账"
GAP_NO_ENTERPRISE = "园区演练发现的问题由园区自行整改，不列入企业整改台账"
TRAINING_NO_TOPIC = "请填写主题"
TRAINING_NO_ORGANISER = "请填写组织单位"
TRAINING_DATE_FUTURE = "日期不能晚于今天"
GAP_BASIS = "演练发现问题（正阳园区管委发〔2022〕20号 四、逐一查漏补缺）"


@transaction.atomic
def drill_schedule(
    *,
    scope: Scope,
    park: Jurisdiction,
    enterprise: Enterprise | None,
    scenario: str,
    planned_on: dt.date,
    guided_by: str,
    at: dt.datetime,
) -> Drill:
    """Schedule a drill of an enterprise (its officers, the park) or of the park."""
    require(scope, "manage_drills", enterprise or park)
    errors: dict[str, str] = {}
    if not scenario.strip():
        errors["scenario"] = DRILL_NO_SCENARIO
    if planned_on < timezone.localdate(at):
        errors["planned_on"] = DRILL_DATE_PAST
    if errors:
        raise ValidationError(errors)
    return Drill.objects.create(
        jurisdiction=enterprise.jurisdiction if enterprise else park,
        enterprise=enterprise,
        scenario=scenario.strip(),
        planned_on=planned_on,
        guided_by=guided_by.strip(),
        created_at=at,
    )


@transaction.atomic
def drill_record(
    *,
    scope: Scope,
    drill: Drill,
    held_on: dt.date | None,
    participants: int | None,
    summary: str,
    gaps: Sequence[str],
    at: dt.datetime,
) -> Drill:
    """Record a drill as held, with the gaps it found (each one line)."""
    require(scope, "manage_drills", drill)
    item = Drill.objects.select_for_update().get(pk=drill.pk)
    if item.status != DrillStatus.PLANNED:
        raise ValidationError({"__all__": DRILL_NOT_PLANNED})
    errors: dict[str, str] = {}
    if held_on is None:
        errors["held_on"] = DRILL_NO_DATE
    elif held_on > timezone.localdate(at):
        errors["held_on"] = DRILL_DATE_FUTURE
    if not summary.strip():
        errors["summary"] = DRILL_NO_SUMMARY
    if errors:
        raise ValidationError(errors)
    item.status = DrillStatus.DONE
    item.held_on = held_on
    item.participants = participants
    item.summary = summary.strip()
    item.recorded_at = at
    item.save(update_fields=["status", "held_on", "participants", "summary", "recorded_at"])
    found = [g.strip()[:200] for g in gaps if g.strip()]
    DrillGap.objects.bulk_create([DrillGap(drill=item, description=g) for g in found])
    if item.enterprise is not None:
        _tell(
            to=selectors.park_admin_ids(item.jurisdiction),
            jurisdiction=item.jurisdiction,
            kind=Kind.DRILL,
            title=f"{item.enterprise.name} 完成应急演练",
            body=f"{item.scenario}；发现问题 {len(found)} 项",
            page="oversight_drill",
            pk=item.pk,
            at=at,
        )
    return item


@transaction.atomic
def drill_gap_fix(*, scope: Scope, gap: DrillGap, note: str, at: dt.datetime) -> DrillGap:
    """The gap is fixed (补缺), with what was done."""
    require(scope, "manage_drills", gap)
    item = DrillGap.objects.select_for_update().get(pk=gap.pk)
    if item.fixed_at is not None or item.rectification_id is not None:
        raise ValidationError({"__all__": GAP_ALREADY})
    if not note.strip():
        raise ValidationError({"note": GAP_NO_NOTE})
    item.fixed_at = at
    item.fix_note = note.strip()
    item.save(update_fields=["fixed_at", "fix_note"])
    return item


@transaction.atomic
def drill_gap_to_ledger(
    *,
    scope: Scope,
    gap: DrillGap,
    owner_name: str,
    deadline: dt.date | None,
    at: dt.datetime,
    by: User | None,
) -> Rectification:
    """The park puts a drill's gap on the rectification ledger, with owner and deadline:
    from then on it is replied to, closed or reopened like any finding."""
    require(scope, "inspect", gap)
    item = (
        DrillGap.objects.select_for_update(of=("self",))
        .select_related("drill__enterprise")
        .get(pk=gap.pk)
    )
    drill = item.drill
    if drill.enterprise is None:
        raise ValidationError({"__all__": GAP_NO_ENTERPRISE})
    if item.fixed_at is not None or item.rectification_id is not None:
        raise ValidationError({"__all__": GAP_ALREADY})
    errors: dict[str, str] = {}
    if not owner_name.strip():
        errors["owner_name"] = FINDING_NO_OWNER
    if deadline is None:
        errors["deadline"] = FINDING_NO_DEADLINE
    elif deadline < timezone.localdate(at):
        errors["deadline"] = FINDING_DEADLINE_PAST
    if errors:
        raise ValidationError(errors)
    assert deadline is not None
    finding = Finding.objects.create(
        drill=drill,
        item_text=f"演练：{drill.scenario}"[:200],
        citation={"clause": GAP_BASIS},
        description=item.description,
        created_at=at,
    )
    rectification = Rectification.objects.create(
        finding=finding,
        jurisdiction=drill.jurisdiction,
        enterprise=drill.enterprise,
        owner_name=owner_name.strip(),
        deadline=deadline,
        created_at=at,
    )
    RectificationEvent.objects.create(
        rectification=rectification, kind=EventKind.OPENED, text=item.description, by=by, at=at
    )
    item.rectification = rectification
    item.save(update_fields=["rectification"])
    _tell(
        to=selectors.enterprise_officer_ids(drill.enterprise),
        enterprise=drill.enterprise,
        kind=Kind.INSPECTION,
        title="演练发现的问题已列入整改台账，请限期整改",
        body=f"{item.description[:80]}（整改期限 {deadline:%Y-%m-%d}）",
        page="oversight_rectification",
        pk=rectification.pk,
        at=at,
    )
    return rectification


@transaction.atomic
def training_record(
    *,
    scope: Scope,
    park: Jurisdiction,
    enterprise: Enterprise | None,
    kind: str,
    topic: str,
    held_on: dt.date,
    organiser: str,
    audience: str,
    attendees: int | None,
    at: dt.datetime,
) -> Training:
    """A training session or a publicity action (J-2.2), of the park or an enterprise."""
    require(scope, "manage_drills", enterprise or park)
    errors: dict[str, str] = {}
    if not topic.strip():
        errors["topic"] = TRAINING_NO_TOPIC
    if not organiser.strip():
        errors["organiser"] = TRAINING_NO_ORGANISER
    if held_on > timezone.localdate(at):
        errors["held_on"] = TRAINING_DATE_FUTURE
    if errors:
        raise ValidationError(errors)
    return Training.objects.create(
        jurisdiction=enterprise.jurisdiction if enterprise else park,
        enterprise=enterprise,
        kind=kind,
        topic=topic.strip(),
        held_on=held_on,
        organiser=organiser.strip(),
        audience=audience.strip(),
        attendees=attendees,
        recorded_at=at,
    )


# --- hotline and requests (B-3, L-3.1) ----------------------------------------------------
CASE_NO_SUBJECT = "请填写事由"
CASE_NO_TEXT = "请填写内容"
CASE_KIND_UNKNOWN = "类型只能是：举报、诉求、政策咨询"
CASE_PHONE_BAD = "联系电话只能是数字和“-”，且不超过 20 位"
CASE_ABOUT_OUTSIDE = "所涉企业不在本园区"
CASE_ANSWERED = "该事项已答复"
CASE_NO_ANSWER = "请填写答复内容"
CASE_ASSIGNEE_OUTSIDE = "承办人须是本园区的园区管理员、包企干部或督查员"
CASE_NOT_YOURS = "该事项未分派给您，请由承办人或园区管理员答复"


@transaction.atomic
def case_record(
    *,
    scope: Scope,
    park: Jurisdiction,
    enterprise: Enterprise | None,
    about: Enterprise | None,
    kind: str,
    channel: str,
    caller_name: str,
    caller_phone: str,
    subject: str,
    text: str,
    at: dt.datetime,
    by: User | None,
) -> HotlineCase:
    """A hotline call recorded by park staff, or an enterprise's own request or question
    (its officers); the deadline to answer is the packs' (B-3, L-3.1), with its clause."""
    if enterprise is not None:
        require(scope, "hotline", enterprise)
        park = enterprise.jurisdiction
        channel = CaseChannel.ENTERPRISE
    else:
        require(scope, "hotline", park)
    errors: dict[str, str] = {}
    if kind not in CaseKind.values:
        errors["kind"] = CASE_KIND_UNKNOWN
    if not subject.strip():
        errors["subject"] = CASE_NO_SUBJECT
    if not text.strip():
        errors["text"] = CASE_NO_TEXT
    phone = caller_phone.strip()
    longest = HotlineCase._meta.get_field("caller_phone").max_length or 0
    if phone and (len(phone) > longest or not all(ch.isdigit() or ch == "-" for ch in phone)):
        errors["caller_phone"] = CASE_PHONE_BAD
    if about is not None and about.jurisdiction_id != park.pk:
        errors["about"] = CASE_ABOUT_OUTSIDE
    if errors:
        raise ValidationError(errors)
    limit = selectors.figure_for(park=park, on=timezone.localdate(at), name=HOTLINE_REPLY_HOURS)
    case = HotlineCase.objects.create(
        jurisdiction=park,
        enterprise=enterprise,
        about=about,
        kind=kind,
        channel=channel if channel in CaseChannel.values else CaseChannel.PHONE,
        caller_name=caller_name.strip()[:50],
        caller_phone=phone,
        subject=subject.strip()[:100],
        text=text.strip(),
        received_at=at,
        recorded_by=by,
        due_by=at + dt.timedelta(hours=limit.value) if limit else None,
        due_citation={**limit.citation, "hours": limit.value} if limit else {},
    )
    _tell(
        to=selectors.park_admin_ids(park),
        jurisdiction=park,
        kind=Kind.HOTLINE,
        title=f"{case.get_kind_display()}待分派：{case.subject}",
        body=f"答复时限 {timezone.localtime(case.due_by):%m-%d %H:%M}" if case.due_by else "",
        page="oversight_case",
        pk=case.pk,
        at=at,
    )
    return case


@transaction.atomic
def case_assign(*, scope: Scope, case: HotlineCase, assignee: User, at: dt.datetime) -> HotlineCase:
    """The park's admin gives a case to a park role (cadre, inspector, admin)."""
    require(scope, "hotline_assign", case)
    item = HotlineCase.objects.select_for_update().get(pk=case.pk)
    if item.status == CaseStatus.ANSWERED:
        raise ValidationError({"__all__": CASE_ANSWERED})
    if not selectors.park_staff(item.jurisdiction).filter(pk=assignee.pk).exists():
        raise ValidationError({"assignee": CASE_ASSIGNEE_OUTSIDE})
    item.assignee = assignee
    item.assigned_at = at
    item.status = CaseStatus.ASSIGNED
    item.save(update_fields=["assignee", "assigned_at", "status"])
    _tell(
        to=[assignee.pk],
        jurisdiction=item.jurisdiction,
        kind=Kind.HOTLINE,
        title=f"请办理{item.get_kind_display()}：{item.subject}",
        body=f"答复时限 {timezone.localtime(item.due_by):%m-%d %H:%M}" if item.due_by else "",
        page="oversight_case",
        pk=item.pk,
        at=at,
    )
    return item


@transaction.atomic
def case_answer(
    *, scope: Scope, case: HotlineCase, answer: str, at: dt.datetime, by: User | None
) -> HotlineCase:
    """The assignee (or a park admin) answers; the time taken is kept and shown."""
    require(scope, "hotline_answer", case)
    item = HotlineCase.objects.select_for_update().get(pk=case.pk)
    if item.status == CaseStatus.ANSWERED:
        raise ValidationError({"__all__": CASE_ANSWERED})
    mine = by is not None and item.assignee_id == by.pk
    if not mine and not can(scope, "hotline_assign", item):
        raise PermissionDenied(CASE_NOT_YOURS)
    if not answer.strip():
        raise ValidationError({"answer": CASE_NO_ANSWER})
    item.answer = answer.strip()
    item.answered_at = at
    item.answered_by = by
    item.status = CaseStatus.ANSWERED
    item.save(update_fields=["answer", "answered_at", "answered_by", "status"])
    if item.enterprise is not None:
        _tell(
            to=selectors.enterprise_officer_ids(item.enterprise),
            enterprise=item.enterprise,
            kind=Kind.HOTLINE,
            title=f"您提出的{item.get_kind_display()}已答复：{item.subject}",
            body=item.answer[:80],
            page="oversight_case",
            pk=item.pk,
            at=at,
        )
    return item


@transaction.atomic
def cases_escalate_overdue(*, at: dt.datetime) -> int:
    """Cases still unanswered past their deadline: the park's admins are told, once each
    (the case's `due_citation` records that it was escalated)."""
    due = list(
        HotlineCase.objects.select_for_update()
        .exclude(status=CaseStatus.ANSWERED)
        .filter(due_by__lt=at)
        .exclude(due_citation__has_key="escalated_at")
    )
    for item in due:
        item.due_citation = {**item.due_citation, "escalated_at": at.isoformat()}
        item.save(update_fields=["due_citation"])
        recipients = set(selectors.park_admin_ids(item.jurisdiction))
        if item.assignee_id:
            recipients.add(item.assignee_id)
        _tell(
            to=recipients,
            jurisdiction=item.jurisdiction,
            kind=Kind.HOTLINE,
            title=f"{item.get_kind_display()}逾期未答复：{item.subject}",
            body=f"答复时限 {timezone.localtime(item.due_by):%m-%d %H:%M}" if item.due_by else "",
            page="oversight_case",
            pk=item.pk,
            at=at,
        )
    return len(due)


# --- the annual assessment of cadres (Z-6) and the readiness record behind its trend --------
@transaction.atomic
def readiness_snapshots_take(*, park: Jurisdiction, on: dt.date, at: dt.datetime) -> int:
    """Keep each enterprise's epidemic-free factory score (J-2.5) of the day, as the evidence
    of the moment gives it, for the trend of the cadres' annual assessment; taking it again
    the same day replaces that day's row. Returns the number of enterprises recorded."""
    rows = selectors.readiness_board(scope=SYSTEM, park=park, on=on, at=at)
    for row in rows:
        ReadinessSnapshot.objects.update_or_create(
            enterprise=row.enterprise,
            on=on,
            defaults={
                "jurisdiction": park,
                "met": row.met,
                "total": row.total,
                "percent": row.percent,
                "taken_at": at,
            },
        )
    return len(rows)


def readiness_snapshots_daily(*, at: dt.datetime) -> int:
    """Every park with enterprises, today (the periodic task)."""
    on = timezone.localdate(at)
    parks = Jurisdiction.objects.filter(enterprises__isnull=False).distinct()
    return sum(readiness_snapshots_take(park=p, on=on, at=at) for p in parks)


def assessment_export_record(
    *,
    scope: Scope,
    park: Jurisdiction,
    year: int,
    cadre_ids: Sequence[int],
    at: dt.datetime,
    by: User | None,
    what: str,
) -> None:
    """Write the audit entry of an export or a print of cadres' annual assessment."""
    require(scope, "oversee", park)
    audit_record(
        actor=by,
        action="cadre_assessment_export",
        at=at,
        target=park,
        jurisdiction_id=park.pk,
        detail={"year": year, "cadres": list(cadre_ids), "what": what},
    )
