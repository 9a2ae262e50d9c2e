"""A form that saves and redirects says so on the page it lands on: the message the view
flashed is shown there, once, and is gone on the next page. Checked for the day's key forms
of several roles (an employee's declaration, an officer's temperature reading and a fever's
warning, a park admin's risk-area entry and pack adoption)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from django.contrib.messages import get_messages
from django.test import Client

from parkguard.health.models import Declaration, TemperatureReading
from parkguard.mobility.models import RiskArea
from parkguard.rules.models import PackAdoption
from tests.factories import World

Clients = Callable[[str | None], Client]


def posted_and_shown(client: Client, url: str, data: Mapping[str, object]) -> list[str]:
    """POST `data` to `url`, which must redirect with at least one message; every message
    appears on the page redirected to, and not again on a second load. The messages."""
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:1500]
    flashed = [str(m) for m in get_messages(response.wsgi_request)]
    assert flashed, f"{url} 保存后没有提示"
    landed = client.get(response["Location"]).content.decode()
    for message in flashed:
        assert landed.count(message) == 1, f"提示“{message}”未显示在 {response['Location']}"
    again = client.get(response["Location"]).content.decode()
    assert not [m for m in flashed if m in again]
    return flashed


def _adopted(world: World) -> None:
    PackAdoption.objects.create(
        jurisdiction=world.park_a,
        pack_id="zhengyang-2022-20",
        adopted_at=dt.datetime(2022, 11, 1, tzinfo=dt.UTC),
    )


def test_the_employees_declaration_says_it_was_received(world: World, client_as: Clients) -> None:
    _adopted(world)
    body = {"temperature": "36.5", "code_colour": "green"}
    assert posted_and_shown(client_as("a1_employee"), "/health/declare/", body) == [
        "今日健康申报已提交，谢谢！"
    ]
    assert Declaration.objects.get().person == world.a1_employee_person


def test_the_officers_reading_and_its_warning_are_both_shown(
    world: World, client_as: Clients
) -> None:
    _adopted(world)
    url = f"/health/enterprises/{world.a1.pk}/checks/"
    body = {"person": world.a1_person.pk, "temperature": "38.5", "source": "manual"}
    shown = posted_and_shown(client_as("a1_officer"), url, body)
    assert shown[0] == f"已记录 {world.a1_person.name} 的体温"
    assert len(shown) == 2 and "已生成预警" in shown[1]
    assert str(TemperatureReading.objects.get().temperature) == "38.5"


def test_the_park_admins_risk_area_is_confirmed_and_reads_in_chinese(
    world: World, client_as: Clients
) -> None:
    """The admin types the level as the page shows it (中风险); the register keeps the
    pack's word and shows the Chinese one."""
    _adopted(world)
    url = f"/mobility/parks/{world.park_a.pk}/risk-areas/"
    body = {
        "division_code": "420102",
        "place": "某街道",
        "level": "中风险",
        "effective_from": "2022-11-10",
        "source": "某市指挥部公告",
    }
    client = client_as("park_a_admin")
    assert posted_and_shown(client, url, body) == ["已登记。"]
    area = RiskArea.objects.get()
    assert area.level == "medium"
    page = client.get(url).content.decode()
    assert ">中风险</td>" in page and ">medium<" not in page
    assert "低风险、中风险、高风险" in page


def test_an_unknown_risk_word_is_refused_with_the_chinese_words(
    world: World, client_as: Clients
) -> None:
    _adopted(world)
    url = f"/mobility/parks/{world.park_a.pk}/risk-areas/"
    body = {
        "division_code": "420102",
        "level": "很危险",
        "effective_from": "2022-11-10",
        "source": "某市指挥部公告",
    }
    response = client_as("park_a_admin").post(url, body)
    assert response.status_code == 422
    assert "风险等级不在本园区采用的规则包的用语中：低风险、中风险、高风险" in (
        response.content.decode()
    )
    assert not RiskArea.objects.exists()


def test_the_park_admins_adoption_is_confirmed(world: World, client_as: Clients) -> None:
    url = f"/park/{world.park_a.pk}/packs/"
    body = {"pack_id": "liucheng-2022-36", "action": "adopt"}
    shown = posted_and_shown(client_as("park_a_admin"), url, body)
    assert len(shown) == 1 and shown[0].startswith("已采用：")
    assert PackAdoption.objects.filter(jurisdiction=world.park_a, pack_id=body["pack_id"]).exists()
