"""Matching facts against rule conditions, and resolving park-supplied parameters."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from parkguard.policy import errors as E
from parkguard.policy.facts import EnterpriseFacts, EventFacts, ParamValue, PersonFacts
from parkguard.policy.pack import BoundRule, Pack
from parkguard.policy.schema import (
    ORIGIN_ORDER,
    CertificateCondition,
    Condition,
    EventCondition,
    ParamRef,
    StayCondition,
    param_value_fits,
    parse_time,
)

_ORIGIN_RANK = {name: rank for rank, name in enumerate(ORIGIN_ORDER)}
_MISSING = object()


class Params:
    """Parameter values for one evaluation: the park's, else the pack's defaults."""

    __slots__ = ("_sizes", "_values")

    def __init__(self, pack: Pack, supplied: Mapping[str, ParamValue] | None) -> None:
        self._sizes = pack.enterprise_sizes
        values: dict[str, object] = {
            name: spec.default if spec.default is not None else _MISSING
            for name, spec in pack.parameters.items()
        }
        for name, value in (supplied or {}).items():
            spec = pack.parameters.get(name)
            if spec is None:
                raise E.PolicyInputError(E.ERR_PARAM_UNKNOWN, path=f"params.{name}", detail=name)
            if not param_value_fits(spec.type, value):
                raise E.PolicyInputError(
                    E.ERR_PARAM_VALUE_TYPE, path=f"params.{name}", detail=f"应为 {spec.type}"
                )
            if isinstance(value, int | float) and not isinstance(value, bool):
                low, high = spec.minimum, spec.maximum
                if (low is not None and value < low) or (high is not None and value > high):
                    raise E.PolicyInputError(
                        E.ERR_PARAM_VALUE_RANGE, path=f"params.{name}", detail=f"{low}..{high}"
                    )
            values[name] = value
        self._values = values

    def raw(self, name: str) -> object:
        value = self._values.get(name, _MISSING)
        if value is _MISSING:
            raise E.PolicyInputError(E.ERR_PARAM_MISSING, path=f"params.{name}", detail=name)
        return value

    def int(self, value: int | ParamRef) -> int:
        if isinstance(value, ParamRef):
            raw = self.raw(value.name)
            assert isinstance(raw, int)
            return raw
        return value

    def number(self, value: float | ParamRef) -> float:
        if isinstance(value, ParamRef):
            raw = self.raw(value.name)
            assert isinstance(raw, int | float)
            return float(raw)
        return value

    def time(self, value: time | ParamRef) -> time:
        return parse_time(self.raw(value.name)) if isinstance(value, ParamRef) else value

    def size_threshold(self, name: str) -> builtins.int:
        """The head count from which an enterprise is of the declared size ``name``."""
        size = self._sizes.get(name)
        if size is None:
            raise E.PolicyInputError(E.ERR_SIZE_UNDECLARED, path="size", detail=name)
        return self.int(size.headcount_at_least)

    def used(self) -> tuple[tuple[str, object], ...]:
        return tuple((k, v) for k, v in sorted(self._values.items()) if v is not _MISSING)


def size_reached(*, params: Params, size: str, headcount: int) -> bool:
    """The one decision on a declared size: "200人以上" includes 200 (《民法典》第1259条)."""
    return headcount >= params.size_threshold(size)


@dataclass(frozen=True, slots=True)
class Context:
    """The facts one evaluation looks at, and the moment it is made for."""

    at: datetime
    params: Params
    person: PersonFacts | None = None
    enterprise: EnterpriseFacts | None = None
    event: EventFacts | None = None

    @property
    def on(self) -> date:
        return self.at.date()


def midnight(day: date, like: datetime) -> datetime:
    return datetime.combine(day, time(0), tzinfo=like.tzinfo)


def _origin_ok(value: str, in_: tuple[str, ...] | None, low: str | None, high: str | None) -> bool:
    if in_ is not None and value not in in_:
        return False
    rank = _ORIGIN_RANK[value]
    if low is not None and rank < _ORIGIN_RANK[low]:
        return False
    return not (high is not None and rank > _ORIGIN_RANK[high])


def _stayed(cond: StayCondition, person: PersonFacts, ctx: Context) -> bool:
    since = None
    if cond.within_days is not None:
        since = ctx.on - timedelta(days=ctx.params.int(cond.within_days))
    for stay in person.stays:
        if stay.transit and not cond.include_transit:
            continue
        risk = stay.risk if cond.level == "place" else (stay.county_risk or stay.risk)
        if risk in cond.risk_in and (since is None or stay.last_day >= since):
            return True
    return False


def _holds_certificate(cond: CertificateCondition, person: PersonFacts, ctx: Context) -> bool:
    if cond.within_hours is not None:
        window = timedelta(hours=ctx.params.int(cond.within_hours))
    else:
        assert cond.within_days is not None
        window = timedelta(days=ctx.params.int(cond.within_days))
    return any(
        c.result == "negative" and ctx.at - window <= c.sampled_at <= ctx.at
        for c in person.certificates
    )


def _event_ok(cond: EventCondition, event: EventFacts, ctx: Context) -> bool:
    p = ctx.params
    if cond.kind_in is not None and event.kind not in cond.kind_in:
        return False
    if cond.headcount_at_least is not None and event.headcount < p.int(cond.headcount_at_least):
        return False
    if cond.headcount_at_most is not None and event.headcount > p.int(cond.headcount_at_most):
        return False
    if cond.headcount_over is not None and event.headcount <= p.int(cond.headcount_over):
        return False
    if not _origin_ok(
        event.participants_origin,
        cond.participants_origin_in,
        cond.participants_origin_at_least,
        cond.participants_origin_at_most,
    ):
        return False
    if cond.destination_at_least is not None and (
        event.destination is None
        or _ORIGIN_RANK[event.destination] < _ORIGIN_RANK[cond.destination_at_least]
    ):
        return False
    if (
        cond.destination_risk_in is not None
        and event.destination_risk not in cond.destination_risk_in
    ):
        return False
    if cond.starts_before is not None and not _before(event.starts_at, cond.starts_before):
        return False
    return cond.online is None or event.online == cond.online


def _before(moment: datetime, limit: datetime) -> bool:
    # Pack datetimes are local wall time; compare wall times when one side is aware.
    if (moment.tzinfo is None) != (limit.tzinfo is None):
        moment, limit = moment.replace(tzinfo=None), limit.replace(tzinfo=None)
    return moment < limit


def matches(cond: Condition, ctx: Context) -> bool:
    """Whether every field given in the condition holds for the facts."""
    person = ctx.person
    person_fields = (
        cond.person_kind_in,
        cond.staff_category_in,
        cond.returnee,
        cond.origin_in,
        cond.origin_at_least,
        cond.origin_at_most,
        cond.stayed,
        cond.key_population_in,
        cond.roles_in,
        cond.holds_certificate,
        cond.symptoms_any,
        cond.temperature_abnormal,
    )
    if person is None:
        if any(f is not None for f in person_fields):
            return False
    else:
        if cond.person_kind_in is not None and person.kind not in cond.person_kind_in:
            return False
        if (
            cond.staff_category_in is not None
            and person.staff_category not in cond.staff_category_in
        ):
            return False
        if cond.returnee is not None and person.returnee != cond.returnee:
            return False
        if not _origin_ok(person.origin, cond.origin_in, cond.origin_at_least, cond.origin_at_most):
            return False
        if cond.stayed is not None and not _stayed(cond.stayed, person, ctx):
            return False
        if cond.key_population_in is not None and not set(person.key_population) & set(
            cond.key_population_in
        ):
            return False
        if cond.roles_in is not None and not set(person.roles) & set(cond.roles_in):
            return False
        if cond.holds_certificate is not None and not _holds_certificate(
            cond.holds_certificate, person, ctx
        ):
            return False
        if cond.symptoms_any is not None and not set(person.symptoms) & set(cond.symptoms_any):
            return False
        if (
            cond.temperature_abnormal is not None
            and person.temperature_abnormal != cond.temperature_abnormal
        ):
            return False
    if cond.enterprise is not None:
        ent = ctx.enterprise or EnterpriseFacts()
        ec = cond.enterprise
        if ec.headcount_at_least is not None and ent.headcount < ctx.params.int(
            ec.headcount_at_least
        ):
            return False
        if ec.size is not None and not size_reached(
            params=ctx.params, size=ec.size, headcount=ent.headcount
        ):
            return False
        for name in ("frequent_movement", "has_observation_point", "essential"):
            wanted = getattr(ec, name)
            if wanted is not None and getattr(ent, name) != wanted:
                return False
    if cond.event is not None and (ctx.event is None or not _event_ok(cond.event, ctx.event, ctx)):
        return False
    if cond.all_of is not None and not all(matches(c, ctx) for c in cond.all_of):
        return False
    if cond.any_of is not None and not any(matches(c, ctx) for c in cond.any_of):
        return False
    return cond.not_ is None or not matches(cond.not_, ctx)


def select(pack: Pack, ctx: Context, wanted: Iterable[str] | None = None) -> list[BoundRule]:
    """Rules in force on the context's date whose condition holds.

    Within a `group`, only the first matching rule (in pack order) applies: that is how a
    notice's "其他…人员" (everyone not covered above) is written. With ``wanted``, only
    rules yielding one of those measure types are returned (groups are still honoured).
    """
    kinds = None if wanted is None else frozenset(wanted)
    chosen: list[BoundRule] = []
    taken: set[str] = set()
    on = ctx.on
    for bound in pack.rules:
        rule = bound.rule
        if rule.group is not None and rule.group in taken:
            continue
        relevant = kinds is None or not kinds.isdisjoint(bound.kinds)
        if not relevant and rule.group is None:
            continue
        if rule.applies_from is not None and on < rule.applies_from:
            continue
        if rule.applies_to is not None and on > rule.applies_to:
            continue
        if matches(rule.when, ctx):
            if relevant:
                chosen.append(bound)
            if rule.group is not None:
                taken.add(rule.group)
    return chosen
