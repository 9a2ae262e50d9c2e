"""Unhandled 500s (issue 8 §6): each input the issue found is a Chinese 4xx that changes nothing.

Requirement: B-2.2 (the personal files stay intact whatever a client sends).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client
from stdnum.cn import ric

from parkguard.lib import request_guard
from parkguard.people.identity import ID_REGION
from parkguard.people.models import Person
from tests.factories import World

Clients = Callable[[str | None], Client]
BODY = {"name": "新人", "id_number": "", "phone": "13800000009", "category": "regular"}


def _people(world: World) -> int:
    return Person.objects.filter(enterprise=world.a1).count()


def test_a_6_mb_json_body_is_a_413_in_chinese(world: World, client_as: Clients) -> None:
    body = json.dumps({**BODY, "post": "x" * (6 * 1024 * 1024)})
    response = client_as("a1_officer").post(
        f"/api/v1/enterprises/{world.a1.pk}/people", body, content_type="application/json"
    )
    assert response.status_code == 413
    assert "请求内容过大" in response.json()["detail"][0]["msg"]
    assert _people(world) == 2


def test_a_huge_offset_is_a_422(world: World, client_as: Clients) -> None:
    response = client_as("a1_officer").get(
        f"/api/v1/enterprises/{world.a1.pk}/people", {"offset": "99999999999999999999"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"].startswith("不能大于")


def test_a_huge_org_unit_id_is_no_500(world: World, client_as: Clients) -> None:
    client = client_as("a1_officer")
    huge = "9" * 20
    listed = client.get(f"/api/v1/enterprises/{world.a1.pk}/people", {"org_unit_id": huge})
    assert listed.status_code in (200, 422)
    created = client.post(
        f"/api/v1/enterprises/{world.a1.pk}/people",
        {**BODY, "id_number": "450222199001010011", "org_unit_id": int(huge)},
        content_type="application/json",
    )
    assert created.status_code == 422
    assert client.get(f"/api/v1/people/{huge}").status_code == 404
    assert client.get(f"/people/{huge}/").status_code == 404
    page = client.get(f"/enterprises/{world.a1.pk}/people/", {"org_unit": huge, "page": huge})
    assert page.status_code == 200
    edit = client.post(f"/people/{world.a1_person.pk}/edit/", {"name": "x", "org_unit": huge})
    assert edit.status_code == 200 and "选择一个有效的选项" in edit.content.decode()
    assert _people(world) == 2


@pytest.mark.parametrize("where", ["json", "query", "form"])
def test_a_nul_character_is_a_422(world: World, client_as: Clients, where: str) -> None:
    client = client_as("a1_officer")
    if where == "json":
        response = client.patch(
            f"/api/v1/people/{world.a1_person.pk}",
            json.dumps({"post": "仓\x00库"}),
            content_type="application/json",
        )
        assert response.json()["detail"][0]["msg"] == request_guard.NUL_REFUSED
    elif where == "query":
        response = client.get(f"/enterprises/{world.a1.pk}/people/", {"q": "张\x00"})
        assert request_guard.NUL_REFUSED in response.content.decode()
    else:
        response = client.post(
            f"/people/{world.a1_person.pk}/edit/", {"name": "改\x00名", "phone": ""}
        )
        assert request_guard.NUL_REFUSED in response.content.decode()
    assert response.status_code == 422
    world.a1_person.refresh_from_db()
    assert "\x00" not in world.a1_person.post + world.a1_person.name


def test_multipart_without_a_boundary_is_a_400_in_chinese(world: World, client_as: Clients) -> None:
    response = client_as("a1_officer").generic(
        "POST",
        f"/enterprises/{world.a1.pk}/people/import/",
        b"--x\r\nContent-Disposition: form-data; name=file\r\n\r\nabc\r\n--x--\r\n",
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert request_guard.MULTIPART_INVALID in response.content.decode()


def test_a_region_code_the_data_file_half_knows_is_a_field_error(
    world: World, client_as: Clients
) -> None:
    body = "45020719900101123"
    response = client_as("a1_officer").post(
        f"/api/v1/enterprises/{world.a1.pk}/people",
        {**BODY, "id_number": body + ric.calc_check_digit(body + "0")},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [e["msg"] for e in response.json()["detail"]] == [ID_REGION]
    assert _people(world) == 2
