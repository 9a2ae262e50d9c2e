"""Visitors J-1.2.1 to J-1.2.5 played through the pages (the host's registration page, the
visitor's own phone page at /v/<token>/) AND the JSON API, with the notice's dates (registered
2022-11-15, arriving 11-18 10:00): the category, the test days and the earliest plant entry
the visitor and the officer see; J-1.2.3's filing on the community's and the park's pages;
J-1.2.5's buffer zone within its capacity."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from parkguard.mobility import services
from parkguard.mobility.divisions import ABROAD
from parkguard.mobility.models import Visitor
from parkguard.mobility.services import RiskAreaIn
from parkguard.orgs.access import SYSTEM
from parkguard.people.models import Person
from tests.factories import World
from tests.mobility.conftest import WUHAN_JIANGAN, at
from tests.mobility.journeys import VIAS, ClientAs, Clock, fill_visitor, register_visitor

pytestmark = pytest.mark.django_db
SHANGHAI = "310115"
ARRIVES = "2022-11-18T10:00:00+08:00"


def _tests(visitor: Visitor) -> list[str]:
    return [o["on_date"] for p in visitor.plans for o in p["obligations"] if o["kind"] == "test"]


@pytest.mark.parametrize("via", VIAS)
@pytest.mark.parametrize(
    ("origin", "first_day", "category", "tests", "entry", "filed"),
    [
        # J-1.2.1: high-risk area: 7 days home isolation, tests days 1, 3, 5, 7; filed (J-1.2.3).
        (
            WUHAN_JIANGAN,
            "2022-11-10",
            "J-1.2.1；J-1.2.3",
            ["2022-11-18", "2022-11-20", "2022-11-22", "2022-11-24"],
            "2022-11-25",
            True,
        ),
        # J-1.2.2: abroad: 5 days centralised (1, 2, 3, 5) + 3 days home (1, 3); filed.
        (
            ABROAD,
            "2022-11-01",
            "J-1.2.2",
            ["2022-11-18", "2022-11-19", "2022-11-20", "2022-11-22", "2022-11-23", "2022-11-25"],
            "2022-11-26",
            True,
        ),
        # J-1.2.4: another province: landing test, days 2 and 3; no isolation, no filing.
        (SHANGHAI, "2022-11-10", "J-1.2.4", ["2022-11-18", "2022-11-19", "2022-11-20"], "", False),
    ],
    ids=["J-1.2.1", "J-1.2.2", "J-1.2.4"],
)
def test_a_visitor_plays_through_the_host_and_phone_pages_and_the_api(
    via: str,
    origin: str,
    first_day: str,
    category: str,
    tests: list[str],
    entry: str,
    filed: bool,
    jinjiang: World,
    client_as: ClientAs,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
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
    clock = Clock(monkeypatch, at("2022-11-15"))
    host = client_as("a1_employee")
    registered, token = register_visitor(via, host, origin, ARRIVES)
    assert registered.status_code in {201, 302} and token, registered.content
    visitor = Visitor.objects.get()
    assert (visitor.state, visitor.host) == ("registered", world.a1_employee_person)
    clock.set("2022-11-16")
    filled = fill_visitor(via, client_as(None), token, [(origin, first_day, "2022-11-18")])
    assert filled.status_code in {200, 201}, filled.content
    visitor.refresh_from_db()
    assert visitor.state == "filled" and visitor.category.startswith(category)
    assert _tests(visitor) == tests and visitor.filed is filed
    if entry:  # isolation: the plant from midnight after its last day
        assert visitor.earliest_entry == at(entry, "00:00")
    else:  # no isolation: entry from arrival, the tests are checked at the gate
        assert visitor.earliest_entry == at("2022-11-18", "10:00")
    when = f"{visitor.earliest_entry.astimezone(at('2022-11-18').tzinfo):%-m月%-d日 %H:%M}"
    if via == "page":
        assert f"最早进厂：{when}" in filled.content.decode()
    else:
        assert dt.datetime.fromisoformat(filled.json()["earliest_entry"]) == visitor.earliest_entry
    board = client_as("a1_officer").get(f"/mobility/enterprises/{world.a1.pk}/visitors/")
    assert visitor.category in board.content.decode() and when in board.content.decode()
    rows = client_as("a1_officer").get(f"/api/v1/mobility/enterprises/{world.a1.pk}/visitors")
    assert [r["category"] for r in rows.json()] == [visitor.category]
    # J-1.2.3: a filing reaches the community liaison and the park, and no one else.
    community = client_as("liaison_a").get("/mobility/community/").content.decode()
    park = client_as("park_a_admin").get(f"/mobility/parks/{world.park_a.pk}/visitors/")
    cell = re.compile(rf"<td[^>]*>{re.escape(visitor.category)}</td>")
    assert bool(cell.search(community)) is filed
    assert bool(cell.search(park.content.decode())) is filed
    other = client_as("park_b_admin").get(f"/mobility/parks/{world.park_b.pk}/visitors/")
    assert visitor.category not in other.content.decode()


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


@pytest.mark.parametrize("via", VIAS)
def test_j_1_2_5_visitors_of_a_large_enterprise_go_to_its_buffer_zone(
    via: str, jinjiang: World, client_as: ClientAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """J-1.2.5: an enterprise of 200+ staff (the pack's `enterprise_sizes.large`) sets up a
    buffer zone on its points page; its visitors from outside are placed there up to its
    capacity (1); the next is 待安排 on the officer's board."""
    world = jinjiang
    _staff(world, 200 - Person.objects.filter(enterprise=world.a1).count())
    officer = client_as("a1_officer")
    made = officer.post(
        f"/mobility/enterprises/{world.a1.pk}/points/",
        {"kind": "buffer", "name": "东门缓冲区", "capacity": "1"},
    )
    assert made.status_code == 302
    clock = Clock(monkeypatch, at("2022-11-15"))
    host = client_as("a1_employee")
    filled = []
    for _ in range(2):
        clock.set("2022-11-15")
        registered, token = register_visitor(via, host, SHANGHAI, ARRIVES)
        assert token, registered.content
        clock.set("2022-11-16")
        response = fill_visitor(
            via, client_as(None), token, [(SHANGHAI, "2022-11-10", "2022-11-18")]
        )
        assert response.status_code in {200, 201}, response.content
        filled.append(response)
    first, second = Visitor.objects.order_by("pk")
    assert first.buffer_needed and first.buffer is not None and first.buffer.name == "东门缓冲区"
    assert second.buffer_needed and second.buffer is None
    if via == "page":
        assert "请在“东门缓冲区”食宿、活动。" in filled[0].content.decode()
    else:
        assert filled[0].json()["buffer"] == "东门缓冲区" and filled[1].json()["buffer"] == ""
    board = officer.get(f"/mobility/enterprises/{world.a1.pk}/visitors/").content.decode()
    assert "东门缓冲区" in board and "待安排" in board


@pytest.mark.parametrize("via", VIAS)
def test_a_j_1_2_1_visitor_who_passed_through_a_high_risk_area(
    via: str, jinjiang: World, client_as: ClientAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """J-1.2.1 "(或途经)": from Shanghai, passing through Wuhan (high risk) on the way (the
    phone page's "仅途经"): the stored stay says transit, and the plan is the pack's for it."""
    world = jinjiang
    services.risk_area_save(
        scope=SYSTEM,
        park=world.park_a,
        row=RiskAreaIn(WUHAN_JIANGAN, "", "high", dt.date(2022, 11, 1), None, "公告"),
        by=None,
        at=at("2022-11-10"),
    )
    clock = Clock(monkeypatch, at("2022-11-15"))
    _, token = register_visitor(via, client_as("a1_employee"), SHANGHAI, ARRIVES)
    clock.set("2022-11-16")
    stays = [(SHANGHAI, "2022-11-10", "2022-11-17"), (WUHAN_JIANGAN, "2022-11-18", "2022-11-18")]
    filled = fill_visitor(via, client_as(None), token, stays, transit=(2,))
    assert filled.status_code in {200, 201}, filled.content
    visitor = Visitor.objects.get()
    assert [s["transit"] for s in visitor.stays] == [False, True]
    assert "J-1.2.1" in visitor.category, visitor.category
