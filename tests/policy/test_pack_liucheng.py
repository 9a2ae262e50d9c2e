"""Notice L (柳城政办〔2022〕36号): one test per requirement ID, with exact times."""

from __future__ import annotations

from parkguard.policy import Registry, lockdown_deadlines, report_deadlines
from tests.policy.facts import L, d, dt


def test_it_sets_l_3_0_lockdown_deadlines(registry: Registry) -> None:
    """L-3.0: checkpoints staffed within 30 minutes; closure complete within 1 hour."""
    ordered = dt("2022-09-20T21:40")
    deadlines = lockdown_deadlines(pack=registry.get(L, 1), ordered_at=ordered)
    assert [(x.action, x.due_at) for x in deadlines] == [
        ("立即启动本方案，各相关部门进入紧急状态", dt("2022-09-20T21:40")),
        ("到达封控卡点开始封闭管控", dt("2022-09-20T22:10")),
        ("完成封闭工作", dt("2022-09-20T22:40")),
    ]
    assert all(x.citation.requirement == "L-3.0" for x in deadlines)
    assert all(x.citation.document_number == "柳城政办〔2022〕36号" for x in deadlines)


def test_it_sets_l_4_3_daily_afternoon_reports(registry: Registry) -> None:
    """L-4.3: every afternoon each township reports; "afternoon" is a park parameter."""
    pack = registry.get(L, 1)
    reports = report_deadlines(pack=pack, start=d("2022-09-20"), end=d("2022-09-22"))
    assert [(r.window_start, r.due_at) for r in reports] == [
        (dt("2022-09-20T12:00"), dt("2022-09-20T18:00")),
        (dt("2022-09-21T12:00"), dt("2022-09-21T18:00")),
        (dt("2022-09-22T12:00"), dt("2022-09-22T18:00")),
    ]
    park = report_deadlines(
        pack=pack,
        start=d("2022-09-20"),
        end=d("2022-09-20"),
        params={"afternoon_report_by": "17:00"},
    )
    assert park[0].due_at == dt("2022-09-20T17:00")
    assert reports[0].citation.requirement == "L-4.3"
