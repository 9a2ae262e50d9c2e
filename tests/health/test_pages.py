"""Health pages and API: the employee's declaration, the officer's pages, device tokens,
and outsiders (another enterprise, another park, a lower role, anonymous)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from django.test import Client

from parkguard.health.models import Alert, Declaration, SickLeave, TemperatureReading
from parkguard.health.services import DECLARATION_TWICE, TEMPERATURE_NOT_NUMBER
from parkguard.orgs.services import api_token_create
from parkguard.status.models import PersonStatus
from tests.factories import World

REQUIREMENT_ID = re.compile(r"\b[A-Z]-\d+\.\d+[a-z]?\b")
BODY = {"temperature": "36.5", "symptoms": [], "code_colour": "green"}


def _api_declare(client: Client, **body: object):
    return client.post(
        "/api/v1/health/declarations", json.dumps({**BODY, **body}), content_type="application/json"
    )


def test_an_employee_declares_on_the_page_and_sees_their_status(
    health_world: World, client_as: Callable[[str | None], Client]
) -> None:
    client = client_as("a1_employee")
    page = client.get("/health/declare/")
    assert page.status_code == 200
    assert "乏力" in page.content.decode()
    response = client.post(
        "/health/declare/", {"temperature": "38.0", "symptoms": ["干咳"], "code_colour": "green"}
    )
    assert response.status_code == 302
    declaration = Declaration.objects.get(person=health_world.a1_employee_person)
    assert declaration.symptoms == ["干咳"]
    me = client.get("/health/me/").content.decode()
    assert "暂停进入" in me and "体温 38.0 ℃（≥37.3 ℃）" in me
    # An employee reads the notice's own words, never the platform's requirement IDs.
    for text in (page.content.decode(), me):
        assert "依据：" in text and not REQUIREMENT_ID.search(text)


def test_a_bad_temperature_on_the_page_shows_a_field_error(
    health_world: World, client_as: Callable[[str | None], Client]
) -> None:
    response = client_as("a1_employee").post(
        "/health/declare/", {"temperature": "abc", "code_colour": "green"}
    )
    assert response.status_code == 200
    assert TEMPERATURE_NOT_NUMBER in response.content.decode()
    assert not Declaration.objects.exists()


def test_the_api_refuses_a_second_declaration_with_a_chinese_message(
    health_world: World, client_as: Callable[[str | None], Client]
) -> None:
    client = client_as("a1_employee")
    first = _api_declare(client)
    assert first.status_code == 201, first.content
    second = _api_declare(client, temperature="39")
    assert second.status_code == 422
    assert second.json()["detail"][0]["msg"] == DECLARATION_TWICE
    assert str(Declaration.objects.get().temperature) == "36.5"
    bad = client_as("a1_employee").post(
        "/api/v1/health/declarations",
        json.dumps({**BODY, "temperature": "abc"}),
        content_type="application/json",
    )
    assert bad.status_code == 422


def test_a_gate_device_posts_a_reading_and_learns_nothing_personal(
    health_world: World,
) -> None:
    _, clear = api_token_create(name="1号门", created_by=None, enterprise=health_world.a1)
    device = Client(HTTP_AUTHORIZATION=f"Bearer {clear}")
    body = {"person_id": health_world.a1_person.pk, "temperature": 37.8, "source": "gate"}
    response = device.post("/api/v1/health/readings", json.dumps(body), "application/json")
    assert response.status_code == 201, response.content
    assert set(response.json()) == {"id", "alert"}
    assert response.json()["alert"] is True
    assert health_world.a1_person.name not in response.content.decode()
    reading = TemperatureReading.objects.get()
    assert reading.device is not None and reading.taken_by is None
    assert PersonStatus.objects.get(pk=health_world.a1_person.pk).on_hold is True
    other = {**body, "person_id": health_world.a2_person.pk}
    refused = device.post("/api/v1/health/readings", json.dumps(other), "application/json")
    assert refused.status_code == 404
    assert not TemperatureReading.objects.filter(person=health_world.a2_person).exists()
    # A device reads no board, no declaration.
    board = device.get(f"/api/v1/health/enterprises/{health_world.a1.pk}/board")
    assert board.status_code == 401
    declared = device.post("/api/v1/health/declarations", json.dumps(BODY), "application/json")
    assert declared.status_code == 401


@pytest.mark.parametrize(
    "path",
    [
        "/health/enterprises/{e}/",
        "/health/enterprises/{e}/live/",
        "/health/enterprises/{e}/alerts/",
        "/health/enterprises/{e}/checks/",
        "/health/enterprises/{e}/sick-leave/",
        "/health/enterprises/{e}/vaccination/",
        "/health/enterprises/{e}/summary/",
        "/health/enterprises/{e}/summary/?print=1",
    ],
)
def test_officer_pages_open_for_the_officer_and_not_for_outsiders(
    health_world: World, client_as: Callable[[str | None], Client], path: str
) -> None:
    url = path.format(e=health_world.a1.pk)
    assert client_as("a1_officer").get(url).status_code == 200
    assert client_as("park_a_admin").get(url).status_code == 200
    assert client_as("a1_leader").get(url).status_code == 200
    assert client_as("a1_employee").get(url).status_code == 403
    assert client_as("a2_officer").get(url).status_code == 404
    assert client_as("park_b_admin").get(url).status_code == 404
    assert client_as(None).get(url).status_code == 302


def test_the_board_polls_and_charts(
    health_world: World, client_as: Callable[[str | None], Client]
) -> None:
    client = client_as("a1_officer")
    page = client.get(f"/health/enterprises/{health_world.a1.pk}/").content.decode()
    assert 'hx-trigger="every 30s"' in page
    assert "chart-rate" in page and "echarts" in page
    live = client.get(f"/health/enterprises/{health_world.a1.pk}/live/").content.decode()
    assert "甲一张三" in live  # not declared yet


def test_outsiders_change_nothing_through_the_officer_forms(
    health_world: World, client_as: Callable[[str | None], Client]
) -> None:
    e = health_world.a1.pk
    person = health_world.a1_person.pk
    for who in ["a2_officer", "park_b_admin", "a1_leader", "a1_employee", None]:
        client = client_as(who)
        client.post(
            f"/health/enterprises/{e}/sick-leave/",
            {"person": person, "reason": "x", "started_on": "2022-11-16"},
        )
        client.post(
            f"/health/enterprises/{e}/checks/",
            {"person": person, "temperature": "38.5", "source": "manual"},
        )
        client.post(f"/health/enterprises/{e}/summary/", {"signer_name": "外人"})
        client.post(
            f"/health/enterprises/{e}/vaccination/",
            {"person": person, "dose": 1, "given_on": "2021-01-01", "kind": "inactivated"},
        )
    assert not SickLeave.objects.exists()
    assert not TemperatureReading.objects.exists()
    assert not Alert.objects.exists()
    health_world.a1_person.refresh_from_db()
    assert health_world.a1_person.vaccination_doses == 0


def test_the_officer_records_through_the_forms(
    health_world: World, client_as: Callable[[str | None], Client]
) -> None:
    e = health_world.a1.pk
    person = health_world.a1_person.pk
    client = client_as("a1_officer")
    client.post(
        f"/health/enterprises/{e}/sick-leave/",
        {"person": person, "reason": "咳嗽", "started_on": "2022-11-16"},
    )
    leave = SickLeave.objects.get()
    assert leave.reason == "咳嗽"
    bad = client.post(
        f"/health/enterprises/{e}/checks/",
        {"person": person, "temperature": "45", "source": "manual"},
    )
    assert "不在合理范围" in bad.content.decode()
    client.post(
        f"/health/enterprises/{e}/checks/",
        {"person": person, "temperature": "36.5", "source": "manual"},
    )
    assert TemperatureReading.objects.get().taken_by == health_world.users["a1_officer"]
