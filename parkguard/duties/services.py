"""Writes of duties. Set-based: evidence for many people costs a few queries per chunk of
`CHUNK` ids, never one round trip per person.

Like `status.services`, these are called by the services that hold the evidence or the plan
(sampling, mobility, health) INSIDE their own transaction, after those have asked
`orgs.access.require()`; they check no permission themselves.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from parkguard.audit.services import audit_record
from parkguard.duties.choices import OPEN_STATES, ROUTINE, DutyKind, DutyState
from parkguard.duties.models import DailyFigure, Duty
from parkguard.duties.routine import ParkSchedule, Profile
from parkguard.duties.selectors import LedgerRow, coverage_by, key_population_ledger, ledger_people
from parkguard.lib import xlsx
from parkguard.lib.bulk_rows import bulk_insert, bulk_set
from parkguard.lib.xlsx import cell_safe
from parkguard.notify.privacy import name_mask
from parkguard.orgs.access import Scope, require
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.people.choices import EmploymentStatus
from parkguard.people.identity import phone_mask
from parkguard.people.models import Person

# The same chunk and batch sizes as the status upkeep (ids per query, rows per INSERT).
from parkguard.status.choices import HoldKind
from parkguard.status.models import PersonStatus, StatusHold
from parkguard.status.services import BATCH, CHUNK

UNKNOWN_KIND = "未知的任务类型"
BAD_WINDOW = "任务的截止时间必须晚于开始时间"
NAIVE_TIME = "任务时间必须带时区"
NO_SOURCE = "任务必须注明来源"
UNKNOWN_PERSON = "任务所属的人员不存在"


class DutyInputError(ValueError):
    """A duty a caller asked for that cannot exist; `message` is one of the constants above."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class DutySpec:
    """One duty a plan asks for: the kind, its window [due_from, due_by), the clause, a label."""

    kind: str
    due_from: dt.datetime
    due_by: dt.datetime
    citation: Mapping[str, Any] = field(default_factory=dict)
    label: str = ""


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    unique = sorted(set(ids))
    for start in range(0, len(unique), CHUNK):
        yield unique[start : start + CHUNK]


def _check_kind(kind: str) -> None:
    if kind not in DutyKind.values:
        raise DutyInputError(UNKNOWN_KIND)


def _check_spec(spec: DutySpec) -> None:
    _check_kind(spec.kind)
    if spec.due_from.tzinfo is None or spec.due_by.tzinfo is None:
        raise DutyInputError(NAIVE_TIME)
    if spec.due_by <= spec.due_from:
        raise DutyInputError(BAD_WINDOW)


def _state_at(due_by: dt.datetime, at: dt.datetime) -> str:
    return DutyState.OVERDUE if due_by <= at else DutyState.DUE


def _meets(duty: Duty, when: dt.datetime) -> bool:
    """Evidence at `when` satisfies `duty`: inside its window; for a routine duty also after
    it (a missed cycle is met, late, by the next test: `satisfied_at` after `due_by`)."""
    if duty.due_from <= when < duty.due_by:
        return True
    return duty.source == ROUTINE and duty.due_by <= when


def _done(duty: Duty, when: dt.datetime, reference: str) -> None:
    duty.state = DutyState.DONE
    duty.satisfied_at = when
    duty.evidence = reference


def _routine_next(
    done: Sequence[Duty], evidence: Mapping[int, dt.datetime], reference: str, at: dt.datetime
) -> int:
    """For routine duties just done, the duty of the following cycle (same length, starting
    where this one ends) unless it exists already; one the evidence already meets is created
    done, and its own next cycle follows. Returns how many were created."""
    wanted: dict[tuple[int, str, dt.datetime], Duty] = {}
    frontier = list(done)
    while frontier:
        following: list[Duty] = []
        for duty in frontier:
            start = duty.due_by
            end = start + (duty.due_by - duty.due_from)
            key = (duty.person_id, duty.kind, start)
            if key in wanted:
                continue
            new = Duty(
                person_id=duty.person_id,
                enterprise_id=duty.enterprise_id,
                kind=duty.kind,
                label=duty.label,
                due_from=start,
                due_by=end,
                state=_state_at(end, at),
                source=ROUTINE,
                citation=duty.citation,
                created_at=at,
            )
            wanted[key] = new
            when = evidence.get(duty.person_id)
            if when is not None and _meets(new, when):
                _done(new, when, reference)
                following.append(new)
        frontier = following
    if not wanted:
        return 0
    have = set(
        Duty.objects.filter(
            person_id__in={k[0] for k in wanted},
            source=ROUTINE,
            due_from__gte=min(k[2] for k in wanted),
        )
        .exclude(state=DutyState.CANCELLED)
        .values_list("person_id", "kind", "due_from")
    )
    created = [duty for key, duty in wanted.items() if key not in have]
    Duty.objects.bulk_create(created, batch_size=BATCH)
    return len(created)


@transaction.atomic
def duty_evidence_record(
    *,
    kind: str,
    evidence: Mapping[int, dt.datetime],
    at: dt.datetime,
    reference: str = "",
) -> int:
    """Evidence of `kind` for some people ({person_id: when it happened}, e.g. the sampling
    time of a sample) satisfies each person's open duties of that kind whose window
    [due_from, due_by) contains that time, overdue ones included (a sample taken in time
    whose result came late). A routine duty done opens the next cycle's duty (Z-5.2b); a
    routine duty whose cycle was missed is met, late, by the next test after it.

    `reference` names the evidence ("sampling.sample:12"). Returns the duties satisfied
    (routine duties of later cycles created already done are not counted).
    """
    _check_kind(kind)
    satisfied = 0
    for chunk in _chunks(evidence):
        hits: list[Duty] = []
        for duty in (
            Duty.objects.select_for_update()
            .filter(person_id__in=chunk, kind=kind, state__in=OPEN_STATES)
            .only(
                "person_id",
                "enterprise_id",
                "kind",
                "label",
                "due_from",
                "due_by",
                "source",
                "citation",
                "state",
            )
            .order_by("pk")
        ):
            when = evidence[duty.person_id]
            if _meets(duty, when):
                _done(duty, when, reference)
                hits.append(duty)
        Duty.objects.bulk_update(hits, ["state", "satisfied_at", "evidence"], batch_size=BATCH)
        satisfied += len(hits)
        _routine_next([d for d in hits if d.source == ROUTINE], evidence, reference, at)
    return satisfied


@transaction.atomic
def duties_replace(
    *, person_id: int, source: str, items: Sequence[DutySpec], at: dt.datetime
) -> list[Duty]:
    """Make `items` the open duties of one person from one `source` (a plan, e.g.
    "mobility.return:12"): an open duty that the new plan still asks for (same kind and
    window) stays as it is (its label and citation follow the plan); the others are
    cancelled, never deleted; done duties stay done, and an item that one already meets is
    not asked again. Returns the open duties from `source`, by deadline.

    One person's call of `duties_replace_many` (the same rules, written once), then the
    duties read back: the same statements as a replace of its own.
    """
    duties_replace_many(items={(person_id, source): items}, at=at)
    return list(
        Duty.objects.filter(person_id=person_id, source=source, state__in=OPEN_STATES).order_by(
            "due_by", "pk"
        )
    )


@dataclass(frozen=True)
class EvidenceHeld:
    """Evidence already recorded for a plan's person (a certificate, a test, a report): when
    `duties_replace_many` writes the plan's duties, the ones it meets are written done."""

    kind: str
    at: dt.datetime
    reference: str


@transaction.atomic
def duties_replace_many(
    *,
    items: Mapping[tuple[int, str], Sequence[DutySpec]],
    evidence: Mapping[tuple[int, str], Sequence[EvidenceHeld]] | None = None,
    at: dt.datetime,
) -> int:
    """`duties_replace` for many (person, source) pairs at once, a few queries per chunk of
    `CHUNK` pairs whatever their number (a policy change recomputing thousands of plans).

    Per pair the same rules: an open duty the new items still ask for stays (label and
    citation follow), the others are cancelled (never deleted), done ones stay done. Then each
    `evidence` item of the pair, in order, satisfies the pair's open duties of its kind whose
    window contains it (`_meets`): duties of that source only, unlike `duty_evidence_record`,
    which the evidence went through when it was recorded. Returns the duties created.
    """
    held = evidence or {}
    for key, specs in items.items():
        if not key[1]:
            raise DutyInputError(NO_SOURCE)
        for spec in specs:
            _check_spec(spec)
    created = 0
    keys = sorted(items)
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        people = {pid for pid, _ in chunk}
        sources = {source for _, source in chunk}
        enterprise_of = dict(
            Person.objects.filter(pk__in=people).values_list("pk", "enterprise_id")
        )
        if len(enterprise_of) < len(people):
            raise Person.DoesNotExist(UNKNOWN_PERSON)
        existing: dict[tuple[int, str], list[Duty]] = {}
        for duty in (
            Duty.objects.select_for_update()
            .filter(person_id__in=people, source__in=sources)
            .exclude(state=DutyState.CANCELLED)
            .order_by("state", "pk")  # "done" sorts before "due"/"overdue": done ones win a key
        ):
            existing.setdefault((duty.person_id, duty.source), []).append(duty)
        cancel: list[int] = []
        changed: dict[int, Duty] = {}
        new: list[Duty] = []
        for pair in chunk:
            person_id, source = pair
            wanted: dict[tuple[str, dt.datetime, dt.datetime], DutySpec] = {}
            for spec in items[pair]:
                wanted.setdefault((spec.kind, spec.due_from, spec.due_by), spec)
            kept: set[tuple[str, dt.datetime, dt.datetime]] = set()
            open_now: list[Duty] = []
            for duty in existing.get(pair, ()):
                window = (duty.kind, duty.due_from, duty.due_by)
                if duty.state == DutyState.DONE:
                    kept.add(window)
                    continue
                if window in wanted and window not in kept:
                    kept.add(window)
                    spec = wanted[window]
                    if duty.label != spec.label or duty.citation != dict(spec.citation):
                        duty.label, duty.citation = spec.label, dict(spec.citation)
                        changed[duty.pk] = duty
                    open_now.append(duty)
                    continue
                cancel.append(duty.pk)
            fresh = [
                Duty(
                    person_id=person_id,
                    enterprise_id=enterprise_of[person_id],
                    kind=spec.kind,
                    label=spec.label,
                    due_from=spec.due_from,
                    due_by=spec.due_by,
                    state=_state_at(spec.due_by, at),
                    source=source,
                    citation=dict(spec.citation),
                    created_at=at,
                )
                for window, spec in wanted.items()
                if window not in kept
            ]
            for item in held.get(pair, ()):
                for duty in (*open_now, *fresh):
                    met = duty.kind == item.kind and duty.state != DutyState.DONE
                    if met and _meets(duty, item.at):
                        _done(duty, item.at, item.reference)
                        if duty.pk is not None:
                            changed[duty.pk] = duty
            new += fresh
        for ids in _chunks(cancel):
            Duty.objects.filter(pk__in=ids).update(state=DutyState.CANCELLED, cancelled_at=at)
        bulk_set(
            Duty, list(changed.values()), ["label", "citation", "state", "satisfied_at", "evidence"]
        )
        bulk_insert(Duty, new)
        created += len(new)
    return created


@transaction.atomic
def duties_refresh(*, at: dt.datetime, enterprise: Enterprise | None = None) -> int:
    """Time passing: every due duty whose window has closed by `at` becomes overdue, in one
    UPDATE (of one enterprise, if given). Returns how many changed."""
    duties = Duty.objects.filter(state=DutyState.DUE, due_by__lte=at)
    if enterprise is not None:
        duties = duties.filter(enterprise=enterprise)
    return duties.update(state=DutyState.OVERDUE)


@dataclass
class SyncReport:
    """What `duties_routine_sync` found: people checked, and what differed from the packs."""

    checked: int = 0
    created: int = 0
    cancelled: int = 0
    updated: int = 0
    # "人员 12：缺少本周期的每7天核酸检测（11-15 至 11-22）"
    differences: list[str] = field(default_factory=list)
    differing_people: int = 0

    def note(self, person_id: int, text: str, limit: int) -> None:
        if len(self.differences) < limit:
            self.differences.append(f"人员 {person_id}：{text}")


def _window_text(start: dt.datetime, end: dt.datetime) -> str:
    local = timezone.localtime
    return f"{local(start):%m-%d} 至 {local(end):%m-%d}"


@transaction.atomic
def duties_routine_sync(
    *, at: dt.datetime, write: bool, enterprise: Enterprise | None = None, limit: int = 50
) -> SyncReport:
    """Recompute every active person's routine test duty of the current cycle from the packs
    their park follows (Z-5.2b, J-1.5b; the shorter interval for wide-contact posts, J-1.5c)
    and report (and, if `write`, fix) differences: a missing duty is created, one whose
    window, label or citation no longer fits is cancelled or corrected, and the open routine
    duties of people who left are cancelled. Done and past duties are history: untouched.

    Set-based: a few queries per park and per chunk of people, none per person.
    """
    report = SyncReport()
    on = timezone.localtime(at).date()
    enterprises = (
        Enterprise.objects.all()
        if enterprise is None
        else Enterprise.objects.filter(pk=enterprise.pk)
    )
    parks = Jurisdiction.objects.filter(pk__in=enterprises.values("jurisdiction_id"))
    differing: set[int] = set()
    for park in parks.order_by("pk"):
        schedule = ParkSchedule(park=park, on=on)
        active = Person.objects.filter(
            enterprise__in=enterprises.filter(jurisdiction=park), status=EmploymentStatus.ACTIVE
        )
        headcounts = dict(
            active.values("enterprise_id").annotate(n=Count("pk")).values_list("enterprise_id", "n")
        )
        people = list(
            active.order_by("pk").values_list(
                "pk", "enterprise_id", "category", "wide_contact", "post"
            )
        )
        for start in range(0, len(people), CHUNK):
            part = people[start : start + CHUNK]
            _sync_chunk(part, schedule, headcounts, at, write, report, differing, limit)
    # Open routine duties of people no longer at work: nobody owes them any more.
    gone = Duty.objects.filter(
        source=ROUTINE,
        state__in=OPEN_STATES,
        enterprise__in=enterprises,
    ).exclude(person__status=EmploymentStatus.ACTIVE)
    for person_id in gone.values_list("person_id", flat=True).distinct():
        differing.add(person_id)
        report.note(person_id, "已不在岗，仍有未完成的例行检测任务", limit)
    if write:
        report.cancelled += Duty.objects.filter(
            pk__in=list(gone.values_list("pk", flat=True))
        ).update(state=DutyState.CANCELLED, cancelled_at=at)
    report.differing_people = len(differing)
    return report


def _sync_chunk(
    part: Sequence[tuple[int, int, str, bool, str]],
    schedule: ParkSchedule,
    headcounts: Mapping[int, int],
    at: dt.datetime,
    write: bool,
    report: SyncReport,
    differing: set[int],
    limit: int,
) -> None:
    on = schedule.on
    ids = [row[0] for row in part]
    stored: dict[tuple[int, str], list[Duty]] = {}
    for duty in (
        Duty.objects.select_for_update()
        .filter(person_id__in=ids, source=ROUTINE, due_by__gt=at)
        .exclude(state=DutyState.CANCELLED)
        .order_by("due_from", "pk")
    ):
        stored.setdefault((duty.person_id, duty.kind), []).append(duty)
    create: list[Duty] = []
    cancel: list[int] = []
    fix: list[Duty] = []
    for pk, enterprise_id, category, flagged, post in part:
        report.checked += 1
        profile = Profile(
            staff_category=category,
            wide_contact=schedule.is_wide_contact(flagged=flagged, post=post),
            headcount=headcounts.get(enterprise_id, 0),
        )
        tests = schedule.tests(profile)
        kinds = set(tests) | {kind for (person_id, kind) in stored if person_id == pk}
        for kind in sorted(kinds):
            have = stored.get((pk, kind), [])
            test = tests.get(kind)
            if test is None:
                for duty in have:
                    if duty.state in OPEN_STATES:
                        differing.add(pk)
                        report.note(pk, f"规则包已不要求{duty.label}", limit)
                        cancel.append(duty.pk)
                continue
            start, end = test.cycle(on)
            current = next((d for d in have if (d.due_from, d.due_by) == (start, end)), None)
            for duty in have:
                if duty is current or duty.state not in OPEN_STATES:
                    continue
                # The next cycle, opened early by a test done in this one, is in order.
                if duty.due_from == end and duty.due_by - duty.due_from == end - start:
                    continue
                differing.add(pk)
                report.note(
                    pk,
                    f"{duty.label}的周期（{_window_text(duty.due_from, duty.due_by)}）与规则包不符",
                    limit,
                )
                cancel.append(duty.pk)
            if current is None:
                differing.add(pk)
                report.note(pk, f"缺少本周期的{test.label}（{_window_text(start, end)}）", limit)
                create.append(
                    Duty(
                        person_id=pk,
                        enterprise_id=enterprise_id,
                        kind=kind,
                        label=test.label,
                        due_from=start,
                        due_by=end,
                        state=_state_at(end, at),
                        source=ROUTINE,
                        citation=test.citation,
                        created_at=at,
                    )
                )
            elif (current.label, current.citation) != (test.label, test.citation):
                differing.add(pk)
                report.note(pk, f"{current.label}的说明或依据与规则包不符", limit)
                current.label, current.citation = test.label, test.citation
                fix.append(current)
    if write:
        Duty.objects.bulk_create(create, batch_size=BATCH)
        report.created += len(create)
        for offset in range(0, len(cancel), CHUNK):
            report.cancelled += Duty.objects.filter(pk__in=cancel[offset : offset + CHUNK]).update(
                state=DutyState.CANCELLED, cancelled_at=at
            )
        Duty.objects.bulk_update(fix, ["label", "citation"], batch_size=BATCH)
        report.updated += len(fix)


@transaction.atomic
def daily_figures_snapshot(*, at: dt.datetime, on: dt.date | None = None) -> int:
    """Write (or overwrite) each enterprise's figures of the day of `at` for the charts:
    headcount at work, declared today (from the status rows), people owing a routine test
    this cycle and those done, people overdue, positives opened that day (status holds of
    kind positive, which the sampling app writes). A few grouped queries for the whole
    site; returns the number of enterprises written."""
    day = on or timezone.localtime(at).date()
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(0)))
    end = start + dt.timedelta(days=1)
    headcount = dict(
        Person.objects.filter(status=EmploymentStatus.ACTIVE)
        .order_by()
        .values("enterprise_id")
        .annotate(n=Count("pk"))
        .values_list("enterprise_id", "n")
    )
    declared = dict(
        PersonStatus.objects.filter(declared_on=day, person__status=EmploymentStatus.ACTIVE)
        .order_by()
        .values("enterprise_id")
        .annotate(n=Count("pk"))
        .values_list("enterprise_id", "n")
    )
    positives = dict(
        StatusHold.objects.filter(kind=HoldKind.POSITIVE, opened_at__gte=start, opened_at__lt=end)
        .order_by()
        .values("person__enterprise_id")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("person__enterprise_id", "n")
    )
    coverage = coverage_by(duties=Duty.objects.all(), group="enterprise_id", at=at)
    enterprise_ids = set(headcount) | set(coverage) | set(positives)
    rows = [
        DailyFigure(
            enterprise_id=pk,
            on=day,
            headcount=headcount.get(pk, 0),
            declared=declared.get(pk, 0),
            test_due=coverage[pk].due if pk in coverage else 0,
            test_done=coverage[pk].done if pk in coverage else 0,
            overdue=coverage[pk].overdue if pk in coverage else 0,
            positives=positives.get(pk, 0),
            taken_at=at,
        )
        for pk in sorted(enterprise_ids)
    ]
    DailyFigure.objects.bulk_create(
        rows,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["enterprise", "on"],
        update_fields=[
            "headcount",
            "declared",
            "test_due",
            "test_done",
            "overdue",
            "positives",
            "taken_at",
        ],
    )
    return len(rows)


LEDGER_SUMMARY_HEADERS = (
    ("企业", 28),
    ("应检人数", 10),
    ("其中重点岗位", 12),
    ("本周期已检", 10),
    ("覆盖率", 8),
    ("逾期人数", 10),
    ("今日到期", 10),
    ("最近采样时间", 18),
)
LEDGER_PEOPLE_HEADERS = (
    ("企业", 28),
    ("姓名", 10),
    ("手机号", 14),
    ("部门/班组", 16),
    ("居住社区", 14),
    ("检测", 16),
    ("本周期", 24),
    ("状态", 8),
    ("采样时间", 18),
)


@transaction.atomic
def test_ledger_export(*, scope: Scope, place: Jurisdiction, actor: User, at: dt.datetime) -> bytes:
    """The key-population test ledger (Z-3.2) of a park or a community as a workbook: the
    summary per enterprise, and one masked line per person (name and phone masked, no ID
    number). Audited: who, which place, how many lines."""
    require(scope, "export_test_ledger", place)
    total, rows = key_population_ledger(scope=scope, at=at, place=place)
    people = list(ledger_people(scope=scope, at=at, place=place))
    audit_record(
        actor=actor,
        action="test_ledger_export",
        at=at,
        target=place,
        jurisdiction_id=place.pk,
        detail={"rows": len(people), "enterprises": len(rows), "masked": True},
        subjects=[duty.person_id for duty in people],
    )
    local = timezone.localtime
    buffer = io.BytesIO()
    book = xlsx.workbook(buffer, **{"in_memory": True})
    bold = book.add_format({"bold": True})
    summary = book.add_worksheet("汇总")
    summary.write_string(0, 0, cell_safe(f"{place.name} 重点人群核酸检测台账"), bold)
    summary.write_string(1, 0, cell_safe(f"导出时间 {local(at):%Y-%m-%d %H:%M}"))
    for col, (title, width) in enumerate(LEDGER_SUMMARY_HEADERS):
        summary.write_string(2, col, title, bold)
        summary.set_column(col, col, width)
    for i, row in enumerate([*rows, LedgerRow(0, "合计", total)], start=3):
        c = row.coverage
        latest = f"{local(c.latest_sample):%Y-%m-%d %H:%M}" if c.latest_sample else ""
        values = (row.enterprise, c.due, c.key_group, c.done, c.percent, c.overdue, c.due_today)
        for col, value in enumerate(values):
            if isinstance(value, int):
                summary.write_number(i, col, value)
            else:
                summary.write_string(i, col, cell_safe(value))
        summary.write_string(i, len(values), latest)
    sheet = book.add_worksheet("人员")
    for col, (title, width) in enumerate(LEDGER_PEOPLE_HEADERS):
        sheet.write_string(0, col, title, bold)
        sheet.set_column(col, col, width)
    for i, duty in enumerate(people, start=1):
        person = duty.person
        cells = (
            duty.enterprise.name,
            name_mask(person.name),
            phone_mask(person.phone),
            person.org_unit.name if person.org_unit else "",
            person.home_community.name if person.home_community else "",
            duty.label,
            f"{local(duty.due_from):%m-%d} 至 {local(duty.due_by):%m-%d}",
            duty.get_state_display(),
            f"{local(duty.satisfied_at):%Y-%m-%d %H:%M}" if duty.satisfied_at else "",
        )
        for col, cell in enumerate(cells):
            sheet.write_string(i, col, cell_safe(cell))
    book.close()
    return buffer.getvalue()
