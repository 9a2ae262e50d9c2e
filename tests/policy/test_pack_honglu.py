"""Notice H (红炉府发〔2021〕10号): one test per requirement ID, with exact dates.

Day numbering of the pack: the return date is day 0 (``arrival_day_is_0``): "返永后第7天".
"""

from __future__ import annotations

import pytest

from parkguard.policy import (
    EventFacts,
    PersonFacts,
    Records,
    Registry,
    Stay,
    entry_checks,
    evaluate_plan,
    event_route,
    plan_arrival,
    symptom_lists,
)
from tests.policy.facts import H, d, dt, negative

RETURNEE_FROM_OUTSIDE_CHONGQING = PersonFacts(
    kind="employee", staff_category="regular", returnee=True, origin="out_of_province"
)
RETURNEE_FROM_RISKY_DISTRICT = PersonFacts(
    kind="employee",
    returnee=True,
    origin="out_of_county",
    stays=(
        Stay(
            region="重庆市某区某街道",
            risk="low",
            county_risk="medium",
            first_day=d("2021-02-01"),
            last_day=d("2021-02-09"),
        ),
    ),
)
RETURNEE_COLD_CHAIN = PersonFacts(
    kind="employee", returnee=True, origin="out_of_county", key_population=("cold_chain",)
)
RETURNEE_LOW_RISK_IN_CHONGQING = PersonFacts(kind="employee", returnee=True, origin="out_of_county")


@pytest.mark.parametrize(
    "person",
    [RETURNEE_FROM_OUTSIDE_CHONGQING, RETURNEE_FROM_RISKY_DISTRICT, RETURNEE_COLD_CHAIN],
    ids=["outside-chongqing", "district-with-medium-risk-area", "cold-chain-worker"],
)
def test_it_plans_h_4_4_for_the_three_classes_of_returnee(registry: Registry, person) -> None:
    """H-4.4: 7-day certificate or test, notify before, report within 12 h, 14 days monitoring,
    tests on days 7 and 14 counted from the actual return (return day = day 0)."""
    plan = plan_arrival(pack=registry.get(H, 1), person=person, arrived_at=dt("2021-02-10T16:00"))
    (monitoring,) = plan.phases
    assert monitoring.kind == "home_health_monitoring"
    assert (monitoring.first_day, monitoring.last_day) == (d("2021-02-11"), d("2021-02-24"))
    assert monitoring.test_dates == (d("2021-02-17"), d("2021-02-24"))
    assert monitoring.blocks_entry is False
    assert plan.earliest_entry == dt("2021-02-10T16:00")  # monitoring at home does not bar work

    choice = next(o for o in plan.obligations if o.kind == "any_of")
    certificate, test_now = choice.options
    assert certificate[0].window_start == dt("2021-02-03T16:00")
    assert test_now[0].on_date == d("2021-02-10")
    notices = sorted(o.due_at for o in plan.obligations if o.kind == "notify" and o.due_at)
    assert notices == [dt("2021-02-10T16:00"), dt("2021-02-11T04:00")]
    assert {c.requirement for c in plan.rules} == {"H-4.4"}


def test_it_applies_h_4_4_only_within_its_date_window(registry: Registry) -> None:
    """H-4.4: only 2021-01-28 to 2021-03-08 (by arrival date); outside it, nothing applies."""
    pack = registry.get(H, 1)
    cases = [
        ("2021-01-27T23:59", False),
        ("2021-01-28T00:00", True),
        ("2021-03-08T23:00", True),
        ("2021-03-09T00:00", False),
    ]
    for arrived, applies in cases:
        plan = plan_arrival(
            pack=pack, person=RETURNEE_FROM_OUTSIDE_CHONGQING, arrived_at=dt(arrived)
        )
        assert ("H-4.4" in {c.requirement for c in plan.rules}) is applies, arrived


def test_it_does_not_apply_h_4_4_to_a_low_risk_returnee_from_within_chongqing(
    registry: Registry,
) -> None:
    """H-4.4: a returnee from a low-risk district of Chongqing is none of the three classes."""
    plan = plan_arrival(
        pack=registry.get(H, 1),
        person=RETURNEE_LOW_RISK_IN_CHONGQING,
        arrived_at=dt("2021-02-10T16:00"),
    )
    assert plan.rules == () and plan.obligations == ()


def test_it_accepts_either_alternative_of_h_4_4(registry: Registry) -> None:
    """H-4.4: a negative certificate from the last 7 days OR a test on return."""
    plan = plan_arrival(
        pack=registry.get(H, 1),
        person=RETURNEE_FROM_OUTSIDE_CHONGQING,
        arrived_at=dt("2021-02-10T16:00"),
    )
    at = dt("2021-02-11T09:00")
    choice = next(o for o in plan.obligations if o.kind == "any_of")

    def status(tests):
        state = evaluate_plan(plan=plan, records=Records(tests=tests), at=at)
        return next(s.status for s in state.items if s.obligation.key == choice.key)

    assert status((negative("2021-02-05T10:00"),)) == "done"  # certificate, 6 days old
    assert status((negative("2021-02-10T18:00"),)) == "done"  # tested on return
    assert status((negative("2021-02-01T10:00"),)) == "overdue"  # too old, no test


def test_it_requires_h_4_3_approval_to_leave_chongqing(registry: Registry) -> None:
    """H-4.3: leaving Chongqing needs prior approval by an enterprise leader."""
    trip = EventFacts(
        kind="trip",
        destination="out_of_province",
        destination_risk="low",
        starts_at=dt("2021-02-05T08:00"),
    )
    route = event_route(pack=registry.get(H, 1), event=trip)
    assert route.approval is not None
    assert route.approval.approver == "企业负责同志"
    assert route.approval.apply_by == dt("2021-02-05T08:00")
    assert route.allowed


@pytest.mark.parametrize(
    ("destination", "risk", "allowed"),
    [
        ("out_of_province", "medium", False),
        ("out_of_county", "high", False),
        ("abroad", "low", False),
        ("out_of_county", "low", True),
    ],
)
def test_it_refuses_h_4_3_travel_to_medium_or_high_risk_areas(
    registry: Registry, destination, risk, allowed
) -> None:
    """H-4.3: no travel to medium- or high-risk areas (and avoid going abroad)."""
    trip = EventFacts(
        kind="trip",
        destination=destination,
        destination_risk=risk,
        starts_at=dt("2021-02-05T08:00"),
    )
    route = event_route(pack=registry.get(H, 1), event=trip)
    assert route.allowed is allowed
    if not allowed:
        assert route.prohibitions[0].citation.requirement == "H-4.3"


@pytest.mark.parametrize(
    ("headcount", "online", "plan_needed"),
    [(49, False, False), (50, False, True), (300, False, True), (300, True, False)],
)
def test_it_requires_h_4_3b_prevention_plan_for_50_or_more(
    registry: Registry, headcount, online, plan_needed
) -> None:
    """H-4.3b: gatherings of 50+ need a prevention plan; whoever organises is responsible."""
    event = EventFacts(
        kind="gathering", headcount=headcount, online=online, starts_at=dt("2021-02-20T14:00")
    )
    route = event_route(pack=registry.get(H, 1), event=event)
    assert bool(route.documents) is plan_needed
    if plan_needed:
        assert route.documents[0].responsible == "谁组织、谁负责，谁举办、谁负责"
        assert route.documents[0].citation.requirement == "H-4.3b"


@pytest.mark.parametrize(("headcount", "allowed"), [(10, True), (11, False)])
def test_it_limits_h_4_5b_private_gatherings_to_10(registry: Registry, headcount, allowed) -> None:
    """H-4.5b: private gatherings of at most 10 people, 1 m apart."""
    event = EventFacts(
        kind="private_gathering", headcount=headcount, starts_at=dt("2021-02-12T18:00")
    )
    route = event_route(pack=registry.get(H, 1), event=event)
    assert route.allowed is allowed
    assert [n.text for n in route.notes] == ["保持1米以上的社交距离"]


def test_it_lists_h_4_2_and_h_4_5_symptoms(registry: Registry) -> None:
    """H-4.2: fever, dry cough, sore throat; H-4.5 adds loss of smell/taste and diarrhoea."""
    lists = {s.citation.requirement: s.symptoms for s in symptom_lists(pack=registry.get(H, 1))}
    assert lists == {
        "H-4.2": ("发热", "干咳", "咽痛"),
        "H-4.5": ("发热", "干咳", "咽痛", "嗅（味）觉减退", "腹泻"),
    }


def test_it_checks_h_4_1b_temperature_and_registration_at_entry(registry: Registry) -> None:
    """H-4.1b: everyone's temperature is checked and registered at entry every day."""
    gate = entry_checks(
        pack=registry.get(H, 1),
        person=RETURNEE_LOW_RISK_IN_CHONGQING,
        place="plant_gate",
        at=dt("2021-02-15T07:50"),
    )
    assert [(c.kind, c.status) for c in gate.checks] == [
        ("temperature", "manual"),
        ("register", "manual"),
    ]
