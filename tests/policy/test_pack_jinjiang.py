"""Notice J (晋政西〔2022〕81号): one test per requirement ID, with exact dates.

Day numbering of the pack: the arrival date is day 1 (``arrival_day_is_1``).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from parkguard.policy import (
    EnterpriseFacts,
    EventFacts,
    NoticeRecord,
    PersonFacts,
    Records,
    Registry,
    Sample,
    entry_checks,
    evaluate_plan,
    event_route,
    plan_arrival,
)
from tests.policy.facts import (
    TRUCK_CREW,
    VISITOR_FROM_ABROAD,
    VISITOR_FROM_HIGH_RISK,
    VISITOR_LOCAL,
    VISITOR_OTHER_PROVINCE,
    J,
    d,
    dt,
    high_risk_stay,
    negative,
)


def _tests(plan):  # (phase label, relative day, date) for every test obligation
    return [(o.phase, o.day, o.on_date) for o in plan.obligations if o.kind == "test"]


def test_it_plans_j_1_2_2_visitor_from_abroad(registry: Registry) -> None:
    """J-1.2.2: 5 days centralised (tests days 1,2,3,5) then 3 days home (days 1,3)."""
    pack = registry.get(J, 1)
    plan = plan_arrival(pack=pack, person=VISITOR_FROM_ABROAD, arrived_at=dt("2022-11-01T10:00"))

    central, home = plan.phases
    assert (central.kind, central.first_day, central.last_day) == (
        "centralised_isolation",
        d("2022-11-01"),
        d("2022-11-05"),
    )
    assert central.start_at == dt("2022-11-01T10:00")
    assert central.test_dates == (
        d("2022-11-01"),
        d("2022-11-02"),
        d("2022-11-03"),
        d("2022-11-05"),
    )
    assert (home.kind, home.first_day, home.last_day) == (
        "home_isolation",
        d("2022-11-06"),
        d("2022-11-08"),
    )
    assert home.test_dates == (d("2022-11-06"), d("2022-11-08"))
    assert _tests(plan) == [
        (0, 1, d("2022-11-01")),
        (0, 2, d("2022-11-02")),
        (0, 3, d("2022-11-03")),
        (0, 5, d("2022-11-05")),
        (1, 1, d("2022-11-06")),
        (1, 3, d("2022-11-08")),
    ]
    assert plan.earliest_entry == dt("2022-11-09T00:00")

    pre = next(o for o in plan.obligations if o.kind == "pre_departure_test")
    assert (pre.window_start, pre.due_at) == (dt("2022-10-29T20:00"), dt("2022-10-31T20:00"))
    declare = next(o for o in plan.obligations if o.kind == "notify")
    assert declare.due_at == dt("2022-10-31T10:00")
    assert {c.requirement for c in plan.rules} == {"J-1.2.2", "J-1.2.3"}
    for ob in plan.obligations:
        assert ob.citation.document_number == "晋政西〔2022〕81号"
        assert ob.citation.pack_id == J and ob.citation.version == 1
    # The pack dates from 2022-11-11 ("二十条"); the plan says so rather than hiding it.
    assert plan.pack_in_force is False


def _all_done(plan, *, except_day=None, result="negative"):
    tests = [negative("2022-10-31T09:00")]
    for ob in plan.obligations:
        if ob.kind == "test" and ob.on_date != except_day:
            tests.append(Sample(sampled_at=ob.window_start + timedelta(hours=1), result=result))
    notices = [
        NoticeRecord(obligation=o.key, at=o.due_at - timedelta(hours=1))
        for o in plan.obligations
        if o.kind == "notify"
    ]
    return Records(tests=tuple(tests), notices=tuple(notices))


def test_it_evaluates_j_1_2_2_entry_only_after_both_phases_and_negative_results(
    registry: Registry,
) -> None:
    """J-1.2.2: entry after both phases and all results negative."""
    plan = plan_arrival(
        pack=registry.get(J, 1), person=VISITOR_FROM_ABROAD, arrived_at=dt("2022-11-01T10:00")
    )
    records = _all_done(plan)

    during = evaluate_plan(plan=plan, records=records, at=dt("2022-11-08T20:00"))
    assert not during.entry.allowed
    assert during.entry.allowed_from == dt("2022-11-09T00:00")

    after = evaluate_plan(plan=plan, records=records, at=dt("2022-11-09T08:00"))
    assert after.entry.allowed and after.entry.reasons == ()
    assert all(s.status == "done" for s in after.items)

    missed = evaluate_plan(
        plan=plan, records=_all_done(plan, except_day=d("2022-11-05")), at=dt("2022-11-09T08:00")
    )
    assert not missed.entry.allowed and missed.entry.allowed_from is None
    overdue = [s.obligation.on_date for s in missed.items if s.status == "overdue"]
    assert overdue == [d("2022-11-05")]

    positive = evaluate_plan(
        plan=plan, records=_all_done(plan, result="positive"), at=dt("2022-11-09T08:00")
    )
    assert not positive.entry.allowed and positive.entry.allowed_from is None


def test_it_marks_j_1_2_2_obligations_due_before_their_day(registry: Registry) -> None:
    """J-1.2.2: on 2022-11-03 the day-5 test is due (not overdue), day 1 is overdue if missing."""
    plan = plan_arrival(
        pack=registry.get(J, 1), person=VISITOR_FROM_ABROAD, arrived_at=dt("2022-11-01T10:00")
    )
    status = evaluate_plan(plan=plan, records=Records(), at=dt("2022-11-03T12:00"))
    by_date = {s.obligation.on_date: s.status for s in status.items if s.obligation.kind == "test"}
    assert by_date[d("2022-11-01")] == "overdue"
    assert by_date[d("2022-11-03")] == "due"
    assert by_date[d("2022-11-05")] == "due"


def test_it_plans_j_1_2_1_visitor_from_domestic_high_risk_area(registry: Registry) -> None:
    """J-1.2.1: 48 h pre-departure test, declare 24 h ahead, 7 days home, tests 1,3,5,7."""
    plan = plan_arrival(
        pack=registry.in_force(J, d("2022-11-14")),
        person=VISITOR_FROM_HIGH_RISK,
        arrived_at=dt("2022-11-14T15:30"),
    )
    (home,) = plan.phases
    assert (home.kind, home.first_day, home.last_day) == (
        "home_isolation",
        d("2022-11-14"),
        d("2022-11-20"),
    )
    assert home.test_dates == (d("2022-11-14"), d("2022-11-16"), d("2022-11-18"), d("2022-11-20"))
    assert plan.earliest_entry == dt("2022-11-21T00:00")
    pre = next(o for o in plan.obligations if o.kind == "pre_departure_test")
    assert (pre.window_start, pre.due_at) == (dt("2022-11-11T18:00"), dt("2022-11-13T18:00"))
    declare = next(
        o for o in plan.obligations if o.kind == "notify" and o.citation.requirement == "J-1.2.1"
    )
    assert declare.due_at == dt("2022-11-13T15:30")
    assert "J-1.2.1" in {c.requirement for c in plan.rules}
    assert plan.pack_in_force


def test_it_plans_j_1_2_1_for_a_visitor_who_only_passed_through(registry: Registry) -> None:
    """J-1.2.1: passing through a high-risk area counts (途经高风险区)."""
    person = PersonFacts(
        kind="visitor",
        origin="out_of_prefecture",
        stays=(high_risk_stay("2022-11-12", "2022-11-12", transit=True),),
    )
    plan = plan_arrival(pack=registry.get(J, 1), person=person, arrived_at=dt("2022-11-14T09:00"))
    assert [c.requirement for c in plan.rules if c.requirement.startswith("J-1.2.1")] == ["J-1.2.1"]
    assert plan.earliest_entry == dt("2022-11-21T00:00")


def test_it_files_j_1_2_3_visitors_from_abroad_or_high_risk_with_community_and_park(
    registry: Registry,
) -> None:
    """J-1.2.3: the enterprise files such visitors in advance (by arrival at the latest)."""
    pack = registry.get(J, 1)
    for person in (VISITOR_FROM_ABROAD, VISITOR_FROM_HIGH_RISK):
        plan = plan_arrival(pack=pack, person=person, arrived_at=dt("2022-11-14T09:00"))
        filing = [o for o in plan.obligations if o.citation.requirement == "J-1.2.3"]
        assert len(filing) == 1
        assert filing[0].due_at == dt("2022-11-14T09:00")
        assert "属地社区" in filing[0].title and "园区管理机构" in filing[0].title
    plan = plan_arrival(pack=pack, person=VISITOR_OTHER_PROVINCE, arrived_at=dt("2022-11-14T09:00"))
    assert "J-1.2.3" not in {c.requirement for c in plan.rules}


def test_it_plans_j_1_2_4_other_out_of_province_visitor(registry: Registry) -> None:
    """J-1.2.4: a landing test on arrival and tests on days 2 and 3; no isolation."""
    plan = plan_arrival(
        pack=registry.get(J, 1), person=VISITOR_OTHER_PROVINCE, arrived_at=dt("2022-11-14T21:00")
    )
    assert plan.phases == ()
    tests = [(o.day, o.on_date, o.due_at) for o in plan.obligations if o.kind == "test"]
    assert tests == [
        (1, d("2022-11-14"), dt("2022-11-15T00:00")),
        (2, d("2022-11-15"), dt("2022-11-16T00:00")),
        (3, d("2022-11-16"), dt("2022-11-17T00:00")),
    ]
    assert plan.earliest_entry == dt("2022-11-14T21:00")
    assert [c.requirement for c in plan.rules] == ["J-1.2.4"]


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        (VISITOR_LOCAL, set()),
        (PersonFacts(kind="visitor", origin="out_of_prefecture"), set()),
        (VISITOR_OTHER_PROVINCE, {"J-1.2.4"}),
        (VISITOR_FROM_ABROAD, {"J-1.2.2", "J-1.2.3"}),
        (VISITOR_FROM_HIGH_RISK, {"J-1.2.1", "J-1.2.3"}),
    ],
)
def test_it_selects_exactly_one_visitor_rule_j_1_2(registry: Registry, person, expected) -> None:
    """J-1.2.1/J-1.2.2/J-1.2.4: ① ② ④ are exclusive (④ is "其他省外来晋人员")."""
    plan = plan_arrival(pack=registry.get(J, 1), person=person, arrived_at=dt("2022-11-14T09:00"))
    assert {c.requirement for c in plan.rules} == expected


def test_it_requires_j_1_2_5_buffer_zone_in_large_or_busy_enterprises(registry: Registry) -> None:
    """J-1.2.5: 200+ staff or frequent movement → buffer zone for visitors."""
    pack = registry.get(J, 1)
    cases = [
        (EnterpriseFacts(headcount=199), False),
        (EnterpriseFacts(headcount=200), True),
        (EnterpriseFacts(headcount=30, frequent_movement=True), True),
    ]
    for enterprise, expected in cases:
        plan = plan_arrival(
            pack=pack,
            person=VISITOR_OTHER_PROVINCE,
            enterprise=enterprise,
            arrived_at=dt("2022-11-14T09:00"),
        )
        notes = [n for n in plan.notes if n.citation.requirement == "J-1.2.5"]
        assert bool(notes) is expected, enterprise
        if expected:
            assert "外来人员过渡缓冲区" in notes[0].text


def test_it_plans_j_1_1_returnee_with_7_day_high_risk_stay(registry: Registry) -> None:
    """J-1.1: test 48 h before leaving, 7 days home isolation, tests days 1,3,5,7, then entry."""
    person = PersonFacts(
        kind="employee",
        staff_category="regular",
        returnee=True,
        origin="out_of_province",
        stays=(high_risk_stay("2022-11-08", "2022-11-15"),),
        departed_at=dt("2022-11-15T07:00"),
    )
    plan = plan_arrival(pack=registry.get(J, 1), person=person, arrived_at=dt("2022-11-15T19:00"))
    (home,) = plan.phases
    assert home.test_dates == (d("2022-11-15"), d("2022-11-17"), d("2022-11-19"), d("2022-11-21"))
    assert plan.earliest_entry == dt("2022-11-22T00:00")
    kinds = sorted(o.kind for o in plan.obligations if o.kind != "test")
    assert kinds == ["notify", "notify", "pre_departure_test"]
    declare = next(
        o
        for o in plan.obligations
        if o.kind == "notify" and o.due_at is not None and o.due_at < plan.arrived_at
    )
    assert declare.due_at == dt("2022-11-14T19:00")  # 24 h before arrival


def test_it_applies_only_the_declaration_of_j_1_1_to_a_returnee_who_passed_through(
    registry: Registry,
) -> None:
    """J-1.1: passing through a high-risk area → declare 24 h ahead and report; no isolation."""
    person = PersonFacts(
        kind="employee",
        returnee=True,
        origin="out_of_province",
        stays=(high_risk_stay("2022-11-14", "2022-11-14", transit=True),),
    )
    plan = plan_arrival(pack=registry.get(J, 1), person=person, arrived_at=dt("2022-11-15T19:00"))
    assert plan.phases == ()
    assert [o.due_at for o in plan.obligations] == [dt("2022-11-14T19:00"), dt("2022-11-15T19:00")]


def test_it_files_j_1_1_trips_out_of_jinjiang_in_advance(registry: Registry) -> None:
    """J-1.1: every trip out of Jinjiang is filed with the enterprise before departure."""
    trip = EventFacts(
        kind="trip", destination="out_of_prefecture", starts_at=dt("2022-11-20T08:00")
    )
    route = event_route(pack=registry.get(J, 1), event=trip)
    assert [(f.due_at, f.citation.requirement) for f in route.filings] == [
        (dt("2022-11-20T08:00"), "J-1.1")
    ]
    local = EventFacts(kind="trip", destination="local", starts_at=dt("2022-11-20T08:00"))
    assert event_route(pack=registry.get(J, 1), event=local).filings == ()


def test_it_plans_j_1_3_truck_crew(registry: Registry) -> None:
    """J-1.3: declare 24 h ahead, 48 h certificate, landing test before plant work."""
    pack = registry.get(J, 1)
    plan = plan_arrival(pack=pack, person=TRUCK_CREW, arrived_at=dt("2022-11-14T06:00"))
    by_kind = {o.kind: o for o in plan.obligations}
    assert by_kind["notify"].due_at == dt("2022-11-13T06:00")
    assert by_kind["certificate"].window_start == dt("2022-11-12T06:00")
    assert by_kind["certificate"].blocks_entry == "negative"
    assert by_kind["test"].on_date == d("2022-11-14") and by_kind["test"].blocks_entry == "sampled"

    records = Records(tests=(negative("2022-11-13T10:00"),))
    before = evaluate_plan(plan=plan, records=records, at=dt("2022-11-14T06:30"))
    assert not before.entry.allowed  # landing test not yet taken
    sampled = Records(
        tests=(
            negative("2022-11-13T10:00"),
            Sample(sampled_at=dt("2022-11-14T06:20"), result="pending"),
        )
    )
    after = evaluate_plan(plan=plan, records=sampled, at=dt("2022-11-14T06:30"))
    assert after.entry.allowed


@pytest.mark.parametrize(
    ("sampled_at", "refused"),
    [("2022-11-12T07:00", False), ("2022-11-12T05:59", True)],
)
def test_it_lists_j_1_3_gate_checks_for_trucks(registry: Registry, sampled_at, refused) -> None:
    """J-1.3: temperature, three codes, 48 h negative, disinfection of truck and goods."""
    crew = TRUCK_CREW.model_copy(update={"certificates": (negative(sampled_at),)})
    gate = entry_checks(
        pack=registry.get(J, 1), person=crew, place="plant_gate", at=dt("2022-11-14T06:00")
    )
    kinds = [c.kind for c in gate.checks if c.citation.requirement == "J-1.3"]
    assert kinds == [
        "temperature",
        "three_codes",
        "negative_test",
        "disinfect_vehicle",
        "disinfect_goods",
    ]
    assert gate.refused is refused
    # J-1.5a applies to everyone at the gate as well.
    assert {c.citation.requirement for c in gate.checks} == {"J-1.3", "J-1.5a"}


@pytest.mark.parametrize(
    ("origin", "headcount", "approver", "filing", "apply_by"),
    [
        ("local", 199, None, (), None),
        ("out_of_county", 200, "街道防控办", ("市防控办",), "2022-11-23T09:00"),
        ("out_of_prefecture", 500, None, (), None),  # Fujian outside Quanzhou: no tier
        ("out_of_province", 50, "街道防控办", ("市防控办",), "2022-11-23T09:00"),
        ("abroad", 200, "市防控办", (), "2022-11-23T09:00"),  # both tiers match: higher wins
        ("out_of_province", 201, "市防控办", (), "2022-11-23T09:00"),
    ],
)
def test_it_routes_j_1_4_business_events_in_three_tiers(
    registry: Registry, origin, headcount, approver, filing, apply_by
) -> None:
    """J-1.4: street office 7 days ahead + city filing, or city office 7 days ahead."""
    event = EventFacts(
        kind="business_event",
        headcount=headcount,
        participants_origin=origin,
        starts_at=dt("2022-11-30T09:00"),
    )
    route = event_route(pack=registry.get(J, 1), event=event)
    assert route.allowed
    assert [doc.name for doc in route.documents] == ["疫情防控工作方案和应急预案"]
    if approver is None:
        assert route.approval is None
        return
    assert route.approval is not None
    assert route.approval.approver == approver
    assert route.approval.filing_with == filing
    assert route.approval.apply_by == dt(apply_by)
    assert route.approval.citation.requirement == "J-1.4"
