"""The preview's shortcuts give what the long way gives: an unchanged return is told by one
comparison of the stored index with the recomputed one, a changed one obligation by
obligation; the register is read by province, and a stay still meets every entry on its
place, its county, its city and its province (and none elsewhere)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from parkguard.mobility import impact, rules
from parkguard.mobility.services import plan_index, utc_iso
from parkguard.policy import EnterpriseFacts
from parkguard.rules.registry import registry

J_PACK = "jinjiang-xiyuan-2022-81"
TZ = dt.timezone(dt.timedelta(hours=8))
WUHAN_JIANGAN = "420102"
WUHAN_JIANGHAN = "420103"
WUHAN = "420100"
HUBEI = "420000"
SHANGHAI = "310115"
ARRIVED = dt.datetime(2022, 11, 15, 10, tzinfo=TZ)
STAY = rules.StayIn(WUHAN_JIANGAN, "江岸区", dt.date(2022, 11, 8), dt.date(2022, 11, 15))
SINCE = dt.date(2022, 11, 1)


def _plans(entries: list[rules.Entry]) -> list[rules.PackPlan]:
    pack = registry().get(J_PACK, 1)
    policy = rules.ParkPolicy(home="350582", adoptions=[])
    policy._by_date[ARRIVED.date()] = [(pack, {})]
    return rules.plans_under(
        policy,
        category="regular",
        stays=[STAY],
        certificates=[],
        arrived_at=ARRIVED,
        entries=entries,
        enterprise=EnterpriseFacts(headcount=10),
    )


def _stored(found: list[rules.PackPlan]) -> list[tuple[dict[str, Any], str | None]]:
    """The plans as the preview reads them back: index and earliest entry as UTC text."""
    return [(plan_index(f.plan), utc_iso(f.plan.earliest_entry)) for f in found]


def test_an_unchanged_return_is_no_row_and_a_moved_duty_is_one() -> None:
    found = _plans([rules.Entry(WUHAN_JIANGAN, "high", SINCE, None)])
    plans = [f.plan for f in found]
    assert plans and plans[0].obligations
    stored = _stored(found)
    assert impact._compare(1, 2, "某人", stored, plans, {}) is None
    # A title worded otherwise is not a change to show (duties are matched by key and due).
    index, entry = stored[0]
    key = next(iter(index))
    reworded = {**index, key: ["另一种说法", index[key][1]]}
    assert impact._compare(1, 2, "某人", [(reworded, entry)], plans, {}) is None
    # One duty due an hour earlier than stored: it moves, and only it.
    title, due = index[key]
    earlier = utc_iso(dt.datetime.fromisoformat(str(due)) - dt.timedelta(hours=1))
    row = impact._compare(1, 2, "某人", [({**index, key: [title, earlier]}, entry)], plans, {})
    assert row is not None
    assert row.move == [(title, earlier, due)]
    assert row.appear == [] and row.disappear == [] and not row.entry_changed


def test_two_stored_plans_are_compared_as_one_index() -> None:
    found = _plans([rules.Entry(WUHAN_JIANGAN, "high", SINCE, None)])
    (index, entry), plans = _stored(found)[0], [f.plan for f in found]
    keys = list(index)
    first = {k: index[k] for k in keys[:1]}
    rest = {k: index[k] for k in keys[1:]}
    assert impact._compare(1, 2, "某人", [(first, entry), (rest, entry)], plans, {}) is None
    row = impact._compare(1, 2, "某人", [(rest, entry)], plans, {})
    assert row is not None and row.appear == [index[keys[0]][0]]


def test_the_register_read_by_province_meets_every_level_and_nothing_else() -> None:
    pack = registry().get(J_PACK, 1)
    on = [
        rules.Entry(WUHAN_JIANGHAN, "medium", SINCE, None),  # same city, another county
        rules.Entry(SHANGHAI, "high", SINCE, None),  # another province
        rules.Entry(HUBEI, "low", SINCE, None),  # the province itself: every level
        rules.Entry(WUHAN, "low", dt.date(2022, 10, 1), dt.date(2022, 10, 5)),  # before the stay
    ]
    (stay,) = rules.stay_facts([STAY], on, pack)
    assert (stay.risk, stay.county_risk, stay.city_risk, stay.province_risk) == (
        "low",
        "low",
        "medium",
        "medium",
    )
    (alone,) = rules.stay_facts([STAY], on[1:2], pack)
    assert (alone.risk, alone.county_risk, alone.city_risk, alone.province_risk) == (None,) * 4
    assert alone.region == "江岸区" and alone.first_day == STAY.first_day
    # A prepared register gives the same as the one read anew.
    prepared = rules.stay_facts_of([STAY], rules.register_in(on, pack))
    assert prepared == (stay,)
