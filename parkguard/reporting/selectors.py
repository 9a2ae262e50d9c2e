"""Reads of the daily report and the command board. Every figure is a grouped query over a
whole township or county: the number of queries does not grow with enterprises or people."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from parkguard.duties.models import DailyFigure
from parkguard.health.models import Alert, Declaration
from parkguard.logistics.choices import TruckState
from parkguard.logistics.models import TruckDeclaration
from parkguard.orgs.access import Scope, visible, visible_pks
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


@dataclass(frozen=True, slots=True)
class UnitRef:
    """A township or park as the roll-up names it (no model instance: the roll-up is hot)."""

    pk: int
    name: str
    kind: str
    parent_id: int | None
    path: str

    def jurisdiction(self) -> Jurisdiction:
        return Jurisdiction(
            id=self.pk, name=self.name, kind=self.kind, parent_id=self.parent_id, path=self.path
        )


@dataclass(frozen=True, slots=True)
class ReportRef:
    """A unit's report of the day as the roll-up shows it."""

    pk: int
    state: str
    late: bool
    zero: bool
    due_at: dt.datetime | None
    submitted_at: dt.datetime | None
    late_reason: str
    signer_name: str


@dataclass
class UnitLine:
    unit: UnitRef
    enterprises: int
    report: ReportRef | None
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
# The statement's sum columns, in order: the figures, the rows, the rows not producing.
_SUM_KEYS = (*ROW_FIGURES, "enterprises", "not_normal")


# The roll-up in one statement: each unit the caller may read (the keys `visible_pks()` gives,
# or every unit under the root for a superuser), its enterprise count, its report of the day
# and the sums of the report's rows. Written by hand because the ORM's compilation of
# fourteen aggregates over two joins costs twenty times the statement itself
# (bench/report_rollup.py); the scope is bound as keys, not as a compiled subquery (on
# PostgreSQL the subquery costs a hash join, and compiling it a third of the statement).
_ROLLUP_SQL = """
SELECT j.id, j.name, j.kind, j.parent_id, j.path,
  (SELECT COUNT(*) FROM {enterprise} e WHERE e.jurisdiction_id = j.id),
  r.id, r.state, r.late, r.zero, r.due_at, r.submitted_at, r.late_reason, r.signer_name,
  {sums}, COUNT(w.id), COALESCE(SUM(CASE WHEN w.production_normal THEN 0 ELSE 1 END), 0)
FROM {jurisdiction} j
LEFT JOIN {report} r ON r.jurisdiction_id = j.id AND r.{on} = %s
LEFT JOIN {row} w ON w.report_id = r.id
WHERE j.path LIKE %s AND j.kind IN ({hosts}){scoped}
  AND EXISTS (SELECT 1 FROM {enterprise} x WHERE x.jurisdiction_id = j.id)
GROUP BY j.id, j.name, j.kind, j.parent_id, j.path, r.id, r.state, r.late, r.zero,
  r.due_at, r.submitted_at, r.late_reason, r.signer_name
ORDER BY j.path
"""


@functools.lru_cache(maxsize=256)
def _rollup_sql(vendor: str, units: int | None) -> str:
    """The statement with the tables' names filled in, for `units` keys of scope (None: no
    scope condition, a superuser)."""
    quote = connection.ops.quote_name
    return _ROLLUP_SQL.format(
        enterprise=quote(Enterprise._meta.db_table),
        jurisdiction=quote(Jurisdiction._meta.db_table),
        report=quote(DailyReport._meta.db_table),
        row=quote(DailyReportRow._meta.db_table),
        on=quote("on"),
        sums=", ".join(f"COALESCE(SUM(w.{quote(f)}), 0)" for f in ROW_FIGURES),
        hosts=", ".join(["%s"] * len(ENTERPRISE_HOSTS)),
        scoped="" if units is None else " AND j.id IN ({})".format(", ".join(["%s"] * units)),
    )


def _moment(value: Any) -> dt.datetime | None:
    """A datetime column as the raw cursor gives it (SQLite: text in UTC; PostgreSQL: aware)."""
    if value is None or isinstance(value, dt.datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=dt.UTC)
    parsed = dt.datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def county_rollup(*, scope: Scope, root: Jurisdiction, on: dt.date, at: dt.datetime) -> Rollup:
    """The roll-up a county (or town) reads (L-4.3 汇总): each township's or park's report of
    the day, its sums, who is late and who has not reported. One statement, plus one pack
    lookup for each unit that has not even started its report. The reports are read through
    their unit's scope: a report's scope path is its unit (`scope_jurisdiction`), and the
    units are those `visible_pks()` gives for "view_reports" (keys read from the scope, not
    a compiled subquery)."""
    lines: list[UnitLine] = []
    totals = dict.fromkeys(_TOTAL_KEYS, 0)
    units = visible_pks(scope, Jurisdiction, "view_reports")
    if units is not None and not units:
        return Rollup(root=root, on=on, lines=lines, totals=totals)
    sql = _rollup_sql(connection.vendor, None if units is None else len(units))
    with connection.cursor() as cursor:
        cursor.execute(sql, [on, root.path + "%", *ENTERPRISE_HOSTS, *(units or ())])
        found = cursor.fetchall()
    width = len(ROW_FIGURES)
    submitted = ReportState.SUBMITTED
    for values in found:
        unit = UnitRef(values[0], values[1], values[2], values[3], values[4])
        report = None
        if values[6] is not None:
            report = ReportRef(
                values[6], values[7], bool(values[8]), bool(values[9]), _moment(values[10]),
                _moment(values[11]), values[12], values[13],
            )  # fmt: skip
        unit_totals: dict[str, int] = {}
        due_at = report.due_at if report is not None else None
        if report is not None and report.state == submitted:
            state = UnitState.LATE if report.late else UnitState.ON_TIME
            # The sums are COALESCEd to 0 in the statement (a report without rows).
            unit_totals = dict(zip(_SUM_KEYS, values[14 : 16 + width], strict=True))
            unit_totals["eventful"] = 0 if report.zero else 1
            for key, value in unit_totals.items():
                totals[key] += value
        else:
            if report is None:
                due = report_due(unit=unit.jurisdiction(), on=on)
                due_at = due.due_at if due is not None else None
            state = UnitState.OVERDUE if due_at is not None and at > due_at else UnitState.PENDING
        lines.append(
            UnitLine(
                unit=unit,
                enterprises=values[5],
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
    groups: list[tuple[UnitRef, list[Tile]]]
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
