"""The example pack in the 封控区/管控区/防范区 style (codes X-…, invented; issue 10 §1).

Each construct of the second edition of the language, with exact dates.
"""

from __future__ import annotations

import pytest

from parkguard.policy import (
    EnterpriseFacts,
    PersonFacts,
    PolicyInputError,
    Records,
    Registry,
    Sample,
    Stay,
    evaluate_plan,
    plan_arrival,
    routine_schedule,
)
from parkguard.policy import errors as E
from parkguard.policy.facts import CaseChoice, DocumentRecord
from parkguard.policy.schedules import Member, cycles_to_cover, sample_stratified
from tests.policy.facts import d, dt

X = "example-quyu-2022-1"


@pytest.fixture(scope="module")
def pack(registry: Registry):
    return registry.get(X, 1)


def stay(risk: str | None, *, city: str | None = None, last: str = "2022-12-08") -> Stay:
    return Stay(
        region="某地", risk=risk, city_risk=city, first_day=d("2022-12-05"), last_day=d(last)
    )


def employee(*stays: Stay, **extra) -> PersonFacts:
    return PersonFacts(
        kind="employee", returnee=True, origin="out_of_province", stays=stays, **extra
    )


ARRIVED = dt("2022-12-10T15:00")


# --- risk words and levels ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("stays", "rule"),
    [
        ((stay("封控区"),), "x-1.1-sealed-area"),
        ((stay("管控区"),), "x-1.2-controlled-area"),
        ((stay("防范区", city="封控区"),), "x-1.3-city-with-sealed-area"),  # city level
        ((stay("防范区"),), None),
        ((stay("封控区", last="2022-12-02"),), "x-1.3-city-with-sealed-area"),  # >7 days: no
    ],
    ids=["sealed place", "controlled place", "city has a sealed area", "precaution", "old stay"],
)
def test_x_1_risk_words_at_place_and_city_level(pack, stays, rule) -> None:
    """X-1.1 / X-1.2 / X-1.3: the pack's own risk words, judged at place or city level."""
    plan = plan_arrival(pack=pack, person=employee(*stays), arrived_at=ARRIVED)
    area_rules = [c.rule_id for c in plan.rules if c.rule_id.startswith("x-1.")]
    if rule == "x-1.3-city-with-sealed-area" and stays[0].last_day == d("2022-12-02"):
        assert area_rules == []  # the stay ended 8 days before arrival
    else:
        assert area_rules == ([rule] if rule else [])


def test_x_1_a_risk_word_the_pack_does_not_use_is_refused(pack) -> None:
    with pytest.raises(PolicyInputError) as exc:
        plan_arrival(pack=pack, person=employee(stay("high")), arrived_at=ARRIVED)
    assert exc.value.message == E.ERR_RISK_UNKNOWN
    assert exc.value.path == "person.stays[0].risk"


# --- documents, alternatives with phases, per-case choices ---------------------------------
def test_x_1_1_sealed_area_default_option_is_centralised_isolation(pack) -> None:
    """X-1.1: documents block entry; the default option (集中隔离) is cited as not chosen."""
    plan = plan_arrival(pack=pack, person=employee(stay("封控区")), arrived_at=ARRIVED)
    (phase,) = plan.phases
    assert (phase.label, phase.start_at, phase.end_at) == (
        "集中隔离",
        ARRIVED,
        dt("2022-12-17T00:00"),
    )
    assert phase.test_dates == (d("2022-12-10"), d("2022-12-13"), d("2022-12-16"))
    docs = [o for o in plan.obligations if o.kind == "document"]
    assert [(o.title, o.blocks_entry) for o in docs] == [
        ("向企业提交返回时间证明", "submitted"),
        ("向企业提交健康承诺书并经审核通过", "approved"),
    ]
    (choice,) = plan.choices
    assert (choice.name, choice.value, choice.chosen) == ("sealed_area_option", "集中隔离", False)


def test_x_1_1_an_officer_chooses_home_isolation_shortened_to_5_days(pack) -> None:
    """X-1.1: 居家隔离, 缩短至5天, chosen by an officer with a reason: recorded and cited."""
    choices = {
        "sealed_area_option": CaseChoice(value="居家隔离", by="王科长", reason="具备单独居住条件"),
        "home_isolation_days": CaseChoice(value=5, by="王科长", reason="属地评估同意缩短"),
    }
    plan = plan_arrival(
        pack=pack, person=employee(stay("封控区")), arrived_at=ARRIVED, choices=choices
    )
    (phase,) = plan.phases
    assert (phase.label, phase.days, phase.end_at) == ("居家隔离", 5, dt("2022-12-15T00:00"))
    assert phase.test_dates == (d("2022-12-10"), d("2022-12-14"))
    assert plan.earliest_entry == dt("2022-12-15T00:00")
    used = {c.name: c for c in plan.choices}
    assert used["home_isolation_days"].by == "王科长"
    assert used["home_isolation_days"].reason == "属地评估同意缩短"
    assert used["home_isolation_days"].clause.startswith("一、（一）")
    assert used["home_isolation_days"].pack_id == X


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ({"home_isolation_days": CaseChoice(value=4, by="王", reason="太长")}, E.ERR_CHOICE_RANGE),
        ({"home_isolation_days": CaseChoice(value=5, by="王", reason="  ")}, E.ERR_CHOICE_REASON),
        (
            {"sealed_area_option": CaseChoice(value="在家", by="王", reason="r")},
            E.ERR_CHOICE_OPTION,
        ),
        ({"shorter": CaseChoice(value=1, by="王", reason="r")}, E.ERR_CHOICE_UNKNOWN),
    ],
    ids=["below the pack's minimum", "no reason", "not an option", "undeclared"],
)
def test_x_1_1_choices_outside_the_packs_bounds_are_refused(pack, choices, message) -> None:
    with pytest.raises(PolicyInputError) as exc:
        plan_arrival(
            pack=pack, person=employee(stay("封控区")), arrived_at=ARRIVED, choices=choices
        )
    assert exc.value.message == message


def test_x_1_1_entry_waits_for_the_approval_of_the_commitment_letter(pack) -> None:
    plan = plan_arrival(pack=pack, person=employee(stay("封控区")), arrived_at=ARRIVED)
    proof, letter = (o for o in plan.obligations if o.kind == "document")
    tests = tuple(
        Sample(sampled_at=o.window_start, result="negative")
        for o in plan.obligations
        if o.kind == "test"
    )
    submitted = Records(
        tests=tests,
        documents=(
            DocumentRecord(obligation=proof.key, submitted_at=dt("2022-12-10T14:00")),
            DocumentRecord(obligation=letter.key, submitted_at=dt("2022-12-10T14:00")),
        ),
    )
    after = dt("2022-12-17T08:00")
    status = evaluate_plan(plan=plan, records=submitted, at=after)
    assert not status.entry.allowed
    assert [r.text for r in status.entry.reasons] == [
        "向企业提交健康承诺书并经审核通过：已提交，待审核通过"
    ]
    approved = submitted.model_copy(
        update={
            "documents": (
                submitted.documents[0],
                submitted.documents[1].model_copy(update={"approved_at": dt("2022-12-11T09:00")}),
            )
        }
    )
    assert evaluate_plan(plan=plan, records=approved, at=after).entry.allowed


# --- test window and early end -------------------------------------------------------------
def test_x_1_2_one_test_any_day_between_day_1_and_day_3(pack) -> None:
    plan = plan_arrival(pack=pack, person=employee(stay("管控区")), arrived_at=ARRIVED)
    (window,) = [o for o in plan.obligations if o.kind == "test"]
    assert window.title == "抵达后第1至3天内任一天核酸检测一次"
    assert (window.window_start, window.due_at) == (ARRIVED, dt("2022-12-13T00:00"))
    on_day_3 = Records(tests=(Sample(sampled_at=dt("2022-12-12T23:00")),))
    assert (
        evaluate_plan(plan=plan, records=on_day_3, at=dt("2022-12-13T01:00")).items[1].status
        == "done"
    )
    too_late = Records(tests=(Sample(sampled_at=dt("2022-12-13T00:00")),))
    assert (
        evaluate_plan(plan=plan, records=too_late, at=dt("2022-12-13T01:00")).items[1].status
        == "overdue"
    )


@pytest.mark.parametrize(
    ("sampled", "end"),
    [
        ("2022-12-11T09:00", "2022-12-11T09:00"),  # day 2: ends early at the negative sample
        ("2022-12-10T18:00", "2022-12-13T00:00"),  # day 1: too early to count
        (None, "2022-12-13T00:00"),  # no test: the full 3 days
    ],
)
def test_x_1_2_home_monitoring_ends_early_on_a_negative_test_from_day_2(pack, sampled, end) -> None:
    plan = plan_arrival(pack=pack, person=employee(stay("管控区")), arrived_at=ARRIVED)
    assert plan.phases[0].end_at == dt("2022-12-13T00:00")
    assert plan.phases[0].end_condition == "第2天起核酸检测阴性"
    tests = (Sample(sampled_at=dt(sampled)),) if sampled else ()
    status = evaluate_plan(plan=plan, records=Records(tests=tests), at=dt("2022-12-14T00:00"))
    assert status.phases[0].end_at == dt(end)
    assert status.phases[0].ended_early == (end != "2022-12-13T00:00")


def test_x_1_3_a_title_names_each_test_day(pack) -> None:
    """Fix (issue 10): a pack's title on arrival tests names each test day."""
    plan = plan_arrival(
        pack=pack, person=employee(stay("防范区", city="封控区")), arrived_at=ARRIVED
    )
    tests = [o for o in plan.obligations if o.kind == "test"]
    assert [(o.title, o.on_date) for o in tests] == [
        ("落地检核酸检测（第1天）", d("2022-12-10")),
        ("落地检核酸检测（第3天）", d("2022-12-12")),
    ]


# --- "promptly", anchors --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "due"),
    [({}, "2022-12-11T03:00"), ({"promptly_report_hours": 2}, "2022-12-10T17:00")],
)
def test_x_2_1_promptly_has_the_deadline_the_pack_or_park_sets(pack, params, due) -> None:
    plan = plan_arrival(pack=pack, person=employee(), arrived_at=ARRIVED, params=params)
    (report,) = [o for o in plan.obligations if o.kind == "notify"]
    assert report.due_at == dt(due)
    assert report.due_at != ARRIVED  # never "at the instant of arrival"
    assert report.title.startswith("及时（抵达后")


def test_x_2_2_new_hire_certificate_within_48_hours_before_starting_work(pack) -> None:
    person = PersonFacts(
        kind="employee", facts={"new_hire": True}, work_start_at=dt("2022-12-12T08:00")
    )
    plan = plan_arrival(pack=pack, person=person, arrived_at=ARRIVED)
    cert, letter = plan.obligations
    assert (cert.anchor, cert.window_start, cert.due_at) == (
        "work_start",
        dt("2022-12-10T08:00"),
        dt("2022-12-12T08:00"),
    )
    assert cert.title == "持上岗前48小时内核酸检测阴性证明"
    assert (letter.kind, letter.due_at) == ("document", dt("2022-12-12T08:00"))
    ok = Records(
        tests=(Sample(sampled_at=dt("2022-12-10T09:00")),),
        documents=(DocumentRecord(obligation=letter.key, submitted_at=dt("2022-12-11T10:00")),),
    )
    assert evaluate_plan(plan=plan, records=ok, at=dt("2022-12-12T07:00")).entry.allowed
    stale = ok.model_copy(update={"tests": (Sample(sampled_at=dt("2022-12-10T07:59")),)})
    assert not evaluate_plan(plan=plan, records=stale, at=dt("2022-12-12T07:00")).entry.allowed


def test_x_2_2_without_a_work_start_the_plan_says_what_is_missing(pack) -> None:
    plan = plan_arrival(
        pack=pack, person=PersonFacts(kind="employee", facts={"new_hire": True}), arrived_at=ARRIVED
    )
    assert plan.obligations == ()
    assert [n.text for n in plan.notes] == [
        "未提供开工（上岗）时间，无法计算：持上岗前48小时内核酸检测阴性证明",
        "未提供开工（上岗）时间，无法计算：向企业提交健康承诺书",
    ]


def test_x_2_3_order_anchor_and_a_declared_fact(pack) -> None:
    person = PersonFacts(
        kind="employee", facts={"health_code": "yellow"}, ordered_at=dt("2022-12-09T20:00")
    )
    plan = plan_arrival(pack=pack, person=person, arrived_at=ARRIVED)
    (report,) = plan.obligations
    assert report.due_at == dt("2022-12-10T20:00")
    assert plan.earliest_entry is None and plan.prohibitions[0].text == "黄码、红码人员不得进厂"


@pytest.mark.parametrize(
    ("facts", "path"),
    [
        ({"health_code": "blue"}, "person.facts.health_code"),
        ({"shoe_size": 42}, "person.facts.shoe_size"),
    ],
)
def test_x_2_3_facts_outside_the_declaration_are_refused(pack, facts, path) -> None:
    with pytest.raises(PolicyInputError) as exc:
        plan_arrival(
            pack=pack, person=PersonFacts(kind="employee", facts=facts), arrived_at=ARRIVED
        )
    assert exc.value.path == path


@pytest.mark.parametrize(
    ("gone", "antigen", "end"),
    [
        ("2022-12-12T10:00", "2022-12-15T11:00", "2022-12-15T11:00"),  # antigen after 3 days
        ("2022-12-12T10:00", "2022-12-14T09:00", "2022-12-15T10:00"),  # 3 symptom-free days last
        (None, "2022-12-14T09:00", None),  # symptoms not gone: not ended
    ],
)
def test_x_2_4_a_phase_whose_end_is_a_condition(pack, gone, antigen, end) -> None:
    person = PersonFacts(
        kind="employee", symptoms=("发热",), symptom_onset_at=dt("2022-12-11T07:00")
    )
    plan = plan_arrival(pack=pack, person=person, arrived_at=ARRIVED)
    (phase,) = plan.phases
    assert (phase.start_at, phase.end_at, phase.last_day) == (dt("2022-12-11T07:00"), None, None)
    assert phase.end_condition == "症状消失满3天且第1天起抗原检测阴性"
    assert plan.earliest_entry is None
    records = Records(
        tests=(Sample(sampled_at=dt(antigen), kind="antigen"),),
        symptoms_gone_at=dt(gone) if gone else None,
    )
    at = dt("2022-12-16T08:00")
    status = evaluate_plan(plan=plan, records=records, at=at)
    assert status.phases[0].end_at == (dt(end) if end else None)
    assert status.entry.allowed == (end is not None)
    if end is None:
        assert (
            status.entry.reasons[0].text == "居家休息尚未结束：须症状消失满3天且第1天起抗原检测阴性"
        )


def test_x_2_4_a_nat_test_does_not_count_for_an_antigen_condition(pack) -> None:
    person = PersonFacts(
        kind="employee", symptoms=("咳嗽",), symptom_onset_at=dt("2022-12-11T07:00")
    )
    plan = plan_arrival(pack=pack, person=person, arrived_at=ARRIVED)
    records = Records(
        tests=(Sample(sampled_at=dt("2022-12-15T11:00")),), symptoms_gone_at=dt("2022-12-12T10:00")
    )
    assert not evaluate_plan(plan=plan, records=records, at=dt("2022-12-16T08:00")).entry.allowed


# --- schedules: key posts, stratified sampling, enterprise conditions -----------------------
def _groups(pack, **kw) -> list[str]:
    items = routine_schedule(
        pack=pack, start=d("2022-12-12"), end=d("2022-12-18"), activities=("test",), **kw
    )
    return sorted({i.group or "" for i in items})


@pytest.mark.parametrize(
    ("enterprise", "groups"),
    [
        (EnterpriseFacts(headcount=300), ["一般员工", "重点岗位人员"]),
        (EnterpriseFacts(headcount=500), ["一般员工", "全体员工（500人以上企业）", "重点岗位人员"]),
        (
            EnterpriseFacts(headcount=300, area_risk="管控区"),
            ["一般员工", "全体员工（企业所在区域受管控）", "重点岗位人员"],
        ),
        (
            EnterpriseFacts(headcount=300, area_risk="防范区", facts={"industry": "food"}),
            ["一般员工", "全体员工（食品、物流企业）", "重点岗位人员"],
        ),
        (
            EnterpriseFacts(headcount=300, area_risk="防范区", facts={"industry": "other"}),
            ["一般员工", "重点岗位人员"],
        ),
    ],
    ids=[
        "300 staff",
        "500 staff",
        "in a controlled area",
        "food firm in precaution area",
        "other firm",
    ],
)
def test_x_3_enterprise_schedules_respect_the_rules_conditions(pack, enterprise, groups) -> None:
    """X-3.3 / X-3.4: without a person, a 500+ rule still skips a 300-person enterprise."""
    assert _groups(pack, enterprise=enterprise) == groups


def test_x_3_1_key_posts_by_a_declared_fact(pack) -> None:
    cook = PersonFacts(kind="employee", facts={"post_group": "canteen"})
    clerk = PersonFacts(kind="employee", facts={"post_group": "general"})
    assert _groups(pack, person=cook) == ["重点岗位人员"]
    assert _groups(pack, person=clerk) == ["一般员工"]


def test_x_3_2_stratified_sampling_reaches_everyone_within_8_days(pack) -> None:
    items = routine_schedule(
        pack=pack,
        start=d("2022-12-12"),
        end=d("2022-12-19"),
        activities=("test",),
        anchor=d("2022-12-12"),
        person=PersonFacts(kind="employee"),
    )
    assert [(i.on, i.share, i.cycle) for i in items] == [
        (d("2022-12-12"), 0.25, 0),
        (d("2022-12-14"), 0.25, 1),
        (d("2022-12-16"), 0.25, 2),
        (d("2022-12-18"), 0.25, 3),
    ]
    assert (items[0].stratify_by, items[0].full_coverage_days) == (("org_unit", "post"), 8)
    members = [Member(f"p{i}", org_unit=f"u{i % 3}", post=f"post{i % 2}") for i in range(23)]
    first = sample_stratified(members=members, share=0.25, cycle=0, by=("org_unit", "post"))
    strata = {(m.org_unit, m.post) for m in members if m.id in first}
    assert len(strata) == 6  # every stratum is sampled in every cycle
    assert (
        cycles_to_cover(members=members, share=0.25, by=("org_unit", "post")) <= 4
    )  # 4 × 2 = 8 days


def test_x_3_2_an_unreachable_coverage_from_a_park_value_is_refused(registry) -> None:
    from parkguard.policy import load_pack_text

    text = registry.get(X, 1).meta.file and (
        __import__("pathlib").Path(__file__).parents[2]
        / "parkguard/policy/packs/example-quyu-2022-1.v1.yaml"
    ).read_text(encoding="utf-8")
    text = (
        text.replace("id: example-quyu-2022-1", "id: example-quyu-param")
        .replace("        sample_share: 0.25\n", "        sample_share: {param: share}\n")
        .replace(
            "parameters:\n",
            "parameters:\n  share: {type: number, default: 0.25, description: 比例, clause: 三}\n",
            1,
        )
    )
    param_pack = load_pack_text(text)
    with pytest.raises(PolicyInputError) as exc:
        routine_schedule(
            pack=param_pack,
            start=d("2022-12-12"),
            end=d("2022-12-12"),
            params={"share": 0.2},
            person=PersonFacts(kind="employee"),
        )
    assert exc.value.message == E.ERR_COVERAGE_UNREACHABLE


def test_x_notices_are_cited(pack) -> None:
    plan = plan_arrival(pack=pack, person=employee(stay("管控区")), arrived_at=ARRIVED)
    assert {c.document_number for c in plan.rules} == {"示例防控指〔2022〕1号（虚构示例）"}
    assert all(o.citation.requirement.startswith("X-") for o in plan.obligations)
