"""The demo's plans, drills, training and hotline (issue 16 §4, §7), and the oversight flows
"done when" asks for: a finding that runs from the visit to a closed item, an event approved
with its route and citation, and park B's return to work of February 2020 decided.

Written through the oversight services (so routes, citations, notices and audit follow), once,
with dates relative to the day the demo is loaded (offsets in county.yaml)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from parkguard.orgs.access import SYSTEM
from parkguard.orgs.models import Enterprise


def _texts(park: Any, kind: str, on: dt.date, text: str) -> dict[str, str]:
    from parkguard.oversight.selectors import plan_sections_for

    return {
        s.key: f"{s.title}：{s.hint}。{text}"
        for s in plan_sections_for(park=park, on=on, kind=kind)
    }


def demo_oversight_more(
    *, users: dict[str, User], enterprises: list[Enterprise], data: dict[str, Any]
) -> None:
    from parkguard.oversight import services
    from parkguard.oversight.models import Inspection, Plan
    from parkguard.oversight.photos import CheckedPhoto

    if Plan.objects.exists():
        return
    days = data["oversight_plans"]
    day, hour = dt.timedelta(days=1), dt.timedelta(hours=1)
    now = timezone.now()
    today = timezone.localdate(now)
    park_a_firms = [e for e in enterprises if e.jurisdiction_id == enterprises[0].jurisdiction_id]
    first, second = park_a_firms[0], park_a_firms[1]
    park = first.jurisdiction
    officer, admin, admin2 = users["officer"], users["park_admin"], users["park_admin2"]
    inspector, cadre = users["inspector"], users["cadre"]

    # Plans (Z-4.1): the first enterprise's v1 returned with comments, v2 approved.
    at = now - days["plan_days_ago"] * day
    v1 = services.plan_submit(
        scope=SYSTEM,
        park=park,
        enterprise=first,
        title=f"{first.name}疫情防控处置预案",
        texts=_texts(park, "enterprise", today, "责任到人，流程上墙。"),
        at=at,
        by=officer,
    )
    services.plan_decide(
        scope=SYSTEM,
        plan=v1,
        approve=False,
        note="“信息报告”未写明向园区领导小组报告的时限和联系人，请补充后重新提交。",
        at=at + days["returned_after_hours"] * hour,
        by=admin,
    )
    at = now - days["approved_days_ago"] * day
    v2 = services.plan_submit(
        scope=SYSTEM,
        park=park,
        enterprise=first,
        title=f"{first.name}疫情防控处置预案",
        texts=_texts(
            park, "enterprise", today, "发现异常第一时间报告园区领导小组（值班电话见附件）。"
        ),
        at=at - hour,
        by=officer,
    )
    services.plan_decide(scope=SYSTEM, plan=v2, approve=True, note="同意", at=at, by=admin)
    # The second enterprise's plan waits for the park; the park's own plan for the second admin.
    services.plan_submit(
        scope=SYSTEM,
        park=park,
        enterprise=second,
        title=f"{second.name}疫情防控处置预案",
        texts=_texts(park, "enterprise", today, "按企业实际细化。"),
        at=now - hour,
        by=None,
    )
    services.plan_submit(
        scope=SYSTEM,
        park=park,
        enterprise=None,
        title=f"{park.name}疫情防控处置预案（一园一策）",
        texts=_texts(park, "park", today, "会同区经信、卫健、街道和公安等部门落实。"),
        at=now - 2 * hour,
        by=admin,
    )
    assert admin2.pk != admin.pk  # the second admin approves the park's plan

    # A drill three weeks ago with two gaps: one fixed, one put on the ledger by the inspector.
    held = now - days["drill_days_ago"] * day
    drill = services.drill_schedule(
        scope=SYSTEM,
        park=park,
        enterprise=first,
        scenario="员工发热：三个“第一时间”与临时隔离区启用",
        planned_on=timezone.localdate(held),
        guided_by="红石社区",
        at=held - hour,
    )
    services.drill_record(
        scope=SYSTEM,
        drill=drill,
        held_on=timezone.localdate(held),
        participants=46,
        summary="从发现到转入临时隔离区用时 14 分钟；报告园区领导小组用时 8 分钟。",
        gaps=["临时隔离区缺少一次性防护服", "门岗未张贴报告电话"],
        at=held,
    )
    gaps = list(drill.gaps.order_by("pk"))
    services.drill_gap_fix(
        scope=SYSTEM, gap=gaps[1], note="已在各门岗张贴园区值班电话", at=held + day
    )
    services.drill_gap_to_ledger(
        scope=SYSTEM,
        gap=gaps[0],
        owner_name="后勤保障部 王经理",
        deadline=today + days["gap_deadline_days"] * day,
        at=now - hour,
        by=inspector,
    )
    services.drill_schedule(
        scope=SYSTEM,
        park=park,
        enterprise=second,
        scenario="外来人员核酸异常的处置演练",
        planned_on=today + days["planned_drill_days_ahead"] * day,
        guided_by="青龙村",
        at=now,
    )
    trained = now - days["training_days_ago"] * day
    services.training_record(
        scope=SYSTEM,
        park=park,
        enterprise=first,
        kind="training",
        topic="二十条优化措施与园区防控要求解读",
        held_on=timezone.localdate(trained),
        organiser="红石社区",
        audience="班组长、门岗、食堂人员",
        attendees=38,
        at=trained,
    )
    services.training_record(
        scope=SYSTEM,
        park=park,
        enterprise=None,
        kind="publicity",
        topic="园区企业防控要求宣传单发放",
        held_on=timezone.localdate(trained),
        organiser=park.name,
        audience="园区全部企业",
        attendees=None,
        at=trained,
    )

    # The hotline (B-3, L-3.1): an answered report, an overdue request, a fresh question.
    received = now - days["report_hours_ago"] * hour
    report = services.case_record(
        scope=SYSTEM,
        park=park,
        enterprise=None,
        about=second,
        kind="report",
        channel="phone",
        caller_name="",
        caller_phone="13983216540",
        subject="食堂未分餐、聚集用餐",
        text="反映该企业中午食堂未分时段用餐，人员聚集。",
        at=received,
        by=cadre,
    )
    services.case_assign(scope=SYSTEM, case=report, assignee=inspector, at=received + hour)
    services.case_answer(
        scope=SYSTEM,
        case=report,
        answer="经现场核实，已责令企业分时段错峰用餐并列入下次督查重点。",
        at=received + days["answered_after_hours"] * hour,
        by=inspector,
    )
    services.case_record(
        scope=SYSTEM,
        park=park,
        enterprise=first,
        about=None,
        kind="request",
        channel="enterprise",
        caller_name="林防疫",
        caller_phone="",
        subject="原料运输车辆通行证办理",
        text="封控期间原料车需每日进出两次，请协调办理通行证。",
        at=now - days["request_hours_ago"] * hour,
        by=officer,
    )
    services.case_record(
        scope=SYSTEM,
        park=park,
        enterprise=None,
        about=None,
        kind="policy",
        channel="phone",
        caller_name="李女士",
        caller_phone="13709871234",
        subject="省外返岗人员需要检测几次",
        text="员工从广州返回，问返岗前后需要做几次核酸。",
        at=now - days["question_hours_ago"] * hour,
        by=cadre,
    )
    services.cases_escalate_overdue(at=now)

    # An inspection item from the visit to closure (Z-6): found, answered with evidence, closed.
    visit = Inspection.objects.filter(enterprise=first).order_by("planned_on", "pk").first()
    if visit is not None:
        found = now - days["closed_found_days_ago"] * day
        photo = [CheckedPhoto(content=_png(), content_type="image/png")]
        item = services.finding_add(
            scope=SYSTEM,
            inspection=visit,
            item_key="",
            description="车间洗手点缺少免洗洗手液",
            owner_name="生产部 赵主任",
            deadline=timezone.localdate(found) + days["gap_deadline_days"] * day,
            photos=photo,
            at=found,
            by=inspector,
        )
        replied = now - days["closed_reply_hours_ago"] * hour
        services.rectification_reply(
            scope=SYSTEM,
            rectification=item,
            text="已在各车间洗手点补齐免洗洗手液，并纳入每日巡查",
            evidence=photo,
            at=replied,
            by=officer,
        )
        services.rectification_close(
            scope=SYSTEM,
            rectification=item,
            note="现场复核已整改",
            at=replied + days["closed_after_hours"] * hour,
            by=inspector,
        )

    # An event routed under notice J and approved with its citation (J-1.4).
    event = services.application_submit(
        scope=SYSTEM,
        enterprise=first,
        kind="business_event",
        title="供应商质量交流会",
        starts_at=now + days["event_approved_days_ahead"] * day,
        headcount=days["event_approved_headcount"],
        participants_origin="out_of_province",
        plan="参会人员行程核查与落地检测；分区就座、全程佩戴口罩；设临时隔离点并指定专人报告。",
        at=now - day,
        by=officer,
    )
    if event.status == "pending":
        services.application_decide(
            scope=SYSTEM,
            application=event,
            approve=True,
            note="同意，按方案落实并报市防控办备案",
            at=now - hour,
            by=admin,
        )

    # Park B's return to work of February 2020, before the set date: the command's approval.
    spec = data["resumption"]
    park_b_firms = [e for e in enterprises if e.jurisdiction_id != park.pk and not e.whitelisted]
    if park_b_firms:
        applied = services.application_submit(
            scope=SYSTEM,
            enterprise=park_b_firms[0],
            kind="resumption",
            title="一号产线提前复工",
            starts_at=spec["starts_at"],
            headcount=spec["headcount"],
            participants_origin="local",
            plan="复工时间：2月6日；复工范围：一号产线；返岗人员：本地员工80人；防疫制度和责任分工："
            "专班负责；风险评估：职工健康、环境卫生、制度落实均已核查；突发状况预案：设隔离观察点。",
            at=spec["applied_at"],
            by=None,
        )
        if applied.status == "pending":
            services.application_decide(
                scope=SYSTEM,
                application=applied,
                approve=True,
                note="经当地防控指挥部同意提前复工（承担应急物资生产任务）",
                at=spec["decided_at"],
                by=users["parkb_admin"],
            )


def _png() -> bytes:
    from parkguard.demo.builder import _demo_photo

    return _demo_photo(120)


def demo_assessment(*, park: Any, now: dt.datetime) -> None:
    """The cadre's annual assessment (Z-6) in park A: the readiness scores the nightly task
    would have kept on the first day of each month of this year so far, and today's, so the
    year's trend has points; the figures come from the visits, items, drills and hotline above."""
    from parkguard.oversight.models import ReadinessSnapshot
    from parkguard.oversight.services import readiness_snapshots_take

    if ReadinessSnapshot.objects.filter(jurisdiction=park).exists():
        return
    today = timezone.localdate(now)
    for month in range(1, today.month):
        readiness_snapshots_take(park=park, on=today.replace(month=month, day=1), at=now)
    readiness_snapshots_take(park=park, on=today, at=now)
