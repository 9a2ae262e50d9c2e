"""Visitors, J-1.2.1–J-1.2.5: registered by a host, filled in on the visitor's phone through a
signed, expiring, rate-limited link; the engine decides the category and plan; filings reach
the community and the park (J-1.2.3); large enterprises place visitors in a buffer zone."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.test import Client

from parkguard.mobility import services, visitors
from parkguard.mobility.divisions import ABROAD
from parkguard.mobility.models import Visitor
from parkguard.mobility.services import RiskAreaIn, StayDeclared
from parkguard.notify.models import Message
from parkguard.orgs.access import SYSTEM
from parkguard.people.models import Person
from tests.factories import World
from tests.mobility.conftest import WUHAN_JIANGAN, at

pytestmark = pytest.mark.django_db
SHANGHAI = "310115"


def _visitor(world: World, origin: str, arrives: dt.datetime) -> Visitor:
    return visitors.visitor_register(
        scope=SYSTEM,
        host=world.a1_employee_person,
        purpose="商务洽谈",
        origin_code=origin,
        arrives_at=arrives,
        by=None,
        at=at("2022-11-15"),
    )


def _fill(visitor: Visitor, code: str, first: str, last: str, at_: dt.datetime) -> Visitor:
    return visitors.visitor_fill(
        visitor=visitor,
        name="访客甲",
        phone="13900000001",
        stays=[StayDeclared(code, dt.date.fromisoformat(first), dt.date.fromisoformat(last))],
        certificates=[],
        at=at_,
    )


def _tests(visitor: Visitor) -> list[str]:
    return [o["on_date"] for p in visitor.plans for o in p["obligations"] if o["kind"] == "test"]


def test_it_plans_a_j_1_2_1_high_risk_visitor_and_files_it(jinjiang: World) -> None:
    """J-1.2.1: 48 h test before leaving, declare 24 h ahead, 7 days home isolation with tests
    on days 1, 3, 5, 7; J-1.2.3: the enterprise files with the community and the park."""
    world = jinjiang
    world.a1.community = world.community_a
    world.a1.save(update_fields=["community"])
    services.risk_area_save(
        scope=SYSTEM,
        park=world.park_a,
        row=RiskAreaIn(WUHAN_JIANGAN, "", "high", dt.date(2022, 11, 1), None, "公告"),
        by=None,
        at=at("2022-11-10"),
    )
    visitor = _visitor(world, WUHAN_JIANGAN, at("2022-11-18", "10:00"))
    visitor = _fill(visitor, WUHAN_JIANGAN, "2022-11-10", "2022-11-18", at("2022-11-16"))
    assert visitor.category == "J-1.2.1；J-1.2.3"
    assert _tests(visitor) == ["2022-11-18", "2022-11-20", "2022-11-22", "2022-11-24"]
    assert visitor.earliest_entry == at("2022-11-25", "00:00")
    assert visitor.filed
    liaison = world.users["liaison_a"]
    assert Message.objects.filter(user=liaison, title__startswith="来访人员报备").exists()


def test_it_plans_a_j_1_2_2_visitor_from_abroad(jinjiang: World) -> None:
    """J-1.2.2: 5 days centralised (tests 1, 2, 3, 5) + 3 days home (tests 1, 3)."""
    visitor = _visitor(jinjiang, ABROAD, at("2022-11-18", "10:00"))
    visitor = _fill(visitor, ABROAD, "2022-11-01", "2022-11-17", at("2022-11-16"))
    assert visitor.category.startswith("J-1.2.2")
    assert _tests(visitor) == [
        "2022-11-18",
        "2022-11-19",
        "2022-11-20",
        "2022-11-22",
        "2022-11-23",
        "2022-11-25",
    ]
    assert visitor.earliest_entry == at("2022-11-26", "00:00") and visitor.filed


def test_it_plans_a_j_1_2_4_visitor_from_another_province(jinjiang: World) -> None:
    """J-1.2.4: a landing test and tests on days 2 and 3; no filing, no isolation."""
    visitor = _visitor(jinjiang, SHANGHAI, at("2022-11-18", "10:00"))
    visitor = _fill(visitor, SHANGHAI, "2022-11-10", "2022-11-18", at("2022-11-16"))
    assert visitor.category == "J-1.2.4"
    assert _tests(visitor) == ["2022-11-18", "2022-11-19", "2022-11-20"]
    assert not visitor.filed and not visitor.buffer_needed


def _staff(world: World, count: int) -> None:
    base = world.a1_person
    Person.objects.bulk_create(
        [
            Person(
                enterprise=world.a1,
                name=f"员工{n}",
                id_digest=f"digest-{n}",
                id_encrypted="x",
                id_masked=base.id_masked,
                id_tail=base.id_tail,
                gender=base.gender,
                birth_date=base.birth_date,
                phone=base.phone,
                category=base.category,
                status=base.status,
            )
            for n in range(count)
        ]
    )


def test_it_places_j_1_2_5_visitors_of_a_large_enterprise_in_the_buffer_zone(
    jinjiang: World,
) -> None:
    """J-1.2.5: an enterprise of the pack's large size (200人以上) keeps visitors from outside
    the county in a buffer zone, within its capacity."""
    world = jinjiang
    _staff(world, 200 - Person.objects.filter(enterprise=world.a1).count())
    point = services.observation_point_save(
        scope=SYSTEM,
        enterprise=world.a1,
        kind="buffer",
        name="东门缓冲区",
        capacity=1,
        at=at("2022-11-15"),
    )
    first = _fill(
        _visitor(world, SHANGHAI, at("2022-11-18")),
        SHANGHAI,
        "2022-11-10",
        "2022-11-18",
        at("2022-11-16"),
    )
    assert first.buffer_needed and first.buffer == point
    second = _fill(
        _visitor(world, SHANGHAI, at("2022-11-18")),
        SHANGHAI,
        "2022-11-10",
        "2022-11-18",
        at("2022-11-16"),
    )
    assert second.buffer_needed and second.buffer is None  # full: the board says 待安排


def test_it_refuses_a_visitor_with_no_host(jinjiang: World) -> None:
    with pytest.raises(ValidationError) as exc:
        visitors.visitor_register(
            scope=SYSTEM,
            host=None,
            purpose="洽谈",
            origin_code=SHANGHAI,
            arrives_at=at("2022-11-18"),
            by=None,
            at=at("2022-11-15"),
        )
    assert exc.value.message_dict == {"host": [visitors.VISITOR_NO_HOST]}
    assert Visitor.objects.count() == 0


def test_the_link_page_shows_nothing_to_a_forged_or_expired_token(
    jinjiang: World, client_as: Callable[[str | None], Client], settings: Any
) -> None:
    visitor = _visitor(jinjiang, SHANGHAI, at("2022-11-18"))
    token = visitors.visitor_link(visitor)
    anonymous = client_as(None)
    assert anonymous.get(f"/v/{token}/").status_code == 200
    forged = signing.dumps({"v": visitor.pk, "n": "0" * 32}, salt=visitors.SALT)
    for bad in (forged, token[:-2] + "xx", "abc"):
        response = anonymous.get(f"/v/{bad}/")
        assert response.status_code == 404
        assert visitors.LINK_INVALID in response.content.decode()
        assert jinjiang.a1.name not in response.content.decode()
    settings.MOBILITY_VISITOR_LINK_HOURS = 0
    assert anonymous.get(f"/v/{token}/").status_code == 404


def test_the_link_is_rate_limited(
    jinjiang: World, client_as: Callable[[str | None], Client], settings: Any
) -> None:
    settings.MOBILITY_VISITOR_LINK_USES = 2
    token = visitors.visitor_link(_visitor(jinjiang, SHANGHAI, at("2022-11-18")))
    anonymous = client_as(None)
    assert [anonymous.get(f"/v/{token}/").status_code for _ in range(3)] == [200, 200, 429]


def test_a_host_registers_through_the_api_and_the_visitor_fills_in_on_the_phone(
    jinjiang: World, client_as: Callable[[str | None], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    from types import SimpleNamespace

    from parkguard.mobility import api as mobility_api

    monkeypatch.setattr(mobility_api, "timezone", SimpleNamespace(now=lambda: at("2022-11-15")))
    registered = client_as("a1_employee").post(
        "/api/v1/mobility/visitors",
        json.dumps(
            {"purpose": "验厂", "origin_code": SHANGHAI, "arrives_at": "2022-11-17T09:00:00+08:00"}
        ),
        content_type="application/json",
    )
    assert registered.status_code == 201, registered.content
    token = registered.json()["link_token"]
    filled = client_as(None).post(
        f"/api/v1/mobility/visitor-links/{token}/details",
        json.dumps(
            {
                "name": "访客乙",
                "phone": "13900000002",
                "stays": [
                    {"division_code": SHANGHAI, "first_day": "2022-11-10", "last_day": "2022-11-17"}
                ],
            }
        ),
        content_type="application/json",
    )
    assert filled.status_code == 201, filled.content
    visitor = Visitor.objects.get()
    assert (visitor.state, visitor.name, visitor.category) == ("filled", "访客乙", "J-1.2.4")
    board = client_as("a1_officer").get(f"/mobility/enterprises/{jinjiang.a1.pk}/visitors/")
    assert "J-1.2.4" in board.content.decode()


@pytest.mark.parametrize(
    ("origin", "first_day", "category", "tests"),
    [
        # J-1.2.1 (a high-risk area): tests on days 1, 3, 5, 7; J-1.2.3: filed.
        (
            WUHAN_JIANGAN,
            "2022-11-10",
            "J-1.2.1；J-1.2.3",
            ["2022-11-18", "2022-11-20", "2022-11-22", "2022-11-24"],
        ),
        # J-1.2.2 (from abroad): 5 days centralised (1, 2, 3, 5) + 3 days home (1, 3); filed.
        (
            ABROAD,
            "2022-11-01",
            "J-1.2.2",
            ["2022-11-18", "2022-11-19", "2022-11-20", "2022-11-22", "2022-11-23", "2022-11-25"],
        ),
    ],
)
def test_a_filed_visitor_plays_through_the_api_and_reaches_the_community_and_park_j_1_2_3(
    jinjiang: World,
    client_as: Callable[[str | None], Client],
    monkeypatch: pytest.MonkeyPatch,
    origin: str,
    first_day: str,
    category: str,
    tests: list[str],
) -> None:
    """J-1.2.1 and J-1.2.2 through the API with the notice's dates (registered 11-15, arriving
    11-18 10:00); J-1.2.3: the filing is on the community liaison's page and the park's
    来访报备 page, and on no other community's or park's."""
    from types import SimpleNamespace

    from parkguard.mobility import api as mobility_api

    world = jinjiang
    world.a1.community = world.community_a
    world.a1.save(update_fields=["community"])
    services.risk_area_save(
        scope=SYSTEM,
        park=world.park_a,
        row=RiskAreaIn(WUHAN_JIANGAN, "", "high", dt.date(2022, 11, 1), None, "公告"),
        by=None,
        at=at("2022-11-10"),
    )
    monkeypatch.setattr(mobility_api, "timezone", SimpleNamespace(now=lambda: at("2022-11-15")))
    registered = client_as("a1_employee").post(
        "/api/v1/mobility/visitors",
        json.dumps(
            {
                "purpose": "商务洽谈",
                "origin_code": origin,
                "arrives_at": "2022-11-18T10:00:00+08:00",
            }
        ),
        content_type="application/json",
    )
    assert registered.status_code == 201, registered.content
    filled = client_as(None).post(
        f"/api/v1/mobility/visitor-links/{registered.json()['link_token']}/details",
        json.dumps(
            {
                "name": "访客丙",
                "phone": "13900000003",
                "stays": [
                    {"division_code": origin, "first_day": first_day, "last_day": "2022-11-18"}
                ],
            }
        ),
        content_type="application/json",
    )
    assert filled.status_code == 201, filled.content
    visitor = Visitor.objects.get()
    assert visitor.category.startswith(category) and visitor.filed
    assert _tests(visitor) == tests
    assert f'<td data-label="类别">{visitor.category}</td>' in (
        client_as("liaison_a").get("/mobility/community/").content.decode()
    )
    park_page = f"/mobility/parks/{world.park_a.pk}/visitors/"
    assert (
        f"<td>{visitor.category}</td>" in client_as("park_a_admin").get(park_page).content.decode()
    )
    other_park = f"/mobility/parks/{world.park_b.pk}/visitors/"
    assert visitor.category not in client_as("park_b_admin").get(other_park).content.decode()


def test_the_visitor_pages_read_on_a_phone_and_the_community_page_has_a_plain_title(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    """The community page's title block held its whole visitor table (markup in the tab's
    title, the table twice), and the visitor tables scrolled sideways on a phone: each is a
    table of cards with a label per cell."""
    import re

    community = client_as("liaison_a").get("/mobility/community/").content.decode()
    assert re.search(r"<title>辖区返岗人员[^<]*</title>", community)
    assert community.count("来访人员报备") == 1
    assert 'id="community-visitors"' in community and 'class="cards"' in community
    officer = client_as("a1_officer")
    page = officer.get(f"/mobility/enterprises/{world.a1.pk}/visitors/").content.decode()
    assert '<table class="cards" id="visitor-table">' in page
