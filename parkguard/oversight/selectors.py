"""Reads of oversight: the checklist in force, inspections, the rectification ledger."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from parkguard.orgs.access import SYSTEM as SYSTEM_SCOPE
from parkguard.orgs.access import Scope, visible
from parkguard.orgs.choices import ENTERPRISE_EDITORS, Role
from parkguard.orgs.models import Enterprise, Jurisdiction, Membership
from parkguard.oversight.choices import (
    ApplicationStatus,
    CaseStatus,
    DrillStatus,
    GroupKind,
    InspectionStatus,
    PlanKind,
    PlanStatus,
    RectificationStatus,
)
from parkguard.oversight.models import (
    Application,
    ChecklistItem,
    Drill,
    HotlineCase,
    Inspection,
    Plan,
    Rectification,
    ResponsibilityGroup,
    Training,
)
from parkguard.policy import (
    EnterpriseFacts,
    EventFacts,
    PolicyInputError,
    event_route,
    to_jsonable,
)
from parkguard.policy.citation import Citation
from parkguard.policy.inspection import (
    BUFFER_ZONE_STAFF,
    DRILL_INTERVAL_DAYS,
    Criterion,
    Figure,
    ReportThreshold,
    figure,
    inspection_checklist,
    plan_sections,
    readiness_criteria,
    report_threshold,
)
from parkguard.rules.selectors import followed

# Keys of a park's own items, beside the packs' "<pack id>:<item id>".
PARK_ITEM_PREFIX = "park:"
PARK_ITEM_BASIS = "园区自设检查项"


@dataclass(frozen=True)
class ChecklistEntry:
    """One line of the phone checklist, from a pack (with its citation) or the park."""

    key: str
    kind: str
    text: str
    citation: dict[str, object]

    @property
    def basis(self) -> str:
        c = self.citation
        if not c.get("pack_id"):
            return str(c.get("clause") or PARK_ITEM_BASIS)
        return f"{c['document_number']} {c['clause']}"


def checklist_for(*, park: Jurisdiction, on: dt.date) -> list[ChecklistEntry]:
    """The items of the packs `park` follows on the date, then the park's own active items."""
    entries: list[ChecklistEntry] = []
    for entry in followed(park=park, on=on):
        if entry.pack is None:
            continue
        for item in inspection_checklist(pack=entry.pack):
            c = item.citation
            entries.append(
                ChecklistEntry(
                    key=item.key,
                    kind=item.kind,
                    text=item.text,
                    citation={
                        "pack_id": c.pack_id,
                        "version": c.version,
                        "document_number": c.document_number,
                        "requirement": c.requirement,
                        "clause": c.clause,
                    },
                )
            )
    own = ChecklistItem.objects.filter(jurisdiction=park, active=True)
    entries += [
        ChecklistEntry(
            key=f"{PARK_ITEM_PREFIX}{item.pk}",
            kind=item.kind,
            text=item.text,
            citation={"clause": item.basis or PARK_ITEM_BASIS},
        )
        for item in own
    ]
    return entries


def threshold_for(*, park: Jurisdiction, on: dt.date) -> ReportThreshold | None:
    """The fewest refusals after which a followed pack says to report upward (J-2.4)."""
    found: list[ReportThreshold] = []
    for entry in followed(park=park, on=on):
        if entry.pack is None:
            continue
        try:
            threshold = report_threshold(pack=entry.pack, params=entry.params)
        except PolicyInputError:
            continue  # the park's stored value no longer fits the pack
        if threshold is not None:
            found.append(threshold)
    return min(found, key=lambda t: t.refusals, default=None)


def parks_overseen(*, scope: Scope) -> QuerySet[Jurisdiction]:
    """Parks where the caller holds a park role (inspector, cadre, admin)."""
    return visible(scope, Jurisdiction, "oversee").filter(enterprises__isnull=False).distinct()


def inspections_for(*, scope: Scope, park: Jurisdiction) -> QuerySet[Inspection]:
    return (
        visible(scope, Inspection)
        .filter(jurisdiction=park)
        .select_related("enterprise", "inspector")
        .order_by("status", "-planned_on", "-pk")
    )


def my_inspections(*, scope: Scope) -> QuerySet[Inspection]:
    """The caller's own visits, planned first (the inspector's phone list)."""
    return (
        visible(scope, Inspection)
        .filter(inspector_id=scope.user_id)
        .select_related("enterprise")
        .order_by("status", "planned_on", "pk")
    )


def ledger(
    *,
    scope: Scope,
    park: Jurisdiction | None = None,
    enterprise: Enterprise | None = None,
    status: str = "",
    overdue_on: dt.date | None = None,
) -> QuerySet[Rectification]:
    """The rectification ledger the caller may see, narrowed to a park or an enterprise;
    `overdue_on`: only items still open past their deadline on that day."""
    rows = visible(scope, Rectification).select_related(
        "enterprise", "finding__inspection__inspector"
    )
    if park is not None:
        rows = rows.filter(jurisdiction=park)
    if enterprise is not None:
        rows = rows.filter(enterprise=enterprise)
    if status in RectificationStatus.values:
        rows = rows.filter(status=status)
    if overdue_on is not None:
        rows = rows.exclude(status=RectificationStatus.CLOSED).filter(deadline__lt=overdue_on)
    return rows.order_by("status", "deadline", "pk")


def notices(*, scope: Scope, park: Jurisdiction) -> QuerySet[Rectification]:
    """The notification list (Z-6 通报): items escalated as overdue or reported upward."""
    return (
        visible(scope, Rectification)
        .filter(jurisdiction=park)
        .filter(Q(reported_at__isnull=False) | Q(escalated_at__isnull=False))
        .select_related("enterprise", "finding")
        .order_by("enterprise__name", "deadline", "pk")
    )


def enterprise_officer_ids(enterprise: Enterprise) -> list[int]:
    return list(
        User.objects.filter(
            memberships__enterprise=enterprise,
            memberships__role__in=ENTERPRISE_EDITORS,
            is_active=True,
        )
        .distinct()
        .values_list("pk", flat=True)
    )


def park_admin_ids(park: Jurisdiction) -> list[int]:
    return list(
        User.objects.filter(
            memberships__jurisdiction=park, memberships__role=Role.PARK_ADMIN, is_active=True
        )
        .distinct()
        .values_list("pk", flat=True)
    )


def application_route(
    *, enterprise: Enterprise, kind: str, starts_at: dt.datetime, headcount: int, origin: str
) -> dict[str, Any]:
    """The route of an event or return to work under the packs the enterprise's park follows
    on its day:
    the approval of the highest rank across packs (with its apply-by deadline and citation),
    the plans the rules ask for, and every rule that matched. JSON data, stored as is."""
    facts = EventFacts(
        kind=kind,
        starts_at=starts_at,
        headcount=headcount,
        participants_origin=origin,
    )
    # The park's whitelist (白名单, J-2.5) names the enterprises that keep essential supply
    # running: the notices' "民生必需" exemption (B-2.1) reads the same flag.
    firm = EnterpriseFacts(essential=enterprise.whitelisted)
    park = enterprise.jurisdiction
    best: dict[str, Any] | None = None
    documents: list[Any] = []
    rules: list[Any] = []
    for entry in followed(park=park, on=timezone.localdate(starts_at)):
        if entry.pack is None:
            continue
        try:
            found = event_route(pack=entry.pack, event=facts, enterprise=firm, params=entry.params)
        except PolicyInputError:
            continue
        data = to_jsonable(found)
        documents += data["documents"]
        rules += data["rules"]
        approval = data["approval"]
        if approval is not None and (best is None or approval["rank"] > best["rank"]):
            best = approval
    return {"approval": best, "documents": documents, "rules": rules}


def applications_for(
    *, scope: Scope, park: Jurisdiction | None = None, enterprise: Enterprise | None = None
) -> QuerySet[Application]:
    rows = visible(scope, Application).select_related("enterprise", "decided_by")
    if park is not None:
        rows = rows.filter(jurisdiction=park)
    if enterprise is not None:
        rows = rows.filter(enterprise=enterprise)
    return rows.order_by("status", "starts_at", "pk")


@dataclass(frozen=True)
class Responsibility:
    """Who answers for one enterprise (Z-2.1, J-2.3, H-3)."""

    enterprise: Enterprise
    officers: list[str]
    groups: list[ResponsibilityGroup]


def responsibility_of(*, scope: Scope, enterprise: Enterprise) -> Responsibility:
    officers = (
        User.objects.filter(
            memberships__enterprise=enterprise, memberships__role=Role.EPIDEMIC_OFFICER
        )
        .distinct()
        .order_by("pk")
    )
    groups = (
        visible(scope, ResponsibilityGroup)
        .filter(enterprise=enterprise)
        .prefetch_related("members")
    )
    return Responsibility(
        enterprise=enterprise,
        officers=[u.get_full_name() or u.username for u in officers],
        groups=list(groups),
    )


def park_groups(*, scope: Scope, park: Jurisdiction) -> QuerySet[ResponsibilityGroup]:
    return (
        visible(scope, ResponsibilityGroup)
        .filter(jurisdiction=park, enterprise__isnull=True)
        .prefetch_related("members")
    )


@dataclass(frozen=True)
class BoardRow:
    enterprise: Enterprise
    open: int
    overdue: int
    pending_applications: int
    last_visit: dt.date | None


def cadre_board(*, scope: Scope, on: dt.date) -> list[BoardRow]:
    """A cadre's "my enterprises" (包企干部): each with its open and overdue rectification
    items, pending applications and last inspection, in a fixed number of queries."""
    firms = list(
        visible(scope, Enterprise)
        .filter(park_cadre_id=scope.user_id)
        .select_related("supervision_office")
        .order_by("name")
    )
    ids = [f.pk for f in firms]
    items = visible(scope, Rectification).filter(enterprise_id__in=ids)
    open_by = dict(
        items.exclude(status=RectificationStatus.CLOSED)
        .values("enterprise_id")
        .annotate(n=Count("pk"))
        .values_list("enterprise_id", "n")
    )
    overdue_by = dict(
        items.exclude(status=RectificationStatus.CLOSED)
        .filter(deadline__lt=on)
        .values("enterprise_id")
        .annotate(n=Count("pk"))
        .values_list("enterprise_id", "n")
    )
    pending_by = dict(
        visible(scope, Application)
        .filter(enterprise_id__in=ids, status=ApplicationStatus.PENDING)
        .values("enterprise_id")
        .annotate(n=Count("pk"))
        .values_list("enterprise_id", "n")
    )
    visit_by = dict(
        visible(scope, Inspection)
        .filter(enterprise_id__in=ids, status=InspectionStatus.DONE)
        .values("enterprise_id")
        .annotate(last=Max("planned_on"))
        .values_list("enterprise_id", "last")
    )
    return [
        BoardRow(
            enterprise=f,
            open=open_by.get(f.pk, 0),
            overdue=overdue_by.get(f.pk, 0),
            pending_applications=pending_by.get(f.pk, 0),
            last_visit=visit_by.get(f.pk),
        )
        for f in firms
    ]


@dataclass(frozen=True)
class Point:
    """One criterion for one enterprise: met or not (or not required of it), the evidence
    shown for it, and a link to that evidence."""

    text: str
    basis: str
    requirement: str
    met: bool
    evidence: str
    link: str = ""
    applies: bool = True


@dataclass(frozen=True)
class Readiness:
    enterprise: Enterprise
    points: list[Point]

    @property
    def met(self) -> int:
        return sum(p.met for p in self.points if p.applies)

    @property
    def total(self) -> int:
        return sum(p.applies for p in self.points)

    @property
    def percent(self) -> int:
        return round(100 * self.met / self.total) if self.total else 0


def _name(user: User) -> str:
    return user.get_full_name() or user.username


def readiness_board(
    *, scope: Scope, park: Jurisdiction, on: dt.date, at: dt.datetime | None = None
) -> list[Readiness]:
    """The epidemic-free factory score of each enterprise of the park (J-2.5), from the
    criteria of the packs in force and only the evidence the platform holds, each point with
    a link to its record; ranked by the share of applicable points met. A fixed number of
    queries whatever the number of enterprises, except supplies cover, which is the supplies
    app's own park figure (`supplies.selectors.park_cover`, a query per stock item)."""
    from django.urls import reverse

    from parkguard.duties.models import Duty
    from parkguard.duties.selectors import coverage_by
    from parkguard.mobility.choices import PointKind
    from parkguard.mobility.models import ObservationPoint
    from parkguard.people.choices import EmploymentStatus
    from parkguard.people.models import Person
    from parkguard.response.choices import ZoneColour
    from parkguard.response.models import Area
    from parkguard.supplies.selectors import park_cover

    moment = at or timezone.now()
    criteria: dict[str, Criterion] = {}
    for entry in followed(park=park, on=on):
        if entry.pack is not None:
            for c in readiness_criteria(pack=entry.pack):
                criteria.setdefault(c.key, c)
    wanted = {c.evidence for c in criteria.values()}
    firms = list(
        visible(scope, Enterprise)
        .filter(jurisdiction=park)
        .select_related("park_cadre")
        .order_by("name")
    )
    ids = [f.pk for f in firms]
    teams: dict[int, str] = {}
    for group in ResponsibilityGroup.objects.filter(
        enterprise_id__in=ids, kind=GroupKind.ENTERPRISE_TEAM
    ).annotate(n=Count("members")):
        teams.setdefault(group.enterprise_id or 0, f"{group.name}（{group.n} 人）")
    officers: dict[int, list[str]] = {}
    for membership in Membership.objects.filter(
        enterprise_id__in=ids, role=Role.EPIDEMIC_OFFICER
    ).select_related("user"):
        officers.setdefault(membership.enterprise_id or 0, []).append(_name(membership.user))
    visits = dict(
        Inspection.objects.filter(enterprise_id__in=ids, status=InspectionStatus.DONE)
        .values("enterprise_id")
        .annotate(last=Max("planned_on"))
        .values_list("enterprise_id", "last")
    )
    open_items = Rectification.objects.filter(enterprise_id__in=ids).exclude(
        status=RectificationStatus.CLOSED
    )
    overdue = dict(
        open_items.filter(deadline__lt=on)
        .values("enterprise_id")
        .annotate(n=Count("pk"))
        .values_list("enterprise_id", "n")
    )
    reported = dict(
        open_items.filter(reported_at__isnull=False)
        .values("enterprise_id")
        .annotate(n=Count("pk"))
        .values_list("enterprise_id", "n")
    )
    isolation: dict[int, str] = {}
    observation: dict[int, str] = {}
    blue: dict[int, str] = {}
    if wanted & {"isolation_area", "observation_point", "buffer_zone"}:
        for area in Area.objects.filter(enterprise_id__in=ids).order_by("pk"):
            owner = area.enterprise_id
            if owner is None:  # never: filtered by enterprise (a park's own area has none)
                continue
            label = f"{area.name}（{area.capacity} 人）"
            if area.is_isolation:
                isolation.setdefault(owner, label)
            elif area.zone == ZoneColour.BLUE:
                blue.setdefault(owner, label)
        # The observation points and buffer zones the mobility register keeps (B-2.4, J-1.2.5).
        for point in ObservationPoint.objects.filter(enterprise_id__in=ids).order_by("pk"):
            label = f"{point.name}（{point.capacity} 人）"
            if point.kind == PointKind.OBSERVATION:
                observation.setdefault(point.enterprise_id, label)
            elif point.kind == PointKind.BUFFER:
                blue.setdefault(point.enterprise_id, label)
    approved: dict[int, Plan] = {}
    if "plan_approved" in wanted:
        for plan in Plan.objects.filter(
            enterprise_id__in=ids, kind=PlanKind.ENTERPRISE, status=PlanStatus.APPROVED
        ).order_by("version"):
            approved[plan.enterprise_id or 0] = plan
    interval = figure_for(park=park, on=on, name=DRILL_INTERVAL_DAYS)
    drills: dict[int, Drill] = {}
    if "drill_recent" in wanted:
        for drill in Drill.objects.filter(
            # A drill held after the day asked about is no evidence for that day.
            enterprise_id__in=ids,
            status=DrillStatus.DONE,
            held_on__isnull=False,
            held_on__lte=on,
        ).order_by("held_on", "pk"):
            drills[drill.enterprise_id or 0] = drill
    covers: dict[int, Any] = {}
    minimum = None
    if "supplies_cover" in wanted:
        minimum, cover_rows = park_cover(scope=SYSTEM_SCOPE, park=park, at=moment)
        covers = {row.enterprise_id: row for row in cover_rows}
    coverage: dict[Any, Any] = {}
    if "test_coverage" in wanted:
        coverage = coverage_by(
            duties=Duty.objects.filter(enterprise_id__in=ids), group="enterprise_id", at=moment
        )
    staff: dict[int, int] = {}
    buffer_min = figure_for(park=park, on=on, name=BUFFER_ZONE_STAFF)
    if "buffer_zone" in wanted:
        staff = dict(
            Person.objects.filter(enterprise_id__in=ids)
            .exclude(status=EmploymentStatus.LEFT)
            .values("enterprise_id")
            .annotate(n=Count("pk"))
            .values_list("enterprise_id", "n")
        )
    rows = []
    for firm in firms:
        pk = firm.pk
        cadre = firm.park_cadre
        zones = reverse("response_zones", args=[pk])
        page = reverse("oversight_enterprise", args=[pk])
        plans_page = reverse("oversight_enterprise_plans", args=[pk])
        facts: dict[str, tuple[bool, str, str, bool]] = {
            "task_team": (
                pk in teams,
                teams.get(pk, "未设立"),
                reverse("oversight_enterprise_responsibility", args=[pk]),
                True,
            ),
            "officer": (
                pk in officers,
                "、".join(officers.get(pk, [])) or "未配置",
                reverse("oversight_enterprise_responsibility", args=[pk]),
                True,
            ),
            "cadre": (
                cadre is not None,
                _name(cadre) if cadre else "未落实",
                reverse("oversight_enterprise_responsibility", args=[pk]),
                True,
            ),
            "inspected": (
                pk in visits,
                f"最近督查 {visits[pk]:%Y-%m-%d}" if pk in visits else "尚未督查",
                page,
                True,
            ),
            "no_overdue_rectification": (
                not overdue.get(pk),
                f"逾期未销号 {overdue.get(pk, 0)} 项",
                page,
                True,
            ),
            "not_reported": (
                not reported.get(pk),
                f"已上报未整改 {reported.get(pk, 0)} 项",
                page,
                True,
            ),
            "isolation_area": (
                pk in isolation,
                f"临时隔离管控区域：{isolation[pk]}" if pk in isolation else "未划定隔离区域",
                zones,
                True,
            ),
            "observation_point": (
                pk in observation or pk in isolation,
                f"隔离观察点：{observation.get(pk) or isolation.get(pk)}"
                if pk in observation or pk in isolation
                else "未设置隔离观察点",
                zones,
                True,
            ),
            "plan_approved": (
                pk in approved,
                f"{approved[pk].title} 第 {approved[pk].version} 版，"
                f"{timezone.localdate(approved[pk].decided_at or moment):%Y-%m-%d} 批准"
                if pk in approved
                else "尚无经批准的预案",
                reverse("oversight_plan", args=[approved[pk].pk]) if pk in approved else plans_page,
                True,
            ),
            "drill_recent": _drill_fact(drills.get(pk), interval, on, plans_page),
            "supplies_cover": _cover_fact(
                covers.get(pk), minimum, reverse("supplies_ledger", args=[pk])
            ),
            "test_coverage": _coverage_fact(
                coverage.get(pk), reverse("duties_enterprise", args=[pk])
            ),
            "buffer_zone": _buffer_fact(staff.get(pk, 0), buffer_min, blue.get(pk), zones),
        }
        points = []
        for c in criteria.values():
            met, evidence, link, applies = facts[c.evidence]
            points.append(
                Point(
                    text=c.text,
                    basis=f"{c.citation.document_number} {c.citation.clause}",
                    requirement=c.citation.requirement,
                    met=met and applies,
                    evidence=evidence,
                    link=link,
                    applies=applies,
                )
            )
        rows.append(Readiness(enterprise=firm, points=points))
    return sorted(rows, key=lambda r: (-r.percent, -r.met, r.enterprise.name))


def _drill_fact(
    drill: Drill | None, interval: Number | None, on: dt.date, link: str
) -> tuple[bool, str, str, bool]:
    if interval is None:
        return (drill is not None, "规则包未规定演练间隔", link, True)
    if drill is None or drill.held_on is None:
        return (False, f"尚无演练记录（须 {interval.value} 天内演练一次）", link, True)
    age = (on - drill.held_on).days
    return (
        age <= interval.value,
        f"最近演练 {drill.held_on:%Y-%m-%d}（{age} 天前，须 {interval.value} 天内）："
        f"{drill.scenario}",
        link,
        True,
    )


def _cover_fact(row: Any, minimum: Any, link: str) -> tuple[bool, str, str, bool]:
    if minimum is None:
        return (False, "园区未设定防护物资储备天数", link, True)
    if row is None or not row.items:
        return (False, "尚未建立防护物资台账", link, True)
    lowest = "—" if row.lowest_cover is None else f"{row.lowest_cover} 天"
    return (
        row.low_items == 0,
        f"最低可用 {lowest}（须 {minimum.days} 天），不足 {row.low_items} 项",
        link,
        True,
    )


def _coverage_fact(cov: Any, link: str) -> tuple[bool, str, str, bool]:
    if cov is None or not cov.due:
        return (False, "本轮尚无检测任务记录", link, True)
    return (
        cov.overdue == 0,
        f"本轮已检 {cov.done}/{cov.due}（{cov.percent}），逾期未检 {cov.overdue} 人",
        link,
        True,
    )


def _buffer_fact(
    staff: int, minimum: Number | None, area: str | None, link: str
) -> tuple[bool, str, str, bool]:
    if minimum is None:
        return (False, "规则包未规定人数界限", link, False)
    if staff < minimum.value:
        return (True, f"在册 {staff} 人，不足 {minimum.value} 人，不要求", link, False)
    return (
        area is not None,
        f"在册 {staff} 人（≥{minimum.value}）；"
        + (f"过渡缓冲区：{area}" if area else "未设立过渡缓冲区"),
        link,
        True,
    )


# --- plans, drills, training (Z-4.1, J-2.2) ----------------------------------------------
def section_field(key: str) -> str:
    """The form field (and error key) of a plan section: "section_<pack>__<id>"."""
    return "section_" + key.replace(":", "__").replace("-", "_")


@dataclass(frozen=True)
class SectionSpec:
    """A section a plan must have under the packs in force, with its citation."""

    key: str
    title: str
    hint: str
    citation: dict[str, object]

    @property
    def field(self) -> str:
        return section_field(self.key)

    @property
    def basis(self) -> str:
        return f"{self.citation['document_number']} {self.citation['clause']}"


def _citation_dict(c: Citation) -> dict[str, object]:
    return {
        "pack_id": c.pack_id,
        "version": c.version,
        "document_number": c.document_number,
        "requirement": c.requirement,
        "clause": c.clause,
    }


def plan_sections_for(*, park: Jurisdiction, on: dt.date, kind: str) -> list[SectionSpec]:
    """The sections a park plan or an enterprise plan must have under the packs `park`
    follows on the day, in the packs' order."""
    found: list[SectionSpec] = []
    for entry in followed(park=park, on=on):
        if entry.pack is None:
            continue
        for s in plan_sections(pack=entry.pack, plan=kind):
            found.append(
                SectionSpec(
                    key=s.key, title=s.title, hint=s.hint, citation=_citation_dict(s.citation)
                )
            )
    return found


@dataclass(frozen=True)
class Number:
    """A park parameter a followed pack declares, with its citation (JSON-ready)."""

    value: int
    unit: str
    citation: dict[str, object]

    @property
    def basis(self) -> str:
        return f"{self.citation['document_number']} {self.citation['clause']}"


def figure_for(*, park: Jurisdiction, on: dt.date, name: str) -> Number | None:
    """The strictest (smallest) value of parameter `name` among the packs the park follows
    on the day, with the park's own value where it set one; None if no pack declares it."""
    found: list[Figure] = []
    for entry in followed(park=park, on=on):
        if entry.pack is None:
            continue
        try:
            value = figure(pack=entry.pack, name=name, params=entry.params)
        except PolicyInputError:
            continue
        if value is not None:
            found.append(value)
    best = min(found, key=lambda f: f.value, default=None)
    if best is None:
        return None
    return Number(value=best.value, unit=best.unit, citation=_citation_dict(best.citation))


def plans_for(
    *, scope: Scope, park: Jurisdiction, enterprise: Enterprise | None = None, kind: str = ""
) -> QuerySet[Plan]:
    rows = visible(scope, Plan).filter(jurisdiction=park).select_related("enterprise")
    if enterprise is not None:
        rows = rows.filter(enterprise=enterprise)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("status", "-submitted_at", "-pk")


def drills_for(
    *, scope: Scope, park: Jurisdiction, enterprise: Enterprise | None = None
) -> QuerySet[Drill]:
    rows = (
        visible(scope, Drill)
        .filter(jurisdiction=park)
        .select_related("enterprise")
        .prefetch_related("gaps__rectification")
    )
    if enterprise is not None:
        rows = rows.filter(enterprise=enterprise)
    return rows.order_by("status", "-planned_on", "-pk")


def trainings_for(
    *, scope: Scope, park: Jurisdiction, enterprise: Enterprise | None = None
) -> QuerySet[Training]:
    rows = visible(scope, Training).filter(jurisdiction=park).select_related("enterprise")
    if enterprise is not None:
        rows = rows.filter(enterprise=enterprise)
    return rows


# --- hotline and requests (B-3, L-3.1) ----------------------------------------------------
@dataclass(frozen=True)
class CaseRow:
    case: HotlineCase
    overdue: bool
    minutes: int | None  # from receipt to answer, or to now while open

    @property
    def elapsed(self) -> str:
        if self.minutes is None:
            return "—"
        hours, minutes = divmod(self.minutes, MINUTES_PER_HOUR)
        return f"{hours} 小时 {minutes} 分" if hours else f"{minutes} 分"


SECONDS_PER_MINUTE = 60
MINUTES_PER_HOUR = 60


def minutes_between(start: dt.datetime, end: dt.datetime) -> int:
    return int((end - start).total_seconds() // SECONDS_PER_MINUTE)


def case_row(case: HotlineCase, at: dt.datetime) -> CaseRow:
    """A case with whether it is (or was answered) late and the minutes it took so far."""
    return CaseRow(
        case=case,
        overdue=case_overdue(case, at),
        minutes=minutes_between(case.received_at, case.answered_at or at),
    )


def case_overdue(case: HotlineCase, at: dt.datetime) -> bool:
    """Not answered by its deadline (answered late counts too)."""
    if case.due_by is None:
        return False
    end = case.answered_at or at
    return end > case.due_by


def hotline_cases(
    *,
    scope: Scope,
    at: dt.datetime,
    park: Jurisdiction | None = None,
    status: str = "",
    overdue_only: bool = False,
    mine: bool = False,
) -> list[CaseRow]:
    """The hotline cases the caller may see, open first by deadline, with the time taken
    and whether each is (or was answered) past its deadline."""
    rows = visible(scope, HotlineCase).select_related("jurisdiction", "enterprise", "assignee")
    if park is not None:
        rows = rows.filter(jurisdiction=park)
    if status in CaseStatus.values:
        rows = rows.filter(status=status)
    if mine:
        rows = rows.filter(assignee_id=scope.user_id)
    if overdue_only:
        rows = rows.exclude(status=CaseStatus.ANSWERED).filter(due_by__lt=at)
    return [case_row(case, at) for case in rows.order_by("status", "due_by", "pk")[:500]]


def park_staff(park: Jurisdiction) -> QuerySet[User]:
    """Who may be given a hotline case: the park's roles (admins, cadres, inspectors)."""
    return (
        User.objects.filter(
            memberships__jurisdiction=park,
            memberships__role__in=[Role.PARK_ADMIN, Role.PARK_CADRE, Role.INSPECTOR],
            is_active=True,
        )
        .distinct()
        .order_by("pk")
    )
