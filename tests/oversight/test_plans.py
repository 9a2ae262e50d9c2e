"""Plans (Z-4.1): the park's plan (一园一策) and each enterprise's (一企一策), with the sections
the pack names, versioned, submitted and approved or returned by the park; drills with the
gaps they find (fixed, or put on the rectification ledger) and training records (J-2.2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from parkguard.audit.models import AuditEvent
from parkguard.notify.choices import Kind
from parkguard.notify.models import Message
from parkguard.orgs.access import scope_for_user
from parkguard.orgs.choices import Role
from parkguard.orgs.models import Membership
from parkguard.oversight import selectors, services
from parkguard.oversight.choices import DrillStatus, PlanKind, PlanStatus, RectificationStatus
from parkguard.oversight.models import Drill, DrillGap, Plan, Rectification, Training
from tests.factories import TODAY, World, adopt, make_user
from tests.oversight.conftest import AT

PLANS = "zhengyang-2022-20-plans"


@pytest.fixture
def plans(world: World, inspector: User) -> list[selectors.SectionSpec]:
    adopt(world.park_a, PLANS)
    return selectors.plan_sections_for(park=world.park_a, on=TODAY, kind=PlanKind.ENTERPRISE)


def _texts(sections: list[selectors.SectionSpec], **blank: str) -> dict[str, str]:
    return {s.key: blank.get(s.key, f"{s.title}：专人负责，流程见附件") for s in sections}


def _submit(world: World, sections: list[selectors.SectionSpec], **kw: object) -> Plan:
    officer = world.users["a1_officer"]
    return services.plan_submit(
        scope=scope_for_user(officer),
        park=world.park_a,
        enterprise=world.a1,
        title="甲一疫情防控处置预案",
        texts=kw.pop("texts", None) or _texts(sections),  # type: ignore[arg-type]
        at=AT,
        by=officer,
    )


def test_the_pack_names_the_sections_of_both_plans(world: World, plans: list) -> None:
    """Z-4.1: 组织体系及职责、预警及应急处置、信息报告、应急响应, each cited; the park's eight."""
    assert [s.title for s in plans] == ["组织体系及职责", "预警及应急处置", "信息报告", "应急响应"]
    assert all(s.citation["requirement"] == "Z-4.1" for s in plans)
    assert plans[0].citation["document_number"] == "正阳园区管委发〔2022〕20号"
    park = selectors.plan_sections_for(park=world.park_a, on=TODAY, kind="park")
    assert len(park) == 8 and park[-1].title == "舆情管控"


def test_an_enterprise_submits_and_the_park_approves(world: World, plans: list) -> None:
    plan = _submit(world, plans)
    plan.refresh_from_db()
    assert plan.version == 1 and plan.status == PlanStatus.SUBMITTED
    assert [s["title"] for s in plan.sections][:1] == ["组织体系及职责"]
    assert plan.sections[0]["citation"]["clause"].startswith("四、")
    admin = world.users["park_a_admin"]
    assert Message.objects.filter(user=admin, kind=Kind.APPROVAL).exists()
    services.plan_decide(
        scope=scope_for_user(admin), plan=plan, approve=True, note="", at=AT, by=admin
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.decided_by == admin
    assert AuditEvent.objects.filter(action="plan_approve").exists()
    assert Message.objects.filter(user=world.users["a1_officer"], kind=Kind.APPROVAL).exists()


def test_a_plan_missing_a_section_is_refused_with_the_section_named(
    world: World, plans: list
) -> None:
    """Bad input: a plan without 信息报告 names it and its clause; nothing is written."""
    missing = plans[2]
    with pytest.raises(ValidationError) as exc:
        _submit(world, plans, texts=_texts(plans, **{missing.key: "  "}))
    message = exc.value.message_dict[missing.field][0]
    assert message == services.PLAN_SECTION_MISSING.format(title="信息报告", basis=missing.basis)
    assert not Plan.objects.exists()


def test_the_form_shows_the_missing_section_on_its_field(world: World, plans: list) -> None:
    client = Client()
    client.force_login(world.users["a1_officer"])
    data = {"title": "预案", **{s.field: "有内容" for s in plans}}
    data[plans[3].field] = ""
    url = reverse("oversight_enterprise_plans", args=[world.a1.pk])
    page = client.post(url, data)
    assert page.status_code == 422 and "缺少必备章节“应急响应”" in page.content.decode()
    assert not Plan.objects.exists()


def test_a_returned_plan_is_answered_by_a_new_version(world: World, plans: list) -> None:
    admin = world.users["park_a_admin"]
    first = _submit(world, plans)
    with pytest.raises(ValidationError) as exc:
        _submit(world, plans)  # the first is still pending
    assert exc.value.message_dict["__all__"] == [services.PLAN_PENDING.format(version=1)]
    with pytest.raises(ValidationError) as exc:
        services.plan_decide(
            scope=scope_for_user(admin), plan=first, approve=False, note=" ", at=AT, by=admin
        )
    assert exc.value.message_dict["note"] == [services.PLAN_RETURN_NO_NOTE]
    first.refresh_from_db()
    assert first.status == PlanStatus.SUBMITTED
    services.plan_decide(
        scope=scope_for_user(admin),
        plan=first,
        approve=False,
        note="信息报告未写明报告时限",
        at=AT,
        by=admin,
    )
    second = _submit(world, plans)
    first.refresh_from_db()
    assert first.status == PlanStatus.RETURNED and first.decision_note == "信息报告未写明报告时限"
    assert second.version == 2 and second.status == PlanStatus.SUBMITTED


def test_only_the_park_admin_approves_and_not_their_own_park_plan(
    world: World, plans: list, inspector: User
) -> None:
    """Bad input: an approval by someone outside the route (the inspector, the enterprise)
    is refused, and the park's plan needs a second admin."""
    plan = _submit(world, plans)
    for user in (inspector, world.users["a1_officer"]):
        with pytest.raises(PermissionDenied):
            services.plan_decide(
                scope=scope_for_user(user), plan=plan, approve=True, note="", at=AT, by=user
            )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    admin = world.users["park_a_admin"]
    park_sections = selectors.plan_sections_for(park=world.park_a, on=TODAY, kind="park")
    park_plan = services.plan_submit(
        scope=scope_for_user(admin),
        park=world.park_a,
        enterprise=None,
        title="园区疫情防控处置预案",
        texts=_texts(park_sections),
        at=AT,
        by=admin,
    )
    with pytest.raises(ValidationError) as exc:
        services.plan_decide(
            scope=scope_for_user(admin), plan=park_plan, approve=True, note="", at=AT, by=admin
        )
    assert exc.value.message_dict["__all__"] == [services.PLAN_SELF_APPROVAL]
    second = make_user("park_a_admin2")
    Membership.objects.create(user=second, role=Role.PARK_ADMIN, jurisdiction=world.park_a)
    services.plan_decide(
        scope=scope_for_user(second), plan=park_plan, approve=True, note="", at=AT, by=second
    )
    park_plan.refresh_from_db()
    assert park_plan.status == PlanStatus.APPROVED


def test_an_enterprise_may_not_submit_the_park_plan(world: World, plans: list) -> None:
    officer = world.users["a1_officer"]
    with pytest.raises(PermissionDenied):
        services.plan_submit(
            scope=scope_for_user(officer),
            park=world.park_a,
            enterprise=None,
            title="x",
            texts={},
            at=AT,
            by=officer,
        )


def test_without_the_pack_a_plan_cannot_be_submitted(world: World, inspector: User) -> None:
    with pytest.raises(ValidationError) as exc:
        _submit(world, [], texts={"x": "y"})
    assert exc.value.message_dict["__all__"] == [services.PLAN_NO_RULE]


# --- drills ---------------------------------------------------------------------------------
def _drill(world: World) -> Drill:
    officer = world.users["a1_officer"]
    drill = services.drill_schedule(
        scope=scope_for_user(officer),
        park=world.park_a,
        enterprise=world.a1,
        scenario="员工发热的三个第一时间",
        planned_on=TODAY,
        guided_by="红石社区",
        at=AT,
    )
    return services.drill_record(
        scope=scope_for_user(officer),
        drill=drill,
        held_on=TODAY,
        participants=40,
        summary="隔离区启用用时 12 分钟",
        gaps=["隔离区缺少防护服", "", "报告电话未张贴"],
        at=AT,
    )


def test_a_drill_is_scheduled_recorded_and_its_gaps_fixed_or_put_on_the_ledger(
    world: World, plans: list, inspector: User
) -> None:
    """Z-4.1 查漏补缺: one gap fixed by the enterprise, one a rectification item that the
    inspector then closes like any finding."""
    drill = _drill(world)
    drill.refresh_from_db()
    assert drill.status == DrillStatus.DONE and drill.participants == 40
    gaps = list(drill.gaps.order_by("pk"))
    assert [g.description for g in gaps] == ["隔离区缺少防护服", "报告电话未张贴"]
    assert Message.objects.filter(user=world.users["park_a_admin"], kind=Kind.DRILL).exists()
    officer = world.users["a1_officer"]
    services.drill_gap_fix(scope=scope_for_user(officer), gap=gaps[1], note="已张贴", at=AT)
    with pytest.raises(ValidationError) as exc:
        services.drill_gap_to_ledger(
            scope=scope_for_user(inspector),
            gap=gaps[0],
            owner_name="后勤部",
            deadline=None,
            at=AT,
            by=inspector,
        )
    assert exc.value.message_dict["deadline"] == [services.FINDING_NO_DEADLINE]
    assert not Rectification.objects.exists()
    with pytest.raises(PermissionDenied):  # the enterprise does not write the ledger
        services.drill_gap_to_ledger(
            scope=scope_for_user(officer),
            gap=gaps[0],
            owner_name="后勤部",
            deadline=TODAY,
            at=AT,
            by=officer,
        )
    item = services.drill_gap_to_ledger(
        scope=scope_for_user(inspector),
        gap=gaps[0],
        owner_name="后勤部 王经理",
        deadline=TODAY + dt.timedelta(days=3),
        at=AT,
        by=inspector,
    )
    gaps[0].refresh_from_db()
    assert gaps[0].rectification == item and item.finding.drill == drill
    assert item.finding.inspection is None and item.status == RectificationStatus.OPEN
    assert Message.objects.filter(user=officer, kind=Kind.INSPECTION).exists()
    page = Client()
    page.force_login(world.users["park_a_admin"])
    export = page.get(reverse("oversight_park_export", args=[world.park_a.pk]))
    assert export.status_code == 200
    ledger = page.get(reverse("oversight_park_ledger", args=[world.park_a.pk]))
    assert "隔离区缺少防护服" in ledger.content.decode()
    page.force_login(officer)
    assert page.get(reverse("oversight_rectification", args=[item.pk])).status_code == 200


def test_a_drill_record_without_a_date_or_summary_is_refused(world: World, plans: list) -> None:
    officer = world.users["a1_officer"]
    drill = services.drill_schedule(
        scope=scope_for_user(officer),
        park=world.park_a,
        enterprise=world.a1,
        scenario="演练",
        planned_on=TODAY,
        guided_by="",
        at=AT,
    )
    with pytest.raises(ValidationError) as exc:
        services.drill_record(
            scope=scope_for_user(officer),
            drill=drill,
            held_on=TODAY + dt.timedelta(days=1),
            participants=None,
            summary="",
            gaps=["x"],
            at=AT,
        )
    assert exc.value.message_dict == {
        "held_on": [services.DRILL_DATE_FUTURE],
        "summary": [services.DRILL_NO_SUMMARY],
    }
    drill.refresh_from_db()
    assert drill.status == DrillStatus.PLANNED and not DrillGap.objects.exists()
    with pytest.raises(PermissionDenied):
        services.drill_record(
            scope=scope_for_user(world.users["a2_officer"]),
            drill=drill,
            held_on=TODAY,
            participants=None,
            summary="x",
            gaps=[],
            at=AT,
        )


def test_training_and_publicity_are_recorded(world: World, plans: list) -> None:
    """J-2.2: the community's training of an enterprise's staff."""
    officer = world.users["a1_officer"]
    services.training_record(
        scope=scope_for_user(officer),
        park=world.park_a,
        enterprise=world.a1,
        kind="training",
        topic="新版防控措施解读",
        held_on=TODAY,
        organiser="红石社区",
        audience="班组长",
        attendees=25,
        at=AT,
    )
    with pytest.raises(ValidationError) as exc:
        services.training_record(
            scope=scope_for_user(officer),
            park=world.park_a,
            enterprise=world.a1,
            kind="publicity",
            topic="",
            held_on=TODAY,
            organiser="",
            audience="",
            attendees=None,
            at=AT,
        )
    assert set(exc.value.message_dict) == {"topic", "organiser"}
    assert Training.objects.get().attendees == 25
    client = Client()
    client.force_login(world.users["park_a_admin"])
    page = client.get(reverse("oversight_park_drills", args=[world.park_a.pk]))
    assert "新版防控措施解读" in page.content.decode()


def test_the_pages_render_for_each_role(world: World, plans: list, inspector: User) -> None:
    plan = _submit(world, plans)
    drill = _drill(world)
    client = Client()
    for user, urls in (
        (
            world.users["a1_officer"],
            [
                reverse("oversight_enterprise_plans", args=[world.a1.pk]),
                reverse("oversight_plan", args=[plan.pk]),
                reverse("oversight_drill", args=[drill.pk]),
            ],
        ),
        (
            world.users["park_a_admin"],
            [
                reverse("oversight_park_plans", args=[world.park_a.pk]),
                reverse("oversight_plan", args=[plan.pk]),
                reverse("oversight_park_drills", args=[world.park_a.pk]),
                reverse("oversight_enterprise_plans", args=[world.a1.pk]),
            ],
        ),
    ):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 200, url
    client.force_login(world.users["a2_officer"])
    assert client.get(reverse("oversight_plan", args=[plan.pk])).status_code == 404
    client.force_login(world.users["park_a_admin"])
    page = client.post(
        reverse("oversight_plan_decide", args=[plan.pk]), {"approve": "1", "note": ""}
    )
    assert page.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED


def test_the_api_refuses_a_plan_missing_a_section_and_takes_a_whole_one(
    world: World, plans: list
) -> None:
    import json

    client = Client()
    client.force_login(world.users["a1_officer"])
    url = f"/api/v1/oversight/enterprises/{world.a1.pk}/plans"
    body = {"title": "甲一预案", "sections": {s.key: "内容" for s in plans[:-1]}}
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert "应急响应" in detail["msg"] and not Plan.objects.exists()
    body["sections"] = {s.key: "内容" for s in plans}
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 201 and response.json()["version"] == 1
    plan_id = response.json()["id"]
    client.force_login(world.users["park_a_admin"])
    response = client.post(
        f"/api/v1/oversight/plans/{plan_id}/decision",
        json.dumps({"approve": False, "note": "补充报告时限"}),
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "returned"
    board = client.get(f"/api/v1/oversight/parks/{world.park_a.pk}/readiness").json()
    assert {row["enterprise_id"] for row in board} >= {world.a1.pk, world.a2.pk}
