"""Reads of supplies and disinfection; the caller's scope comes first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from parkguard.orgs.access import Scope, get_visible_or_404, require, visible
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.supplies.choices import MoveKind
from parkguard.supplies.models import (
    DisinfectionArea,
    DisinfectionTask,
    LowStockAlert,
    StockMove,
    SupplyItem,
)
from parkguard.supplies.rules import Minimum, cover_minimum

_TENTH = Decimal("0.1")


def enterprise_for_supplies(*, scope: Scope, enterprise_id: object) -> Enterprise:
    """The enterprise whose supplies and disinfection pages the caller may open, else 404."""
    enterprise = get_visible_or_404(
        scope, Enterprise.objects.select_related("jurisdiction"), pk=enterprise_id
    )
    require(scope, "oversee_supplies", enterprise)
    return enterprise


def usage_per_day(*, item: SupplyItem, at: dt.datetime) -> Decimal:
    """Issued per day over the usage window; the officer's planned use until there are issues."""
    window = settings.SUPPLIES_USAGE_WINDOW_DAYS
    issued = StockMove.objects.filter(
        item=item, kind=MoveKind.ISSUE, at__gt=at - dt.timedelta(days=window), at__lte=at
    ).aggregate(total=Sum("quantity"))["total"]
    if issued:
        return Decimal(issued) / Decimal(window)
    return Decimal(item.planned_daily_use)


def cover_days(*, item: SupplyItem, at: dt.datetime) -> Decimal | None:
    """How many days the stock on hand lasts at the usage rate; None when nothing is used."""
    rate = usage_per_day(item=item, at=at)
    if rate <= 0:
        return None
    return (Decimal(item.on_hand) / rate).quantize(_TENTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ItemRow:
    item: SupplyItem
    rate: Decimal
    cover: Decimal | None
    low: bool
    expired: bool
    alert: LowStockAlert | None


@dataclass(frozen=True)
class Ledger:
    enterprise: Enterprise
    minimum: Minimum | None
    rows: list[ItemRow]

    @property
    def lowest_cover(self) -> Decimal | None:
        covers = [r.cover for r in self.rows if r.cover is not None]
        return min(covers) if covers else None


def supplies_ledger(*, scope: Scope, enterprise: Enterprise, at: dt.datetime) -> Ledger:
    minimum = cover_minimum(park=enterprise.jurisdiction, on=timezone.localdate(at))
    items = visible(scope, SupplyItem).filter(enterprise=enterprise)
    open_alerts = {
        a.item_id: a for a in LowStockAlert.objects.filter(item__in=items, closed_at__isnull=True)
    }
    rows = []
    for item in items:
        cover = cover_days(item=item, at=at)
        rows.append(
            ItemRow(
                item=item,
                rate=usage_per_day(item=item, at=at).quantize(_TENTH, rounding=ROUND_HALF_UP),
                cover=cover,
                low=minimum is not None and cover is not None and cover < minimum.days,
                expired=item.expires_on is not None and item.expires_on < timezone.localdate(at),
                alert=open_alerts.get(item.pk),
            )
        )
    return Ledger(enterprise=enterprise, minimum=minimum, rows=rows)


def supply_moves(*, scope: Scope, enterprise: Enterprise) -> QuerySet[StockMove]:
    return (
        visible(scope, StockMove)
        .filter(item__enterprise=enterprise)
        .select_related("item", "org_unit", "by")
    )


def park_for_supplies(*, scope: Scope, jurisdiction_id: object) -> Jurisdiction:
    park = get_visible_or_404(scope, Jurisdiction, pk=jurisdiction_id)
    require(scope, "oversee_park_supplies", park)
    return park


@dataclass(frozen=True)
class CoverRow:
    enterprise_id: int
    name: str
    lowest_cover: Decimal | None
    low_items: int
    items: int


def park_cover(
    *, scope: Scope, park: Jurisdiction, at: dt.datetime
) -> tuple[Minimum | None, list[CoverRow]]:
    """Every enterprise of the park: its lowest days of cover and how many items run low."""
    minimum = cover_minimum(park=park, on=timezone.localdate(at))
    rows = []
    enterprises = visible(scope, Enterprise).filter(jurisdiction=park).order_by("name")
    items_by: dict[int, list[SupplyItem]] = {}
    for item in visible(scope, SupplyItem).filter(enterprise__in=enterprises):
        items_by.setdefault(item.enterprise_id, []).append(item)
    for enterprise in enterprises:
        covers = [cover_days(item=i, at=at) for i in items_by.get(enterprise.pk, [])]
        known = [c for c in covers if c is not None]
        low = sum(1 for c in known if minimum is not None and c < minimum.days)
        rows.append(
            CoverRow(
                enterprise.pk, enterprise.name, min(known) if known else None, low, len(covers)
            )
        )
    return minimum, rows


# --- disinfection -----------------------------------------------------------------------
def disinfection_areas(*, scope: Scope, enterprise: Enterprise) -> QuerySet[DisinfectionArea]:
    return visible(scope, DisinfectionArea).filter(enterprise=enterprise).select_related("assignee")


def disinfection_day(
    *, scope: Scope, enterprise: Enterprise, on: dt.date
) -> QuerySet[DisinfectionTask]:
    """The day's checklist: every task of the enterprise's areas the caller may see."""
    return (
        visible(scope, DisinfectionTask)
        .filter(area__enterprise=enterprise, on=on)
        .select_related("area", "assignee", "done_by")
        .defer("photo")
    )


def disinfection_range(
    *, scope: Scope, enterprise: Enterprise, start: dt.date, end: dt.date
) -> QuerySet[DisinfectionTask]:
    """Every task of the enterprise's areas from `start` to `end`, for the record."""
    return (
        visible(scope, DisinfectionTask)
        .filter(area__enterprise=enterprise, on__gte=start, on__lte=end)
        .select_related("area", "assignee", "done_by")
        .defer("photo")
        .order_by("on", "slot", "area__name", "round")
    )


def disinfection_missed(
    *, scope: Scope, enterprise: Enterprise, before: dt.date
) -> QuerySet[DisinfectionTask]:
    """Tasks of past days never marked done (B-2.5: every day, before and after work)."""
    return (
        visible(scope, DisinfectionTask)
        .filter(area__enterprise=enterprise, on__lt=before, done_at__isnull=True)
        .select_related("area", "assignee")
        .defer("photo")
        .order_by("-on", "slot")
    )


def my_disinfection_tasks(*, scope: Scope, on: dt.date) -> QuerySet[DisinfectionTask]:
    """The caller's own assigned tasks of the day, in any enterprise."""
    if scope.user_id is None:
        return DisinfectionTask.objects.none()
    return (
        DisinfectionTask.objects.filter(Q(assignee_id=scope.user_id), on=on)
        .select_related("area__enterprise")
        .defer("photo")
    )
