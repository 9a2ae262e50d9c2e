"""The notices' scenarios through the services and the API, with the notices' own dates:
J-1.1 (trip filing, returnee through a high-risk area), H-4.3 (leaving Chongqing needs a
leader's approval; no travel to medium/high-risk areas), H-4.4 (Spring Festival returnees:
14 days of home health monitoring, tests on days 7 and 14, report within 12 h), B-2.2c
(14 days in the enterprise's isolation area), B-2.4 (no observation point, no return from a
severely affected area). The person's entry status follows the plan."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client

from parkguard.duties.models import Duty
from parkguard.mobility import api as mobility_api
from parkguard.mobility import services
from parkguard.mobility.divisions import UNKNOWN_DIVISION
from parkguard.mobility.models import ReturnDeclaration, RiskArea, Trip
from parkguard.mobility.services import RiskAreaIn, StayDeclared, StopIn
from parkguard.notify.models import Message
from parkguard.orgs.access import SYSTEM
from parkguard.status.models import PersonStatus
from tests.factories import World, adopt
from tests.mobility.conftest import CHONGQING_YONGCHUAN, WUHAN_JIANGAN, at

pytestmark = pytest.mark.django_db
H_PACK = "honglu-2021-10"
B_PACK = "baotou-industry-2020-02"
BAOTOU_KUNDULUN = "150203"
HOHHOT_XINCHENG = "150102"
SHANGHAI_PUDONG = "310115"


def _freeze(monkeypatch: pytest.MonkeyPatch, now: dt.datetime) -> None:
    """The API's clock at the notice's dates (the services take `at` anyway)."""
    monkeypatch.setattr(mobility_api, "timezone", SimpleNamespace(now=lambda: now))


def _home(world: World, code: str, pack: str) -> None:
    world.county.code = code
    world.county.save(update_fields=["code"])
    adopt(world.park_a, pack)


def _risk(world: World, code: str, level: str, start: dt.date) -> RiskArea:
    return services.risk_area_save(
        scope=SYSTEM,
        park=world.park_a,
        row=RiskAreaIn(code, "", level, start, None, "卫健委公告"),
        by=None,
        at=at(start.isoformat()),
    )


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


# --- J-1.1 ------------------------------------------------------------------------------------
def test_it_files_a_j_1_1_trip_and_plans_a_transit_returnee_through_the_api(
    jinjiang: World, client_as: Callable[[str | None], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    """J-1.1: a trip out of Jinjiang is filed (备案) before leaving, no approval; a returnee who
    passed through a high-risk area declares 24 h before arrival and reports to the community."""
    world = jinjiang
    _risk(world, WUHAN_JIANGAN, "high", dt.date(2022, 11, 11))
    client = client_as("a1_employee")
    _freeze(monkeypatch, at("2022-11-15", "08:00"))
    filed = _post(
        client,
        "/api/v1/mobility/trips",
        {
            "purpose": "work",
            "departs_on": "2022-11-16",
            "returns_on": "2022-11-20",
            "stops": [
                {
                    "division_code": SHANGHAI_PUDONG,
                    "first_day": "2022-11-16",
                    "last_day": "2022-11-19",
                }
            ],
        },
    )
    assert filed.status_code == 201, filed.content
    trip = Trip.objects.get(pk=filed.json()["id"])
    assert trip.status == "filed" and trip.approver == ""
    rules = [r["requirement"] for p in trip.route["packs"] for r in p["rules"]]
    assert rules == ["J-1.1"]
    _freeze(monkeypatch, at("2022-11-19", "09:00"))
    declared = _post(
        client,
        "/api/v1/mobility/returns",
        {
            "arrived_at": "2022-11-20T10:00:00+08:00",
            "transport": "train",
            "trip_id": trip.pk,
            "stays": [
                {
                    "division_code": SHANGHAI_PUDONG,
                    "first_day": "2022-11-16",
                    "last_day": "2022-11-19",
                },
                {
                    "division_code": WUHAN_JIANGAN,
                    "first_day": "2022-11-20",
                    "last_day": "2022-11-20",
                    "transit": True,
                },
            ],
        },
    )
    assert declared.status_code == 201, declared.content
    body = declared.json()
    obligations = body["plans"][0]["plan"]["obligations"]
    titles = {o["title"]: o["due_at"] for o in obligations}
    assert any("自主申报" in t for t in titles)
    assert "2022-11-19T10:00:00+08:00" in titles.values()  # 24 h before arrival
    assert any("属地社区" in t for t in titles)
    trip.refresh_from_db()
    assert trip.status == "returned"
    duties = client.get("/api/v1/mobility/me/duties").json()
    assert duties and all(d["why"].startswith("依据：晋政西〔2022〕81号") for d in duties)


# --- H-4.3 ------------------------------------------------------------------------------------
@pytest.fixture
def honglu(world: World) -> World:
    _home(world, CHONGQING_YONGCHUAN, H_PACK)
    return world


def test_it_makes_an_h_4_3_trip_out_of_chongqing_wait_for_the_leader(
    honglu: World,
    leader: User,
    client_as: Callable[[str | None], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """H-4.3: 确需离渝的，须事先经企业负责同志批准; the leader approves on the phone (inbox)."""
    world = honglu
    _freeze(monkeypatch, at("2021-02-01"))
    filed = _post(
        client_as("a1_employee"),
        "/api/v1/mobility/trips",
        {
            "purpose": "private",
            "departs_on": "2021-02-03",
            "returns_on": "2021-02-08",
            "stops": [
                {
                    "division_code": SHANGHAI_PUDONG,
                    "first_day": "2021-02-03",
                    "last_day": "2021-02-07",
                }
            ],
        },
    )
    assert filed.status_code == 201, filed.content
    trip = Trip.objects.get(pk=filed.json()["id"])
    assert (trip.status, trip.approver) == ("pending", "企业负责同志")
    assert Message.objects.filter(user=leader, link=f"/mobility/trips/{trip.pk}/").exists()
    url = f"/api/v1/mobility/trips/{trip.pk}/decision"
    refused = _post(client_as("a1_leader"), url, {"approve": True})  # a team leader
    assert refused.status_code in {403, 404}
    trip.refresh_from_db()
    assert trip.status == "pending"
    page = client_as("a1_boss").get(f"/mobility/trips/{trip.pk}/")
    assert "提交审批" in page.content.decode()
    approved = _post(client_as("a1_boss"), url, {"approve": True, "note": "同意"})
    assert approved.status_code == 200, approved.content
    trip.refresh_from_db()
    assert (trip.status, trip.decided_by) == ("approved", leader)
    employee = world.users["a1_employee"]
    assert Message.objects.filter(user=employee, title="出行报备已批准").exists()


def test_it_refuses_an_h_4_3_trip_to_a_medium_risk_area(honglu: World) -> None:
    """H-4.3: 避免……前往中高风险地区: the filing is refused, nothing saved."""
    world = honglu
    _risk(world, SHANGHAI_PUDONG, "medium", dt.date(2021, 1, 20))
    with pytest.raises(ValidationError) as exc:
        services.trip_file(
            scope=SYSTEM,
            person=world.a1_employee_person,
            purpose="private",
            departs_on=dt.date(2021, 2, 3),
            returns_on=dt.date(2021, 2, 8),
            stops=[StopIn(SHANGHAI_PUDONG, dt.date(2021, 2, 3), dt.date(2021, 2, 7))],
            by=None,
            at=at("2021-02-01"),
        )
    assert exc.value.message_dict["stops"][0].startswith(services.TRIP_FORBIDDEN.split("{")[0])
    assert Trip.objects.count() == 0


def test_it_refuses_a_refusal_without_a_reason(honglu: World, leader: User) -> None:
    world = honglu
    trip = services.trip_file(
        scope=SYSTEM,
        person=world.a1_employee_person,
        purpose="work",
        departs_on=dt.date(2021, 2, 3),
        returns_on=dt.date(2021, 2, 8),
        stops=[StopIn(SHANGHAI_PUDONG, dt.date(2021, 2, 3), dt.date(2021, 2, 7))],
        by=None,
        at=at("2021-02-01"),
    )
    with pytest.raises(ValidationError) as exc:
        services.trip_decide(
            scope=SYSTEM, trip=trip, approve=False, note="", by=leader, at=at("2021-02-02")
        )
    assert exc.value.message_dict == {"note": [services.REFUSAL_REASON]}
    trip.refresh_from_db()
    assert trip.status == "pending"


# --- H-4.4 ------------------------------------------------------------------------------------
def test_it_plans_h_4_4_home_health_monitoring_from_the_actual_return(honglu: World) -> None:
    """H-4.4: out-of-Chongqing returnee, 2021-02-10 14:00, 7-day certificate: report within
    12 h, 14 days of home health monitoring (return day is day 0), tests on days 7 and 14;
    monitoring does not keep them out of the plant, and the enterprise's register shows them."""
    world = honglu
    declaration = services.return_declare(
        scope=SYSTEM,
        person=world.a1_person,
        arrived_at=at("2021-02-10", "14:00"),
        stays=[StayDeclared(SHANGHAI_PUDONG, dt.date(2021, 2, 1), dt.date(2021, 2, 10))],
        transport="plane",
        certificates=[(at("2021-02-08"), "negative")],
        by=None,
        at=at("2021-02-09"),
    )
    status = PersonStatus.objects.get(person=world.a1_person)
    assert status.on_hold  # not arrived yet: "须待2021-02-10 14:00之后"
    assert services.return_plans_refresh(at=at("2021-02-10", "15:00")) == 1
    plan = declaration.plans.get()
    assert (plan.pack_id, plan.version) == (H_PACK, 2)
    obligations = plan.plan["obligations"]
    tests = sorted(o["on_date"] for o in obligations if o["kind"] == "test")
    assert tests == ["2021-02-17", "2021-02-24"]
    report = next(o for o in obligations if o["title"].startswith("抵达后12小时内"))
    assert report["due_at"] == "2021-02-11T02:00:00+08:00"
    assert {o["citation"]["requirement"] for o in obligations} == {"H-4.4"}
    status.refresh_from_db()
    assert not status.on_hold
    assert (
        Duty.objects.filter(
            source=f"mobility.return:{declaration.pk}", kind="nucleic_acid", state="due"
        ).count()
        == 2
    )


def test_it_shows_the_h_4_4_register_and_the_liaisons_grid(
    honglu: World, client_as: Callable[[str | None], Client]
) -> None:
    """H-4.4 登记造册 for the officer; B-2.2c 网格化: the liaison of the returnee's community."""
    world = honglu
    services.return_declare(
        scope=SYSTEM,
        person=world.a1_person,
        arrived_at=at("2021-02-10", "14:00"),
        stays=[StayDeclared(SHANGHAI_PUDONG, dt.date(2021, 2, 1), dt.date(2021, 2, 10))],
        transport="plane",
        by=None,
        at=at("2021-02-09"),
    )
    register = client_as("a1_officer").get(f"/mobility/enterprises/{world.a1.pk}/returnees/")
    assert world.a1_person.name in register.content.decode()
    rows = (
        client_as("a1_officer").get(f"/api/v1/mobility/enterprises/{world.a1.pk}/returnees").json()
    )
    assert [r["name"] for r in rows] == [world.a1_person.name]
    grid = client_as("liaison_a").get("/mobility/community/")
    assert world.a1_person.name in grid.content.decode()
    assert (
        world.a1_person.name
        not in client_as("a2_officer").get("/mobility/community/").content.decode()
    )


# --- B-2.2c, B-2.4 ------------------------------------------------------------------------------
@pytest.fixture
def baotou(world: World) -> World:
    _home(world, BAOTOU_KUNDULUN, B_PACK)
    return world


def test_it_isolates_a_b_2_2c_returnee_14_days_and_then_opens_the_gate(baotou: World) -> None:
    """B-2.2c: 外地返岗人员坚决执行14天隔离期 (arrival day is day 1): entry from day 15."""
    world = baotou
    declaration = services.return_declare(
        scope=SYSTEM,
        person=world.a1_person,
        arrived_at=at("2020-02-10", "16:00"),
        stays=[StayDeclared(HOHHOT_XINCHENG, dt.date(2020, 1, 20), dt.date(2020, 2, 10))],
        transport="coach",
        by=None,
        at=at("2020-02-10", "17:00"),
    )
    plan = declaration.plans.get()
    assert plan.earliest_entry == at("2020-02-24", "00:00")
    assert plan.plan["phases"][0]["label"] == "企业隔离区隔离观察"
    status = PersonStatus.objects.get(person=world.a1_person)
    assert status.on_hold
    services.return_status_refresh(declaration=declaration, at=at("2020-02-23", "23:00"))
    status.refresh_from_db()
    assert status.on_hold
    services.return_status_refresh(declaration=declaration, at=at("2020-02-24", "08:00"))
    status.refresh_from_db()
    assert not status.on_hold


def test_it_refuses_a_b_2_4_return_from_a_severe_area_without_an_observation_point(
    baotou: World,
) -> None:
    world = baotou
    _risk(world, "420100", "high", dt.date(2020, 1, 23))
    with pytest.raises(ValidationError) as exc:
        services.return_declare(
            scope=SYSTEM,
            person=world.a1_person,
            arrived_at=at("2020-02-10", "16:00"),
            stays=[StayDeclared(WUHAN_JIANGAN, dt.date(2020, 1, 20), dt.date(2020, 2, 9))],
            transport="train",
            by=None,
            at=at("2020-02-10"),
        )
    assert exc.value.message_dict["__all__"][0].startswith("按规定暂不能接收返岗")
    assert ReturnDeclaration.objects.count() == 0
    assert not PersonStatus.objects.filter(person=world.a1_person, on_hold=True).exists()


# --- bad input ----------------------------------------------------------------------------------
def test_it_refuses_unknown_divisions_and_far_future_arrivals(
    jinjiang: World, settings: Any
) -> None:
    world = jinjiang
    with pytest.raises(ValidationError) as exc:
        services.trip_file(
            scope=SYSTEM,
            person=world.a1_person,
            purpose="work",
            departs_on=dt.date(2022, 11, 16),
            returns_on=dt.date(2022, 11, 18),
            stops=[StopIn("999999", dt.date(2022, 11, 16), dt.date(2022, 11, 17))],
            by=None,
            at=at("2022-11-15"),
        )
    assert exc.value.message_dict == {"stops": [UNKNOWN_DIVISION]}
    settings.MOBILITY_ARRIVAL_AHEAD_DAYS = 3
    with pytest.raises(ValidationError) as exc:
        services.return_declare(
            scope=SYSTEM,
            person=world.a1_person,
            arrived_at=at("2022-11-19"),
            stays=[StayDeclared(SHANGHAI_PUDONG, dt.date(2022, 11, 16), dt.date(2022, 11, 19))],
            transport="train",
            by=None,
            at=at("2022-11-15"),
        )
    assert exc.value.message_dict == {"arrived_at": [services.ARRIVAL_TOO_LATE.format(days=3)]}
    assert Trip.objects.count() == ReturnDeclaration.objects.count() == 0


def test_it_refuses_a_return_before_the_trip_started(jinjiang: World) -> None:
    world = jinjiang
    trip = services.trip_file(
        scope=SYSTEM,
        person=world.a1_person,
        purpose="work",
        departs_on=dt.date(2022, 11, 16),
        returns_on=dt.date(2022, 11, 18),
        stops=[StopIn(SHANGHAI_PUDONG, dt.date(2022, 11, 16), dt.date(2022, 11, 17))],
        by=None,
        at=at("2022-11-15"),
    )
    with pytest.raises(ValidationError) as exc:
        services.return_declare(
            scope=SYSTEM,
            person=world.a1_person,
            arrived_at=at("2022-11-15", "20:00"),
            stays=[StayDeclared(SHANGHAI_PUDONG, dt.date(2022, 11, 14), dt.date(2022, 11, 15))],
            transport="train",
            trip=trip,
            by=None,
            at=at("2022-11-15", "21:00"),
        )
    assert exc.value.message_dict == {"arrived_at": [services.RETURN_BEFORE_TRIP]}
    trip.refresh_from_db()
    assert trip.status == "filed" and ReturnDeclaration.objects.count() == 0


def test_the_api_gives_field_errors_in_chinese(
    jinjiang: World, client_as: Callable[[str | None], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    _freeze(monkeypatch, at("2022-11-15"))
    response = _post(
        client_as("a1_employee"),
        "/api/v1/mobility/returns",
        {
            "arrived_at": "2022-11-15T08:00:00+08:00",
            "transport": "train",
            "stays": [
                {"division_code": "000001", "first_day": "2022-11-10", "last_day": "2022-11-14"}
            ],
        },
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == UNKNOWN_DIVISION
    assert ReturnDeclaration.objects.count() == 0
