"""The worked example of docs/rule-packs.md is a valid pack and gives the plan the docs show."""

from __future__ import annotations

import re
from pathlib import Path

from parkguard.policy import (
    NoticeRecord,
    PersonFacts,
    Records,
    Sample,
    entry_checks,
    evaluate_plan,
    explain,
    load_pack_text,
    plan_arrival,
    routine_schedule,
    sample_members,
)
from tests.policy.facts import d, dt, negative

DOC = Path(__file__).resolve().parents[2] / "docs" / "rule-packs.md"


def _example_pack():
    text = DOC.read_text(encoding="utf-8")
    match = re.search(r"<!-- worked-example:yaml -->\s*```yaml\n(.*?)```", text, re.S)
    assert match, "worked example not found in docs/rule-packs.md"
    return load_pack_text(match.group(1), file="shiliyuan-2023-5.v1.yaml")


VISITOR = PersonFacts(kind="visitor", origin="out_of_province")


def test_the_documented_plan() -> None:
    pack = _example_pack()
    plan = plan_arrival(pack=pack, person=VISITOR, arrived_at=dt("2023-03-10T15:00"))
    declare, choice, day1, day3 = plan.obligations
    assert declare.due_at == dt("2023-03-10T03:00")
    assert choice.kind == "any_of" and choice.due_at == dt("2023-03-11T15:00")
    assert choice.options[0][0].window_start == dt("2023-03-08T15:00")
    assert (day1.on_date, day3.on_date) == (d("2023-03-10"), d("2023-03-12"))
    (phase,) = plan.phases
    assert (phase.start_at, phase.end_at) == (dt("2023-03-10T15:00"), dt("2023-03-13T00:00"))
    assert plan.earliest_entry == dt("2023-03-13T00:00")

    records = Records(
        tests=(negative("2023-03-10T16:00"), negative("2023-03-12T09:00")),
        notices=(NoticeRecord(obligation=declare.key, at=dt("2023-03-10T01:00")),),
    )
    evening = evaluate_plan(plan=plan, records=records, at=dt("2023-03-12T20:00"))
    assert all(s.status == "done" for s in evening.items)
    assert not evening.entry.allowed
    assert evening.entry.reasons[0].text == "须待2023-03-13 00:00之后方可进入厂区"
    assert evaluate_plan(plan=plan, records=records, at=dt("2023-03-13T08:00")).entry.allowed

    missed = Records(tests=(negative("2023-03-10T16:00"),), notices=records.notices)
    later = evaluate_plan(plan=plan, records=missed, at=dt("2023-03-13T08:00"))
    assert not later.entry.allowed and later.entry.allowed_from is None

    april = plan_arrival(pack=pack, person=VISITOR, arrived_at=dt("2023-04-02T15:00"))
    assert april.obligations == () and april.phases == ()


def test_the_documented_alternative_within_24_hours() -> None:
    pack = _example_pack()
    plan = plan_arrival(pack=pack, person=VISITOR, arrived_at=dt("2023-03-10T15:00"))
    choice = plan.obligations[1]
    # No certificate; tested the next morning, within 24 h of arrival: the choice is done.
    records = Records(tests=(Sample(sampled_at=dt("2023-03-11T09:00")),))
    state = evaluate_plan(plan=plan, records=records, at=dt("2023-03-11T10:00"))
    assert next(s for s in state.items if s.obligation.key == choice.key).status == "done"


def test_the_documented_schedule_and_gate() -> None:
    pack = _example_pack()
    items = routine_schedule(pack=pack, start=d("2023-03-01"), end=d("2023-03-31"))
    assert [(i.on, i.share, i.cycle) for i in items] == [
        (d("2023-03-01"), 0.2, 0),
        (d("2023-03-15"), 0.2, 1),
        (d("2023-03-29"), 0.2, 2),
    ]
    staff = [f"E{i:02d}" for i in range(10)]
    cycles = [sample_members(member_ids=staff, share=0.2, cycle=c) for c in range(5)]
    assert all(len(c) == 2 for c in cycles)
    assert sorted(m for c in cycles for m in c) == staff  # everyone once in 5 cycles

    person = PersonFacts(kind="employee", certificates=(negative("2023-03-07T09:00"),))
    at = dt("2023-03-10T08:00")  # sample is 71 h old
    default = entry_checks(pack=pack, person=person, place="plant_gate", at=at)
    assert not default.refused
    strict = entry_checks(
        pack=pack, person=person, place="plant_gate", at=at, params={"gate_test_hours": 48}
    )
    assert strict.refused


def test_the_documented_explain_lines() -> None:
    lines = explain(_example_pack())
    assert any(
        line.startswith("[S-1] 省外来访人员（仅 2023-03-01 至 2023-03-31）") for line in lines
    )
    assert "    - 本人抵达前12小时向园区管委会申报" in lines
    assert any("每14天抽检20%的人员核酸检测" in line for line in lines)
