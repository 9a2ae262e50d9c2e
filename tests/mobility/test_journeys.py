"""Each scenario of J-1.1, H-4.3, H-4.4, B-2.2c and B-2.4, played through the pages (form
posts as the employee, the leader and the officer make them) AND through the JSON API (the
same test, `via`), with the dates the notices give. Day by day the person's entry status (the
status row the gate reads, and the page's or the API's own answer) follows the plan: held
before the earliest entry, held while a test is missing, allowed once the plan allows it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth.models import User

from parkguard.duties.models import Duty
from parkguard.mobility import services
from parkguard.mobility.models import IsolationRecord, ReturnDeclaration, RiskArea, Trip
from parkguard.mobility.services import RiskAreaIn
from parkguard.notify.models import Message
from parkguard.orgs.access import SYSTEM
from parkguard.orgs.choices import Role
from parkguard.orgs.models import Membership
from tests.factories import World, adopt, make_user
from tests.mobility.conftest import CHONGQING_YONGCHUAN, WUHAN_JIANGAN, at
from tests.mobility.journeys import VIAS, ClientAs, Clock, Journey, entry_on, errors_of, gate_held

pytestmark = pytest.mark.django_db
H_PACK = "honglu-2021-10"
B_PACK = "baotou-industry-2020-02"
BAOTOU_KUNDULUN = "150203"
HOHHOT_XINCHENG = "150102"
SHANGHAI_PUDONG = "310115"
WUHAN_CITY = "420100"


def _risk(world: World, code: str, level: str, start: dt.date) -> RiskArea:
    return services.risk_area_save(
        scope=SYSTEM,
        park=world.park_a,
        row=RiskAreaIn(code, "", level, start, None, "卫健委公告"),
        by=None,
        at=at(start.isoformat()),
    )


def _home(world: World, code: str, pack: str | None = None) -> None:
    world.county.code = code
    world.county.save(update_fields=["code"])
    if pack:
        adopt(world.park_a, pack)


def _journey(
    via: str, world: World, client_as: ClientAs, monkeypatch: pytest.MonkeyPatch, now: str
) -> Journey:
    clock = Clock(monkeypatch, at(now))
    return Journey(via, client_as("a1_employee"), world.a1_employee_person, clock)


def _liaison_b(world: World) -> User:
    """The liaison of the community the employee lives in (B-2.2c, H-4.4 网格化管理)."""
    user = make_user("liaison_b")
    Membership.objects.create(
        user=user, role=Role.COMMUNITY_LIAISON, jurisdiction=world.community_b
    )
    world.users["liaison_b"] = user
    return user


# --- J-1.1 ------------------------------------------------------------------------------------
@pytest.mark.parametrize("via", VIAS)
def test_a_j_1_1_high_risk_returnee_is_held_until_day_7_and_its_test(
    via: str, jinjiang: World, client_as: ClientAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """J-1.1 with the notice's numbers: a trip to Wuhan (high risk from 2022-11-01) filed in
    advance; 7 days' stay; test within 48 h before leaving (sampled 11-14), declared 24 h
    ahead, 7 days' home isolation with tests on days 1, 3, 5, 7 (11-15, 17, 19, 21; arrival
    day is day 1). Held before arrival, on every day of isolation, and on 11-22 until the
    day-7 result is in; allowed once it is."""
    world = jinjiang
    _risk(world, WUHAN_JIANGAN, "high", dt.date(2022, 11, 1))
    journey = _journey(via, world, client_as, monkeypatch, "2022-11-06")
    filed = journey.file_trip(
        "work", "2022-11-07", "2022-11-15", [(WUHAN_JIANGAN, "2022-11-07", "2022-11-14")]
    )
    assert filed.status_code in {201, 302}, filed.content
    trip = Trip.objects.get(person=journey.person)
    assert (trip.status, trip.approver) == ("filed", "")  # 备案, no approval under J
    journey.clock.set("2022-11-14", "09:00")
    declared = journey.declare(
        "2022-11-15T10:00:00+08:00",
        [(WUHAN_JIANGAN, "2022-11-07", "2022-11-15")],
        cert="2022-11-14T08:00:00+08:00",
        trip=trip,
    )
    assert declared.status_code in {201, 302}, declared.content
    declaration = journey.declaration()
    trip.refresh_from_db()
    assert declaration.trip == trip and trip.status == "returned"
    plan = declaration.plans.get()
    assert plan.earliest_entry == at("2022-11-22", "00:00")
    tests = [o["on_date"] for o in plan.plan["obligations"] if o["kind"] == "test"]
    assert tests == ["2022-11-15", "2022-11-17", "2022-11-19", "2022-11-21"]
    assert gate_held(journey.person)
    journey.notices_made(declaration, "2022-11-14T09:00:00+08:00")  # 24 h ahead; community
    assert not entry_on(journey, declaration, "2022-11-15", "08:00")  # not arrived yet
    for day in tests:
        assert not entry_on(journey, declaration, day, "18:00")
        journey.test_taken(declaration, day)
        assert not entry_on(journey, declaration, day, "20:00")
    assert not entry_on(journey, declaration, "2022-11-21", "23:59")  # isolation: 7 days
    # Day 8 at midnight the isolation is over and every test is in: the gate opens.
    assert entry_on(journey, declaration, "2022-11-22", "00:10")
    declaration.refresh_from_db()
    assert declaration.closed_at is not None
    duties = Duty.objects.filter(source=f"mobility.return:{declaration.pk}")
    assert {d.state for d in duties} == {"done"}


@pytest.mark.parametrize("via", VIAS)
def test_a_j_1_1_returnee_missing_the_day_7_test_stays_out(
    via: str, jinjiang: World, client_as: ClientAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """J-1.1: "居家隔离第1、3、5、7天各开展一次核酸检测后方可进厂": the isolation's end alone
    does not open the gate while the day-7 test is missing; its negative result does."""
    world = jinjiang
    _risk(world, WUHAN_JIANGAN, "high", dt.date(2022, 11, 1))
    journey = _journey(via, world, client_as, monkeypatch, "2022-11-14")
    declared = journey.declare(
        "2022-11-15T10:00:00+08:00",
        [(WUHAN_JIANGAN, "2022-11-08", "2022-11-15")],
        cert="2022-11-14T08:00:00+08:00",
    )
    assert declared.status_code in {201, 302}, declared.content
    declaration = journey.declaration()
    journey.notices_made(declaration, "2022-11-14T09:00:00+08:00")
    for day in ("2022-11-15", "2022-11-17", "2022-11-19"):
        journey.clock.set(day, "18:00")
        journey.test_taken(declaration, day)
    assert not entry_on(journey, declaration, "2022-11-22", "08:00")
    journey.clock.set("2022-11-22", "09:00")
    journey.test_taken(declaration, "2022-11-21")  # the day-7 result comes in late
    assert entry_on(journey, declaration, "2022-11-22", "09:10")


@pytest.mark.parametrize("via", VIAS)
def test_a_j_1_1_transit_returnee_declares_and_reports(
    via: str, jinjiang: World, client_as: ClientAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """J-1.1: a returnee who only passed through a high-risk area (the page's "仅途经") declares
    24 h before arrival and reports to the community; no isolation keeps them out."""
    world = jinjiang
    _risk(world, WUHAN_JIANGAN, "high", dt.date(2022, 11, 11))
    journey = _journey(via, world, client_as, monkeypatch, "2022-11-19")
    declared = journey.declare(
        "2022-11-20T10:00:00+08:00",
        [
            (SHANGHAI_PUDONG, "2022-11-16", "2022-11-19"),
            (WUHAN_JIANGAN, "2022-11-20", "2022-11-20"),
        ],
        transit=(2,),
    )
    assert declared.status_code in {201, 302}, declared.content
    declaration = journey.declaration()
    assert declaration.stays[1]["transit"] is True
    obligations = declaration.plans.get().plan["obligations"]
    titles = {o["title"]: o["due_at"] for o in obligations}
    assert any("自主申报" in t for t in titles) and any("属地社区" in t for t in titles)
    assert "2022-11-19T10:00:00+08:00" in titles.values()  # 24 h before arrival
    assert not IsolationRecord.objects.filter(declaration=declaration).exists()
    assert not entry_on(journey, declaration, "2022-11-20", "09:00")  # not arrived yet


# --- H-4.3 and H-4.4 ---------------------------------------------------------------------------
@pytest.mark.parametrize("via", VIAS)
def test_an_h_4_3_trip_waits_for_the_leader_and_the_h_4_4_return_is_monitored(
    via: str, world: World, leader: User, client_as: ClientAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """H-4.3: leaving Chongqing (Yongchuan → Shanghai, 2021-02-03 to 02-10) waits for the
    enterprise leader, who approves on the phone; a team leader may not. H-4.4 (2021-01-28 to
    03-08): returned 02-10 14:00 with a 7-day certificate: report within 12 h (02-11 02:00),
    14 days of home health monitoring with tests on days 7 and 14 (02-17, 02-24), which does
    not keep them out: held only until the arrival; the register and the grid show them."""
    _home(world, CHONGQING_YONGCHUAN, H_PACK)
    _liaison_b(world)
    journey = _journey(via, world, client_as, monkeypatch, "2021-02-01")
    filed = journey.file_trip(
        "private", "2021-02-03", "2021-02-10", [(SHANGHAI_PUDONG, "2021-02-03", "2021-02-09")]
    )
    assert filed.status_code in {201, 302}, filed.content
    trip = Trip.objects.get(person=journey.person)
    assert (trip.status, trip.approver) == ("pending", "企业负责同志")
    assert Message.objects.filter(user=leader, link=f"/mobility/trips/{trip.pk}/").exists()
    team_leader = client_as("a1_leader")
    boss = client_as("a1_boss")
    if via == "api":
        url = f"/api/v1/mobility/trips/{trip.pk}/decision"
        refused = team_leader.post(
            url, json.dumps({"approve": True}), content_type="application/json"
        )
        no_reason = boss.post(url, json.dumps({"approve": False}), content_type="application/json")
    else:
        url = f"/mobility/trips/{trip.pk}/decide/"
        refused = team_leader.post(url, {"approve": "1"})
        no_reason = boss.post(url, {"approve": "0", "note": ""})
    assert refused.status_code in {403, 404}
    assert errors_of(via, no_reason) == [services.REFUSAL_REASON]
    trip.refresh_from_db()
    assert trip.status == "pending" and trip.decided_by is None
    if via == "api":
        approved = boss.post(
            url, json.dumps({"approve": True, "note": "同意"}), content_type="application/json"
        )
        assert approved.status_code == 200, approved.content
    else:
        assert "提交审批" in boss.get(f"/mobility/trips/{trip.pk}/").content.decode()
        assert boss.post(url, {"approve": "1", "note": "同意"}).status_code == 302
    trip.refresh_from_db()
    assert (trip.status, trip.decided_by) == ("approved", leader)
    assert Message.objects.filter(user=world.users["a1_employee"], title="出行报备已批准").exists()

    journey.clock.set("2021-02-09", "09:00")
    declared = journey.declare(
        "2021-02-10T14:00:00+08:00",
        [(SHANGHAI_PUDONG, "2021-02-03", "2021-02-10")],
        transport="plane",
        cert="2021-02-08T09:00:00+08:00",
        trip=trip,
    )
    assert declared.status_code in {201, 302}, declared.content
    declaration = journey.declaration()
    plan = declaration.plans.get()
    assert plan.pack_id == H_PACK
    obligations = plan.plan["obligations"]
    assert sorted(o["on_date"] for o in obligations if o["kind"] == "test") == [
        "2021-02-17",
        "2021-02-24",
    ]
    report = next(o for o in obligations if o["title"].startswith("抵达后12小时内"))
    assert report["due_at"] == "2021-02-11T02:00:00+08:00"
    assert gate_held(journey.person)  # "须待2021-02-10 14:00之后"
    assert not entry_on(journey, declaration, "2021-02-10", "13:00")
    assert entry_on(journey, declaration, "2021-02-10", "15:00")  # monitoring does not hold
    tests_due = Duty.objects.filter(
        source=f"mobility.return:{declaration.pk}", kind="nucleic_acid", state="due"
    )
    assert tests_due.count() == 2
    officer = client_as("a1_officer")
    register = officer.get(f"/mobility/enterprises/{world.a1.pk}/returnees/").content.decode()
    rows = officer.get(f"/api/v1/mobility/enterprises/{world.a1.pk}/returnees").json()
    assert journey.person.name in register and [r["name"] for r in rows] == [journey.person.name]
    assert (
        journey.person.name in client_as("liaison_b").get("/mobility/community/").content.decode()
    )
    assert (
        journey.person.name
        not in client_as("liaison_a").get("/mobility/community/").content.decode()
    )


@pytest.mark.parametrize("via", VIAS)
def test_an_h_4_3_trip_to_a_medium_risk_area_is_refused_and_nothing_saved(
    via: str, world: World, client_as: ClientAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """H-4.3: 避免前往中高风险地区: the filing is refused with the reason, nothing saved."""
    _home(world, CHONGQING_YONGCHUAN, H_PACK)
    _risk(world, SHANGHAI_PUDONG, "medium", dt.date(2021, 1, 20))
    journey = _journey(via, world, client_as, monkeypatch, "2021-02-01")
    refused = journey.file_trip(
        "private", "2021-02-03", "2021-02-08", [(SHANGHAI_PUDONG, "2021-02-03", "2021-02-07")]
    )
    messages = errors_of(via, refused)
    assert len(messages) == 1 and messages[0].startswith(services.TRIP_FORBIDDEN.split("{")[0])
    assert Trip.objects.count() == 0


# --- B-2.2c and B-2.4 --------------------------------------------------------------------------
@pytest.mark.parametrize("via", VIAS)
def test_a_b_2_2c_returnee_is_isolated_14_days_and_enters_the_grid(
    via: str, world: World, client_as: ClientAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """B-2.2c: 外地返岗人员坚决执行14天隔离期: arrived 2020-02-10 16:00 (day 1), held through
    02-23, allowed from 02-24; reported to the community liaison (网格化管理)."""
    _home(world, BAOTOU_KUNDULUN, B_PACK)
    _liaison_b(world)
    journey = _journey(via, world, client_as, monkeypatch, "2020-02-10")
    journey.clock.set("2020-02-10", "17:00")
    declared = journey.declare(
        "2020-02-10T16:00:00+08:00",
        [(HOHHOT_XINCHENG, "2020-01-20", "2020-02-10")],
        transport="coach",
    )
    assert declared.status_code in {201, 302}, declared.content
    declaration = journey.declaration()
    plan = declaration.plans.get()
    assert plan.earliest_entry == at("2020-02-24", "00:00")
    record = IsolationRecord.objects.get(declaration=declaration)
    assert record.ends_at == at("2020-02-24", "00:00")
    assert gate_held(journey.person)
    for day in ("2020-02-11", "2020-02-17", "2020-02-23"):
        assert not entry_on(journey, declaration, day, "12:00")
    assert not entry_on(journey, declaration, "2020-02-23", "23:50")
    assert entry_on(journey, declaration, "2020-02-24", "08:00")
    assert (
        journey.person.name in client_as("liaison_b").get("/mobility/community/").content.decode()
    )


@pytest.mark.parametrize("via", VIAS)
def test_b_2_4_refuses_a_severe_area_return_until_there_is_an_observation_point(
    via: str, world: World, client_as: ClientAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """B-2.4: without an isolation observation point a returnee from a severely affected area
    (Wuhan, high from 2020-01-23) is refused with the reason, nothing saved; the officer sets
    one up on the points page, and the return is taken into B-2.2c's 14 days there."""
    _home(world, BAOTOU_KUNDULUN, B_PACK)
    _risk(world, WUHAN_CITY, "high", dt.date(2020, 1, 23))
    journey = _journey(via, world, client_as, monkeypatch, "2020-02-10")
    journey.clock.set("2020-02-10", "17:00")
    stays = [(WUHAN_JIANGAN, "2020-01-20", "2020-02-09")]
    refused = journey.declare("2020-02-10T16:00:00+08:00", stays)
    messages = errors_of(via, refused)
    assert len(messages) == 1 and messages[0].startswith("按规定暂不能接收返岗")
    assert ReturnDeclaration.objects.count() == 0 and not gate_held(journey.person)
    officer = client_as("a1_officer")
    points = f"/mobility/enterprises/{world.a1.pk}/points/"
    made = officer.post(points, {"kind": "observation", "name": "东区隔离观察点", "capacity": "6"})
    assert made.status_code == 302
    accepted = journey.declare("2020-02-10T16:00:00+08:00", stays)
    assert accepted.status_code in {201, 302}, accepted.content
    declaration = journey.declaration()
    record = IsolationRecord.objects.get(declaration=declaration)
    assert (record.kind, record.ends_at) == ("enterprise_observation", at("2020-02-24", "00:00"))
    assert not entry_on(journey, declaration, "2020-02-23", "12:00")
    assert entry_on(journey, declaration, "2020-02-24", "08:00")
