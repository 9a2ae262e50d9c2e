"""Visitors J-1.2.1 to J-1.2.5 played through the pages (the host's registration page, the
visitor's own phone page at /v/<token>/) AND the JSON API, with the notice's dates (registered
2022-11-15, arriving 11-18 10:00): the category, the test days and the earliest plant entry
the visitor and the officer see; J-1.2.3's filing on the community's and the park's pages;
J-1.2.5's buffer zone within its capacity."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest

from parkguard.gate import api as gate_api
from parkguard.gate import tokens
from parkguard.gate.models import Gate, TemporaryPass
from parkguard.gate.services import gate_create
from parkguard.mobility import services
from parkguard.mobility.divisions import ABROAD
from parkguard.mobility.models import Visitor
from parkguard.mobility.services import RiskAreaIn
from parkguard.orgs.access import SYSTEM
from parkguard.people.models import Person
from tests.factories import World
from tests.gate.test_pages import qr_content
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


def _gate_check(client: Any, gate: Gate, code: str) -> dict[str, Any]:
    """The guard's kiosk asks the gate (its JSON API) about a scanned code."""
    body = {
        "gate_id": gate.pk,
        "direction": "in",
        "code": code,
        "temperature": "36.5",
        "code_colour": "green",
        "steps": ["mask", "disinfect_person", "register"],
    }
    answer = client.post("/api/v1/gate/check", json.dumps(body), content_type="application/json")
    assert answer.status_code == 200, answer.content
    return dict(answer.json())


def _issue_pass(via: str, officer: Any, visitor: Visitor, departs: str) -> Any:
    if via == "api":
        return officer.post(
            f"/api/v1/mobility/visitors/{visitor.pk}/pass",
            json.dumps({"departs_at": departs}),
            content_type="application/json",
        )
    local = dt.datetime.fromisoformat(departs).strftime("%Y-%m-%dT%H:%M")
    return officer.post(f"/mobility/visitors/{visitor.pk}/pass/", {"departs_at": local})


def _pass_code(via: str, client: Any, token: str) -> str:
    """What the visitor's own page (or the API behind it) shows: the pass's QR code."""
    if via == "api":
        own = client.get(f"/api/v1/mobility/visitor-links/{token}")
        if own.status_code == 404:  # a cancelled visit's link shows nothing
            return ""
        found = own.json()["pass"]
        return str(found["code"]) if found else ""
    html = client.get(f"/v/{token}/").content.decode()
    codes = [
        f"{tokens.TEMPORARY}.{s}" for s in TemporaryPass.objects.values_list("serial", flat=True)
    ]
    try:
        return qr_content(html, codes)
    except AssertionError:
        return ""


def _cancel(via: str, client: Any, visitor: Visitor) -> Any:
    if via == "api":
        return client.post(f"/api/v1/mobility/visitors/{visitor.pk}/cancel")
    return client.post(f"/mobility/visitors/{visitor.pk}/cancel/")


@pytest.mark.parametrize("via", VIAS)
@pytest.mark.parametrize(
    ("origin", "first_day", "valid_from"),
    [
        # J-1.2.4: another province, no isolation: the pass opens at the arrival.
        (SHANGHAI, "2022-11-10", ("2022-11-18", "10:00")),
        # J-1.2.1: a high-risk area: 7 days' home isolation; the pass opens on 11-25 00:00.
        (WUHAN_JIANGAN, "2022-11-10", ("2022-11-25", "00:00")),
    ],
    ids=["J-1.2.4", "J-1.2.1"],
)
def test_a_visitors_pass_opens_the_gate_inside_its_window_only(
    via: str,
    origin: str,
    first_day: str,
    valid_from: tuple[str, str],
    jinjiang: World,
    client_as: ClientAs,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """J-1.2 with issue 13 §1: the host registers the visitor, the visitor fills in the link
    (a negative certificate of the day before arrival), the officer issues the pass from the
    board (from the plan's earliest entry until the departure entered), the visitor's page
    shows its QR code; the gate is green inside the window, red before and after it, red for
    a pass a re-issue replaced, and red once the visit is cancelled."""
    world = jinjiang
    services.risk_area_save(
        scope=SYSTEM,
        park=world.park_a,
        row=RiskAreaIn(WUHAN_JIANGAN, "", "high", dt.date(2022, 11, 1), None, "公告"),
        by=None,
        at=at("2022-11-10"),
    )
    gate = gate_create(
        scope=SYSTEM,
        park=world.park_a,
        enterprise=world.a1,
        name="甲一东门",
        place="plant_gate",
        at=at("2022-11-10"),
        by=None,
    )
    clock = Clock(monkeypatch, at("2022-11-15"))
    monkeypatch.setattr(gate_api, "timezone", clock)
    _, token = register_visitor(via, client_as("a1_employee"), origin, ARRIVES)
    clock.set("2022-11-16")
    visitor_phone = client_as(None)
    filled = fill_visitor(
        via,
        visitor_phone,
        token,
        [(origin, first_day, "2022-11-18")],
        cert="2022-11-17T08:00:00+08:00",
    )
    assert filled.status_code in {200, 201}, filled.content
    visitor = Visitor.objects.get()
    start = at(*valid_from)
    assert visitor.earliest_entry == start
    assert _pass_code(via, visitor_phone, token) == ""  # no pass yet
    officer = client_as("a1_officer")
    departs = start + dt.timedelta(hours=8)
    issued = _issue_pass(via, officer, visitor, departs.isoformat())
    assert issued.status_code in {201, 302}, issued.content
    first = TemporaryPass.objects.get()
    assert (first.valid_from, first.valid_until) == (start, departs)
    assert first.negative_sampled_at == at("2022-11-17", "08:00")
    code = _pass_code(via, visitor_phone, token)
    assert code == tokens.temporary_code(first.serial)
    guard = client_as("a1_guard")

    def gate_at(when: dt.datetime, scanned: str) -> dict[str, Any]:
        clock.value = when
        return _gate_check(guard, gate, scanned)

    early = gate_at(start - dt.timedelta(minutes=30), code)
    assert (early["colour"], early["refusal"]) == ("red", "outside_window")
    inside = gate_at(start + dt.timedelta(hours=1), code)
    assert inside["colour"] == "green", inside
    late = gate_at(departs + dt.timedelta(minutes=1), code)
    assert (late["colour"], late["refusal"]) == ("red", "outside_window")
    # A re-issue (a longer stay): the old pass is revoked, the new one opens the gate.
    clock.value = start + dt.timedelta(hours=2)
    again = _issue_pass(via, officer, visitor, (start + dt.timedelta(days=1)).isoformat())
    assert again.status_code in {201, 302}, again.content
    second = TemporaryPass.objects.exclude(pk=first.pk).get()
    replaced = gate_at(start + dt.timedelta(hours=3), code)
    assert (replaced["colour"], replaced["refusal"]) == ("red", "revoked")
    new_code = _pass_code(via, visitor_phone, token)
    assert new_code == tokens.temporary_code(second.serial)
    assert gate_at(start + dt.timedelta(hours=3), new_code)["colour"] == "green"
    # The host cancels the visit: the pass is revoked and the gate says so.
    clock.value = start + dt.timedelta(hours=4)
    assert _cancel(via, client_as("a1_employee"), visitor).status_code in {200, 302}
    after = gate_at(start + dt.timedelta(hours=5), new_code)
    assert (after["colour"], after["refusal"]) == ("red", "revoked")
    assert _pass_code(via, visitor_phone, token) == ""
