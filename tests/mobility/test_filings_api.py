"""The JSON API of the community liaison's view (returnees living in their grid and the
visitors filed with their community: B-2.2c, H-4.4, J-1.2.3) and of the park's visitor filings:
the same rows as the pages, masked as the pages are (a returnee's name, never their ID number
or phone; a visitor's origin and category, never their name or phone), scoped the same way."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from parkguard.mobility.models import ReturnDeclaration, Visitor
from parkguard.orgs.choices import Role
from parkguard.orgs.models import Membership
from parkguard.people.models import Person
from tests.factories import World, make_user
from tests.mobility.conftest import WUHAN_JIANGAN, at
from tests.mobility.journeys import ClientAs

pytestmark = pytest.mark.django_db
SHANGHAI = "310115"


def _return(person: Person, arrived: dt.datetime, *, closed: bool = False) -> ReturnDeclaration:
    return ReturnDeclaration.objects.create(
        person=person,
        enterprise=person.enterprise,
        arrived_at=arrived,
        transport="train",
        stays=[
            {"division_code": WUHAN_JIANGAN, "division_name": "湖北省武汉市江岸区"},
            {"division_code": SHANGHAI, "division_name": "上海市浦东新区"},
        ],
        declared_at=arrived,
        closed_at=arrived if closed else None,
    )


def _visitor(world: World, *, filed: bool, name: str) -> Visitor:
    return Visitor.objects.create(
        enterprise=world.a1,
        host=world.a1_person,
        purpose="洽谈",
        origin_code=SHANGHAI,
        origin_name="上海市浦东新区",
        arrives_at=at("2022-11-18", "10:00"),
        state="filled",
        name=name,
        phone="13900000888",
        category="J-1.2.1 途经高风险地区",
        filed=filed,
        link_nonce="f" * 32,
        created_at=at("2022-11-15"),
    )


@pytest.fixture
def filings(world: World) -> World:
    """A1 sits in community A. Its returnee 甲一张三 lives in community A (two returns, one
    closed), 甲一李四 in community B; one visitor is filed, one is not."""
    world.a1.community = world.community_a
    world.a1.save(update_fields=["community"])
    _return(world.a1_person, at("2022-11-15", "10:00"))
    _return(world.a1_person, at("2022-11-01", "08:30"), closed=True)
    _return(world.a1_employee_person, at("2022-11-14", "09:00"))
    _visitor(world, filed=True, name="来访甲")
    _visitor(world, filed=False, name="来访乙")
    return world


def _cells(html: str, table: str) -> list[list[str]]:
    body = html.split(f'id="{table}"')[1].split("</table>")[0].split("<tbody>")[1]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [
        [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r)] for r in rows
    ]


def _shown(value: str) -> str:
    """An API time as the page shows it (site time, n月j日 H:i)."""
    local = dt.datetime.fromisoformat(value).astimezone(dt.timezone(dt.timedelta(hours=8)))
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def _personal(world: World) -> list[str]:
    people = (world.a1_person, world.a1_employee_person)
    return [
        *(p.phone for p in people),
        *(p.id_masked for p in people),
        "来访甲",
        "来访乙",
        "13900000888",
    ]


def test_the_liaisons_api_answers_the_pages_rows_masked_alike(
    filings: World, client_as: ClientAs
) -> None:
    world = filings
    client = client_as("liaison_a")
    page = client.get("/mobility/community/").content.decode()
    response = client.get("/api/v1/mobility/community")
    assert response.status_code == 200
    body = response.json()
    returns = [
        [r["name"], r["enterprise"], _shown(r["arrived_at"]), "、".join(r["stays"]), r["state"]]
        for r in body["returns"]
    ]
    assert returns == _cells(page, "community-returns")
    assert returns == [
        [
            "甲一张三",
            world.a1.name,
            "11月15日 10:00",
            "湖北省武汉市江岸区、上海市浦东新区",
            "管理中",
        ],
        [
            "甲一张三",
            world.a1.name,
            "11月1日 08:30",
            "湖北省武汉市江岸区、上海市浦东新区",
            "已解除",
        ],
    ]
    assert [r["closed"] for r in body["returns"]] == [False, True]
    visitors = [
        [v["enterprise"], _shown(v["arrives_at"]), v["origin_name"], v["category"]]
        for v in body["visitors"]
    ]
    assert visitors == _cells(page, "community-visitors")
    assert visitors == [
        [world.a1.name, "11月18日 10:00", "上海市浦东新区", "J-1.2.1 途经高风险地区"]
    ]
    # No field the page does not show: no ID number, no phone, no visitor's name.
    assert set(body["returns"][0]) == {
        "name",
        "enterprise",
        "arrived_at",
        "stays",
        "closed",
        "state",
    }
    assert set(body["visitors"][0]) == {"enterprise", "arrives_at", "origin_name", "category"}
    text = response.content.decode()
    assert [m for m in _personal(world) if m in text] == []
    assert [m for m in _personal(world) if m in page] == []


def test_the_parks_visitor_api_answers_the_pages_rows(filings: World, client_as: ClientAs) -> None:
    world = filings
    client = client_as("park_a_admin")
    page = client.get(f"/mobility/parks/{world.park_a.pk}/visitors/").content.decode()
    response = client.get(f"/api/v1/mobility/parks/{world.park_a.pk}/visitors")
    assert response.status_code == 200
    rows = [
        [v["enterprise"], _shown(v["arrives_at"]), v["origin_name"], v["category"]]
        for v in response.json()
    ]
    table = page.split("<h1>")[1]
    cells = [
        [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td>(.*?)</td>", r)]
        for r in re.findall(r"<tr>(<td>.*?)</tr>", table, re.S)
    ]
    assert (
        rows
        == cells
        == [[world.a1.name, "11月18日 10:00", "上海市浦东新区", "J-1.2.1 途经高风险地区"]]
    )
    text = response.content.decode()
    assert [m for m in _personal(world) if m in text] == []


def _empty(response: Any) -> bool:
    return response.status_code == 200 and response.json() == {"returns": [], "visitors": []}


def test_outsiders_get_nothing_of_the_grid_or_the_parks_filings(
    filings: World, client_as: ClientAs
) -> None:
    """Another community's liaison, another park's admin and cadre, an enterprise's officer:
    none of 甲一张三's returns, none of park A's filings; anonymous: refused."""
    world = filings
    liaison_c = make_user("liaison_c")
    community_c = world.community_b  # 甲一李四's community, not 甲一张三's
    Membership.objects.create(user=liaison_c, role=Role.COMMUNITY_LIAISON, jurisdiction=community_c)
    cadre_b = make_user("cadre_b")
    Membership.objects.create(user=cadre_b, role=Role.PARK_CADRE, jurisdiction=world.park_b)
    world.users.update({"liaison_c": liaison_c, "cadre_b": cadre_b})
    other = client_as("liaison_c").get("/api/v1/mobility/community").json()
    assert [r["name"] for r in other["returns"]] == ["甲一李四"] and other["visitors"] == []
    for persona in ("park_b_admin", "cadre_b", "a1_officer", "a2_officer"):
        assert _empty(client_as(persona).get("/api/v1/mobility/community")), persona
    park_api = f"/api/v1/mobility/parks/{world.park_a.pk}/visitors"
    park_page = f"/mobility/parks/{world.park_a.pk}/visitors/"
    for persona in ("park_b_admin", "cadre_b", "a1_officer", "a2_officer", "liaison_a"):
        client = client_as(persona)
        for url in (park_api, park_page):
            response = client.get(url)
            assert response.status_code in {403, 404}, (persona, url, response.status_code)
            assert world.a1.name not in response.content.decode()
    anonymous = Client()
    assert anonymous.get("/api/v1/mobility/community").status_code == 401
    assert anonymous.get(park_api).status_code == 401
    for url in ("/mobility/community/", park_page):
        assert "/login" in anonymous.get(url)["Location"]
