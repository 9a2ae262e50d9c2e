"""Z-5.1 blue zone (蓝区：新进入且需较长时间停留的人员观察), response pack v4 (from 2022-11-18):
a returnee in an observation phase (home health monitoring, an enterprise observation point:
`mobility.IsolationRecord`) is moved into the enterprise's blue area by the periodic job and
back to green when the phase ends; blue holds nobody at the gate. An enterprise with no blue
area is warned 等待安排蓝区区块; the API shows `evidence` and `awaiting_area`; the personal
file shows the zone and why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from parkguard.audit.models import AuditEvent
from parkguard.mobility import services as mobility
from parkguard.mobility.models import IsolationRecord
from parkguard.mobility.services import RiskAreaIn, StayDeclared
from parkguard.orgs.access import SYSTEM, scope_for_user
from parkguard.response import selectors, services
from parkguard.response.choices import Evidence, ZoneColour
from parkguard.response.models import Area, PersonZone, ZoneMove
from parkguard.response.owners import Owner
from parkguard.status.choices import HoldKind
from parkguard.status.models import StatusHold
from tests.factories import World, adopt
from tests.mobility.conftest import CHONGQING_YONGCHUAN, WUHAN_JIANGAN, at
from tests.response.conftest import AT, R_PACK

pytestmark = pytest.mark.django_db

# The returnee's observation phase comes from a return plan: the example pack's X-1.2 (a
# 管控区 stay within 7 days: 3 days of home health monitoring), in force from 2022-12-01.
X_PACK = "example-quyu-2022-1"


@pytest.fixture
def blue_world(response_world: World) -> World:
    """Park A follows the example pack (a 管控区 in Wuhan from 2022-12-01) and the response
    pack; A1 has a blue area."""
    world = response_world
    world.county.code = CHONGQING_YONGCHUAN
    world.county.save(update_fields=["code"])
    adopt(world.park_a, X_PACK)
    mobility.risk_area_save(
        scope=SYSTEM,
        park=world.park_a,
        row=RiskAreaIn(WUHAN_JIANGAN, "", "管控区", dt.date(2022, 12, 1), None, "公告"),
        by=None,
        at=at("2022-12-01", "08:00"),
    )
    _blue_area(world, "新进人员观察宿舍")
    return world


def _blue_area(world: World, name: str, capacity: int = 10) -> Area:
    officer = world.users["a1_officer"]
    return services.area_create(
        scope=scope_for_user(officer),
        owner=Owner(enterprise=world.a1),
        name=name,
        block="living",
        capacity=capacity,
        zone=ZoneColour.BLUE,
        by=officer,
        at=AT,
    )


def _return_from_wuhan(world: World, arrived: dt.datetime) -> IsolationRecord:
    """X-1.2: a stay in a 管控区 in the last 7 days: home health monitoring from arrival."""
    declaration = mobility.return_declare(
        scope=SYSTEM,
        person=world.a1_person,
        arrived_at=arrived,
        stays=[StayDeclared(WUHAN_JIANGAN, arrived.date() - dt.timedelta(days=4), arrived.date())],
        transport="train",
        by=None,
        at=arrived - dt.timedelta(hours=2),
    )
    mobility.return_plans_refresh(at=arrived + dt.timedelta(minutes=30))
    return IsolationRecord.objects.get(declaration=declaration, kind="home_health_monitoring")


def _monitoring(world: World, starts: dt.datetime, ends: dt.datetime) -> IsolationRecord:
    """Home health monitoring recorded by hand (outside a return plan)."""
    return mobility.isolation_record_open(
        person=world.a1_person,
        kind="home_health_monitoring",
        label="居家健康监测",
        starts_at=starts,
        ends_at=ends,
        citation={},
    )


def _zone(world: World) -> PersonZone | None:
    return PersonZone.objects.filter(pk=world.a1_person.pk).select_related("area", "move").first()


def _zone_hold(world: World) -> bool:
    return StatusHold.objects.filter(
        person=world.a1_person, kind=HoldKind.ZONE, cleared_at__isnull=True
    ).exists()


def test_z_5_1_a_returnee_under_home_health_monitoring_goes_to_blue_and_back_to_green(
    blue_world: World,
) -> None:
    """2022-12-02 14:00 back from a 管控区 in Wuhan: home health monitoring from arrival. The
    job at 15:00 moves them into A1's blue area, citing pack v4 Z-5.1; blue itself opens no
    zone hold at the gate. When the monitoring ends, the job moves them back to green."""
    world = blue_world
    record = _return_from_wuhan(world, at("2022-12-02", "14:00"))
    assert record.starts_at <= at("2022-12-02", "15:00") < record.ends_at
    assert services.zones_follow_evidence(at=at("2022-12-02", "15:00")) == 1
    zone = _zone(world)
    assert zone is not None and zone.colour == ZoneColour.BLUE
    assert zone.area is not None and zone.area.name == "新进人员观察宿舍"
    assert zone.move.evidence == Evidence.HOME_MONITORING
    assert zone.move.source == f"mobility.isolation:{record.pk}"
    assert zone.move.reason.startswith("居家健康监测（")
    citation = zone.move.citation
    assert (citation["pack_id"], citation["version"], citation["requirement"]) == (
        R_PACK,
        4,
        "Z-5.1",
    )
    assert "蓝区" in citation["clause"]
    assert not _zone_hold(world)
    # Run again: nothing more moves (already blue).
    assert services.zones_follow_evidence(at=at("2022-12-02", "15:01")) == 0
    assert ZoneMove.objects.filter(person=world.a1_person).count() == 1
    # Still under monitoring a minute before its end; back to green at its end.
    before_end = record.ends_at - dt.timedelta(minutes=1)
    assert services.zones_follow_evidence(at=before_end) == 0
    assert services.zones_follow_evidence(at=record.ends_at) == 1
    zone = _zone(world)
    assert zone is not None and zone.colour == ZoneColour.GREEN and zone.area is None
    assert zone.move.reason.startswith("观察阶段结束（居家健康监测") and "期满" in zone.move.reason
    assert zone.move.citation["version"] == 4
    assert AuditEvent.objects.filter(action="zone_move_observation_end").count() == 1
    assert services.zones_follow_evidence(at=record.ends_at + dt.timedelta(days=1)) == 0


def test_z_5_1_pack_v3_had_no_blue_zone_v4_from_2022_11_18_has(blue_world: World) -> None:
    """Monitoring that starts 2022-11-16 (v3 in force: no blue) moves nobody that day; the
    same record moves the returnee to blue once v4 is in force on 2022-11-18."""
    world = blue_world
    record = _monitoring(world, at("2022-11-16", "10:00"), at("2022-11-30", "00:00"))
    assert services.zones_follow_evidence(at=at("2022-11-17", "09:00")) == 0
    assert _zone(world) is None
    assert services.zones_follow_evidence(at=at("2022-11-18", "09:00")) == 1
    zone = _zone(world)
    assert zone is not None and zone.colour == ZoneColour.BLUE
    assert zone.move.source == f"mobility.isolation:{record.pk}"


def test_z_5_1_a_released_enterprise_observation_ends_blue(blue_world: World) -> None:
    """B-2.4 enterprise observation point (recorded by hand): blue while it runs, green once
    it is released."""
    world = blue_world
    record = mobility.isolation_record_open(
        person=world.a1_person,
        kind="enterprise_observation",
        label="企业隔离观察点观察",
        starts_at=at("2022-11-20", "08:00"),
        ends_at=at("2022-11-27", "08:00"),
        citation={},
    )
    assert services.zones_follow_evidence(at=at("2022-11-20", "08:30")) == 1
    zone = _zone(world)
    assert zone is not None and zone.colour == ZoneColour.BLUE
    assert zone.move.evidence == Evidence.ENTERPRISE_OBSERVATION
    mobility.isolation_release(
        scope=SYSTEM, record=record, note="期满", by=None, at=at("2022-11-27", "09:00")
    )
    assert services.zones_follow_evidence(at=at("2022-11-27", "09:01")) == 1
    zone = _zone(world)
    assert zone is not None and zone.colour == ZoneColour.GREEN
    assert "解除" in zone.move.reason


def test_z_5_1_a_stricter_zone_is_not_undone_when_observation_ends(blue_world: World) -> None:
    """In blue, then a confirmed close contact (orange): the monitoring's end leaves orange."""
    world = blue_world
    record = _return_from_wuhan(world, at("2022-12-02", "14:00"))
    services.zones_follow_evidence(at=at("2022-12-02", "15:00"))
    services.zone_move_by_evidence(
        scope=SYSTEM,
        person=world.a1_person,
        evidence=Evidence.CLOSE_CONTACT,
        at=at("2022-12-03", "10:00"),
    )
    assert services.zones_follow_evidence(at=record.ends_at) == 0
    zone = _zone(world)
    assert zone is not None and zone.colour == ZoneColour.ORANGE
    assert _zone_hold(world)


def test_z_5_1_no_blue_area_waits_and_the_page_and_api_say_so(
    response_world: World, client_as: Callable[[str | None], Client]
) -> None:
    """A1 has no blue area: the returnee goes to blue with no area; the zones page warns
    等待安排蓝区区块 and the API says `awaiting_area`. Once A1 sets up a blue area, the next
    run places them there."""
    world = response_world
    _monitoring(world, at("2022-11-20", "08:00"), at("2022-12-04", "00:00"))
    client = client_as("a1_officer")
    page = client.get(f"/response/enterprises/{world.a1.pk}/").content.decode()
    assert "本企业还没有蓝区区块" in page and "等待安排蓝区区块：" not in page
    assert services.zones_follow_evidence(at=at("2022-11-20", "09:00")) == 1
    zone = _zone(world)
    assert zone is not None and zone.colour == ZoneColour.BLUE and zone.area is None
    awaiting = selectors.awaiting_blue_area(
        scope=scope_for_user(world.users["a1_officer"]), enterprise=world.a1
    )
    assert [z.person_id for z in awaiting] == [world.a1_person.pk]
    page = client.get(f"/response/enterprises/{world.a1.pk}/").content.decode()
    assert "等待安排蓝区区块：</strong>1 名" in page
    rows = client.get(f"/api/v1/response/enterprises/{world.a1.pk}/zones").json()
    assert rows == [
        {
            "person_id": world.a1_person.pk,
            "name": rows[0]["name"],
            "colour": "blue",
            "area_id": None,
            "since": rows[0]["since"],
            "reason": zone.move.reason,
            "evidence": "home_monitoring",
            "awaiting_area": True,
        }
    ]
    assert rows[0]["name"].endswith("*")
    area = _blue_area(world, "观察宿舍")
    assert services.zones_follow_evidence(at=at("2022-11-20", "09:01")) == 1
    zone = _zone(world)
    assert zone is not None and zone.colour == ZoneColour.BLUE and zone.area == area
    assert zone.move.reason.startswith("安排至蓝区区块 观察宿舍")
    page = client.get(f"/response/enterprises/{world.a1.pk}/").content.decode()
    assert "等待安排蓝区区块" not in page
    rows = client.get(f"/api/v1/response/enterprises/{world.a1.pk}/zones").json()
    assert rows[0]["awaiting_area"] is False and rows[0]["area_id"] == area.pk


def test_z_5_1_a_full_blue_area_takes_nobody_more_and_the_page_says_so(
    response_world: World, client_as: Callable[[str | None], Client]
) -> None:
    """A1's only blue area holds one person. The first returnee under monitoring takes the
    place; the second goes to blue with no area (等待安排蓝区区块, the area is full, not
    missing), and the page says the blue area is full. When the first one's monitoring ends,
    the next run moves them back to green and places the waiting one in the freed place."""
    world = response_world
    area = _blue_area(world, "观察宿舍", capacity=1)
    first = mobility.isolation_record_open(
        person=world.a1_employee_person,
        kind="home_health_monitoring",
        label="居家健康监测",
        starts_at=at("2022-11-20", "07:00"),
        ends_at=at("2022-11-21", "00:00"),
        citation={},
    )
    _monitoring(world, at("2022-11-20", "08:00"), at("2022-12-04", "00:00"))
    assert services.zones_follow_evidence(at=at("2022-11-20", "09:00")) == 2
    placed = PersonZone.objects.get(pk=world.a1_employee_person.pk)
    assert placed.colour == ZoneColour.BLUE and placed.area == area
    zone = _zone(world)
    assert zone is not None and zone.colour == ZoneColour.BLUE and zone.area is None
    assert PersonZone.objects.filter(area=area).count() == 1  # never over its capacity
    page = client_as("a1_officer").get(f"/response/enterprises/{world.a1.pk}/").content.decode()
    assert "蓝区区块已满：</strong>1 名" in page
    assert services.zones_follow_evidence(at=first.ends_at) == 2  # one out, one placed
    assert PersonZone.objects.get(pk=world.a1_employee_person.pk).colour == ZoneColour.GREEN
    zone = _zone(world)
    assert zone is not None and zone.colour == ZoneColour.BLUE and zone.area == area
    page = client_as("a1_officer").get(f"/response/enterprises/{world.a1.pk}/").content.decode()
    assert "蓝区区块已满" not in page


def test_z_5_1_a_park_not_following_the_response_pack_moves_nobody(world: World) -> None:
    """Park B follows no response pack: the observation record moves nobody, nothing is
    written, and the record and zones stay as they were."""
    record = mobility.isolation_record_open(
        person=world.b1_person,
        kind="home_health_monitoring",
        label="居家健康监测",
        starts_at=at("2022-11-20", "08:00"),
        ends_at=at("2022-12-04", "00:00"),
        citation={},
    )
    assert services.zones_follow_evidence(at=at("2022-11-20", "09:00")) == 0
    assert not PersonZone.objects.exists() and not ZoneMove.objects.exists()
    with pytest.raises(ValidationError) as refused:
        services.zone_move_by_evidence(
            scope=SYSTEM,
            person=world.b1_person,
            evidence=Evidence.HOME_MONITORING,
            at=at("2022-11-20", "09:00"),
        )
    assert refused.value.message_dict == {"evidence": [services.NO_ZONE_RULE]}
    assert not ZoneMove.objects.exists()
    record.refresh_from_db()
    assert record.released_at is None


def test_z_5_1_the_personal_file_shows_the_zone_and_why(
    blue_world: World, client_as: Callable[[str | None], Client]
) -> None:
    """The officer and the person themself see 蓝区, the area and the reason with the pack's
    clause on the personal file; a liaison who may see the file sees no zone."""
    world = blue_world
    _return_from_wuhan(world, at("2022-12-02", "14:00"))
    services.zones_follow_evidence(at=at("2022-12-02", "15:00"))
    url = f"/people/{world.a1_person.pk}/"
    page = client_as("a1_officer").get(url).content.decode()
    assert 'id="zone"' in page and "蓝区" in page and "新进人员观察宿舍" in page
    assert "居家健康监测（" in page and "规则包第 4 版" in page and "蓝区（新进入" in page
    other = client_as("a1_officer").get(f"/people/{world.a1_employee_person.pk}/")
    assert 'id="zone"' in other.content.decode() and "没有分区变动" in other.content.decode()
    own = client_as("a1_employee").get(f"/people/{world.a1_employee_person.pk}/")
    assert own.status_code == 200 and 'id="zone"' in own.content.decode()
    liaison = client_as("liaison_a").get(url)
    if liaison.status_code == 200:
        assert 'id="zone"' not in liaison.content.decode()


@pytest.mark.parametrize("persona", ["a2_officer", "park_b_admin", "a1_employee", "a1_guard", None])
def test_z_5_1_outsiders_see_no_blue_zone_or_warning(
    blue_world: World, client_as: Callable[[str | None], Client], persona: str | None
) -> None:
    """Another enterprise, another park, a lower role, the gate guard, anonymous: no zones
    page, no zones API row, no zone on the personal file, and nothing changes."""
    world = blue_world
    _monitoring(world, at("2022-11-20", "08:00"), at("2022-12-04", "00:00"))
    services.zones_follow_evidence(at=at("2022-11-20", "09:00"))
    before = list(ZoneMove.objects.values_list("pk", "colour"))
    client = client_as(persona)
    page = client.get(f"/response/enterprises/{world.a1.pk}/")
    assert page.status_code in (302, 403, 404)
    api = client.get(f"/api/v1/response/enterprises/{world.a1.pk}/zones")
    assert api.status_code in (401, 403, 404)
    file = client.get(f"/people/{world.a1_person.pk}/")
    assert file.status_code in (302, 403, 404) or 'id="zone"' not in file.content.decode()
    if persona is not None:
        scope = scope_for_user(world.users[persona])
        assert selectors.zone_on_file(scope=scope, person=world.a1_person) is None
    assert list(ZoneMove.objects.values_list("pk", "colour")) == before
