"""Reads of production continuity; the caller's scope comes first.

`closed_loop_active()` is the one question other layers (the daily report, boards) ask:
which of these enterprises run closed-loop production now."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from parkguard.continuity.choices import FaultState, PostRole
from parkguard.continuity.models import (
    KeyPost,
    Leave,
    LoopDay,
    LoopMember,
    LoopPlan,
    PostStaff,
    RotaShift,
    UtilityFault,
)
from parkguard.continuity.rules import GAP_DAYS, Number, number
from parkguard.health.models import SickLeave
from parkguard.orgs.access import Scope, get_visible_or_404, require, visible
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.people.choices import EmploymentStatus
from parkguard.people.models import Person
from parkguard.status.models import PersonStatus


def closed_loop_active(
    *, enterprise_ids: Iterable[int], scope: Scope | None = None
) -> dict[int, LoopPlan]:
    """The running closed-loop plan of each of these enterprises that has one (one query).
    With `scope`, only plans the caller may see."""
    plans = LoopPlan.objects.filter(enterprise_id__in=list(enterprise_ids), ended_at__isnull=True)
    if scope is not None:
        plans = visible(scope, plans)
    return {p.enterprise_id: p for p in plans}


def enterprise_for_continuity(*, scope: Scope, enterprise_id: object) -> Enterprise:
    """The enterprise whose continuity pages the caller may open, else 404 / 403."""
    enterprise = get_visible_or_404(
        scope, Enterprise.objects.select_related("jurisdiction"), pk=enterprise_id
    )
    require(scope, "oversee_continuity", enterprise)
    return enterprise


def park_for_continuity(*, scope: Scope, jurisdiction_id: object) -> Jurisdiction:
    park = get_visible_or_404(scope, Jurisdiction, pk=jurisdiction_id)
    require(scope, "oversee_continuity", park)
    return park


def loop_current(*, scope: Scope, enterprise: Enterprise) -> LoopPlan | None:
    return (
        visible(scope, LoopPlan)
        .filter(enterprise=enterprise, ended_at__isnull=True)
        .select_related("incident", "started_by")
        .first()
    )


def loop_history(*, scope: Scope, enterprise: Enterprise) -> QuerySet[LoopPlan]:
    return visible(scope, LoopPlan).filter(enterprise=enterprise).select_related("started_by")


def loop_members(*, scope: Scope, plan: LoopPlan) -> QuerySet[LoopMember]:
    """The people inside, grouped by dormitory and workshop."""
    return (
        visible(scope, LoopMember)
        .filter(plan=plan, left_at__isnull=True)
        .select_related("person__org_unit")
        .order_by("dormitory", "workshop", "person__name", "person_id")
    )


def loop_days(*, scope: Scope, plan: LoopPlan) -> QuerySet[LoopDay]:
    return visible(scope, LoopDay).filter(plan=plan)


@dataclass(frozen=True)
class LoopSummary:
    inside: int
    outside: int
    routes: list[tuple[str, str, int]]  # (dormitory, workshop, people)


def loop_summary(*, plan: LoopPlan) -> LoopSummary:
    members = list(
        LoopMember.objects.filter(plan=plan, left_at__isnull=True).values_list(
            "dormitory", "workshop"
        )
    )
    routes: dict[tuple[str, str], int] = {}
    for pair in members:
        routes[pair] = routes.get(pair, 0) + 1
    total = (
        Person.objects.filter(enterprise_id=plan.enterprise_id)
        .exclude(status=EmploymentStatus.LEFT)
        .count()
    )
    return LoopSummary(
        inside=len(members),
        outside=max(0, total - len(members)),
        routes=[(d, w, n) for (d, w), n in sorted(routes.items())],
    )


# --- key posts ---------------------------------------------------------------------------
@dataclass
class Gap:
    """A day on which a key post's available on-duty staff and backups fall under its minimum."""

    post: KeyPost
    on: dt.date
    on_duty: int
    backups: int
    minimum: int
    away: list[str] = field(default_factory=list)  # why people are unavailable, counted

    @property
    def short(self) -> int:
        return self.minimum - self.on_duty - self.backups


@dataclass(frozen=True)
class PostRow:
    post: KeyPost
    primaries: list[PostStaff]
    backups: list[PostStaff]


def key_posts(*, scope: Scope, enterprise: Enterprise) -> list[PostRow]:
    posts = list(visible(scope, KeyPost).filter(enterprise=enterprise))
    staff: dict[int, list[PostStaff]] = {}
    for row in visible(scope, PostStaff).filter(post__in=posts).select_related("person"):
        staff.setdefault(row.post_id, []).append(row)
    return [
        PostRow(
            p,
            [s for s in staff.get(p.pk, []) if s.role == PostRole.PRIMARY],
            [s for s in staff.get(p.pk, []) if s.role == PostRole.BACKUP],
        )
        for p in posts
    ]


def gap_horizon(*, enterprise: Enterprise, on: dt.date) -> Number | None:
    return number(park=enterprise.jurisdiction, on=on, name=GAP_DAYS)


def key_post_gaps(*, scope: Scope, enterprise: Enterprise, start: dt.date, days: int) -> list[Gap]:
    """Every (key post, day) of the next `days` days from `start` whose available on-duty
    staff plus available backups are fewer than the post's minimum. On duty: the people the
    rota names that day, else the post's standing on-duty staff. Unavailable: left, an open
    hold on the status row (isolation, zone, closed loop, fever...), sick leave, planned leave.
    A fixed number of queries, whatever the number of posts, people or days."""
    rows = key_posts(scope=scope, enterprise=enterprise)
    end = start + dt.timedelta(days=days - 1)
    people = {s.person_id for r in rows for s in (*r.primaries, *r.backups)}
    rota: dict[tuple[int, dt.date], set[int]] = {}
    for shift in RotaShift.objects.filter(
        post__in=[r.post for r in rows], on__gte=start, on__lte=end
    ).values("post_id", "on", "person_id"):
        rota.setdefault((shift["post_id"], shift["on"]), set()).add(shift["person_id"])
    held = set(
        PersonStatus.objects.filter(person_id__in=people, on_hold=True).values_list(
            "person_id", flat=True
        )
    )
    left = set(
        Person.objects.filter(pk__in=people, status=EmploymentStatus.LEFT).values_list(
            "pk", flat=True
        )
    )
    leaves: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for leave in Leave.objects.filter(person_id__in=people, starts_on__lte=end, ends_on__gte=start):
        leaves.setdefault(leave.person_id, []).append((leave.starts_on, leave.ends_on))
    sick: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for s in SickLeave.objects.filter(person_id__in=people, started_on__lte=end).filter(
        Q(returned_on__isnull=True) | Q(returned_on__gt=start)
    ):
        last = (s.returned_on - dt.timedelta(days=1)) if s.returned_on else end
        sick.setdefault(s.person_id, []).append((s.started_on, last))

    def away(person_id: int, on: dt.date) -> str:
        if person_id in left:
            return "已离职"
        if person_id in held:
            return "限制进入"
        if any(a <= on <= b for a, b in sick.get(person_id, [])):
            return "病假"
        if any(a <= on <= b for a, b in leaves.get(person_id, [])):
            return "轮休请假"
        return ""

    gaps: list[Gap] = []
    for row in rows:
        for n in range(days):
            on = start + dt.timedelta(days=n)
            duty = rota.get((row.post.pk, on)) or {s.person_id for s in row.primaries}
            backups = {s.person_id for s in row.backups} - duty
            reasons: dict[str, int] = {}
            ok_duty = ok_backup = 0
            for pid in duty | backups:
                why = away(pid, on)
                if why:
                    reasons[why] = reasons.get(why, 0) + 1
                elif pid in duty:
                    ok_duty += 1
                else:
                    ok_backup += 1
            if ok_duty + ok_backup < row.post.minimum:
                gaps.append(
                    Gap(
                        row.post,
                        on,
                        ok_duty,
                        ok_backup,
                        row.post.minimum,
                        [f"{k} {v} 人" for k, v in sorted(reasons.items())],
                    )
                )
    return gaps


def rota_days(
    *, scope: Scope, enterprise: Enterprise, start: dt.date, days: int
) -> QuerySet[RotaShift]:
    end = start + dt.timedelta(days=days - 1)
    return (
        visible(scope, RotaShift)
        .filter(post__enterprise=enterprise, on__gte=start, on__lte=end)
        .select_related("post", "person")
    )


def leaves_upcoming(*, scope: Scope, enterprise: Enterprise, start: dt.date) -> QuerySet[Leave]:
    return (
        visible(scope, Leave)
        .filter(person__enterprise=enterprise, ends_on__gte=start)
        .select_related("person")
    )


# --- faults ------------------------------------------------------------------------------
def faults(
    *, scope: Scope, park: Jurisdiction, enterprise: Enterprise | None = None
) -> QuerySet[UtilityFault]:
    rows = visible(scope, UtilityFault).filter(park=park).select_related("enterprise")
    if enterprise is not None:
        rows = rows.filter(enterprise=enterprise)
    return rows


def faults_overdue(*, rows: Iterable[UtilityFault], at: dt.datetime) -> list[UtilityFault]:
    return [
        f for f in rows if f.state != FaultState.REPAIRED and f.due_at is not None and f.due_at < at
    ]
