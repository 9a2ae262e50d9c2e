"""Reads of duties: who is due today and who is overdue, coverage per org unit, enterprise
and park, and the key-population test ledger (Z-3.2). Every read is one set-based query
whose count does not grow with headcount; the lists return one page, never every row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone

from parkguard.duties.choices import OPEN_STATES, ROUTINE, TEST_KINDS, DutyKind, DutyState
from parkguard.duties.models import DailyFigure, Duty
from parkguard.notify.privacy import name_mask
from parkguard.orgs.access import Scope, get_visible_or_404, require, visible
from parkguard.orgs.choices import JurisdictionKind
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.orgs.selectors import parks_of, unit_paths
from parkguard.people.identity import phone_mask

PER_PAGE = 50
# The largest 64-bit id: a number from a query string beyond it names nothing.
MAX_ID = 2**63
# Pages a list may be asked for (a bound on OFFSET, not a notice's figure).
MAX_PAGE = 10**6
TODAY = "today"
OVERDUE = "overdue"
LISTS = (TODAY, OVERDUE)
UNKNOWN_LIST = "未知的名单"

_KIND_LABELS = dict(DutyKind.choices)


def next_midnight(at: dt.datetime) -> dt.datetime:
    """The local midnight that ends the day of `at`."""
    day = timezone.localtime(at).date() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(0)))


def list_filter(which: str, at: dt.datetime) -> Q:
    """Open duties due by the end of today (not yet late), or already past their deadline.

    By time, not by the stored `state` alone: the overdue list is right even between two
    runs of `duties_refresh` (a due duty past its deadline is late already). A duty due
    later today is never stored overdue, so "today" reads one state: the index
    (enterprise, state, due_by) then gives the rows in deadline order, with no sort.
    """
    if which == TODAY:
        return Q(state=DutyState.DUE, due_by__gt=at, due_by__lte=next_midnight(at))
    if which == OVERDUE:
        return Q(state__in=OPEN_STATES, due_by__lte=at)
    raise ValueError(UNKNOWN_LIST)


@dataclass(slots=True)
class DutyRow:
    """One line of a list, as the page shows it: masked name and phone."""

    id: int
    person_id: int
    name: str
    phone: str
    unit: str
    kind: str
    label: str
    due_by: dt.datetime


@dataclass(frozen=True)
class DutyPage:
    rows: list[DutyRow]
    page: int
    has_next: bool


def duty_list(
    *,
    scope: Scope,
    enterprise: Enterprise,
    which: str,
    at: dt.datetime,
    unit_ids: Iterable[int] | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> DutyPage:
    """One page of who is due today or overdue in `enterprise`, by deadline, in one query:
    an inner select picks the page's ids from the composite index (enterprise, state,
    due_by) alone (no table rows, no join, for however many people are late), and only
    those rows are joined to their person and org unit."""
    duties = visible(scope, Duty).filter(list_filter(which, at), enterprise=enterprise)
    if unit_ids is not None:
        duties = duties.filter(person__org_unit_id__in=list(unit_ids))
    offset = (max(page, 1) - 1) * per_page
    ids = duties.order_by("due_by", "id").values("id")[offset : offset + per_page + 1]
    found = list(
        Duty.objects.filter(pk__in=ids)
        .order_by("due_by", "id")
        .values_list(
            "id",
            "person_id",
            "person__name",
            "person__phone",
            "person__org_unit__name",
            "kind",
            "label",
            "due_by",
        )
    )
    rows = [
        DutyRow(
            id=pk,
            person_id=person_id,
            name=name_mask(name),
            phone=phone_mask(phone),
            unit=unit or "",
            kind=_KIND_LABELS.get(kind, kind),
            label=label,
            due_by=due_by,
        )
        for pk, person_id, name, phone, unit, kind, label, due_by in found[:per_page]
    ]
    return DutyPage(rows=rows, page=max(page, 1), has_next=len(found) > per_page)


@dataclass(frozen=True)
class Coverage:
    """People owing a routine test this cycle, those whose test is done, those overdue."""

    due: int = 0
    done: int = 0
    overdue: int = 0
    due_today: int = 0
    key_group: int = 0
    latest_sample: dt.datetime | None = None

    @property
    def share(self) -> float | None:
        return self.done / self.due if self.due else None

    @property
    def percent(self) -> str:
        share = self.share
        return "—" if share is None else f"{share:.0%}"


def _current_routine(at: dt.datetime) -> Q:
    return Q(source=ROUTINE, kind__in=TEST_KINDS, due_from__lte=at, due_by__gt=at) & ~Q(
        state=DutyState.CANCELLED
    )


def coverage_by(
    *, duties: QuerySet[Duty], group: str | None, at: dt.datetime
) -> dict[Any, Coverage]:
    """Coverage grouped by `group` (a field path such as "enterprise_id" or
    "person__org_unit_id"; None for one total under the key None), in one query."""
    current = _current_routine(at)
    late = Q(state__in=OPEN_STATES, due_by__lte=at)
    today = Q(state__in=OPEN_STATES, due_by__gt=at, due_by__lte=next_midnight(at))
    # Only rows still running (due_by ahead, in any state) or late and open: ranges of the
    # index (enterprise, state, due_by), never the history of past cycles, however long.
    base = duties.filter(Q(state__in=DutyState.values, due_by__gt=at) | late)
    # A person owes one routine test of each kind per cycle, so the current cycle's duties
    # are counted as they are (no DISTINCT: no sort per figure); several late duties of one
    # person count once.
    aggregates = {
        "due": Count("id", filter=current),
        "done": Count("id", filter=current & Q(state=DutyState.DONE)),
        "overdue": Count("person_id", filter=late, distinct=True),
        "due_today": Count("person_id", filter=today, distinct=True),
        "key_group": Count("id", filter=current & Q(person__wide_contact=True)),
        "latest_sample": Max("satisfied_at", filter=Q(kind__in=TEST_KINDS)),
    }
    if group is None:
        row = base.aggregate(**aggregates)
        return {None: Coverage(**row)}
    result: dict[Any, Coverage] = {}
    for row in base.order_by().values(group).annotate(**aggregates):
        key = row.pop(group)
        result[key] = Coverage(**row)
    return result


def _sum(parts: Iterable[Coverage]) -> Coverage:
    """Coverages of disjoint groups of people, added up."""
    items = list(parts)
    latest = [c.latest_sample for c in items if c.latest_sample is not None]
    return Coverage(
        due=sum(c.due for c in items),
        done=sum(c.done for c in items),
        overdue=sum(c.overdue for c in items),
        due_today=sum(c.due_today for c in items),
        key_group=sum(c.key_group for c in items),
        latest_sample=max(latest) if latest else None,
    )


def enterprise_coverage(
    *, scope: Scope, enterprise: Enterprise, at: dt.datetime
) -> tuple[Coverage, list[tuple[str, Coverage]]]:
    """An enterprise's coverage in total and per org unit (by unit name; "未分配" for none)."""
    duties = visible(scope, Duty).filter(enterprise=enterprise)
    units = unit_paths(enterprise_ids=[enterprise.pk])
    per_unit = coverage_by(duties=duties, group="person__org_unit_id", at=at)
    # A person is in one unit: the total is the sum of the units (no second scan).
    total = _sum(per_unit.values())
    rows = sorted(
        ((units.get(pk, "未分配"), cov) for pk, cov in per_unit.items()), key=lambda r: r[0]
    )
    return total, rows


@dataclass(frozen=True)
class LedgerRow:
    """One enterprise's line of the key-population test ledger (Z-3.2)."""

    enterprise_id: int
    enterprise: str
    coverage: Coverage


def _in_place(duties: QuerySet[Duty], place: Jurisdiction | None) -> QuerySet[Duty]:
    """A park's enterprises' duties, or a community's residents' duties."""
    if place is None:
        return duties
    if place.kind == JurisdictionKind.COMMUNITY:
        return duties.filter(person__home_community__path__startswith=place.path)
    return duties.filter(enterprise__jurisdiction__path__startswith=place.path)


def ledger_place(*, scope: Scope, jurisdiction_id: int) -> Jurisdiction:
    """The park or community whose ledger the caller opens: 404 unseen, 403 not theirs."""
    place = get_visible_or_404(scope, Jurisdiction, pk=jurisdiction_id)
    require(scope, "view_test_ledger", place)
    return place


def ledger_places(*, scope: Scope) -> QuerySet[Jurisdiction]:
    """Parks and communities whose ledger the caller may open (the home page's links)."""
    return (
        visible(scope, Jurisdiction, action="view_test_ledger")
        .filter(Q(kind=JurisdictionKind.COMMUNITY) | Q(enterprises__isnull=False))
        .distinct()
        .order_by("name")
    )


def key_population_ledger(
    *, scope: Scope, at: dt.datetime, place: Jurisdiction | None = None
) -> tuple[Coverage, list[LedgerRow]]:
    """The key-population test ledger (Z-3.2) of what `scope` sees in `place` (a park: its
    enterprises; a community: its residents, whoever employs them), per enterprise and in
    total: people owing a routine test this cycle, of them in key (wide-contact) posts,
    tested this cycle, overdue, due today, the latest sample. Two queries."""
    duties = _in_place(visible(scope, Duty), place)
    per = coverage_by(duties=duties, group="enterprise_id", at=at)
    names = dict(Enterprise.objects.filter(pk__in=list(per)).values_list("pk", "name"))
    rows = sorted(
        (LedgerRow(pk, names.get(pk, ""), cov) for pk, cov in per.items()),
        key=lambda r: r.enterprise,
    )
    return _sum(r.coverage for r in rows), rows


def ledger_people(
    *, scope: Scope, at: dt.datetime, place: Jurisdiction | None = None
) -> QuerySet[Duty]:
    """The current routine test duties behind the ledger, one per person and kind, for the
    export (masked there): what `scope` sees in `place`, by enterprise then person."""
    duties = _in_place(visible(scope, Duty), place).filter(_current_routine(at))
    return duties.select_related(
        "person", "person__org_unit", "person__home_community", "enterprise"
    ).order_by("enterprise__name", "person__name", "person_id")


def person_duties(*, scope: Scope, person_id: int, at: dt.datetime) -> QuerySet[Duty]:
    """One person's open duties (an employee's "what I must do by when"), by deadline."""
    return (
        visible(scope, Duty)
        .filter(person_id=person_id, state__in=OPEN_STATES)
        .order_by("due_by", "id")
    )


def daily_figures(
    *,
    scope: Scope,
    since: dt.date,
    enterprise: Enterprise | None = None,
    park: Jurisdiction | None = None,
) -> list[dict[str, Any]]:
    """Daily figures from `since`, summed per day (of one enterprise, or of a park's)."""
    figures = visible(scope, DailyFigure).filter(on__gte=since)
    if enterprise is not None:
        figures = figures.filter(enterprise=enterprise)
    if park is not None:
        figures = figures.filter(enterprise__jurisdiction__path__startswith=park.path)
    return [
        dict(row)
        for row in figures.order_by("on")
        .values("on")
        .annotate(
            headcount=Sum("headcount"),
            declared=Sum("declared"),
            test_due=Sum("test_due"),
            test_done=Sum("test_done"),
            overdue=Sum("overdue"),
            positives=Sum("positives"),
        )
    ]


# Days the dashboards' trend charts show (a display choice).
TREND_DAYS = 14


@dataclass(frozen=True)
class TrendDay:
    on: dt.date
    headcount: int
    declared: int
    test_due: int
    test_done: int
    overdue: int
    positives: int

    @staticmethod
    def _percent(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def declared_rate(self) -> float | None:
        return self._percent(self.declared, self.headcount)

    @property
    def coverage(self) -> float | None:
        return self._percent(self.test_done, self.test_due)


@dataclass(frozen=True)
class Trend:
    """The daily figures of the last `TREND_DAYS` days, for a chart and its table."""

    days: list[TrendDay]

    def chart(self) -> dict[str, Any]:
        """The chart's data, embedded in the page with json_script."""
        return {
            "days": [d.on.strftime("%m-%d") for d in self.days],
            "declared_rate": [d.declared_rate for d in self.days],
            "coverage": [d.coverage for d in self.days],
            "overdue": [d.overdue for d in self.days],
            "positives": [d.positives for d in self.days],
        }


def figure_trend(
    *,
    scope: Scope,
    end: dt.date,
    enterprise: Enterprise | None = None,
    park: Jurisdiction | None = None,
    days: int = TREND_DAYS,
) -> Trend:
    """Declaration rate, test coverage, overdue and positives per day up to `end` (one query):
    of one enterprise, or summed over a park's enterprises."""
    since = end - dt.timedelta(days=days - 1)
    rows = [
        r
        for r in daily_figures(scope=scope, since=since, enterprise=enterprise, park=park)
        if r["on"] <= end
    ]
    return Trend(
        days=[
            TrendDay(
                on=r["on"],
                headcount=r["headcount"] or 0,
                declared=r["declared"] or 0,
                test_due=r["test_due"] or 0,
                test_done=r["test_done"] or 0,
                overdue=r["overdue"] or 0,
                positives=r["positives"] or 0,
            )
            for r in rows
        ]
    )


def enterprise_for_duties(*, scope: Scope, enterprise_id: int) -> Enterprise:
    """The enterprise whose lists the caller opens: 404 if unseen, 403 if not theirs to
    oversee (its officers, its team leaders for their units, the park)."""
    enterprise = get_visible_or_404(
        scope, Enterprise.objects.select_related("jurisdiction"), pk=enterprise_id
    )
    require(scope, "oversee_health", enterprise)
    return enterprise


def park_for_figures(*, scope: Scope, jurisdiction_id: int) -> Jurisdiction:
    """A park the caller oversees through a park role (its dashboard's figures)."""
    return get_visible_or_404(scope, parks_of(scope=scope), pk=jurisdiction_id)
