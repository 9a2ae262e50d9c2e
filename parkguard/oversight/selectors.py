"""Reads of oversight: the checklist in force, inspections, the rectification ledger."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from parkguard.orgs.access import Scope, visible
from parkguard.orgs.choices import ENTERPRISE_EDITORS, Role
from parkguard.orgs.models import Enterprise, Jurisdiction, Membership
from parkguard.oversight.choices import (
    ApplicationStatus,
    GroupKind,
    InspectionStatus,
    RectificationStatus,
)
from parkguard.oversight.models import (
    Application,
    ChecklistItem,
    Inspection,
    Rectification,
    ResponsibilityGroup,
)
from parkguard.policy import (
    EnterpriseFacts,
    EventFacts,
    PolicyInputError,
    event_route,
    to_jsonable,
)
from parkguard.policy.inspection import (
    Criterion,
    ReportThreshold,
    inspection_checklist,
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
    """One criterion for one enterprise: met or not, and the evidence shown for it."""

    text: str
    basis: str
    requirement: str
    met: bool
    evidence: str


@dataclass(frozen=True)
class Readiness:
    enterprise: Enterprise
    points: list[Point]

    @property
    def met(self) -> int:
        return sum(p.met for p in self.points)


def readiness_board(*, scope: Scope, park: Jurisdiction, on: dt.date) -> list[Readiness]:
    """The epidemic-free factory score of each enterprise of the park (J-2.5), from the
    criteria of the packs in force and only the evidence the platform holds; best first.
    A fixed number of queries whatever the number of enterprises."""
    criteria: dict[str, Criterion] = {}
    for entry in followed(park=park, on=on):
        if entry.pack is not None:
            for c in readiness_criteria(pack=entry.pack):
                criteria.setdefault(c.key, c)
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
        user = membership.user
        officers.setdefault(membership.enterprise_id or 0, []).append(
            user.get_full_name() or user.username
        )
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
    rows = []
    for firm in firms:
        cadre = firm.park_cadre
        facts: dict[str, tuple[bool, str]] = {
            "task_team": (firm.pk in teams, teams.get(firm.pk, "未设立")),
            "officer": (firm.pk in officers, "、".join(officers.get(firm.pk, [])) or "未配置"),
            "cadre": (
                cadre is not None,
                (cadre.get_full_name() or cadre.username) if cadre else "未落实",
            ),
            "inspected": (
                firm.pk in visits,
                f"最近督查 {visits[firm.pk]:%Y-%m-%d}" if firm.pk in visits else "尚未督查",
            ),
            "no_overdue_rectification": (
                not overdue.get(firm.pk),
                f"逾期未销号 {overdue.get(firm.pk, 0)} 项",
            ),
            "not_reported": (
                not reported.get(firm.pk),
                f"已上报未整改 {reported.get(firm.pk, 0)} 项",
            ),
        }
        points = []
        for c in criteria.values():
            met, evidence = facts[c.evidence]
            points.append(
                Point(
                    text=c.text,
                    basis=f"{c.citation.document_number} {c.citation.clause}",
                    requirement=c.citation.requirement,
                    met=met,
                    evidence=evidence,
                )
            )
        rows.append(Readiness(enterprise=firm, points=points))
    return sorted(rows, key=lambda r: -r.met)
