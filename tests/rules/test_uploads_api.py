"""The JSON API of uploads: validate, upload (a draft, labelled), preview beside the version
in force, propose, publish by a second admin, adopt with typed parameters (issue 10 §3).
Park roles of the park only: enterprise roles and other parks get 404."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from parkguard.policy import errors as E
from parkguard.rules import services
from parkguard.rules.models import PackAdoption, UploadedPack
from tests.factories import World
from tests.rules.uploads import TAB_LINE, X_V2, X_V2_TAB, X, second_admin

pytestmark = pytest.mark.django_db


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_validate_and_upload_report_line_path_and_message(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    base = f"/api/v1/parks/{world.park_a.pk}/packs"
    admin = client_as("park_a_admin")
    checked = _post(admin, f"{base}/validate", {"file": "x.yaml", "text": X_V2_TAB}).json()
    assert checked["valid"] is False and checked["draft"] is True
    (issue,) = checked["issues"]
    assert (issue["line"], issue["message"]) == (TAB_LINE, E.ERR_YAML_TAB)
    refused = _post(admin, f"{base}/uploads", {"file": "x.yaml", "text": X_V2_TAB})
    assert refused.status_code == 422 and refused.json()["detail"][0]["line"] == TAB_LINE
    assert not UploadedPack.objects.exists()
    checked = _post(admin, f"{base}/validate", {"file": "x.yaml", "text": X_V2}).json()
    assert checked["valid"] is True and checked["pack"] == f"{X}@2"
    assert not UploadedPack.objects.exists()  # validating stores nothing


def test_upload_preview_publish_adopt(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    base = f"/api/v1/parks/{world.park_a.pk}/packs"
    admin = client_as("park_a_admin")
    created = _post(admin, f"{base}/uploads", {"file": "x.v2.yaml", "text": X_V2})
    assert created.status_code == 201
    up = created.json()
    assert (up["status"], up["draft"], up["label"], up["digest"]) == (
        "draft",
        True,
        "草稿，不生效",
        "",
    )
    detail = admin.get(f"{base}/uploads/{up['id']}").json()
    assert detail["in_force"] == f"{X}@1"
    assert any(c["key"] == "x-1.1-sealed-area" for c in detail["changes"])
    person = {
        "kind": "employee",
        "origin": "out_of_province",
        "returnee": True,
        "stays": [
            {
                "region": "示例区",
                "risk": "封控区",
                "first_day": "2022-12-10",
                "last_day": "2022-12-11",
            }
        ],
    }
    preview = _post(
        admin,
        f"{base}/uploads/{up['id']}/preview",
        {"command": "plan", "body": {"person": person, "arrived_at": "2022-12-12T09:00:00"}},
    ).json()
    assert preview["draft"] is True and preview["pack"] == f"{X}@2"
    days = [ph["days"] for ph in preview["result"]["plan"]["phases"]]
    assert days == [10] and [ph["days"] for ph in preview["in_force"]["plan"]["phases"]] == [7]
    assert preview["result"]["plan"]["phases"][0]["citation"]["version"] == 2
    same = _post(admin, f"{base}/uploads/{up['id']}/propose", {})
    assert same.status_code == 200 and same.json()["proposed_by"] == "park_a_admin"
    refused = _post(admin, f"{base}/uploads/{up['id']}/publish", {})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["msg"] == services.SAME_PERSON
    other = Client()
    other.force_login(second_admin(world.park_a))
    published = _post(other, f"{base}/uploads/{up['id']}/publish", {}).json()
    assert published["status"] == "published" and len(published["digest"]) == len("0" * 64)
    bad = _post(admin, f"{base}/adopt", {"pack_id": X, "params": {"promptly_report_hours": 0}})
    assert bad.status_code == 422 and not PackAdoption.objects.exists()
    good = _post(admin, f"{base}/adopt", {"pack_id": X, "params": {"promptly_report_hours": 6}})
    assert good.status_code == 200 and good.json()["params"] == {"promptly_report_hours": 6}


def test_enterprise_roles_and_other_parks_see_nothing(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    base = f"/api/v1/parks/{world.park_a.pk}/packs"
    _post(client_as("park_a_admin"), f"{base}/uploads", {"file": "x.v2.yaml", "text": X_V2})
    for persona in ("a1_officer", "a2_officer", "park_b_admin", "a1_employee"):
        client = client_as(persona)
        assert client.get(f"{base}/uploads").status_code in (403, 404)
        response = _post(client, f"{base}/uploads", {"file": "y.yaml", "text": X_V2})
        assert response.status_code in (403, 404)
    assert UploadedPack.objects.count() == 1


def test_the_diff_of_an_upload_from_the_version_in_force(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    base = f"/api/v1/parks/{world.park_a.pk}/packs"
    admin = client_as("park_a_admin")
    up = _post(admin, f"{base}/uploads", {"file": "x.v2.yaml", "text": X_V2}).json()
    diff = admin.get(f"{base}/uploads/{up['id']}/diff").json()
    assert (diff["old"], diff["new"], diff["draft"]) == (f"{X}@1", f"{X}@2", True)
    (change,) = [c for c in diff["changes"] if c["what"] == "rule"]
    assert change["kind"] == "changed" and change["text"].startswith("修改规则 [X-1.1]")
    assert client_as("park_b_admin").get(f"{base}/uploads/{up['id']}/diff").status_code == 404


def test_the_plan_api_honours_an_officers_choice(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    """Issue 10 §1: a per-case choice in /api/v1/policy/plan is used, recorded and cited."""
    body = {
        "pack": X,
        "person": {
            "kind": "employee",
            "returnee": True,
            "origin": "out_of_province",
            "stays": [
                {
                    "region": "示例区",
                    "risk": "封控区",
                    "first_day": "2022-12-08",
                    "last_day": "2022-12-09",
                }
            ],
        },
        "arrived_at": "2022-12-10T09:00:00",
        "choices": {
            "sealed_area_option": {"value": "居家隔离", "by": "王科长", "reason": "具备条件"},
            "home_isolation_days": {"value": 5, "by": "王科长", "reason": "属地评估同意缩短"},
        },
    }
    plan = _post(client_as("park_a_admin"), "/api/v1/policy/plan", body).json()["plan"]
    assert [(p["label"], p["days"]) for p in plan["phases"]] == [("居家隔离", 5)]
    used = {c["name"]: c for c in plan["choices"]}
    assert used["home_isolation_days"]["reason"] == "属地评估同意缩短"
