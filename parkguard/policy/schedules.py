"""Recurring duties over a date range: routine tests (with sampling), temperature checks,
disinfection; and which members of a group are sampled in a given cycle."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from parkguard.policy import errors as E
from parkguard.policy.context import Context, Params, check_input, could_match, select
from parkguard.policy.declarations import coverage_days
from parkguard.policy.facts import EnterpriseFacts, ParamValue, PersonFacts
from parkguard.policy.pack import Pack
from parkguard.policy.results import ScheduleItem, cite
from parkguard.policy.schema import Disinfection, RoutineTesting, TemperatureChecks

ACTIVITIES = ("test", "temperature", "disinfection")
_MEASURE_OF = {
    "test": "routine_testing",
    "temperature": "temperature_checks",
    "disinfection": "disinfection",
}


def routine_schedule(
    *,
    pack: Pack,
    start: date,
    end: date,
    activities: Iterable[str] = ACTIVITIES,
    anchor: date | None = None,
    person: PersonFacts | None = None,
    enterprise: EnterpriseFacts | None = None,
    params: Mapping[str, ParamValue] | None = None,
) -> tuple[ScheduleItem, ...]:
    """Scheduled duties from ``start`` to ``end`` inclusive, by date then pack order.

    Routine tests fall on ``anchor + k × interval`` (``anchor`` defaults to ``start``; pass
    the park's fixed anchor so that schedules queried for different ranges agree). With a
    ``person``, only the rules that select that person apply (e.g. the shorter interval
    for staff in contact with the public); without one, every group is listed.
    """
    wanted = {_MEASURE_OF[a] for a in activities}
    ctx = Context(
        at=datetime.combine(start, time(0)),
        params=Params(pack, params),
        person=person,
        enterprise=enterprise,
    )
    check_input(ctx)
    if person is not None:
        rules = select(pack, ctx, wanted)
    else:
        # Without a person every group is listed, but a rule's enterprise and event
        # conditions still hold or not (a 500+ rule skips a 300-person enterprise).
        rules = [
            b
            for b in pack.rules_with(*wanted)
            if _in_window(b.rule, start, end)
            and (enterprise is None or could_match(b.rule.when, ctx))
        ]
    base = anchor or start
    items: list[ScheduleItem] = []
    p = ctx.params
    for bound in rules:
        citation = cite(bound)
        rule = bound.rule
        for m in rule.measures:
            if isinstance(m, RoutineTesting) and "routine_testing" in wanted:
                interval = p.int(m.interval_days)
                share = p.number(m.sample_share) if m.sample_share is not None else None
                full = p.int(m.full_coverage_days) if m.full_coverage_days is not None else None
                if full is not None and coverage_days(interval, share or 1.0) > full:
                    raise E.PolicyInputError(
                        E.ERR_COVERAGE_UNREACHABLE,
                        path=f"{rule.id}.full_coverage_days",
                        detail=f"需 {coverage_days(interval, share or 1.0)} 天，规定 {full} 天",
                    )
                offset = (start - base).days
                k = math.ceil(offset / interval) if offset > 0 else 0
                day = base + timedelta(days=k * interval)
                while day <= end:
                    if day >= start and _rule_on(rule, day):
                        label = m.title or _test_label(m.test, interval, share)
                        items.append(
                            ScheduleItem(
                                on=day,
                                activity="test",
                                label=label,
                                citation=citation,
                                group=m.group,
                                share=share,
                                cycle=k,
                                stratify_by=m.stratify_by,
                                full_coverage_days=full,
                            )
                        )
                    k += 1
                    day = base + timedelta(days=k * interval)
            elif isinstance(m, TemperatureChecks) and "temperature_checks" in wanted:
                for day in _days(start, end):
                    if not _rule_on(rule, day):
                        continue
                    for slot in m.slots:
                        for place in m.places:
                            items.append(
                                ScheduleItem(
                                    on=day,
                                    activity="temperature",
                                    label=m.title or f"{slot}体温检测",
                                    citation=citation,
                                    place=place,
                                    slot=slot,
                                )
                            )
            elif isinstance(m, Disinfection) and "disinfection" in wanted:
                for day in _days(start, end):
                    if not _rule_on(rule, day):
                        continue
                    for slot in m.slots:
                        for place in m.places:
                            items.append(
                                ScheduleItem(
                                    on=day,
                                    activity="disinfection",
                                    label=m.title or f"{slot}消杀：{place}",
                                    citation=citation,
                                    place=place,
                                    slot=slot,
                                )
                            )
    items.sort(key=lambda it: it.on)
    return tuple(items)


def _test_label(test: str, interval: int, share: float | None) -> str:
    if share is None:
        return f"每{interval}天{test}"
    return f"每{interval}天抽检{round(share * 100)}%（{test}）"


def _days(start: date, end: date) -> Iterable[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def _rule_on(rule: object, day: date) -> bool:
    start = getattr(rule, "applies_from", None)
    stop = getattr(rule, "applies_to", None)
    return (start is None or day >= start) and (stop is None or day <= stop)


def _in_window(rule: object, start: date, end: date) -> bool:
    lo = getattr(rule, "applies_from", None)
    hi = getattr(rule, "applies_to", None)
    return (lo is None or lo <= end) and (hi is None or hi >= start)


def temperature_schedule(*, pack: Pack, start: date, end: date) -> tuple[ScheduleItem, ...]:
    return routine_schedule(pack=pack, start=start, end=end, activities=("temperature",))


def disinfection_schedule(*, pack: Pack, start: date, end: date) -> tuple[ScheduleItem, ...]:
    return routine_schedule(pack=pack, start=start, end=end, activities=("disinfection",))


def sample_members(*, member_ids: Sequence[str], share: float, cycle: int) -> tuple[str, ...]:
    """Who is tested in sampling cycle ``cycle``: ⌈share × n⌉ members, rotating so that
    everyone is covered within ⌈1 / share⌉ cycles. Deterministic; no random state."""
    if not member_ids:
        return ()
    ordered = sorted(member_ids, key=lambda m: hashlib.sha256(m.encode()).hexdigest())
    n = len(ordered)
    size = min(n, math.ceil(share * n))
    start = (cycle * size) % n
    picked = [ordered[(start + i) % n] for i in range(size)]
    return tuple(sorted(picked))


@dataclass(frozen=True, slots=True)
class Member:
    """One person in a sampling frame: id, org unit and post (the strata)."""

    id: str
    org_unit: str = ""
    post: str = ""


def sample_stratified(
    *, members: Sequence[Member], share: float, cycle: int, by: Sequence[str] = ()
) -> tuple[str, ...]:
    """Who is tested in cycle ``cycle`` when sampling is drawn per stratum (org unit and/or
    post): ⌈share × n⌉ of each stratum, rotating, so that every stratum is tested every
    cycle and everyone within ⌈1 / share⌉ cycles."""
    strata: dict[tuple[str, ...], list[str]] = {}
    for member in members:
        key = tuple(getattr(member, field) for field in by)
        strata.setdefault(key, []).append(member.id)
    picked: list[str] = []
    for ids in strata.values():
        picked.extend(sample_members(member_ids=ids, share=share, cycle=cycle))
    return tuple(sorted(picked))


def cycles_to_cover(*, members: Sequence[Member], share: float, by: Sequence[str] = ()) -> int:
    """How many cycles until everyone was sampled at least once (checked, not assumed)."""
    seen: set[str] = set()
    everyone = {m.id for m in members}
    cycle = 0
    while seen != everyone:
        seen.update(sample_stratified(members=members, share=share, cycle=cycle, by=by))
        cycle += 1
    return cycle
