"""Outsiders against every mobility page and API, with well-formed requests (so it is the
scope that refuses, not a validation error) aimed at A1's real return with its stored plan and
isolation record, A1's trip and visitor, and park A's registers: another enterprise's officer,
another park's admin, A1's lower roles (employee, team leader, gate guard) and anonymous.
Reads reveal nothing of A1; writes are refused and every row of every table is as before
(the walker's digest of all columns, so an UPDATE shows)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from parkguard.mobility import services, visitors
from parkguard.mobility.models import IsolationRecord, Trip
from parkguard.mobility.services import RiskAreaIn, StayDeclared, StopIn
from parkguard.orgs.access import SYSTEM
from parkguard.orgs.choices import Role
from parkguard.orgs.models import Membership
from tests.factories import World, make_user
from tests.mobility.conftest import WUHAN_JIANGAN, at
from tests.mobility.journeys import ClientAs, Clock
from tests.test_outsiders import _changes, _snapshot

pytestmark = pytest.mark.django_db
SHANGHAI = "310115"
REFUSED = {401, 403, 404}
OUTSIDERS = [None, "a2_officer", "park_b_admin", "liaison_b"]
LOWER_ROLES = ["a1_employee", "a1_leader", "a1_guard"]


def _victims(world: World) -> dict[str, int]:
    area = services.risk_area_save(
        scope=SYSTEM,
        park=world.park_a,
        row=RiskAreaIn(WUHAN_JIANGAN, "", "high", dt.date(2022, 11, 1), None, "公告"),
        by=None,
        at=at("2022-11-10"),
    )
    declaration = services.return_declare(
        scope=SYSTEM,
        person=world.a1_person,
        arrived_at=at("2022-11-15", "10:00"),
        stays=[StayDeclared(WUHAN_JIANGAN, dt.date(2022, 11, 8), dt.date(2022, 11, 15))],
        transport="train",
        by=None,
        at=at("2022-11-15", "11:00"),
    )
    trip = services.trip_file(
        scope=SYSTEM,
        person=world.a1_person,
        purpose="work",
        departs_on=dt.date(2022, 11, 20),
        returns_on=dt.date(2022, 11, 22),
        stops=[StopIn(SHANGHAI, dt.date(2022, 11, 20), dt.date(2022, 11, 21))],
        by=None,
        at=at("2022-11-16"),
    )
    Trip.objects.filter(pk=trip.pk).update(status="pending", approver="企业负责同志")
    visitor = visitors.visitor_register(
        scope=SYSTEM,
        host=world.a1_person,
        purpose="商务洽谈",
        origin_code=SHANGHAI,
        arrives_at=at("2022-11-18"),
        by=None,
        at=at("2022-11-15"),
    )
    # liaison_b: the liaison of another community than the returnee's (community A).
    user = make_user("liaison_b")
    Membership.objects.create(
        user=user, role=Role.COMMUNITY_LIAISON, jurisdiction=world.community_b
    )
    world.users["liaison_b"] = user
    return {
        "return": declaration.pk,
        "trip": trip.pk,
        "isolation": IsolationRecord.objects.get(declaration=declaration).pk,
        "visitor": visitor.pk,
        "a1": world.a1.pk,
        "park": world.park_a.pk,
        "person": world.a1_person.pk,
        "risk_area": area.pk,
    }


def _reads(v: dict[str, int]) -> list[str]:
    return [
        f"/mobility/returns/{v['return']}/",
        f"/mobility/trips/{v['trip']}/",
        f"/mobility/enterprises/{v['a1']}/returnees/",
        f"/mobility/enterprises/{v['a1']}/visitors/",
        f"/mobility/enterprises/{v['a1']}/points/",
        f"/mobility/isolations/{v['isolation']}/",
        f"/mobility/visitors/{v['visitor']}/",
        f"/mobility/parks/{v['park']}/risk-areas/",
        f"/mobility/parks/{v['park']}/visitors/",
        f"/mobility/parks/{v['park']}/impact/",
        f"/api/v1/mobility/returns/{v['return']}",
        f"/api/v1/mobility/trips/{v['trip']}",
        f"/api/v1/mobility/enterprises/{v['a1']}/returnees",
        f"/api/v1/mobility/enterprises/{v['a1']}/visitors",
        f"/api/v1/mobility/visitors/{v['visitor']}",
        f"/api/v1/mobility/isolations/{v['isolation']}",
        f"/api/v1/mobility/parks/{v['park']}/risk-areas",
        f"/api/v1/mobility/parks/{v['park']}/visitors",
        f"/mobility/risk-areas/{v['risk_area']}/",
        f"/api/v1/mobility/risk-areas/{v['risk_area']}",
    ]


# A valid update of A1's trip (Beijing instead of Shanghai): refused by scope, not validation.
_TRIP_FORM = {
    "purpose": "private",
    "departs_on": "2022-11-20",
    "returns_on": "2022-11-22",
    "code_1": "110105",
    "first_1": "2022-11-20",
    "last_1": "2022-11-21",
    "note": "",
}


def _page_writes(v: dict[str, int]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (
            f"/mobility/returns/{v['return']}/",
            {"kind": "test", "done_at": "2022-11-15T11:00", "result": "negative"},
        ),
        (f"/mobility/trips/{v['trip']}/decide/", {"approve": "1", "note": "同意"}),
        (f"/mobility/trips/{v['trip']}/edit/", _TRIP_FORM),
        (
            f"/mobility/isolations/{v['isolation']}/change/",
            {"ends_at": "2022-11-24T00:00", "reason": "延长观察"},
        ),
        (f"/mobility/isolations/{v['isolation']}/", {"note": "期满"}),
        (
            f"/mobility/enterprises/{v['a1']}/points/",
            {"kind": "observation", "name": "外人设的观察点", "capacity": "3"},
        ),
        (
            f"/mobility/enterprises/{v['a1']}/visitors/",
            {
                "host": str(v["person"]),
                "purpose": "洽谈",
                "origin_code": SHANGHAI,
                "arrives_at": "2022-11-19T09:00",
            },
        ),
        (
            f"/mobility/parks/{v['park']}/risk-areas/",
            {
                "division_code": SHANGHAI,
                "place": "",
                "level": "high",
                "effective_from": "2022-11-16",
                "source": "外人",
            },
        ),
        (f"/mobility/parks/{v['park']}/impact/", {"kind": "risk_areas", "confirm": "1"}),
        (
            f"/mobility/risk-areas/{v['risk_area']}/",
            {
                "level": "low",
                "effective_from": "2022-11-01",
                "effective_to": "2022-11-16",
                "source": "公告",
                "reason": "外人提前结束",
            },
        ),
    ]


def _api_writes(v: dict[str, int]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (
            f"/api/v1/mobility/returns/{v['return']}/evidence",
            {"kind": "test", "done_at": "2022-11-15T11:00:00+08:00", "result": "negative"},
        ),
        (f"/api/v1/mobility/trips/{v['trip']}/decision", {"approve": True, "note": "同意"}),
        (
            f"/api/v1/mobility/isolations/{v['isolation']}/change",
            {"ends_at": "2022-11-24T00:00:00+08:00", "reason": "延长观察"},
        ),
        (f"/api/v1/mobility/isolations/{v['isolation']}/release", {"note": "期满"}),
        (
            "/api/v1/mobility/visitors",
            {
                "host_id": v["person"],
                "purpose": "洽谈",
                "origin_code": SHANGHAI,
                "arrives_at": "2022-11-19T09:00:00+08:00",
            },
        ),
        (
            f"/api/v1/mobility/parks/{v['park']}/risk-areas",
            {
                "division_code": SHANGHAI,
                "level": "high",
                "effective_from": "2022-11-16",
                "source": "外人",
            },
        ),
        (f"/api/v1/mobility/parks/{v['park']}/impact", {"kind": "risk_areas"}),
        (f"/api/v1/mobility/parks/{v['park']}/impact/confirm", {"kind": "risk_areas"}),
    ]


def _api_patches(v: dict[str, int]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (
            f"/api/v1/mobility/risk-areas/{v['risk_area']}",
            {"effective_to": "2022-11-16", "reason": "外人提前结束"},
        ),
    ]


def _refused(response: Any, *, anonymous_page: bool) -> bool:
    if anonymous_page and response.status_code == 302:
        return str(response["Location"]).startswith("/accounts/login") or "login" in str(
            response["Location"]
        )
    return response.status_code in REFUSED


def _attack(
    client: Client, persona: str | None, v: dict[str, int], markers: list[str], *, reads: bool
) -> list[str]:
    failures: list[str] = []
    who = persona or "anonymous"
    if reads:
        for url in _reads(v):
            response = client.get(url)
            if not _refused(response, anonymous_page=persona is None):
                failures.append(f"{who} GET {url}: {response.status_code}")
            leaked = [m for m in markers if m in response.content.decode()]
            failures += [f"{who} GET {url}: leaks {m}" for m in leaked]
    for url, data in _page_writes(v):
        response = client.post(url, data)
        if not _refused(response, anonymous_page=persona is None):
            failures.append(f"{who} POST {url}: {response.status_code}")
    writes = [("post", w) for w in _api_writes(v)] + [("patch", w) for w in _api_patches(v)]
    for method, (url, body) in writes:
        send = client.patch if method == "patch" else client.post
        response = send(url, json.dumps(body), content_type="application/json")
        if url.endswith("/visitors") and response.status_code == 422:
            # A host the caller may not see is, to them, no host at all: the same message as
            # an empty one, so it tells nothing of whether that person exists.
            hidden = [d["msg"] for d in response.json()["detail"]] == [visitors.VISITOR_NO_HOST]
            if not hidden:
                failures.append(f"{who} POST {url}: {response.content.decode()}")
        elif response.status_code not in REFUSED:
            failures.append(f"{who} {method.upper()} {url}: {response.status_code}")
        leaked = [m for m in markers if m in response.content.decode()]
        failures += [f"{who} {method.upper()} {url}: leaks {m}" for m in leaked]
    # Updating the trip's itinerary: the traveller alone (issue 12 §2).
    url = f"/api/v1/mobility/trips/{v['trip']}"
    body = {
        "purpose": "private",
        "stops": [{"division_code": "110105", "first_day": "2022-11-20", "last_day": "2022-11-21"}],
    }
    response = client.patch(url, json.dumps(body), content_type="application/json")
    if response.status_code not in REFUSED:
        failures.append(f"{who} PATCH {url}: {response.status_code}")
    failures += [f"{who} PATCH {url}: leaks {m}" for m in markers if m in response.content.decode()]
    return failures


def test_outsiders_and_lower_roles_reach_nothing_of_a1s_mobility(
    jinjiang: World, client_as: ClientAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = jinjiang
    v = _victims(world)
    Clock(monkeypatch, at("2022-11-16"))
    markers = [world.a1_person.name, world.a1.name, world.a1_person.phone]
    failures: list[str] = []
    for persona in [*OUTSIDERS, *LOWER_ROLES]:
        before = _snapshot()
        client = client_as(persona)
        failures += _attack(client, persona, v, markers, reads=persona in OUTSIDERS)
        failures += [f"{persona}: {c}" for c in _changes(before, _snapshot())]
    # The other community's liaison does not see A1's returnee in their grid (B-2.2c, H-4.4).
    grid = client_as("liaison_b").get("/mobility/community/").content.decode()
    assert world.a1_person.name not in grid
    assert failures == [], "\n".join(failures)
    # Not vacuous: A1's officer, with the same requests, changes the isolation's end.
    officer = client_as("a1_officer")
    response = officer.post(
        f"/api/v1/mobility/isolations/{v['isolation']}/change",
        json.dumps({"ends_at": "2022-11-24T00:00:00+08:00", "reason": "延长观察"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert IsolationRecord.objects.get(pk=v["isolation"]).ends_at == at("2022-11-24", "00:00")
