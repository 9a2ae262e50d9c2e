"""Updating a trip's itinerary (issue 12 §2; J-1.1 动态掌握行程轨迹, H-4.3 离渝事先审批), through
the trip's page ("修改行程") and `PATCH /api/v1/mobility/trips/{id}`.

The traveller alone may update; the previous itinerary is kept and shown; an approval was given
for destinations and dates, so changing them (or making approval needed) asks the leader again;
a trip refused, returned from or cancelled cannot change; bad input gets filing's field errors
and changes nothing. Outsiders (another employee, another enterprise's officer, another park's
admin, anonymous) can neither see nor change the trip; the enterprise's own officer and leader
see it but may not rewrite it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client

from parkguard.mobility import services
from parkguard.mobility.divisions import UNKNOWN_DIVISION
from parkguard.mobility.models import Trip
from parkguard.mobility.services import RiskAreaIn, StopIn
from parkguard.notify.models import Message
from parkguard.orgs import access
from parkguard.orgs.access import SYSTEM, Grant, scope_for_user
from parkguard.orgs.choices import ENTERPRISE_EDITORS, Role
from parkguard.orgs.models import Membership
from tests.factories import World, adopt, make_user
from tests.mobility.conftest import CHONGQING_YONGCHUAN, at
from tests.mobility.journeys import VIAS, ClientAs, Clock, errors_of

pytestmark = pytest.mark.django_db
SHANGHAI = "310115"
BEIJING = "110105"
WANZHOU = "500101"  # Chongqing, outside Yongchuan: no approval under H-4.3
H_PACK = "honglu-2021-10"
Stop = tuple[str, str, str]


def _file(world: World, stops: list[Stop], *, departs: str, returns: str, day: str) -> Trip:
    employee = world.users["a1_employee"]
    return services.trip_file(
        scope=scope_for_user(employee),
        person=world.a1_employee_person,
        purpose="work",
        departs_on=dt.date.fromisoformat(departs),
        returns_on=dt.date.fromisoformat(returns),
        stops=[StopIn(c, dt.date.fromisoformat(f), dt.date.fromisoformat(t)) for c, f, t in stops],
        note="出差",
        by=employee,
        at=at(day),
    )


def _update(
    via: str,
    client: Client,
    trip: Trip,
    *,
    purpose: str = "work",
    departs: str,
    returns: str,
    stops: list[Stop],
    note: str = "出差",
) -> Any:
    """The traveller's update as they make it: the page's form post, or a PATCH."""
    if via == "api":
        body = {
            "purpose": purpose,
            "departs_on": departs,
            "returns_on": returns,
            "stops": [{"division_code": c, "first_day": f, "last_day": t} for c, f, t in stops],
            "note": note,
        }
        return client.patch(
            f"/api/v1/mobility/trips/{trip.pk}", json.dumps(body), content_type="application/json"
        )
    data = {"purpose": purpose, "departs_on": departs, "returns_on": returns, "note": note}
    for n, (code, first, last) in enumerate(stops, start=1):
        data |= {f"code_{n}": code, f"first_{n}": first, f"last_{n}": last}
    return client.post(f"/mobility/trips/{trip.pk}/edit/", data)


def _accepted(via: str, response: Any, trip: Trip) -> None:
    if via == "api":
        assert response.status_code == 200, response.content
    else:
        assert response.status_code == 302, response.content.decode()[-2000:]
        assert response["Location"] == f"/mobility/trips/{trip.pk}/"


def _state(trip: Trip) -> dict[str, Any]:
    """Every field of the trip and its itinerary, read fresh from the database."""
    trip.refresh_from_db()
    return {
        "purpose": trip.purpose,
        "departs_on": trip.departs_on,
        "returns_on": trip.returns_on,
        "note": trip.note,
        "status": trip.status,
        "approver": trip.approver,
        "route": trip.route,
        "decided_by": trip.decided_by_id,
        "decided_at": trip.decided_at,
        "decision_note": trip.decision_note,
        "previous": trip.previous,
        "stops": list(trip.stops.values_list("order", "division_code", "first_day", "last_day")),
    }


@pytest.fixture
def honglu(world: World) -> World:
    world.county.code = CHONGQING_YONGCHUAN
    world.county.save(update_fields=["code"])
    adopt(world.park_a, H_PACK)
    return world


# --- the update and its new state ----------------------------------------------------------
@pytest.mark.parametrize("via", VIAS)
def test_it_updates_a_j_1_1_trip_and_keeps_the_previous_itinerary(
    via: str, jinjiang: World, client_as: ClientAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """J-1.1: a filed trip (Shanghai, 11-16 to 11-20) becomes Beijing then Shanghai, 11-17 to
    11-22, private; no approval either way, so it stays 已备案; the old itinerary is on the page."""
    world = jinjiang
    Clock(monkeypatch, at("2022-11-15", "10:00"))
    trip = _file(
        world,
        [(SHANGHAI, "2022-11-16", "2022-11-19")],
        departs="2022-11-16",
        returns="2022-11-20",
        day="2022-11-15",
    )
    client = client_as("a1_employee")
    page = client.get(f"/mobility/trips/{trip.pk}/").content.decode()
    assert f'href="/mobility/trips/{trip.pk}/edit/"' in page  # reachable from the trip page
    form = client.get(f"/mobility/trips/{trip.pk}/edit/")
    assert form.status_code == 200
    html = form.content.decode()
    for prefilled in (f'value="{SHANGHAI}"', 'value="2022-11-16"', 'value="2022-11-20"'):
        assert prefilled in html  # the current itinerary
    response = _update(
        via,
        client,
        trip,
        purpose="private",
        departs="2022-11-17",
        returns="2022-11-22",
        stops=[(BEIJING, "2022-11-17", "2022-11-18"), (SHANGHAI, "2022-11-19", "2022-11-21")],
        note="先去北京",
    )
    _accepted(via, response, trip)
    trip.refresh_from_db()
    assert (trip.purpose, trip.departs_on, trip.returns_on, trip.note) == (
        "private",
        dt.date(2022, 11, 17),
        dt.date(2022, 11, 22),
        "先去北京",
    )
    assert trip.status == "filed" and trip.approver == ""
    assert list(trip.stops.values_list("division_code", "first_day", "last_day")) == [
        (BEIJING, dt.date(2022, 11, 17), dt.date(2022, 11, 18)),
        (SHANGHAI, dt.date(2022, 11, 19), dt.date(2022, 11, 21)),
    ]
    assert [r["requirement"] for p in trip.route["packs"] for r in p["rules"]] == ["J-1.1"]
    [before] = trip.previous
    assert before["purpose"] == "work" and before["status"] == "filed"
    assert (before["departs_on"], before["returns_on"]) == ("2022-11-16", "2022-11-20")
    assert [(s["division_code"], s["first_day"], s["last_day"]) for s in before["stops"]] == [
        (SHANGHAI, "2022-11-16", "2022-11-19")
    ]
    assert before["changed_by"] == "a1_employee" and before["note"] == "出差"
    page = client.get(f"/mobility/trips/{trip.pk}/").content.decode()
    history = page.split('id="trip-revisions"', 1)[1]
    assert "修改记录" in page and "上海市浦东新区（11月16日—11月19日）" in history
    assert "2022年11月16日 至 11月20日" in history
    if via == "api":
        body = response.json()
        assert body["purpose"] == "private" and body["previous"][0]["departs_on"] == "2022-11-16"
        assert [s["division_code"] for s in body["stops"]] == [BEIJING, SHANGHAI]


def test_a_patch_changes_only_what_it_names(
    jinjiang: World, client_as: ClientAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    Clock(monkeypatch, at("2022-11-15", "10:00"))
    trip = _file(
        jinjiang,
        [(SHANGHAI, "2022-11-16", "2022-11-19")],
        departs="2022-11-16",
        returns="2022-11-20",
        day="2022-11-15",
    )
    response = client_as("a1_employee").patch(
        f"/api/v1/mobility/trips/{trip.pk}",
        json.dumps({"returns_on": "2022-11-21"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    state = _state(trip)
    assert state["returns_on"] == dt.date(2022, 11, 21)
    assert (state["purpose"], state["departs_on"], state["note"]) == (
        "work",
        dt.date(2022, 11, 16),
        "出差",
    )
    assert state["stops"] == [(1, SHANGHAI, dt.date(2022, 11, 16), dt.date(2022, 11, 19))]


# --- re-approval (H-4.3) -----------------------------------------------------------------------
@pytest.mark.parametrize("via", VIAS)
def test_an_approved_h_4_3_trip_goes_back_to_the_leader_when_it_moves(
    via: str, honglu: World, leader: User, client_as: ClientAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """H-4.3: the leader approved Shanghai, 02-03 to 02-08. A new purpose alone keeps the
    approval; new dates send it back (待审批, the leader asked again, the old decision kept);
    a destination inside Chongqing needs no approval (已备案); leaving Chongqing again does."""
    world = honglu
    Clock(monkeypatch, at("2021-02-01"))
    shanghai = [(SHANGHAI, "2021-02-03", "2021-02-07")]
    trip = _file(world, shanghai, departs="2021-02-03", returns="2021-02-08", day="2021-02-01")
    assert (trip.status, trip.approver) == ("pending", "企业负责同志")
    services.trip_decide(
        scope=scope_for_user(leader),
        trip=trip,
        approve=True,
        note="同意",
        by=leader,
        at=at("2021-02-01", "10:00"),
    )
    client = client_as("a1_employee")

    def asked() -> list[Message]:
        return list(Message.objects.filter(user=leader, title="出行行程已修改，待审批"))

    response = _update(
        via,
        client,
        trip,
        purpose="private",
        departs="2021-02-03",
        returns="2021-02-08",
        stops=shanghai,
    )
    _accepted(via, response, trip)
    state = _state(trip)
    assert (state["status"], state["purpose"], state["decided_by"]) == (
        "approved",
        "private",
        leader.pk,
    )
    assert state["decision_note"] == "同意" and not asked()

    later = [(SHANGHAI, "2021-02-04", "2021-02-08")]
    response = _update(
        via,
        client,
        trip,
        purpose="private",
        departs="2021-02-04",
        returns="2021-02-09",
        stops=later,
    )
    _accepted(via, response, trip)
    state = _state(trip)
    assert (state["status"], state["approver"], state["departs_on"]) == (
        "pending",
        "企业负责同志",
        dt.date(2021, 2, 4),
    )
    assert (state["decided_by"], state["decided_at"], state["decision_note"]) == (None, None, "")
    approved = state["previous"][-1]
    assert (approved["status"], approved["decision_note"]) == ("approved", "同意")
    assert approved["decided_by"] == "a1_boss" and approved["departs_on"] == "2021-02-03"
    [message] = asked()
    assert message.link == f"/mobility/trips/{trip.pk}/" and "02月04日" in message.body
    boss_page = client_as("a1_boss").get(f"/mobility/trips/{trip.pk}/").content.decode()
    assert "提交审批" in boss_page and "同意" in boss_page.split('id="trip-revisions"', 1)[1]

    inside = [(WANZHOU, "2021-02-04", "2021-02-08")]
    response = _update(
        via,
        client,
        trip,
        purpose="private",
        departs="2021-02-04",
        returns="2021-02-09",
        stops=inside,
    )
    _accepted(via, response, trip)
    state = _state(trip)
    assert (state["status"], state["approver"]) == ("filed", "")
    assert len(asked()) == 1  # nothing to approve: the leader is not asked

    response = _update(
        via,
        client,
        trip,
        purpose="private",
        departs="2021-02-04",
        returns="2021-02-09",
        stops=later,
    )
    _accepted(via, response, trip)
    state = _state(trip)
    assert (state["status"], state["approver"]) == ("pending", "企业负责同志")
    assert len(asked()) == 2
    assert [p["status"] for p in state["previous"]] == ["approved", "approved", "pending", "filed"]


@pytest.mark.parametrize("via", VIAS)
def test_a_leader_cannot_approve_an_itinerary_they_did_not_see(
    via: str, honglu: World, leader: User, client_as: ClientAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The leader opened the pending trip (Shanghai); the traveller then changed it (Beijing).
    The leader's approval of what they saw is refused and nothing is decided; the page they get
    back shows the new itinerary, and approving that one works."""
    world = honglu
    Clock(monkeypatch, at("2021-02-01"))
    trip = _file(
        world,
        [(SHANGHAI, "2021-02-03", "2021-02-07")],
        departs="2021-02-03",
        returns="2021-02-08",
        day="2021-02-01",
    )
    boss = client_as("a1_boss")
    page = boss.get(f"/mobility/trips/{trip.pk}/").content.decode()
    assert 'name="revision" value="0"' in page
    moved = _update(
        via,
        client_as("a1_employee"),
        trip,
        departs="2021-02-03",
        returns="2021-02-08",
        stops=[(BEIJING, "2021-02-03", "2021-02-07")],
    )
    _accepted(via, moved, trip)
    before = _state(trip)
    if via == "api":
        url = f"/api/v1/mobility/trips/{trip.pk}/decision"
        stale = boss.post(
            url, json.dumps({"approve": True, "revision": 0}), content_type="application/json"
        )
    else:
        stale = boss.post(f"/mobility/trips/{trip.pk}/decide/", {"approve": "1", "revision": "0"})
        assert 'name="revision" value="1"' in stale.content.decode()
        assert "北京市朝阳区" in stale.content.decode()
    assert errors_of(via, stale) == [services.TRIP_CHANGED_SINCE]
    assert _state(trip) == before
    if via == "api":
        fresh = boss.post(
            url, json.dumps({"approve": True, "revision": 1}), content_type="application/json"
        )
        assert fresh.status_code == 200, fresh.content
    else:
        fresh = boss.post(f"/mobility/trips/{trip.pk}/decide/", {"approve": "1", "revision": "1"})
        assert fresh.status_code == 302
    state = _state(trip)
    assert (state["status"], state["decided_by"]) == ("approved", leader.pk)


# --- refused updates leave the old state intact ------------------------------------------------
@pytest.mark.parametrize("via", VIAS)
def test_bad_input_gets_the_filing_errors_and_changes_nothing(
    via: str, honglu: World, client_as: ClientAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unknown division, a return before the departure, a destination out of order, a
    medium-risk destination (H-4.3), a departure moved into the past, no change at all."""
    world = honglu
    clock = Clock(monkeypatch, at("2021-02-01"))
    trip = _file(
        world,
        [(SHANGHAI, "2021-02-03", "2021-02-07")],
        departs="2021-02-03",
        returns="2021-02-08",
        day="2021-02-01",
    )
    services.risk_area_save(
        scope=SYSTEM,
        park=world.park_a,
        row=RiskAreaIn(BEIJING, "", "medium", dt.date(2021, 1, 20), None, "卫健委公告"),
        by=None,
        at=at("2021-01-20"),
    )
    before = _state(trip)
    client = client_as("a1_employee")
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"stops": [("999999", "2021-02-03", "2021-02-07")]}, [UNKNOWN_DIVISION]),
        ({"returns": "2021-02-02"}, [services.TRIP_DATES_REVERSED, services.STOP_DATES]),
        ({"stops": [(SHANGHAI, "2021-02-06", "2021-02-04")]}, [services.STOP_DATES]),
        (
            {"departs": "2021-01-31", "stops": [(SHANGHAI, "2021-01-31", "2021-02-07")]},
            [services.TRIP_LEFT],
        ),
        ({}, [services.TRIP_UNCHANGED]),
    ]
    for change, messages in cases:
        kwargs: dict[str, Any] = {
            "departs": "2021-02-03",
            "returns": "2021-02-08",
            "stops": [(SHANGHAI, "2021-02-03", "2021-02-07")],
        } | change
        assert sorted(errors_of(via, _update(via, client, trip, **kwargs))) == sorted(messages)
        assert _state(trip) == before
    forbidden = _update(
        via,
        client,
        trip,
        departs="2021-02-03",
        returns="2021-02-08",
        stops=[(BEIJING, "2021-02-03", "2021-02-07")],
    )
    [message] = errors_of(via, forbidden)
    assert message.startswith(services.TRIP_FORBIDDEN.split("{")[0])
    assert _state(trip) == before
    # Once the departure day has passed, the departure date is history.
    clock.set("2021-02-04")
    left = _update(
        via,
        client,
        trip,
        departs="2021-02-05",
        returns="2021-02-08",
        stops=[(SHANGHAI, "2021-02-05", "2021-02-07")],
    )
    assert errors_of(via, left) == [services.TRIP_LEFT]
    assert _state(trip) == before


@pytest.mark.parametrize("via", VIAS)
def test_a_refused_returned_or_cancelled_trip_cannot_change(
    via: str, honglu: World, leader: User, client_as: ClientAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = honglu
    Clock(monkeypatch, at("2021-02-01"))
    client = client_as("a1_employee")
    stops = [(SHANGHAI, "2021-02-03", "2021-02-07")]
    refused = _file(world, stops, departs="2021-02-03", returns="2021-02-08", day="2021-02-01")
    services.trip_decide(
        scope=SYSTEM,
        trip=refused,
        approve=False,
        note="生产任务重",
        by=leader,
        at=at("2021-02-01", "10:00"),
    )
    returned = _file(world, stops, departs="2021-02-03", returns="2021-02-08", day="2021-02-01")
    Trip.objects.filter(pk=returned.pk).update(status="returned")
    cancelled = _file(world, stops, departs="2021-02-03", returns="2021-02-08", day="2021-02-01")
    services.trip_cancel(scope=SYSTEM, trip=cancelled, by=None, at=at("2021-02-01"))
    later = [(SHANGHAI, "2021-02-04", "2021-02-07")]
    for trip, message in (
        (refused, services.TRIP_REFUSED),
        (returned, services.TRIP_CLOSED),
        (cancelled, services.TRIP_CLOSED),
    ):
        before = _state(trip)
        page = client.get(f"/mobility/trips/{trip.pk}/").content.decode()
        assert f"/mobility/trips/{trip.pk}/edit/" not in page  # no link to a closed trip's form
        response = _update(
            via, client, trip, departs="2021-02-04", returns="2021-02-08", stops=later
        )
        assert errors_of(via, response) == [message]
        assert _state(trip) == before
    refused.refresh_from_db()
    assert (refused.status, refused.decision_note) == ("refused", "生产任务重")


# --- who may see and change the trip -------------------------------------------------------------
def _other_employee(world: World) -> None:
    """A1's other employee (甲一张三) with a login of their own."""
    user = make_user("a1_other")
    Membership.objects.create(
        user=user, role=Role.EMPLOYEE, enterprise=world.a1, person=world.a1_person
    )
    world.users["a1_other"] = user


BODY = {
    "purpose": "private",
    "departs_on": "2022-11-17",
    "returns_on": "2022-11-21",
    "stops": [{"division_code": BEIJING, "first_day": "2022-11-17", "last_day": "2022-11-20"}],
}


def _patch(client: Client, trip: Trip) -> int:
    url = f"/api/v1/mobility/trips/{trip.pk}"
    return client.patch(url, json.dumps(BODY), content_type="application/json").status_code


def _attempts(client: Client, trip: Trip) -> dict[str, int]:
    form = {
        "purpose": "private",
        "departs_on": "2022-11-17",
        "returns_on": "2022-11-21",
        "code_1": BEIJING,
        "first_1": "2022-11-17",
        "last_1": "2022-11-20",
        "note": "",
    }
    api = f"/api/v1/mobility/trips/{trip.pk}"
    return {
        "page": client.get(f"/mobility/trips/{trip.pk}/").status_code,
        "form": client.get(f"/mobility/trips/{trip.pk}/edit/").status_code,
        "post": client.post(f"/mobility/trips/{trip.pk}/edit/", form).status_code,
        "get": client.get(api).status_code,
        "patch": _patch(client, trip),
    }


def test_outsiders_can_neither_see_nor_change_the_trip(
    jinjiang: World, client_as: ClientAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another employee of A1, A2's officer, park B's admin: 404 everywhere (the trip is not
    theirs to know of); anonymous: the login page and 401. The trip is as it was."""
    world = jinjiang
    _other_employee(world)
    Clock(monkeypatch, at("2022-11-15", "10:00"))
    trip = _file(
        world,
        [(SHANGHAI, "2022-11-16", "2022-11-19")],
        departs="2022-11-16",
        returns="2022-11-20",
        day="2022-11-15",
    )
    before = _state(trip)
    for persona in ("a1_other", "a2_officer", "park_b_admin"):
        assert set(_attempts(client_as(persona), trip).values()) == {404}, persona
        assert _state(trip) == before, persona
    anonymous = _attempts(client_as(None), trip)
    assert (anonymous["page"], anonymous["form"], anonymous["post"]) == (302, 302, 302)
    assert (anonymous["get"], anonymous["patch"]) == (401, 401)
    assert _state(trip) == before


def test_the_enterprises_own_officer_and_leader_see_but_may_not_rewrite_it(
    jinjiang: World, leader: User, client_as: ClientAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The itinerary is the traveller's own word to the leader: A1's epidemic officer and its
    leader read the trip (200) without a "修改行程" link, and are refused (403)."""
    world = jinjiang
    Clock(monkeypatch, at("2022-11-15", "10:00"))
    trip = _file(
        world,
        [(SHANGHAI, "2022-11-16", "2022-11-19")],
        departs="2022-11-16",
        returns="2022-11-20",
        day="2022-11-15",
    )
    before = _state(trip)
    for persona in ("a1_officer", "a1_boss"):
        client = client_as(persona)
        assert "修改行程" not in client.get(f"/mobility/trips/{trip.pk}/").content.decode()
        attempts = _attempts(client, trip)
        assert (attempts["page"], attempts["get"]) == (200, 200), persona
        assert (attempts["form"], attempts["post"], attempts["patch"]) == (403, 403, 403), persona
        assert _state(trip) == before, persona


def test_the_officers_refusal_is_not_vacuous(
    jinjiang: World, client_as: ClientAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With `update_trip` granted to officers (as `file_trip` is), the officer's PATCH goes
    through: the refusal above comes from the grant in `orgs/access.py`, nothing else."""
    world = jinjiang
    Clock(monkeypatch, at("2022-11-15", "10:00"))
    trip = _file(
        world,
        [(SHANGHAI, "2022-11-16", "2022-11-19")],
        departs="2022-11-16",
        returns="2022-11-20",
        day="2022-11-15",
    )
    monkeypatch.setitem(
        access.ACTIONS, "update_trip", Grant(enterprise_roles=ENTERPRISE_EDITORS, own=True)
    )
    assert _patch(client_as("a1_officer"), trip) == 200
    assert _state(trip)["stops"] == [(1, BEIJING, dt.date(2022, 11, 17), dt.date(2022, 11, 20))]


def test_the_departure_day_is_the_sites_day_not_utcs(jinjiang: World) -> None:
    """At 07:30 in Jinjiang on 11-16 it is still 11-15 in UTC: a departure moved to 11-15 is
    already in the past."""
    trip = _file(
        jinjiang,
        [(SHANGHAI, "2022-11-16", "2022-11-19")],
        departs="2022-11-16",
        returns="2022-11-20",
        day="2022-11-15",
    )
    before = _state(trip)
    employee = jinjiang.users["a1_employee"]
    with pytest.raises(ValidationError) as exc:
        services.trip_update(
            scope=scope_for_user(employee),
            trip=trip,
            purpose="work",
            departs_on=dt.date(2022, 11, 15),
            returns_on=dt.date(2022, 11, 20),
            stops=[StopIn(SHANGHAI, dt.date(2022, 11, 15), dt.date(2022, 11, 19))],
            by=employee,
            at=dt.datetime(2022, 11, 15, 23, 30, tzinfo=dt.UTC),
        )
    assert exc.value.message_dict == {"departs_on": [services.TRIP_LEFT]}
    assert _state(trip) == before
