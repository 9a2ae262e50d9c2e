"""Continuity pages and JSON API: the officer's forms refuse bad input with the field's
message and change nothing; the API starts and ends a loop and reports a fault."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from parkguard.continuity import services
from parkguard.continuity.models import KeyPost, LoopPlan, UtilityFault
from parkguard.gate.services import gate_create
from parkguard.orgs.access import SYSTEM
from tests.continuity.conftest import AT
from tests.factories import World

pytestmark = pytest.mark.django_db


def test_the_loop_page_refuses_a_start_without_a_reason(
    cw: World, client_as: Callable[[str | None], Client]
) -> None:
    client = client_as("a1_officer")
    url = f"/continuity/enterprises/{cw.a1.pk}/loop/"
    page = client.post(url, {"form": "start", "reason": " "})
    assert page.status_code == 200 and services.LOOP_REASON_REQUIRED in page.content.decode()
    assert not LoopPlan.objects.exists()
    page = client.post(url, {"form": "start", "reason": "园区发现阳性病例"})
    assert page.status_code == 302
    body = client.get(url).content.decode()
    assert "闭环生产中" in body and cw.a1_person.name in body and "一号宿舍" in body


def test_the_posts_page_refuses_a_post_without_a_minimum(
    cw: World, client_as: Callable[[str | None], Client]
) -> None:
    client = client_as("a1_officer")
    url = f"/continuity/enterprises/{cw.a1.pk}/posts/"
    page = client.post(url, {"form": "post", "name": "配电值守", "kind": "post", "minimum": ""})
    message = services.POST_MINIMUM_INVALID.format(high=services.POST_MINIMUM_MAX)
    assert message in page.content.decode() and not KeyPost.objects.exists()
    client.post(url, {"form": "post", "name": "配电值守", "kind": "post", "minimum": "2"})
    assert KeyPost.objects.get().minimum == 2
    assert "缺员预警" in client.get(url).content.decode()


def test_the_faults_page_reports_and_the_park_repairs(
    cw: World, client_as: Callable[[str | None], Client]
) -> None:
    officer = client_as("a1_officer")
    url = f"/continuity/enterprises/{cw.a1.pk}/faults/"
    page = officer.post(url, {"utility": "water", "location": "", "description": "停水"})
    assert services.LOCATION_REQUIRED in page.content.decode() and not UtilityFault.objects.exists()
    officer.post(url, {"utility": "water", "location": "宿舍楼", "description": "停水"})
    fault = UtilityFault.objects.get()
    admin = client_as("park_a_admin")
    admin.post(f"/continuity/faults/{fault.pk}/assign/", {"assignee": "供水抢修班"})
    admin.post(f"/continuity/faults/{fault.pk}/repair/", {"note": "更换阀门"})
    fault.refresh_from_db()
    assert fault.state == "repaired" and fault.repair_note == "更换阀门"
    # The officer may report but not repair.
    officer.post(f"/continuity/faults/{fault.pk}/assign/", {"assignee": "x"})
    fault.refresh_from_db()
    assert fault.assignee == "供水抢修班"


def test_the_api_starts_and_ends_a_loop(
    cw: World, client_as: Callable[[str | None], Client]
) -> None:
    gate_create(
        scope=SYSTEM, park=cw.park_a, enterprise=cw.a1, name="甲一门", place="plant_gate",
        at=AT, by=None,
    )  # fmt: skip
    client = client_as("a1_officer")
    base = f"/api/v1/continuity/enterprises/{cw.a1.pk}/loop"
    bad = client.post(f"{base}/start", json.dumps({"reason": ""}), content_type="application/json")
    assert bad.status_code == 422 and services.LOOP_REASON_REQUIRED in str(bad.json())
    made = client.post(
        f"{base}/start", json.dumps({"reason": "阳性病例"}), content_type="application/json"
    )
    assert made.status_code == 201
    data = made.json()
    assert data["active"] and data["inside"] == 1 and data["members"][0]["dormitory"] == "一号宿舍"
    ended = client.post(
        f"/api/v1/continuity/loops/{data['plan_id']}/end",
        json.dumps({"reason": "解除"}),
        content_type="application/json",
    )
    assert ended.status_code == 200 and not ended.json()["active"]
    fault = client.post(
        f"/api/v1/continuity/parks/{cw.park_a.pk}/faults",
        json.dumps(
            {
                "utility": "gas",
                "location": "食堂",
                "description": "燃气泄漏报警",
                "enterprise_id": cw.a1.pk,
            }
        ),
        content_type="application/json",
    )
    assert fault.status_code == 201 and fault.json()["due_at"] is not None
    gaps = client.get(f"/api/v1/continuity/enterprises/{cw.a1.pk}/key-posts/gaps").json()
    assert gaps["days"] == 7 and gaps["gaps"] == []
