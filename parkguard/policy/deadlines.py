"""Deadlines that run from a trigger (a lockdown order, an incident) or recur daily;
symptom lists; zone assignment."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, tzinfo

from parkguard.policy.context import Context, Params, check_input, matches, select
from parkguard.policy.facts import ParamValue, PersonFacts
from parkguard.policy.pack import Pack
from parkguard.policy.results import Deadline, SymptomList, ZoneDecision, cite
from parkguard.policy.schema import Deadlines, SymptomWatch, Zones

_SEVERITY = ("green", "blue", "orange", "red")  # least to most severe


def _triggered(
    pack: Pack, trigger: str, at: datetime, params: Mapping[str, ParamValue] | None
) -> tuple[Deadline, ...]:
    p = Params(pack, params)
    out: list[Deadline] = []
    for bound in pack.rules_with("deadlines"):
        rule = bound.rule
        if rule.applies_from is not None and at.date() < rule.applies_from:
            continue
        if rule.applies_to is not None and at.date() > rule.applies_to:
            continue
        for m in rule.measures:
            if not isinstance(m, Deadlines) or m.trigger != trigger:
                continue
            for step in m.steps:
                if step.within_minutes is not None:
                    due = at + timedelta(minutes=p.int(step.within_minutes))
                else:
                    due = at  # "立即", "第一时间"
                out.append(Deadline(step.action, step.who, due, at, cite(bound)))
    return tuple(sorted(out, key=lambda d: d.due_at))


def lockdown_deadlines(
    *, pack: Pack, ordered_at: datetime, params: Mapping[str, ParamValue] | None = None
) -> tuple[Deadline, ...]:
    """What must be done by when after the command orders closure (L-3.0)."""
    return _triggered(pack, "lockdown_order", ordered_at, params)


def incident_deadlines(
    *, pack: Pack, found_at: datetime, params: Mapping[str, ParamValue] | None = None
) -> tuple[Deadline, ...]:
    """What must be done at once when symptoms or a positive case are found (Z-4.2)."""
    return _triggered(pack, "incident", found_at, params)


def report_deadlines(
    *,
    pack: Pack,
    start: date,
    end: date,
    params: Mapping[str, ParamValue] | None = None,
    tz: tzinfo | None = None,
) -> tuple[Deadline, ...]:
    """Daily reports due from ``start`` to ``end`` inclusive (L-4.3)."""
    p = Params(pack, params)
    out: list[Deadline] = []
    for bound in pack.rules_with("deadlines"):
        rule = bound.rule
        for m in rule.measures:
            if not isinstance(m, Deadlines) or m.trigger != "daily":
                continue
            day = start
            while day <= end:
                in_window = (rule.applies_from is None or day >= rule.applies_from) and (
                    rule.applies_to is None or day <= rule.applies_to
                )
                if in_window:
                    for step in m.steps:
                        if step.daily_by is None:
                            continue
                        due = datetime.combine(day, p.time(step.daily_by), tzinfo=tz)
                        begin = (
                            datetime.combine(day, p.time(step.daily_from), tzinfo=tz)
                            if step.daily_from is not None
                            else datetime.combine(day, time(0), tzinfo=tz)
                        )
                        out.append(Deadline(step.action, step.who, due, begin, cite(bound)))
                day += timedelta(days=1)
    return tuple(sorted(out, key=lambda d: d.due_at))


def symptom_lists(
    *, pack: Pack, params: Mapping[str, ParamValue] | None = None
) -> tuple[SymptomList, ...]:
    """Every list of symptoms to watch for and report, with what to do (H-4.2, H-4.5, Z-4.2),
    and the fever threshold the park set (or the pack's default) where the pack names one."""
    p = Params(pack, params)
    out: list[SymptomList] = []
    for bound in pack.rules_with("symptom_watch"):
        for m in bound.rule.measures:
            if isinstance(m, SymptomWatch):
                fever = p.number(m.fever_from_c) if m.fever_from_c is not None else None
                out.append(SymptomList(m.symptoms, m.action, cite(bound), fever))
    return tuple(out)


def zone_for(
    *, pack: Pack, person: PersonFacts, at: datetime, params: Mapping[str, ParamValue] | None = None
) -> ZoneDecision | None:
    """The most severe zone whose ``assign_when`` holds for the person (Z-5.1, Z-5.2f)."""
    ctx = Context(at=at, params=Params(pack, params), person=person)
    check_input(ctx)
    best: ZoneDecision | None = None
    for bound in select(pack, ctx, ("zones",)):
        for m in bound.rule.measures:
            if not isinstance(m, Zones):
                continue
            for zone in m.zones:
                if zone.assign_when is None:
                    continue
                if matches(zone.assign_when, ctx) and (
                    best is None or _SEVERITY.index(zone.colour) > _SEVERITY.index(best.colour)
                ):
                    best = ZoneDecision(zone.colour, zone.meaning, cite(bound))
    return best
