"""Oversight pages and API: the inspector's phone flow, the officer's reply, bad input."""

from __future__ import annotations

import base64
import datetime as dt
import json

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parkguard.orgs.access import scope_for_user
from parkguard.oversight import services
from parkguard.oversight.choices import InspectionStatus, RectificationStatus
from parkguard.oversight.models import Inspection, Rectification
from parkguard.oversight.photos import PHOTO_BAD_TYPE
from tests.factories import World
from tests.oversight.conftest import AT, PNG

KEY = "jinjiang-xiyuan-2022-81:entry-control"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _visit(world: World, inspector: User) -> Inspection:
    return services.inspection_plan(
        scope=scope_for_user(inspector),
        enterprise=world.a1,
        planned_on=timezone.localdate(),
        inspector=inspector,
        purpose="",
        at=timezone.now(),
    )


def test_it_plays_an_inspection_from_checklist_to_finding_on_the_phone(
    world: World, inspector: User
) -> None:
    """Z-6, J-2.5: the inspector ticks the checklist and logs a finding with a photo."""
    client = _client(inspector)
    home = client.get(reverse("oversight_home"))
    assert home.status_code == 200 and "督查计划" in home.content.decode()
    visit = _visit(world, inspector)
    page = client.get(reverse("oversight_inspection", args=[visit.pk]))
    assert "厂区所有出入口" in page.content.decode()
    response = client.post(
        reverse("oversight_inspection", args=[visit.pk]),
        {f"result_{KEY}": "problem", f"note_{KEY}": "2号门无人", "summary": "需整改"},
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == InspectionStatus.DONE
    deadline = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.post(
        reverse("oversight_finding_add", args=[visit.pk]),
        {
            "item_key": KEY,
            "description": "2号门未测温",
            "owner_name": "王主任",
            "deadline": deadline,
            "photos": SimpleUploadedFile("a.png", PNG, content_type="image/png"),
        },
    )
    assert response.status_code == 302
    item = Rectification.objects.get()
    assert item.photos.count() == 1 and item.deadline.isoformat() == deadline


def test_it_shows_the_no_deadline_message_and_writes_nothing(world: World, inspector: User) -> None:
    visit = _visit(world, inspector)
    response = _client(inspector).post(
        reverse("oversight_finding_add", args=[visit.pk]),
        {"description": "未测温", "owner_name": "王主任", "deadline": ""},
    )
    assert response.status_code == 422
    assert services.FINDING_NO_DEADLINE in response.content.decode()
    assert not Rectification.objects.exists()


def test_it_refuses_a_disguised_photo_on_the_page(world: World, inspector: User) -> None:
    visit = _visit(world, inspector)
    response = _client(inspector).post(
        reverse("oversight_finding_add", args=[visit.pk]),
        {
            "description": "未测温",
            "owner_name": "王主任",
            "deadline": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
            "photos": SimpleUploadedFile("a.png", b"MZ not an image", content_type="image/png"),
        },
    )
    assert response.status_code == 422 and PHOTO_BAD_TYPE in response.content.decode()
    assert not Rectification.objects.exists()


def _item(world: World, inspector: User) -> Rectification:
    return services.finding_add(
        scope=scope_for_user(inspector),
        inspection=_visit(world, inspector),
        item_key=KEY,
        description="2号门未测温",
        owner_name="王主任",
        deadline=timezone.localdate() + dt.timedelta(days=3),
        photos=[],
        at=AT,
        by=inspector,
    )


def test_it_takes_the_officers_reply_with_evidence_and_refuses_one_without(
    world: World, inspector: User
) -> None:
    item = _item(world, inspector)
    client = _client(world.users["a1_officer"])
    url = reverse("oversight_rectification_reply", args=[item.pk])
    response = client.post(url, {"text": "已整改"})
    assert response.status_code == 422
    assert services.REPLY_NO_EVIDENCE in response.content.decode()
    item.refresh_from_db()
    assert item.status == RectificationStatus.OPEN
    response = client.post(
        url,
        {"text": "已整改", "evidence": SimpleUploadedFile("b.png", PNG, content_type="image/png")},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == RectificationStatus.REPLIED
    photo = item.photos.get()
    shown = client.get(reverse("oversight_photo", args=[photo.pk]))
    assert shown["Content-Type"] == "image/png" and shown["X-Content-Type-Options"] == "nosniff"


def test_it_answers_the_api_with_the_ledger_and_the_message_constants(
    world: World, inspector: User
) -> None:
    item = _item(world, inspector)
    officer = _client(world.users["a1_officer"])
    url = f"/api/v1/oversight/rectifications/{item.pk}/reply"
    response = officer.post(url, json.dumps({"text": "已整改"}), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == services.REPLY_NO_EVIDENCE
    body = {"text": "已整改", "evidence": [base64.b64encode(PNG).decode()]}
    response = officer.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "replied"
    response = officer.post(
        f"/api/v1/oversight/rectifications/{item.pk}/close",
        json.dumps({"note": "自行销号"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    insp = _client(inspector)
    response = insp.post(
        f"/api/v1/oversight/rectifications/{item.pk}/close",
        json.dumps({"note": "复核通过"}),
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "closed"
    ledger = insp.get(f"/api/v1/oversight/parks/{world.park_a.pk}/rectifications")
    assert [r["id"] for r in ledger.json()] == [item.pk]
    assert ledger.json()[0]["basis"]["requirement"] == "J-2.5"


def test_it_exports_the_park_ledger_as_excel(world: World, inspector: User) -> None:
    _item(world, inspector)
    response = _client(world.users["park_a_admin"]).get(
        reverse("oversight_park_export", args=[world.park_a.pk])
    )
    assert response.status_code == 200 and response.content[:2] == b"PK"


def test_it_takes_an_event_application_on_the_page_and_the_park_decides(
    world: World, inspector: User
) -> None:
    """J-1.4: the officer applies; the route and its citation show; the park admin approves."""
    from parkguard.oversight.models import Application

    officer = _client(world.users["a1_officer"])
    url = reverse("oversight_enterprise_applications", args=[world.a1.pk])
    starts = timezone.localtime() + dt.timedelta(days=10)
    body = {
        "kind": "business_event",
        "title": "订货会",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "headcount": "250",
        "participants_origin": "out_of_province",
        "plan": "",
    }
    response = officer.post(url, body)
    assert response.status_code == 422 and "疫情防控工作方案和应急预案" in response.content.decode()
    assert not Application.objects.exists()
    response = officer.post(url, {**body, "plan": "人员管理、场所管理、应急预案"})
    assert response.status_code == 302
    item = Application.objects.get()
    page = officer.get(reverse("oversight_application", args=[item.pk]))
    assert "市防控办" in page.content.decode() and "晋政西〔2022〕81号" in page.content.decode()
    decide = reverse("oversight_application_decide", args=[item.pk])
    assert _client(inspector).post(decide, {"approve": "1"}).status_code == 403
    response = _client(world.users["park_a_admin"]).post(decide, {"approve": "1", "note": "同意"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "approved"


def test_each_role_reaches_plans_drills_and_the_hotline_from_home(
    world: World, inspector: User
) -> None:
    """Z-4.1, J-2.2, B-3: the officer's and the park's home pages link to their new pages."""
    client = Client()
    client.force_login(world.users["a1_officer"])
    home = client.get("/").content.decode()
    assert reverse("oversight_enterprise_plans", args=[world.a1.pk]) in home
    assert reverse("oversight_enterprise_requests", args=[world.a1.pk]) in home
    client.force_login(inspector)  # park staff start on the park's overview
    home = client.get("/", follow=True).content.decode()
    assert reverse("oversight_hotline") in home
    assert reverse("oversight_park_plans", args=[world.park_a.pk]) in home
    page = client.get(reverse("oversight_home")).content.decode()
    assert reverse("oversight_park_drills", args=[world.park_a.pk]) in page
