"""Reads of lockdown command, always through `orgs.access.visible()`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from parkguard.command import rules
from parkguard.command.choices import OrderState
from parkguard.command.models import (
    Checkpoint,
    Delivery,
    LockdownOrder,
    LockdownPass,
    Shift,
    Shortfall,
    SupplyNeed,
)
from parkguard.command.services import may_on_order
from parkguard.orgs.access import NOT_FOUND, Scope, get_visible_or_404, require, visible
from parkguard.orgs.models import Jurisdiction

LIST_ROWS = 50


def park_for_command(*, scope: Scope, jurisdiction_id: int) -> Jurisdiction:
    """404 if unseen, 403 if the caller may not open the lockdown board."""
    park = get_visible_or_404(scope, Jurisdiction, pk=jurisdiction_id)
    require(scope, "view_command", park)
    return park


def _orders() -> QuerySet[LockdownOrder]:
    return LockdownOrder.objects.select_related("jurisdiction", "ordered_by", "lifted_by")


def order_for(*, scope: Scope, order_id: int, action: str = "view_command") -> LockdownOrder:
    """An order the caller's command placed, or one closing an enterprise of the caller's park."""
    try:
        order = _orders().get(pk=order_id)
    except (LockdownOrder.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404(NOT_FOUND) from None
    if not may_on_order(scope, "view_command", order):
        raise Http404(NOT_FOUND)
    return order


def orders_of(*, scope: Scope, jurisdiction: Jurisdiction) -> list[LockdownOrder]:
    """Open orders first, then the latest lifted ones, each with its checkpoints and misses."""
    mine = visible(scope, LockdownOrder, "view_command").values("pk")
    reached = visible(scope, Checkpoint, "view_command").values("order_id")
    inside = Q(jurisdiction__path__startswith=jurisdiction.path) | Q(
        checkpoints__enterprise__jurisdiction__path__startswith=jurisdiction.path
    )
    ids = (
        LockdownOrder.objects.filter(Q(pk__in=mine) | Q(pk__in=reached))
        .filter(inside)
        .values("pk")
        .distinct()
    )
    checkpoints = Checkpoint.objects.select_related("enterprise", "area").prefetch_related("misses")
    rows = (
        _orders()
        .filter(pk__in=ids)
        .prefetch_related(Prefetch("checkpoints", queryset=checkpoints), "teams")
        .order_by("state", "-ordered_at", "-pk")
    )
    return list(rows[:LIST_ROWS])


def open_count(*, scope: Scope, jurisdiction: Jurisdiction) -> int:
    return sum(1 for o in orders_of(scope=scope, jurisdiction=jurisdiction) if o.state == "ordered")


def checkpoints_of(*, order: LockdownOrder) -> list[Checkpoint]:
    return list(
        order.checkpoints.select_related("enterprise", "area", "staffed_by", "closed_by")
        .prefetch_related("misses")
        .order_by("pk")
    )


def passes_of(*, scope: Scope, order: LockdownOrder) -> QuerySet[LockdownPass]:
    return (
        visible(scope, LockdownPass)
        .filter(order=order)
        .select_related("person__enterprise")
        .order_by("revoked_at", "-issued_at", "-pk")
    )


@dataclass
class Supplies:
    needs: list[SupplyNeed]
    deliveries: list[tuple[Delivery, bool]]  # (delivery, late)
    shortfalls: list[Shortfall]


def supplies_of(*, scope: Scope, order: LockdownOrder, at: dt.datetime) -> Supplies:
    found = rules.command_rules(jurisdiction=order.jurisdiction, on=at.date())
    allowance = dt.timedelta(minutes=found.delivery_late_minutes or 0)
    deliveries = [
        (d, (d.delivered_at or at) > d.due_at + allowance)
        for d in visible(scope, Delivery)
        .filter(order=order)
        .select_related("enterprise", "checkpoint")[:LIST_ROWS]
    ]
    return Supplies(
        needs=list(
            visible(scope, SupplyNeed)
            .filter(order=order)
            .select_related("enterprise", "checkpoint")[:LIST_ROWS]
        ),
        deliveries=deliveries,
        shortfalls=list(
            visible(scope, Shortfall).filter(order=order).select_related("enterprise")[:LIST_ROWS]
        ),
    )


@dataclass
class PostRoster:
    """One post's or checkpoint's roster over the pack's span, with its flags."""

    post: str
    checkpoint_id: int | None
    shifts: list[Shift]
    gaps: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)
    long_ids: set[int] = field(default_factory=set)


@dataclass
class Roster:
    start: dt.datetime
    end: dt.datetime
    hours: int | None
    shift_max_hours: int | None
    posts: list[PostRoster]
    citation: dict[str, object]

    @property
    def flagged(self) -> int:
        return sum(len(p.gaps) + len(p.long_ids) for p in self.posts)


def roster_of(*, scope: Scope, jurisdiction: Jurisdiction, start: dt.datetime) -> Roster:
    """Each post's shifts from `start` over the pack's span; the uncovered stretches (gaps)
    and the shifts longer than the pack's longest (L-4.4b)."""
    found = rules.command_rules(jurisdiction=jurisdiction, on=start.date())
    # Without a pack's span the roster lists what starts from `start` and flags no gaps.
    span = found.roster_hours
    try:
        end = start + dt.timedelta(hours=span) if span else start
    except OverflowError:  # a start at the end of the calendar
        end, span = start, None
    window = {"starts_at__lt": end} if span else {}
    shifts = (
        visible(scope, Shift)
        .filter(jurisdiction=jurisdiction, ends_at__gt=start, **window)
        .select_related("user", "checkpoint")
        .order_by("post", "starts_at", "pk")
    )
    posts: dict[str, PostRoster] = {}
    for s in shifts:
        posts.setdefault(s.post, PostRoster(s.post, s.checkpoint_id, [])).shifts.append(s)
    for roster in posts.values():
        covered_to = start
        for s in roster.shifts:
            if span and s.starts_at > covered_to:
                roster.gaps.append((covered_to, s.starts_at))
            covered_to = max(covered_to, s.ends_at)
            if found.shift_max_hours is not None and s.hours > found.shift_max_hours:
                roster.long_ids.add(s.pk)
        if span and covered_to < end:
            roster.gaps.append((covered_to, end))
    citation = dict(
        found.citations.get("shift_max_hours") or found.citations.get("roster_hours") or {}
    )
    return Roster(
        start, end, found.roster_hours, found.shift_max_hours, list(posts.values()), citation
    )


def open_orders_for_rosters(*, scope: Scope, jurisdiction: Jurisdiction) -> list[Checkpoint]:
    """Checkpoints of open orders a roster of this jurisdiction may name."""
    return list(
        visible(scope, Checkpoint, "view_command")
        .filter(order__state=OrderState.ORDERED)
        .filter(
            Q(order__jurisdiction__path__startswith=jurisdiction.path)
            | Q(enterprise__jurisdiction__path__startswith=jurisdiction.path)
        )
        .select_related("order")
        .order_by("order_id", "pk")[:LIST_ROWS]
    )
