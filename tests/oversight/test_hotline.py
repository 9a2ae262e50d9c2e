"""The hotline (B-3, L-3.1): reports, requests and policy questions recorded, assigned and
answered within the deadline the pack gives; overdue ones flagged; the reported enterprise
never sees a report or who made it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from parkguard.notify.choices import Kind
from parkguard.notify.models import Message
from parkguard.orgs.access import scope_for_user
from parkguard.oversight import selectors, services
from parkguard.oversight.choices import CaseStatus
from parkguard.oversight.models import HotlineCase
from tests.factories import World, adopt
from tests.oversight.conftest import AT

HOTLINE = "liucheng-2022-36-hotline"


@pytest.fixture
def hotline(world: World, inspector: User) -> None:
    adopt(world.park_a, HOTLINE, hotline_reply_hours=12)


def _report(world: World, by: User, **kw: object) -> HotlineCase:
    fields: dict[str, object] = {
        "kind": "report",
        "channel": "phone",
        "caller_name": "张先生",
        "caller_phone": "13912345678",
        "subject": "门岗不测温",
        "text": "甲一企业东门近三天无人测温",
        "about": world.a1,
    }
    fields.update(kw)
    return services.case_record(
        scope=scope_for_user(by),
        park=world.park_a,
        enterprise=None,
        at=AT,
        by=by,
        **fields,  # type: ignore[arg-type]
    )


def test_a_call_is_recorded_with_the_pack_deadline_assigned_and_answered(
    world: World, hotline: None, inspector: User
) -> None:
    admin = world.users["park_a_admin"]
    case = _report(world, inspector)
    case.refresh_from_db()
    assert case.due_by == AT + dt.timedelta(hours=12)  # the park's value of the parameter
    assert case.due_citation["requirement"] == "L-3.1" and case.due_citation["hours"] == 12
    assert Message.objects.filter(user=admin, kind=Kind.HOTLINE).exists()
    services.case_assign(scope=scope_for_user(admin), case=case, assignee=inspector, at=AT)
    assert Message.objects.filter(user=inspector, kind=Kind.HOTLINE).exists()
    later = AT + dt.timedelta(hours=3)
    services.case_answer(
        scope=scope_for_user(inspector),
        case=case,
        answer="已核实并督促整改",
        at=later,
        by=inspector,
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.ANSWERED and case.answered_by == inspector
    row = selectors.case_row(case, AT + dt.timedelta(days=2))
    assert row.minutes == 180 and not row.overdue and row.elapsed == "3 小时 0 分"


def test_an_unanswered_case_past_its_deadline_is_flagged_and_escalated_once(
    world: World, hotline: None, inspector: User
) -> None:
    case = _report(world, inspector)
    late = AT + dt.timedelta(hours=13)
    rows = selectors.hotline_cases(
        scope=scope_for_user(world.users["park_a_admin"]), at=late, overdue_only=True
    )
    assert [r.case for r in rows] == [case] and rows[0].overdue
    assert services.cases_escalate_overdue(at=late) == 1
    assert services.cases_escalate_overdue(at=late) == 0
    client = Client()
    client.force_login(world.users["park_a_admin"])
    page = client.get(reverse("oversight_hotline"))
    assert page.status_code == 200 and "门岗不测温" in page.content.decode()


def test_bad_input_is_refused_and_nothing_is_written(
    world: World, hotline: None, inspector: User
) -> None:
    with pytest.raises(ValidationError) as exc:
        _report(world, inspector, subject=" ", text="", caller_phone="call me", about=world.b1)
    assert exc.value.message_dict == {
        "subject": [services.CASE_NO_SUBJECT],
        "text": [services.CASE_NO_TEXT],
        "caller_phone": [services.CASE_PHONE_BAD],
        "about": [services.CASE_ABOUT_OUTSIDE],
    }
    assert not HotlineCase.objects.exists()
    case = _report(world, inspector)
    with pytest.raises(ValidationError) as exc:
        services.case_answer(
            scope=scope_for_user(world.users["park_a_admin"]),
            case=case,
            answer="",
            at=AT,
            by=world.users["park_a_admin"],
        )
    assert exc.value.message_dict["answer"] == [services.CASE_NO_ANSWER]
    with pytest.raises(ValidationError):
        services.case_assign(
            scope=scope_for_user(world.users["park_a_admin"]),
            case=case,
            assignee=world.users["a1_officer"],
            at=AT,
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.assignee is None


def test_only_the_assignee_or_a_park_admin_answers(
    world: World, hotline: None, inspector: User
) -> None:
    case = _report(world, world.users["park_a_admin"])
    with pytest.raises(PermissionDenied):
        services.case_answer(
            scope=scope_for_user(inspector), case=case, answer="x", at=AT, by=inspector
        )
    with pytest.raises(PermissionDenied):
        services.case_answer(
            scope=scope_for_user(world.users["a1_officer"]),
            case=case,
            answer="x",
            at=AT,
            by=world.users["a1_officer"],
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_the_reported_enterprise_never_sees_the_report(
    world: World, hotline: None, inspector: User
) -> None:
    case = _report(world, inspector)
    client = Client()
    client.force_login(world.users["a1_officer"])
    assert client.get(reverse("oversight_case", args=[case.pk])).status_code == 404
    page = client.get(reverse("oversight_hotline"))
    assert "门岗不测温" not in page.content.decode() and "139" not in page.content.decode()


def test_an_enterprise_files_its_own_request_and_reads_the_answer(
    world: World, hotline: None, inspector: User
) -> None:
    officer = world.users["a1_officer"]
    client = Client()
    client.force_login(officer)
    url = reverse("oversight_enterprise_requests", args=[world.a1.pk])
    page = client.post(url, {"kind": "policy", "subject": "", "text": ""})
    assert page.status_code == 422 and services.CASE_NO_SUBJECT in page.content.decode()
    page = client.post(url, {"kind": "request", "subject": "货车通行证", "text": "请协调办理"})
    case = HotlineCase.objects.get()
    assert page.status_code == 302 and case.enterprise == world.a1 and case.channel == "enterprise"
    admin = world.users["park_a_admin"]
    services.case_answer(
        scope=scope_for_user(admin), case=case, answer="已开通绿色通道", at=AT, by=admin
    )
    assert Message.objects.filter(user=officer, kind=Kind.HOTLINE).exists()
    assert (
        "已开通绿色通道" in client.get(reverse("oversight_case", args=[case.pk])).content.decode()
    )


def test_park_staff_record_a_call_on_the_page(world: World, hotline: None, inspector: User) -> None:
    client = Client()
    client.force_login(inspector)
    url = reverse("oversight_park_hotline", args=[world.park_a.pk])
    assert "12 小时内答复" in client.get(url).content.decode()
    page = client.post(
        url,
        {
            "kind": "report",
            "channel": "phone",
            "caller_phone": "13912345678",
            "subject": "聚集用餐",
            "text": "食堂未分餐",
            "about": str(world.a1.pk),
        },
    )
    case = HotlineCase.objects.get()
    assert page.status_code == 302 and case.about == world.a1
    client.force_login(world.users["park_a_admin"])
    detail = client.get(reverse("oversight_case", args=[case.pk])).content.decode()
    assert "13912345678" in detail  # the admin calls back
    client.force_login(world.users["park_b_admin"])
    assert client.get(reverse("oversight_case", args=[case.pk])).status_code == 404


def test_the_api_records_lists_and_answers(world: World, hotline: None, inspector: User) -> None:
    import json

    client = Client()
    client.force_login(world.users["park_a_admin"])
    url = f"/api/v1/oversight/parks/{world.park_a.pk}/hotline"
    blank = json.dumps({"kind": "report", "subject": "", "text": "x"})
    bad = client.post(url, blank, content_type="application/json")
    assert bad.status_code == 422 and not HotlineCase.objects.exists()
    body = {"kind": "policy", "subject": "复工条件", "text": "请问", "caller_phone": "13912345678"}
    made = client.post(url, json.dumps(body), content_type="application/json")
    assert made.status_code == 201 and made.json()["caller_phone"] == "139****5678"
    case_id = made.json()["id"]
    listed = client.get("/api/v1/oversight/hotline").json()
    assert [c["id"] for c in listed] == [case_id] and listed[0]["due_by"]
    answered = client.post(
        f"/api/v1/oversight/hotline/{case_id}/answer",
        json.dumps({"answer": "按规则包执行"}),
        content_type="application/json",
    )
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
