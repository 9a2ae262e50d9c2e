"""Each kind of mistake in the second-edition constructs is refused with its own Chinese
message, naming the file, the line and the path inside it (issue 10 §1, §4)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from parkguard.policy import errors as E
from parkguard.policy import load_registry
from tests.policy.test_pack_loading import BASE, _issues, _m, _write

R1 = "rules.1.measures.0"
FACTS = {
    "post_group": {
        "type": "choice",
        "label": "岗位类别",
        "values": {"canteen": "食堂", "general": "一般岗位"},
    },
    "industry": {
        "subject": "enterprise",
        "type": "choice",
        "label": "行业",
        "values": {"food": "食品"},
    },
    "headcount_band": {"type": "integer", "label": "人数档"},
}
CHOICES: dict[str, dict[str, Any]] = {
    "days": {
        "type": "integer",
        "default": 7,
        "minimum": 5,
        "maximum": 7,
        "description": "隔离天数",
        "clause": "可缩短至5天",
    },
    "option": {"type": "option", "default": "集中", "description": "隔离方式", "clause": "第一条"},
}


def _all(*steps: Callable[[dict], None]) -> Callable[[dict], None]:
    def mutate(data: dict) -> None:
        for step in steps:
            step(data)

    return mutate


def _when(cond: dict) -> Callable[[dict], None]:
    return _m("rules.1.when", cond)


CASES: list[tuple[str, Callable[[dict], None], str, str]] = [
    (
        "risk word not in the pack's risk_levels",
        _all(
            _m("risk_levels", ["防范区", "管控区", "封控区"]),
            _when({"stayed": {"risk_in": ["high"]}}),
        ),
        E.ERR_RISK_UNDECLARED,
        "rules[1].when.stayed.risk_in",
    ),
    (
        "enterprise area risk not declared",
        _when({"enterprise": {"area_risk_at_least": "红区"}}),
        E.ERR_RISK_UNDECLARED,
        "rules[1].when.enterprise.area_risk_at_least",
    ),
    (
        "stay with both risk_in and risk_at_least",
        _when({"stayed": {"risk_in": ["high"], "risk_at_least": "medium"}}),
        E.ERR_RISK_TEST_EXACTLY_ONE,
        "rules[1].when.stayed",
    ),
    (
        "unknown risk level scope",
        _when({"stayed": {"risk_in": ["high"], "level": "street"}}),
        E.ERR_BAD_CHOICE,
        "rules[1].when.stayed.level",
    ),
    (
        "undeclared fact",
        _when({"person_facts": {"post_group": "canteen"}}),
        E.ERR_FACT_UNDECLARED,
        "rules[1].when.person_facts.post_group",
    ),
    (
        "fact value not declared",
        _all(_m("facts", FACTS), _when({"person_facts": {"post_group": ["canteen", "cook"]}})),
        E.ERR_FACT_VALUE_UNDECLARED,
        "rules[1].when.person_facts.post_group.in",
    ),
    (
        "enterprise fact used as a person fact",
        _all(_m("facts", FACTS), _when({"person_facts": {"industry": "food"}})),
        E.ERR_FACT_SUBJECT,
        "rules[1].when.person_facts.industry",
    ),
    (
        "range test on a choice fact",
        _all(_m("facts", FACTS), _when({"person_facts": {"post_group": {"at_least": 3}}})),
        E.ERR_FACT_TEST_TYPE,
        "rules[1].when.person_facts.post_group",
    ),
    (
        "fact test with two tests",
        _all(
            _m("facts", FACTS),
            _when({"person_facts": {"headcount_band": {"at_least": 1, "present": True}}}),
        ),
        E.ERR_FACT_TEST_EXACTLY_ONE,
        "rules[1].when.person_facts.headcount_band",
    ),
    (
        "choice fact without values",
        _m("facts", {"post_group": {"type": "choice", "label": "岗位"}}),
        E.ERR_FACT_VALUES_MISSING,
        "facts.post_group",
    ),
    (
        "values on a boolean fact",
        _m("facts", {"new_hire": {"type": "boolean", "label": "新员工", "values": {"y": "是"}}}),
        E.ERR_FACT_VALUES_UNEXPECTED,
        "facts.new_hire",
    ),
    (
        "test window ends before it starts",
        _m(R1, {"type": "test_window", "from_day": 3, "to_day": 1}),
        E.ERR_WINDOW_ORDER,
        "rules[1].measures[0]",
    ),
    (
        "phase without days or until",
        _m(R1, {"type": "phases", "phases": [{"kind": "home_isolation"}]}),
        E.ERR_PHASE_NEEDS_END,
        "rules[1].measures[0].phases[0]",
    ),
    (
        "phase with days and until",
        _m(
            R1,
            {
                "type": "phases",
                "phases": [
                    {"kind": "home_isolation", "days": 3, "until": {"symptom_free_days": 3}}
                ],
            },
        ),
        E.ERR_PHASE_DAYS_AND_UNTIL,
        "rules[1].measures[0].phases[0]",
    ),
    (
        "empty evidence",
        _m(
            R1,
            {"type": "phases", "phases": [{"kind": "home_isolation", "days": 3, "end_early": {}}]},
        ),
        E.ERR_EVIDENCE_EMPTY,
        "rules[1].measures[0].phases[0].end_early",
    ),
    (
        "a conditional phase that is not the last",
        _m(
            R1,
            {
                "type": "phases",
                "phases": [
                    {"kind": "home_isolation", "until": {"symptom_free_days": 3}},
                    {"kind": "home_health_monitoring", "days": 3},
                ],
            },
        ),
        E.ERR_CONDITIONAL_PHASE_NOT_LAST,
        "rules[1].measures[0].phases",
    ),
    (
        "choice not declared",
        _m(
            R1,
            {"type": "phases", "phases": [{"kind": "home_isolation", "days": {"choice": "days"}}]},
        ),
        E.ERR_CHOICE_UNDECLARED,
        "rules[1].measures[0].phases[0].days.choice",
    ),
    (
        "option choice used as a number",
        _all(
            _m("choices", CHOICES),
            _m(
                R1,
                {
                    "type": "phases",
                    "phases": [{"kind": "home_isolation", "days": {"choice": "option"}}],
                },
            ),
        ),
        E.ERR_CHOICE_TYPE,
        "rules[1].measures[0].phases[0].days.choice",
    ),
    (
        "choice default outside its bounds",
        _m("choices", {"days": {**CHOICES["days"], "default": 9}}),
        E.ERR_CHOICE_DEFAULT_RANGE,
        "choices.days",
    ),
    (
        "choice where only a park parameter may go",
        _m(f"{R1}.sample_share", {"choice": "days"}),
        E.ERR_CHOICE_NOT_HERE,
        "rules[1].measures[0].sample_share",
    ),
    (
        "any_of with phases but no choice",
        _m(
            R1,
            {
                "type": "any_of",
                "options": [
                    {
                        "label": "集中",
                        "measures": [
                            {
                                "type": "phases",
                                "phases": [{"kind": "centralised_isolation", "days": 7}],
                            }
                        ],
                    },
                    {
                        "label": "居家",
                        "measures": [
                            {"type": "phases", "phases": [{"kind": "home_isolation", "days": 7}]}
                        ],
                    },
                ],
            },
        ),
        E.ERR_ANY_OF_PHASES_NEED_CHOICE,
        "rules[1].measures[0]",
    ),
    (
        "option choice default is not an option",
        _all(
            _m("choices", {"option": {**CHOICES["option"], "default": "宾馆"}}),
            _m(
                R1,
                {
                    "type": "any_of",
                    "choice": "option",
                    "options": [
                        {
                            "label": "集中",
                            "measures": [{"type": "certificate", "within_hours": 48}],
                        },
                        {
                            "label": "居家",
                            "measures": [{"type": "certificate", "within_hours": 24}],
                        },
                    ],
                },
            ),
        ),
        E.ERR_CHOICE_OPTION_DEFAULT,
        "rules[1].measures[0].choice",
    ),
    (
        "promptly without promptly_hours",
        _m(R1, {"type": "notify", "action": "报告", "timing": "after_arrival", "promptly": True}),
        E.ERR_PROMPTLY_UNDEFINED,
        "rules[1].measures[0].promptly",
    ),
    (
        "promptly together with hours",
        _all(
            _m("promptly_hours", 12),
            _m(
                R1,
                {
                    "type": "notify",
                    "action": "报告",
                    "timing": "after_arrival",
                    "promptly": True,
                    "hours": 2,
                },
            ),
        ),
        E.ERR_PROMPTLY_WITH_HOURS,
        "rules[1].measures[0].hours",
    ),
    (
        "full coverage not reachable",
        _m(f"{R1}.full_coverage_days", 28),  # every 14 days × ⌈1/0.2⌉ = 70 days
        E.ERR_COVERAGE_UNREACHABLE,
        "rules[1].measures[0].full_coverage_days",
    ),
    (
        "unknown anchor",
        _m(R1, {"type": "arrival_tests", "days": [1], "anchor": "birthday"}),
        E.ERR_BAD_CHOICE,
        "rules[1].measures[0].anchor",
    ),
    (
        "document that needs an unknown state",
        _m(R1, {"type": "document", "name": "承诺书", "needs": "signed"}),
        E.ERR_BAD_CHOICE,
        "rules[1].measures[0].needs",
    ),
]


@pytest.mark.parametrize(("name", "mutate", "message", "path"), CASES, ids=[c[0] for c in CASES])
def test_a_bad_second_edition_construct_is_refused(tmp_path, name, mutate, message, path) -> None:
    data: dict[str, Any] = copy.deepcopy(BASE)
    mutate(data)
    _write(tmp_path, "example.v1.yaml", data)
    issues = _issues(tmp_path)
    assert [(i.message, i.path) for i in issues] == [(message, path)], name
    assert issues[0].file == "example.v1.yaml"
    assert issues[0].line is not None


def test_every_new_load_time_message_has_its_bad_pack() -> None:
    new = {
        E.ERR_RISK_TEST_EXACTLY_ONE,
        E.ERR_FACT_TEST_EXACTLY_ONE,
        E.ERR_EVIDENCE_EMPTY,
        E.ERR_PHASE_NEEDS_END,
        E.ERR_PHASE_DAYS_AND_UNTIL,
        E.ERR_CONDITIONAL_PHASE_NOT_LAST,
        E.ERR_WINDOW_ORDER,
        E.ERR_FACT_VALUES_MISSING,
        E.ERR_FACT_VALUES_UNEXPECTED,
        E.ERR_CHOICE_DEFAULT_RANGE,
        E.ERR_CHOICE_NOT_HERE,
        E.ERR_RISK_UNDECLARED,
        E.ERR_FACT_UNDECLARED,
        E.ERR_FACT_SUBJECT,
        E.ERR_FACT_VALUE_UNDECLARED,
        E.ERR_FACT_TEST_TYPE,
        E.ERR_CHOICE_UNDECLARED,
        E.ERR_CHOICE_TYPE,
        E.ERR_CHOICE_OPTION_DEFAULT,
        E.ERR_ANY_OF_PHASES_NEED_CHOICE,
        E.ERR_PROMPTLY_UNDEFINED,
        E.ERR_PROMPTLY_WITH_HOURS,
        E.ERR_COVERAGE_UNREACHABLE,
    }
    assert new <= {c[2] for c in CASES}


def test_the_good_constructs_load(tmp_path) -> None:
    data: dict[str, Any] = copy.deepcopy(BASE)
    _all(
        _m("risk_levels", ["防范区", "管控区", "封控区"]),
        _m("facts", FACTS),
        _m("choices", CHOICES),
        _m("promptly_hours", {"param": "monitoring_days"}),
        _when(
            {
                "stayed": {"risk_at_least": "管控区", "level": "province"},
                "person_facts": {"post_group": "canteen"},
            }
        ),
    )(data)
    _write(tmp_path, "example.v1.yaml", data)
    assert load_registry(tmp_path).get("example-notice", 1).spec.risk_levels == (
        "防范区",
        "管控区",
        "封控区",
    )
