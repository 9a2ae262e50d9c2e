"""Notice B (包头, 2020-02): one test per requirement ID, with exact dates."""

from __future__ import annotations

import pytest

from parkguard.policy import (
    EnterpriseFacts,
    EventFacts,
    PersonFacts,
    Records,
    Registry,
    Stay,
    disinfection_schedule,
    entry_checks,
    evaluate_plan,
    event_route,
    plan_arrival,
    temperature_schedule,
)
from tests.policy.facts import B, d, dt

RETURNEE = PersonFacts(kind="employee", returnee=True, origin="out_of_province")
RETURNEE_FROM_SEVERE_AREA = PersonFacts(
    kind="employee",
    returnee=True,
    origin="out_of_province",
    stays=(
        Stay(
            region="湖北省武汉市", risk="high", first_day=d("2020-01-20"), last_day=d("2020-02-08")
        ),
    ),
)


def test_it_isolates_b_2_2c_returnees_from_elsewhere_for_14_days(registry: Registry) -> None:
    """B-2.2c: workers returning from elsewhere are isolated for 14 days, then work."""
    plan = plan_arrival(pack=registry.get(B, 1), person=RETURNEE, arrived_at=dt("2020-02-12T11:00"))
    (phase,) = plan.phases
    assert (phase.kind, phase.first_day, phase.last_day) == (
        "enterprise_observation",
        d("2020-02-12"),
        d("2020-02-25"),
    )
    assert plan.earliest_entry == dt("2020-02-26T00:00")
    status = evaluate_plan(plan=plan, records=Records(), at=dt("2020-02-26T08:00"))
    assert status.entry.allowed


def test_it_reports_b_2_2c_returnees_from_severe_areas_at_once(registry: Registry) -> None:
    """B-2.2c: returnees from severely affected areas are reported at once (grid management)."""
    plan = plan_arrival(
        pack=registry.get(B, 1),
        person=RETURNEE_FROM_SEVERE_AREA,
        arrived_at=dt("2020-02-12T11:00"),
        enterprise=EnterpriseFacts(has_observation_point=True),
    )
    report = [o for o in plan.obligations if o.kind == "notify"]
    assert [(o.due_at, o.citation.requirement) for o in report] == [
        (dt("2020-02-12T11:00"), "B-2.2c")
    ]
    assert plan.earliest_entry == dt("2020-02-26T00:00")


@pytest.mark.parametrize(("has_point", "allowed"), [(False, False), (True, True)])
def test_it_refuses_b_2_4_return_without_observation_point(
    registry: Registry, has_point, allowed
) -> None:
    """B-2.4: no observation point → no return of workers from severely affected areas."""
    plan = plan_arrival(
        pack=registry.get(B, 1),
        person=RETURNEE_FROM_SEVERE_AREA,
        arrived_at=dt("2020-02-12T11:00"),
        enterprise=EnterpriseFacts(has_observation_point=has_point),
    )
    assert (plan.earliest_entry is not None) is allowed
    status = evaluate_plan(plan=plan, records=Records(), at=dt("2020-03-01T08:00"))
    assert status.entry.allowed is allowed
    if not allowed:
        assert status.entry.allowed_from is None
        citation = status.entry.reasons[0].citation
        assert citation is not None and citation.requirement == "B-2.4"


def test_it_schedules_b_2_2b_two_temperature_checks_a_day(registry: Registry) -> None:
    """B-2.2b: temperature checked twice a day at factory and office entrances."""
    items = temperature_schedule(
        pack=registry.get(B, 1), start=d("2020-02-10"), end=d("2020-02-11")
    )
    per_day: dict[object, list[object]] = {}
    for item in items:
        per_day.setdefault(item.on, []).append((item.slot, item.place))
    assert per_day == {
        day: [
            ("上班", "plant_gate"),
            ("上班", "office_entrance"),
            ("下班", "plant_gate"),
            ("下班", "office_entrance"),
        ]
        for day in (d("2020-02-10"), d("2020-02-11"))
    }
    assert {i.citation.requirement for i in items} == {"B-2.2b"}


def test_it_schedules_b_2_5_six_disinfections_before_and_after_work(registry: Registry) -> None:
    """B-2.5: six places disinfected every day, before and after work."""
    items = disinfection_schedule(
        pack=registry.get(B, 1), start=d("2020-02-10"), end=d("2020-02-10")
    )
    assert len(items) == 12
    assert {i.place for i in items} == {
        "车间工作区",
        "办公室",
        "宿舍区",
        "餐厅食堂",
        "隔离场所",
        "通勤车辆",
    }
    assert {i.slot for i in items} == {"上班前", "下班后"}
    assert {i.citation.requirement for i in items} == {"B-2.5"}


@pytest.mark.parametrize(
    ("starts_at", "essential", "approver"),
    [
        ("2020-02-09T23:59", False, "当地防控指挥部"),
        ("2020-02-10T00:00", False, None),
        ("2020-02-05T08:00", True, None),
    ],
)
def test_it_routes_b_2_1_resumption(registry: Registry, starts_at, essential, approver) -> None:
    """B-2.1: no earlier than 9 Feb 24:00 unless essential or approved; a plan is always needed."""
    event = EventFacts(kind="resumption", starts_at=dt(starts_at))
    route = event_route(
        pack=registry.get(B, 1), event=event, enterprise=EnterpriseFacts(essential=essential)
    )
    assert [doc.name for doc in route.documents] == ["复工预案"]
    assert "风险评估（职工健康状况、环境卫生状态、防疫制度落实）" in route.documents[0].contents
    assert (route.approval.approver if route.approval else None) == approver
    assert all(c.requirement == "B-2.1" for c in route.rules)


def test_it_checks_b_2_2a_outsiders_at_the_gate(registry: Registry) -> None:
    """B-2.2a: outsiders state a reason, are registered and checked; vehicles disinfected."""
    gate = entry_checks(
        pack=registry.get(B, 1),
        person=PersonFacts(kind="visitor"),
        place="plant_gate",
        at=dt("2020-02-12T09:00"),
    )
    assert [c.kind for c in gate.checks] == [
        "state_reason",
        "register",
        "temperature",
        "disinfect_vehicle",
    ]
