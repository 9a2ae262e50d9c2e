"""Properties of plans that must hold for any person, any arrival, any pack (hypothesis)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import yaml
from hypothesis import given
from hypothesis import strategies as st

from parkguard.policy import (
    PersonFacts,
    Records,
    Sample,
    Stay,
    evaluate_plan,
    load_pack_text,
    load_registry,
    plan_arrival,
)
from parkguard.policy.declarations import vocabulary

REGISTRY = load_registry()  # pure: reading the bundled YAML has no side effects
ARRIVAL_PACKS = [p for p in REGISTRY.packs() if p.rules_with("phases", "arrival_tests")]

risk = st.sampled_from(["low", "medium", "high"])
origin = st.sampled_from(
    ["local", "out_of_county", "out_of_prefecture", "out_of_province", "abroad"]
)
moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2023, 12, 31))


@st.composite
def people(draw: st.DrawFn) -> tuple[PersonFacts, datetime]:
    arrived = draw(moments)
    stays = []
    for _ in range(draw(st.integers(0, 2))):
        last = arrived.date() - timedelta(days=draw(st.integers(0, 20)))
        stays.append(
            Stay(
                region="某地",
                risk=draw(risk),
                county_risk=draw(st.none() | risk),
                first_day=last - timedelta(days=draw(st.integers(0, 10))),
                last_day=last,
                transit=draw(st.booleans()),
            )
        )
    person = PersonFacts(
        kind=draw(st.sampled_from(["employee", "visitor", "truck_crew"])),
        returnee=draw(st.booleans()),
        origin=draw(origin),
        stays=tuple(stays),
        key_population=draw(
            st.lists(st.sampled_from(["cold_chain", "port", "transport"]), max_size=1)
        ),
        departed_at=arrived - timedelta(hours=draw(st.integers(1, 72))),
        temperature_abnormal=draw(st.booleans()),
    )
    return person, arrived


def _in_words_of(pack, person: PersonFacts) -> PersonFacts:
    """The person's stays in the pack's own risk words (low/medium/high by rank)."""
    words = dict(zip(("low", "medium", "high"), vocabulary(pack).risk_levels, strict=False))
    stays = tuple(
        s.model_copy(
            update={
                "risk": words.get(s.risk) if s.risk else None,
                "county_risk": words.get(s.county_risk) if s.county_risk else None,
            }
        )
        for s in person.stays
    )
    return person.model_copy(update={"stays": stays})


@given(case=people(), pack_index=st.integers(0, len(ARRIVAL_PACKS) - 1))
def test_plans_are_deterministic(case, pack_index) -> None:
    person, arrived = case
    pack = ARRIVAL_PACKS[pack_index]
    person = _in_words_of(pack, person)
    first = plan_arrival(pack=pack, person=person, arrived_at=arrived)
    again = plan_arrival(pack=pack, person=person.model_copy(), arrived_at=arrived)
    assert first == again


def _check_plan(plan) -> None:
    for phase in plan.phases:
        if phase.end_at is None:  # ends on a condition: no last day
            assert phase.last_day is None and phase.end_condition
            continue
        assert phase.first_day <= phase.last_day
        assert phase.start_at <= phase.end_at
        for on in phase.test_dates:
            assert phase.first_day <= on <= phase.last_day, (phase, on)
    for ob in plan.obligations:
        if ob.phase is not None:
            phase = plan.phases[ob.phase]
            assert phase.first_day <= ob.on_date <= (phase.last_day or ob.on_date)
    if plan.earliest_entry is not None:
        assert plan.earliest_entry >= plan.arrived_at
        for phase in plan.phases:
            if phase.blocks_entry:
                assert phase.end_at is not None
                assert plan.earliest_entry >= phase.end_at


@given(case=people(), pack_index=st.integers(0, len(ARRIVAL_PACKS) - 1))
def test_no_test_day_outside_its_phase_and_entry_after_the_last_phase(case, pack_index) -> None:
    person, arrived = case
    pack = ARRIVAL_PACKS[pack_index]
    person = _in_words_of(pack, person)
    _check_plan(plan_arrival(pack=pack, person=person, arrived_at=arrived))


# Generated packs: any phases, any test days inside them, either day numbering.
@st.composite
def phase_packs(draw: st.DrawFn) -> str:
    phases = []
    for _ in range(draw(st.integers(1, 4))):
        days = draw(st.integers(1, 21))
        tests = sorted(draw(st.sets(st.integers(1, days), max_size=days)))
        phases.append(
            {
                "kind": draw(
                    st.sampled_from(
                        [
                            "centralised_isolation",
                            "home_isolation",
                            "home_health_monitoring",
                            "enterprise_observation",
                        ]
                    )
                ),
                "days": days,
                "test_days": tests,
                "blocks_entry": draw(st.booleans()),
            }
        )
    pack = {
        "id": "generated",
        "version": 1,
        "title": "生成的通知",
        "document_number": "生成〔1〕1号",
        "issuer": "测试",
        "jurisdiction": "测试",
        "effective_from": "2020-01-01",
        "requirement_key": "G",
        "day_numbering": draw(st.sampled_from(["arrival_day_is_1", "arrival_day_is_0"])),
        "rules": [
            {
                "id": "g-1",
                "requirement": "G-1",
                "clause": "第一条",
                "title": "生成",
                "description": "生成",
                "measures": [{"type": "phases", "phases": phases}],
            }
        ],
    }
    return yaml.safe_dump(pack, allow_unicode=True, sort_keys=False)


@given(text=phase_packs(), arrived=moments, fraction=st.floats(0, 1, exclude_max=True))
def test_generated_phases_keep_tests_inside_and_entry_after_them(text, arrived, fraction) -> None:
    pack = load_pack_text(text)
    plan = plan_arrival(pack=pack, person=PersonFacts(kind="visitor"), arrived_at=arrived)
    _check_plan(plan)
    blocking = [p for p in plan.phases if p.blocks_entry]
    if not blocking:
        assert plan.earliest_entry == arrived
        return
    end = max(p.end_at for p in blocking if p.end_at is not None)
    assert plan.earliest_entry == end
    # Entry is never allowed before the end of the last blocking phase, even when every
    # test was done and negative; and it is allowed from that moment.
    all_negative = Records(
        tests=tuple(
            Sample(sampled_at=o.window_start, result="negative")
            for o in plan.obligations
            if o.kind == "test"
        )
    )
    during = min(arrived + (end - arrived) * fraction, end - timedelta(microseconds=1))
    assert not evaluate_plan(plan=plan, records=all_negative, at=during).entry.allowed
    assert evaluate_plan(plan=plan, records=all_negative, at=end).entry.allowed


# Two versions of one pack: a later version never changes a plan made under an earlier one.
FIXTURE = Path(__file__).parent / "fixtures" / "two-versions"


def test_fixture_has_two_versions_of_one_pack() -> None:
    registry = load_registry(FIXTURE)
    assert [(p.id, p.version) for p in registry.packs()] == [
        ("example-rules", 1),
        ("example-rules", 2),
    ]


ONLY_V1 = load_registry(files=[FIXTURE / "example-rules.v1.yaml"])
BOTH = load_registry(FIXTURE)


@given(
    arrived=st.datetimes(min_value=datetime(2023, 1, 1), max_value=datetime(2023, 6, 30, 23, 59)),
    person_case=people(),
)
def test_a_later_version_never_changes_a_plan_made_under_an_earlier_one(
    arrived, person_case
) -> None:
    person = person_case[0].model_copy(update={"kind": "visitor", "origin": "abroad"})
    only_v1, both = ONLY_V1, BOTH
    before = plan_arrival(
        pack=only_v1.in_force("example-rules", arrived.date()), person=person, arrived_at=arrived
    )
    after = plan_arrival(
        pack=both.in_force("example-rules", arrived.date()), person=person, arrived_at=arrived
    )
    assert before == after
    assert before.version == 1
    # ... and v2 really is different, so the property is not vacuous.
    v2 = plan_arrival(pack=both.get("example-rules", 2), person=person, arrived_at=arrived)
    assert v2.phases != before.phases


def test_the_version_in_force_changes_on_the_boundary() -> None:
    both = load_registry(FIXTURE)
    assert both.in_force("example-rules", date(2023, 6, 30)).version == 1
    assert both.in_force("example-rules", date(2023, 7, 1)).version == 2
