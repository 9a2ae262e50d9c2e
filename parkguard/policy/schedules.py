"""Recurring duties over a date range: routine tests (with sampling), temperature checks,
disinfection; and which members of a group are sampled in a given cycle."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta

from parkguard.policy.context import Context, Params, select
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
    if person is not None:
        rules = select(pack, ctx, wanted)
    else:
        rules = [b for b in pack.rules_with(*wanted) if _in_window(b.rule, start, end)]
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
