"""Reads of the daily report and the command board. Every figure is a grouped query over a
whole township or county: the number of queries does not grow with enterprises or people."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from parkguard.duties.models import DailyFigure
from parkguard.health.models import Alert, Declaration
from parkguard.logistics.choices import TruckState
from parkguard.logistics.models import TruckDeclaration
from parkguard.orgs.access import Scope, visible
from parkguard.orgs.choices import ENTERPRISE_HOSTS
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.people.choices import EmploymentStatus
from parkguard.people.models import Person
from parkguard.reporting.choices import BoardStatus, ReportState, UnitState
from parkguard.reporting.contributors import Contribution, Timer, contributions, worst
from parkguard.reporting.models import ROW_FIGURES, DailyReport, DailyReportRow
from parkguard.reporting.rules import report_due
from parkguard.response.choices import IncidentState
from parkguard.response.models import Incident
from parkguard.supplies.models import LowStockAlert


def day_bounds(on: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(on, dt.time.min))
    return start, start + dt.timedelta(days=1)


def report_units(*, scope: Scope, under: Jurisdiction | None = None) -> QuerySet[Jurisdiction]:
    """Townships, streets and parks that host enterprises themselves (each reports, L-4.3)."""
    units = visible(scope, Jurisdiction, "view_reports").filter(kind__in=ENTERPRISE_HOSTS)
    if under is not None:
        units = units.filter(path__startswith=under.path)
    return (
        units.annotate(enterprise_count=Count("enterprises"))
        .filter(enterprise_count__gt=0)
        .order_by("path")
    )


def rollup_roots(*, scope: Scope) -> QuerySet[Jurisdiction]:
    """Jurisdictions whose roll-up the caller may read: those it holds a park role at (a
    county, a town, a park), not every node beneath them."""
    if scope.superuser:
        return Jurisdiction.objects.filter(parent__isnull=True).order_by("name")
    held: set[int] = set()
    for ids in scope.jurisdiction_ids_by_role.values():
        held |= ids
    nodes = Jurisdiction.objects.filter(pk__in=held)
    # Keep the top-most: a node whose parent the caller also holds is inside a larger roll-up.
    return nodes.exclude(parent_id__in=held).order_by("path")


@dataclass
class Figures:
    """One enterprise's pre-filled figures of the day, with what plug-in sources said."""

    values: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ROW_FIGURES, 0))
    status: str = BoardStatus.NORMAL.value
    production_normal: bool = True
    notes: list[dict[str, str]] = field(default_factory=list)


def _counts(queryset: QuerySet[Any], key: str, **aggregates: Any) -> dict[int, dict[str, int]]:
    return {
        row[key]: {k: int(row[k] or 0) for k in aggregates}
        for row in queryset.values(key).annotate(**aggregates).order_by()
    }


def enterprise_figures(*, unit: Jurisdiction, on: dt.date, at: dt.datetime) -> dict[int, Figures]:
    """Every enterprise of `unit` with its figures for `on`, from the platform's own records:
    headcount and declarations (Z-5.2c), health alerts, tests (the day's duties figures),
    incidents (response), trucks (logistics), supplies below cover, and the plug-in sources
    (lockdowns, closed loops). Nine queries plus one per installed source, whatever the size."""
    start, end = day_bounds(on)
    ids = list(
        Enterprise.objects.filter(jurisdiction=unit).order_by("name").values_list("pk", flat=True)
    )
    found = {pk: Figures() for pk in ids}
    if not ids:
        return found
    mine = Q(enterprise__jurisdiction=unit)
    people = Person.objects.filter(mine, status=EmploymentStatus.ACTIVE)
    sources: list[dict[int, dict[str, int]]] = [
        _counts(people, "enterprise_id", headcount=Count("id")),
        _counts(
            Declaration.objects.filter(on=on, person__enterprise__jurisdiction=unit),
            "person__enterprise_id",
            declared=Count("id"),
        ),
        _counts(
            Alert.objects.filter(
                person__enterprise__jurisdiction=unit, opened_at__gte=start, opened_at__lt=end
            ),
            "person__enterprise_id",
            abnormal=Count("id"),
        ),
        _counts(
            DailyFigure.objects.filter(mine, on=on),
            "enterprise_id",
            test_due=Sum("test_due"),
            test_done=Sum("test_done"),
            positives=Sum("positives"),
        ),
        _counts(
            Incident.objects.filter(mine).filter(
                Q(state=IncidentState.OPEN) | Q(detected_at__gte=start, detected_at__lt=end)
            ),
            "enterprise_id",
            open_incidents=Count("id", filter=Q(state=IncidentState.OPEN)),
            new_incidents=Count("id", filter=Q(detected_at__gte=start, detected_at__lt=end)),
        ),
        _counts(
            TruckDeclaration.objects.filter(mine).filter(
                Q(planned_arrival__gte=start, planned_arrival__lt=end)
                | Q(state=TruckState.INSIDE)
                | Q(left_at__gte=start, left_at__lt=end)
            ),
            "enterprise_id",
            trucks_expected=Count(
                "id", filter=Q(planned_arrival__gte=start, planned_arrival__lt=end)
            ),
            trucks_inside=Count("id", filter=Q(state=TruckState.INSIDE)),
            trucks_left=Count("id", filter=Q(left_at__gte=start, left_at__lt=end)),
        ),
        _counts(
            LowStockAlert.objects.filter(item__enterprise__jurisdiction=unit, closed_at=None),
            "item__enterprise_id",
            low_stock_items=Count("id"),
        ),
    ]
    for source in sources:
        for pk, values in source.items():
            if pk in found:
                found[pk].values.update(values)
    given = contributions(enterprise_ids=ids, on=on, at=at)
    for pk, figures in found.items():
        figures.status = _status(figures.values, given.get(pk, []))
        figures.production_normal = (
            all(c.production_normal is not False for c in given.get(pk, []))
            and figures.status != BoardStatus.LOCKDOWN
        )
        figures.notes = [{"source": c.source, "text": c.text} for c in given.get(pk, []) if c.text]
    return found


def _status(values: dict[str, int], given: list[Contribution]) -> str:
    statuses = [c.status for c in given if c.status]
    if values.get("open_incidents"):
        statuses.append(BoardStatus.INCIDENT.value)
    return worst(statuses)


def daily_report_get(*, scope: Scope, unit: Jurisdiction, on: dt.date) -> DailyReport | None:
    return (
        visible(scope, DailyReport, "view_reports")
        .filter(jurisdiction=unit, on=on)
        .select_related("jurisdiction", "submitted_by")
        .first()
    )


def report_rows(*, report: DailyReport) -> QuerySet[DailyReportRow]:
    return report.rows.select_related("enterprise").order_by("enterprise__name")


def report_totals(*, report: DailyReport) -> dict[str, int]:
    sums = report.rows.aggregate(**{f: Sum(f) for f in ROW_FIGURES})
    sums["enterprises"] = report.rows.count()
    sums["not_normal"] = report.rows.filter(production_normal=False).count()
    return {k: int(v or 0) for k, v in sums.items()}


@dataclass
class UnitLine:
    unit: Jurisdiction
    enterprises: int
    report: DailyReport | None
    state: str
    due_at: dt.datetime | None
    totals: dict[str, int]

    @property
    def state_label(self) -> str:
        return UnitState(self.state).label


@dataclass
class Rollup:
    root: Jurisdiction
    on: dt.date
    lines: list[UnitLine]
    totals: dict[str, int]

    def with_state(self, *states: str) -> list[UnitLine]:
        return [line for line in self.lines if line.state in states]

    @property
    def counts(self) -> dict[str, int]:
        found = dict.fromkeys([s.value for s in UnitState], 0)
        for line in self.lines:
            found[line.state] += 1
        return found

    @property
    def late(self) -> list[UnitLine]:
        return self.with_state(UnitState.LATE)

    @property
    def missing(self) -> list[UnitLine]:
        return self.with_state(UnitState.PENDING, UnitState.OVERDUE)


_TOTAL_KEYS = (*ROW_FIGURES, "enterprises", "not_normal", "eventful")


def county_rollup(*, scope: Scope, root: Jurisdiction, on: dt.date, at: dt.datetime) -> Rollup:
    """The roll-up a county (or town) reads (L-4.3 汇总): each township's or park's report of
    the day, its sums, who is late and who has not reported. Two queries, plus one pack
    lookup for each unit that has not even started its report."""
    units = list(report_units(scope=scope, under=root))
    sums = {f"sum_{f}": Sum(f"rows__{f}") for f in ROW_FIGURES}
    reports = {
        r.jurisdiction_id: r
        for r in visible(scope, DailyReport, "view_reports")
        .filter(on=on, jurisdiction__path__startswith=root.path)
        .select_related("submitted_by")
        .annotate(
            **sums,
            row_count=Count("rows"),
            not_normal=Count("rows", filter=Q(rows__production_normal=False)),
        )
    }
    lines: list[UnitLine] = []
    totals = dict.fromkeys(_TOTAL_KEYS, 0)
    for unit in units:
        report = reports.get(unit.pk)
        unit_totals: dict[str, int] = {}
        due_at = report.due_at if report is not None else None
        if report is not None and report.state == ReportState.SUBMITTED:
            state = UnitState.LATE if report.late else UnitState.ON_TIME
            unit_totals = {f: int(getattr(report, f"sum_{f}") or 0) for f in ROW_FIGURES}
            unit_totals["enterprises"] = report.row_count
            unit_totals["not_normal"] = report.not_normal
            unit_totals["eventful"] = 0 if report.zero else 1
            for key, value in unit_totals.items():
                totals[key] += value
        else:
            if report is None:
                due = report_due(unit=unit, on=on)
                due_at = due.due_at if due is not None else None
            state = UnitState.OVERDUE if due_at is not None and at > due_at else UnitState.PENDING
        lines.append(
            UnitLine(
                unit=unit,
                enterprises=unit.enterprise_count,  # type: ignore[attr-defined]
                report=report,
                state=state,
                due_at=due_at,
                totals=unit_totals,
            )
        )
    return Rollup(root=root, on=on, lines=lines, totals=totals)


@dataclass
class Tile:
    enterprise_id: int
    name: str
    unit_id: int
    status: str
    open_incidents: int
    notes: list[str]

    @property
    def status_label(self) -> str:
        return BoardStatus(self.status).label


@dataclass
class Board:
    root: Jurisdiction
    at: dt.datetime
    groups: list[tuple[Jurisdiction, list[Tile]]]
    counts: dict[str, int]
    incidents: list[Incident]
    timers: list[tuple[str, Timer]]
    rollup: Rollup


def command_board(*, scope: Scope, root: Jurisdiction, at: dt.datetime) -> Board:
    """The command board (item 8): every enterprise under `root` coloured by status (normal,
    closed loop, locked down, incident), open incidents, live timers and late reports."""
    on = timezone.localdate(at)
    rollup = county_rollup(scope=scope, root=root, on=on, at=at)
    unit_ids = [line.unit.pk for line in rollup.lines]
    enterprises = list(
        visible(scope, Enterprise)
        .filter(jurisdiction_id__in=unit_ids)
        .order_by("name")
        .values_list("pk", "name", "jurisdiction_id")
    )
    open_incidents = visible(scope, Incident).filter(
        state=IncidentState.OPEN, enterprise__jurisdiction_id__in=unit_ids
    )
    per_enterprise = _counts(open_incidents, "enterprise_id", n=Count("id"))
    given = contributions(enterprise_ids=[pk for pk, _, _ in enterprises], on=on, at=at)
    by_unit: dict[int, list[Tile]] = {pk: [] for pk in unit_ids}
    counts = dict.fromkeys([s.value for s in BoardStatus], 0)
    timers: list[tuple[str, Timer]] = []
    for pk, name, unit_id in enterprises:
        n = per_enterprise.get(pk, {}).get("n", 0)
        status = _status({"open_incidents": n}, given.get(pk, []))
        counts[status] += 1
        by_unit[unit_id].append(
            Tile(pk, name, unit_id, status, n, [c.text for c in given.get(pk, []) if c.text])
        )
        for c in given.get(pk, []):
            timers.extend((name, t) for t in c.timers if t.done_at is None)
    for line in rollup.lines:
        if line.due_at is not None and line.state == UnitState.PENDING:
            timers.append((line.unit.name, Timer(label="每日报告截止", due_at=line.due_at)))
    timers.sort(key=lambda pair: pair[1].due_at)
    return Board(
        root=root,
        at=at,
        groups=[(line.unit, by_unit[line.unit.pk]) for line in rollup.lines],
        counts=counts,
        incidents=list(open_incidents.select_related("enterprise").order_by("detected_at")[:50]),
        timers=timers,
        rollup=rollup,
    )
