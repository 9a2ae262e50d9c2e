"""Issue 12's bad-input list, each through the page AND the API: an unknown division, a
return before the trip started, places stayed in an impossible order, an arrival too far in
the future, a visitor with no host, a shortening beyond the pack's bounds. Each gets its
Chinese message (the service's constant), never a 500, and nothing is saved or changed."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from parkguard.mobility import services, visitors
from parkguard.mobility.divisions import UNKNOWN_DIVISION
from parkguard.mobility.models import IsolationRecord, ReturnDeclaration, Trip, Visitor
from parkguard.mobility.services import RiskAreaIn, StayDeclared, StopIn
from parkguard.orgs.access import SYSTEM
from parkguard.status.models import PersonStatus
from tests.factories import World
from tests.mobility.conftest import WUHAN_JIANGAN, at
from tests.mobility.journeys import (
    VIAS,
    ClientAs,
    Clock,
    Journey,
    errors_of,
    register_visitor,
)

pytestmark = pytest.mark.django_db
SHANGHAI = "310115"
BEIJING = "110105"


def _journey(via: str, world: World, client_as: ClientAs, mp: pytest.MonkeyPatch) -> Journey:
    clock = Clock(mp, at("2022-11-15"))
    return Journey(via, client_as("a1_employee"), world.a1_employee_person, clock)


@pytest.mark.parametrize("via", VIAS)
def test_an_unknown_division_is_refused_everywhere(
    via: str, jinjiang: World, client_as: ClientAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    journey = _journey(via, jinjiang, client_as, monkeypatch)
    trip = journey.file_trip(
        "work", "2022-11-16", "2022-11-18", [("999999", "2022-11-16", "2022-11-17")]
    )
    assert errors_of(via, trip) == [UNKNOWN_DIVISION]
    declared = journey.declare(
        "2022-11-15T08:00:00+08:00", [("000001", "2022-11-10", "2022-11-14")]
    )
    assert errors_of(via, declared) == [UNKNOWN_DIVISION]
    visitor, _ = register_visitor(via, journey.client, "999999", "2022-11-18T10:00:00+08:00")
    assert errors_of(via, visitor) == [UNKNOWN_DIVISION]
    assert Trip.objects.count() == ReturnDeclaration.objects.count() == Visitor.objects.count() == 0


@pytest.mark.parametrize("via", VIAS)
def test_a_return_before_the_trip_started_is_refused(
    via: str, jinjiang: World, client_as: ClientAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    journey = _journey(via, jinjiang, client_as, monkeypatch)
    trip = services.trip_file(
        scope=SYSTEM,
        person=journey.person,
        purpose="work",
        departs_on=dt.date(2022, 11, 16),
        returns_on=dt.date(2022, 11, 18),
        stops=[StopIn(SHANGHAI, dt.date(2022, 11, 16), dt.date(2022, 11, 17))],
        by=None,
        at=at("2022-11-15"),
    )
    journey.clock.set("2022-11-15", "21:00")
    declared = journey.declare(
        "2022-11-15T20:00:00+08:00", [(SHANGHAI, "2022-11-14", "2022-11-15")], trip=trip
    )
    assert errors_of(via, declared) == [services.RETURN_BEFORE_TRIP]
    trip.refresh_from_db()
    assert trip.status == "filed" and ReturnDeclaration.objects.count() == 0


@pytest.mark.parametrize("via", VIAS)
def test_places_stayed_in_an_impossible_order_are_refused(
    via: str, jinjiang: World, client_as: ClientAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    journey = _journey(via, jinjiang, client_as, monkeypatch)
    overlapping = [
        (WUHAN_JIANGAN, "2022-11-10", "2022-11-12"),
        (BEIJING, "2022-11-09", "2022-11-11"),
    ]
    assert errors_of(via, journey.declare("2022-11-15T08:00:00+08:00", overlapping)) == [
        services.STAYS_ORDER
    ]
    reversed_ = [(BEIJING, "2022-11-12", "2022-11-10")]
    assert errors_of(via, journey.declare("2022-11-15T08:00:00+08:00", reversed_)) == [
        services.STAYS_ORDER
    ]
    assert ReturnDeclaration.objects.count() == 0
    assert not PersonStatus.objects.filter(person=journey.person, on_hold=True).exists()


@pytest.mark.parametrize("via", VIAS)
def test_an_arrival_too_far_in_the_future_is_refused(
    via: str,
    jinjiang: World,
    client_as: ClientAs,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
) -> None:
    settings.MOBILITY_ARRIVAL_AHEAD_DAYS = 3
    journey = _journey(via, jinjiang, client_as, monkeypatch)
    declared = journey.declare(
        "2022-11-19T09:00:00+08:00", [(SHANGHAI, "2022-11-16", "2022-11-19")]
    )
    assert errors_of(via, declared) == [services.ARRIVAL_TOO_LATE.format(days=3)]
    assert ReturnDeclaration.objects.count() == 0


@pytest.mark.parametrize("via", VIAS)
def test_a_visitor_with_no_host_is_refused(
    via: str, jinjiang: World, client_as: ClientAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The officer (who is no employee) registers without naming a host, or names another
    enterprise's employee (not one of theirs): 请选择接待人."""
    world = jinjiang
    Clock(monkeypatch, at("2022-11-15"))
    officer = client_as("a1_officer")
    body = {"purpose": "验厂", "origin_code": SHANGHAI, "arrives_at": "2022-11-18T09:00:00+08:00"}
    if via == "api":
        responses = [
            officer.post(
                "/api/v1/mobility/visitors", json.dumps(b), content_type="application/json"
            )
            for b in (body, body | {"host_id": world.a2_person.pk})
        ]
    else:
        page = f"/mobility/enterprises/{world.a1.pk}/visitors/"
        form = body | {"arrives_at": "2022-11-18T09:00"}
        responses = [officer.post(page, form | {"host": ""})]
    for response in responses:
        assert errors_of(via, response) == [visitors.VISITOR_NO_HOST]
    assert Visitor.objects.count() == 0


@pytest.mark.parametrize("via", VIAS)
def test_a_shortening_beyond_the_packs_bounds_is_refused(
    via: str, jinjiang: World, client_as: ClientAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """J-1.1 fixes 7 days: the officer may not end the home isolation before 11-22 00:00; a
    reason is required; an extension within the rules is kept with the previous end."""
    world = jinjiang
    services.risk_area_save(
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
    record = IsolationRecord.objects.get(declaration=declaration)
    Clock(monkeypatch, at("2022-11-16"))
    officer = client_as("a1_officer")

    def change(ends_at: str, reason: str) -> Any:
        if via == "api":
            return officer.post(
                f"/api/v1/mobility/isolations/{record.pk}/change",
                json.dumps({"ends_at": ends_at, "reason": reason}),
                content_type="application/json",
            )
        return officer.post(
            f"/mobility/isolations/{record.pk}/change/",
            {"ends_at": ends_at[:16], "reason": reason},
        )

    shorter = change("2022-11-20T00:00:00+08:00", "居家条件好")
    floor = services.SHORTEN_BEYOND.format(end=at("2022-11-22", "00:00"))
    assert errors_of(via, shorter) == [floor]
    record.refresh_from_db()
    assert record.ends_at == at("2022-11-22", "00:00") and record.previous == []
    longer = change("2022-11-24T00:00:00+08:00", "第5天检测结果待复核")
    assert longer.status_code in {200, 302}, longer.content
    record.refresh_from_db()
    assert record.ends_at == at("2022-11-24", "00:00")
    assert dt.datetime.fromisoformat(record.previous[0]["ends_at"]) == at("2022-11-22", "00:00")
    if via == "api":
        early = officer.post(
            f"/api/v1/mobility/isolations/{record.pk}/release",
            json.dumps({"note": ""}),
            content_type="application/json",
        )
        assert errors_of(via, early) == [services.RELEASE_EARLY]
        record.refresh_from_db()
        assert record.released_at is None
        got = officer.get(f"/api/v1/mobility/isolations/{record.pk}").json()
        assert dt.datetime.fromisoformat(got["ends_at"]) == at("2022-11-24", "00:00")
        assert len(got["previous"]) == 1


def test_a_trip_filed_for_later_does_not_stop_another_return_on_the_page(
    jinjiang: World, client_as: ClientAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """J-1.1: an employee with next week's trip filed comes back today from a trip never
    filed. The page offers the open trips with the one begun by today chosen (here none); the
    return stands alone and next week's trip stays open. Choosing that later trip is the
    clear refusal; a return after a trip began ends that trip."""
    journey = _journey("page", jinjiang, client_as, monkeypatch)
    later = services.trip_file(
        scope=SYSTEM,
        person=journey.person,
        purpose="work",
        departs_on=dt.date(2022, 11, 20),
        returns_on=dt.date(2022, 11, 22),
        stops=[StopIn(SHANGHAI, dt.date(2022, 11, 20), dt.date(2022, 11, 21))],
        by=None,
        at=at("2022-11-14"),
    )
    journey.clock.set("2022-11-15", "21:00")
    form = journey.client.get("/mobility/returns/new/").content.decode()
    assert f'<option value="{later.pk}">11-20 至 11-22' in form
    assert '<option value="" selected>不属于已报备的出行</option>' in form
    # Chosen: refused, nothing saved, the trip still open.
    refused = journey.declare(
        "2022-11-15T20:00:00+08:00", [(SHANGHAI, "2022-11-14", "2022-11-15")], trip=later
    )
    assert errors_of("page", refused) == [services.RETURN_BEFORE_TRIP]
    later.refresh_from_db()
    assert later.status == "filed" and not ReturnDeclaration.objects.exists()
    # Not chosen (as the page offers it): the return is declared on its own.
    data = {
        "trip": "",
        "arrived_at": "2022-11-15T20:00",
        "transport": "train",
        "code_1": SHANGHAI,
        "first_1": "2022-11-14",
        "last_1": "2022-11-15",
    }
    answer = journey.client.post("/mobility/returns/new/", data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    declaration = ReturnDeclaration.objects.get(person=journey.person)
    assert declaration.trip_id is None
    later.refresh_from_db()
    assert later.status == "filed"
    # Back from the later trip: the page chooses it, and the return ends it.
    journey.clock.set("2022-11-22", "19:00")
    form = journey.client.get("/mobility/returns/new/").content.decode()
    assert f'<option value="{later.pk}" selected>' in form
    ended = journey.declare(
        "2022-11-22T18:00:00+08:00", [(SHANGHAI, "2022-11-20", "2022-11-22")], trip=later
    )
    assert ended.status_code == 302
    later.refresh_from_db()
    assert later.status == "returned"
