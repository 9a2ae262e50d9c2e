"""What mobility asks of the engine: facts from records, plans and routes under a park's packs.

Each pack speaks its own risk words (`risk_levels`), so the stays of one return become facts
per pack: the register's entries in that pack's words, the highest one on each level (the place
itself, its county, city, province) while the person was there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

from django.utils import timezone
from pydantic import BaseModel

from parkguard.mobility.divisions import (
    PREFECTURE_DIGITS,
    PROVINCE_DIGITS,
    division_above,
    division_ancestors,
    division_get,
    farthest,
    origin_of,
)
from parkguard.orgs.models import Enterprise, Jurisdiction
from parkguard.policy import (
    EnterpriseFacts,
    EventFacts,
    Pack,
    PersonFacts,
    Plan,
    PolicyInputError,
    Sample,
    Stay,
    event_route,
    plan_arrival,
    to_jsonable,
)
from parkguard.policy.declarations import vocabulary
from parkguard.policy.labels import RISK as RISK_LABELS
from parkguard.policy.schema import StaffCategory
from parkguard.rules.models import PackAdoption
from parkguard.rules.registry import registry
from parkguard.rules.selectors import Followed, adoptions_for, followed

NO_HOME_DIVISION = "园区未设定所在区县的行政区划代码，无法判断“本地”“省外”，请联系园区管理员"
STAFF_CATEGORIES = frozenset(getattr(StaffCategory, "__args__", ()))
_M = TypeVar("_M", bound=BaseModel)


@dataclass(frozen=True)
class Entry:
    """A register entry as the engine needs it (no database object)."""

    code: str
    level: str
    start: dt.date
    end: dt.date | None


@dataclass(frozen=True)
class StayIn:
    code: str
    name: str
    first_day: dt.date
    last_day: dt.date
    transit: bool = False


def home_code(park: Jurisdiction) -> str:
    """The county code of the park (its own, or the nearest jurisdiction above it that has one)."""
    ids = [int(pk) for pk in park.path.strip("/").split("/") if pk]
    codes = dict(Jurisdiction.objects.filter(pk__in=ids).values_list("pk", "code"))
    for pk in reversed(ids):
        code = (codes.get(pk) or "").strip()
        if code and division_get(code) is not None:
            return code
    raise ValueError(NO_HOME_DIVISION)


def packs_on(park: Jurisdiction, on: dt.date) -> list[Followed]:
    return [f for f in followed(park=park, on=on) if f.pack is not None]


def risk_words(park: Jurisdiction) -> tuple[str, ...]:
    """The risk words of every version of the packs the park follows, in order, each once."""
    words: list[str] = []
    ids = {a.pack_id for a in adoptions_for(park=park)}
    for pack in registry().packs():
        if pack.id in ids:
            words += [w for w in vocabulary(pack).risk_levels if w not in words]
    return tuple(words)


def risk_word_label(word: str) -> str:
    """How a pack's risk word reads on a page: the default words (low / medium / high) in
    Chinese, a pack's own words (防范区, 管控区, 封控区) as they are."""
    return RISK_LABELS.get(word, word)


def risk_word_read(text: str, words: Sequence[str]) -> str:
    """The pack's word for what a person typed: the word, or its Chinese label with or
    without 区 (中风险, 中风险区); anything else is returned as typed, to be refused."""
    text = text.strip()
    for word in words:
        if text in (word, risk_word_label(word), f"{risk_word_label(word)}区"):
            return word
    return text


def _highest(levels: Iterable[str], order: Sequence[str]) -> str | None:
    known = [lv for lv in levels if lv in order]
    return max(known, key=order.index) if known else None


@cache
def _ranks(order: tuple[str, ...]) -> dict[str, int]:
    return {word: i for i, word in enumerate(order)}


def stay_facts(stays: Sequence[StayIn], entries: Sequence[Entry], pack: Pack) -> tuple[Stay, ...]:
    """The stays with the register's levels in the pack's words, for the days spent there.

    An entry on the place or above it counts on every level (the place, its county, city and
    province); one elsewhere in the same county, city or province on that level and the wider
    ones. One pass over the entries per stay: this runs for every stay of every open return
    when a change is previewed.
    """
    return stay_facts_of(stays, register_in(entries, pack))


@dataclass(frozen=True)
class Register:
    """The register in one pack's words, by province: what `stay_facts` reads for each stay,
    prepared once (a preview prepares it once per pack for all the park's returns)."""

    order: tuple[str, ...]
    by_province: dict[str, list[tuple[str, str, int, dt.date, dt.date | None]]]


def register_in(entries: Sequence[Entry], pack: Pack) -> Register:
    order = tuple(vocabulary(pack).risk_levels)
    rank = _ranks(order)
    by_province: dict[str, list[tuple[str, str, int, dt.date, dt.date | None]]] = {}
    for e in entries:
        if e.level in rank:
            bare = e.code.split("-", 1)[0]
            by_province.setdefault(bare[:PROVINCE_DIGITS], []).append(
                (e.code, bare, rank[e.level], e.start, e.end)
            )
    return Register(order, by_province)


def stay_facts_of(stays: Sequence[StayIn], register: Register) -> tuple[Stay, ...]:
    """`stay_facts` against a prepared register: only the entries filed under the stay's
    province or under that of a division above it are read (any other shares no level with
    the stay), not the whole register for every stay."""
    order = register.order
    out = []
    for stay in stays:
        above = division_above(stay.code)
        county = stay.code.split("-", 1)[0]
        city, province = county[:PREFECTURE_DIGITS], county[:PROVINCE_DIGITS]
        # The highest rank on each level: the place, its county, city, province (-1: none).
        best = [-1, -1, -1, -1]
        for prefix in _provinces(stay.code):
            for code, bare, r, start, end in register.by_province.get(prefix, ()):
                if start > stay.last_day or (end is not None and end < stay.first_day):
                    continue
                # The narrowest level the entry shares with the stay counts, and every wider.
                shared = (
                    code in above,
                    bare == county,
                    bare[:PREFECTURE_DIGITS] == city,
                    bare[:PROVINCE_DIGITS] == province,
                )
                if True not in shared:
                    continue
                for level in range(shared.index(True), len(best)):
                    if r > best[level]:
                        best[level] = r
        place, in_county, in_city, in_province = (order[b] if b >= 0 else None for b in best)
        # Built from checked records (known codes, dates in order, the pack's own words), so
        # without pydantic's validation, which would cost as much as the plan itself; and as a
        # copy of a blank stay (see `filled`).
        out.append(
            filled(
                _NOWHERE,
                {
                    "region": stay.name,
                    "risk": place,
                    "county_risk": in_county,
                    "city_risk": in_city,
                    "province_risk": in_province,
                    "first_day": stay.first_day,
                    "last_day": stay.last_day,
                    "transit": stay.transit,
                },
            )
        )
    return tuple(out)


@cache
def _provinces(code: str) -> tuple[str, ...]:
    """The province digits of a place's county and of every division above it, each once."""
    found = [code.split("-", 1)[0][:PROVINCE_DIGITS]]
    found += [a.split("-", 1)[0][:PROVINCE_DIGITS] for a in sorted(division_above(code))]
    return tuple(dict.fromkeys(found))


_set = object.__setattr__


def filled(blank: _M, values: dict[str, Any]) -> _M:
    """A copy of `blank` (a frozen facts model with no extra or private attributes) with
    `values` set, unvalidated: what `blank.model_copy(update=values)` gives, without its
    generic steps (a `copy.copy` of each part, the checks for extra and private
    attributes), which cost a third of it. The values come from checked records."""
    model = type(blank).__new__(type(blank))
    fields = blank.__dict__.copy()
    fields.update(values)
    _set(model, "__dict__", fields)
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_fields_set__", blank.__pydantic_fields_set__ | values.keys())
    _set(model, "__pydantic_private__", None)
    return model


# A stay with every field set (frozen: copies share it safely), copied for each stay.
_NOWHERE = Stay.model_construct(
    region="",
    risk=None,
    county_risk=None,
    city_risk=None,
    province_risk=None,
    first_day=dt.date.min,
    last_day=dt.date.min,
    transit=False,
)


def enterprise_facts(enterprise: Enterprise, *, headcount: int, observation_point: bool) -> Any:
    return EnterpriseFacts(headcount=headcount, has_observation_point=observation_point)


@dataclass
class ParkPolicy:
    """What a park's plans are computed under: its home county and its packs, optionally with
    another version of a pack or other parameter values (the impact preview of a change)."""

    home: str
    adoptions: list[PackAdoption]
    versions: dict[str, int] = field(default_factory=dict)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    _by_date: dict[dt.date, list[tuple[Pack, dict[str, Any]]]] = field(default_factory=dict)
    _registers: dict[int, tuple[Sequence[Entry], Pack, Register]] = field(default_factory=dict)

    def register(self, entries: Sequence[Entry], pack: Pack) -> Register:
        """`register_in`, prepared once per pack for the same entries (a preview's)."""
        held = self._registers.get(id(pack))
        if held is None or held[0] is not entries or held[1] is not pack:
            held = self._registers[id(pack)] = (entries, pack, register_in(entries, pack))
        return held[2]

    def packs(self, on: dt.date) -> list[tuple[Pack, dict[str, Any]]]:
        if on not in self._by_date:
            found = []
            seen: set[str] = set()
            for adoption in self.adoptions:
                if adoption.pack_id in seen:
                    continue
                seen.add(adoption.pack_id)
                try:
                    if adoption.pack_id in self.versions:
                        pack = registry().get(adoption.pack_id, self.versions[adoption.pack_id])
                    else:
                        pack = registry().in_force(adoption.pack_id, on)
                except PolicyInputError:
                    continue
                found.append((pack, self.params.get(adoption.pack_id, dict(adoption.params))))
            self._by_date[on] = found
        return self._by_date[on]


def park_policy(
    park: Jurisdiction,
    *,
    versions: dict[str, int] | None = None,
    params: dict[str, dict[str, Any]] | None = None,
    adoptions: list[PackAdoption] | None = None,
) -> ParkPolicy:
    """`adoptions`: the park's `adoptions_for`, when the caller has read them already."""
    return ParkPolicy(
        home=home_code(park),
        adoptions=adoptions_for(park=park) if adoptions is None else adoptions,
        versions=dict(versions or {}),
        params=dict(params or {}),
    )


# The facts of a person with every field at its default (frozen: copies share it safely).
_NOBODY = PersonFacts.model_construct(kind="employee")


@dataclass(frozen=True)
class PackPlan:
    pack: Pack
    plan: Plan


def plans_under(
    policy: ParkPolicy,
    *,
    category: str,
    stays: Sequence[StayIn],
    certificates: Sequence[tuple[dt.datetime, str]],
    arrived_at: dt.datetime,
    entries: Sequence[Entry],
    enterprise: EnterpriseFacts,
    kind: str = "employee",
) -> list[PackPlan]:
    """One plan per pack in force on the arrival date that asks something of this arrival.

    Days and midnights are the site's local ones (TIME_ZONE), whatever zone the moment
    was written in: a moment read back from the database is in UTC.
    """
    arrived_at = arrived_at.astimezone(timezone.get_default_timezone())
    origin = farthest([origin_of(s.code, home=policy.home) for s in stays])
    certs = tuple(
        Sample.model_construct(sampled_at=at, result=r)  # type: ignore[arg-type]
        for at, r in certificates
    )
    found = []
    for pack, params in policy.packs(arrived_at.date()):
        # A copy of a blank person, not `model_construct`: that fills each unset field's
        # default anew (inspecting the default factories), which costs a tenth of a plan.
        person = filled(
            _NOBODY,
            {
                "kind": kind,
                "staff_category": category if category in STAFF_CATEGORIES else None,
                "returnee": kind == "employee",
                "origin": origin,
                "stays": stay_facts_of(stays, policy.register(entries, pack)),
                "certificates": certs,
            },
        )
        plan = plan_arrival(
            pack=pack, person=person, arrived_at=arrived_at, enterprise=enterprise, params=params
        )
        if plan.rules:
            found.append(PackPlan(pack, plan))
    return found


def return_plans(*, park: Jurisdiction, **facts: Any) -> list[PackPlan]:
    """`plans_under` the park's packs as they are."""
    return plans_under(park_policy(park), **facts)


@dataclass(frozen=True)
class TripRoute:
    pack: Pack
    approvers: tuple[str, ...]
    prohibitions: tuple[str, ...]
    data: dict[str, Any]


def trip_routes(
    *,
    park: Jurisdiction,
    codes: Sequence[str],
    departs: dt.datetime,
    entries: Sequence[Entry],
) -> list[TripRoute]:
    """What each followed pack says of a trip: approvals (H-4.3), prohibitions, filings (J-1.1)."""
    home = home_code(park)
    destination = farthest([origin_of(code, home=home) for code in codes])
    out = []
    for entry in packs_on(park, departs.date()):
        pack = entry.pack
        assert pack is not None
        order = vocabulary(pack).risk_levels
        live = [
            e
            for e in entries
            if e.start <= departs.date() and (e.end is None or e.end >= departs.date())
        ]
        levels = [
            e.level for code in codes for e in live if e.code in set(division_ancestors(code))
        ]
        event = EventFacts(
            kind="trip",
            starts_at=departs,
            destination=destination,
            destination_risk=_highest(levels, order),
        )
        try:
            route = event_route(pack=pack, event=event, params=entry.params)
        except PolicyInputError:
            continue
        if not route.rules:
            continue
        out.append(
            TripRoute(
                pack=pack,
                approvers=tuple(a.approver for a in route.approvals),
                prohibitions=tuple(p.text for p in route.prohibitions),
                data=to_jsonable(route),
            )
        )
    return out
