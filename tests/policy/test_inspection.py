"""The inspection checklist and the report threshold a pack declares (Z-6, J-2.4, J-2.5)."""

from __future__ import annotations

import datetime as dt

import pytest

from parkguard.policy import PolicyInputError, Registry
from parkguard.policy.inspection import inspection_checklist, readiness_criteria, report_threshold
from tests.policy.facts import J


def test_it_cites_every_checklist_item_of_notice_j_v2(registry: Registry) -> None:
    """J-2.5: the task force's spot-check kinds, each with its clause and requirement."""
    items = inspection_checklist(pack=registry.get(J, 2))
    kinds = {i.kind for i in items}
    assert {"外出差旅", "返岗人员", "市外来访人员", "商务活动", "出入管理", "关键岗位"} <= kinds
    for item in items:
        assert item.key.startswith(f"{J}:")
        assert item.citation.document_number == "晋政西〔2022〕81号"
        assert item.citation.version == 2 and item.citation.clause


def test_it_has_no_checklist_before_v2(registry: Registry) -> None:
    assert inspection_checklist(pack=registry.get(J, 1)) == ()
    assert report_threshold(pack=registry.get(J, 1)) is None


@pytest.mark.parametrize(
    ("params", "refusals"),
    [({}, 2), ({"refusals_before_report": 3}, 3), ({"refusals_before_report": 1}, 1)],
)
def test_it_reads_the_refusals_before_a_report_upward(
    registry: Registry, params: dict[str, object], refusals: int
) -> None:
    """J-2.4 "经多次督促": the park's value, else the pack's default of 2."""
    threshold = report_threshold(pack=registry.get(J, 2), params=params)  # type: ignore[arg-type]
    assert threshold is not None and threshold.refusals == refusals
    assert threshold.citation.requirement == "J-2.4"
    assert threshold.citation.clause.startswith("二、（四）")


def test_it_refuses_a_refusal_count_below_one(registry: Registry) -> None:
    with pytest.raises(PolicyInputError):
        report_threshold(pack=registry.get(J, 2), params={"refusals_before_report": 0})


def test_v2_follows_v1_the_next_day(registry: Registry) -> None:
    assert registry.in_force(J, dt.date(2022, 11, 11)).version == 1
    assert registry.in_force(J, dt.date(2022, 11, 12)).version == 2


def test_it_declares_cited_criteria_in_notice_j_v2(registry: Registry) -> None:
    criteria = readiness_criteria(pack=registry.get(J, 2))
    assert {c.evidence for c in criteria} >= {"task_team", "officer", "no_overdue_rectification"}
    assert all(c.citation.clause and c.citation.requirement for c in criteria)
