"""Trucks (J-1.3, Z-5.3a, Z-5.3b): a declaration through a signed link 24 h ahead (the pack's
figure), crew with 48 h results, the gate's checks, a loading zone, entry, a dwell alert past
the park's limit, and exit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from parkguard.logistics import services
from parkguard.logistics.choices import TruckState
from parkguard.logistics.models import CrewMember, DwellLimit, TruckDeclaration
from parkguard.logistics.rules import truck_rules
from parkguard.notify.models import Message
from parkguard.orgs.access import scope_for_user
from parkguard.people.identity import id_decrypt
from tests.factories import J_PACK, World, adopt, valid_id

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
AT = dt.datetime(2022, 11, 16, 8, 30, tzinfo=SHANGHAI)
ARRIVAL = AT + dt.timedelta(hours=30)
DWELL_BASIS = "甲园区货车管理办法 第五条（Z-5.3a 即停即卸即装即走）"


@pytest.fixture
def truck_world(world: World) -> World:
    adopt(world.park_a, J_PACK)
    DwellLimit.objects.create(jurisdiction=world.park_a, minutes=45, basis=DWELL_BASIS)
    return world


def _crew(serial: int = 901, tested_at: dt.datetime | None = AT - dt.timedelta(hours=10)):
    return services.CrewIn(
        name="司机甲",
        id_number=valid_id(serial),
        phone="13912345678",
        tested_at=tested_at,
        test_negative=True,
        vaccine_doses=3,
    )


def _declare(world: World, *, arrival: dt.datetime = ARRIVAL, **crew: object) -> TruckDeclaration:
    _, token = services.declaration_link_create(
        scope=scope_for_user(world.users["a1_officer"]),
        enterprise=world.a1,
        label="渝运物流",
        at=AT,
        by=None,
    )
    return services.truck_declare_by_link(
        token=token,
        plate="渝A 12345",
        planned_arrival=arrival,
        route="G65 包茂高速—正阳收费站—园区东门",
        travel_history="重庆市黔江区、湖南省长沙市",
        crew=[_crew(**crew)],  # type: ignore[arg-type]
        at=AT,
    )


def test_the_pack_gives_the_deadline_and_the_test_window_j13(truck_world: World) -> None:
    rules = truck_rules(park=truck_world.park_a, on=AT.date())
    assert rules.declare_hours == 24 and "J-1.3" in rules.declare_basis
    assert rules.test_hours == 48
    assert rules.dwell_minutes == 45 and rules.dwell_basis == DWELL_BASIS


def test_a_truck_plays_through_from_declaration_to_exit(truck_world: World) -> None:
    truck = _declare(truck_world)
    truck.refresh_from_db()
    assert truck.plate == "渝A12345" and truck.state == TruckState.DECLARED
    assert truck.declared_by == "carrier" and truck.rules["declare_hours"] == 24
    member = CrewMember.objects.get(declaration=truck)
    assert id_decrypt(member.id_cipher) == valid_id(901)
    assert valid_id(901) not in member.id_masked and member.id_digest
    guard = scope_for_user(truck_world.users["a1_guard"])
    entered = ARRIVAL
    services.truck_enter(
        scope=guard, truck=truck, temperatures={member.pk: "36.5"}, codes_checked=True,
        truck_disinfected=True, goods_disinfected=True, loading_zone="东区卸货平台",
        loaders="固定装卸组（3人）", at=entered, by=truck_world.users["a1_guard"],
    )  # fmt: skip
    truck.refresh_from_db()
    member.refresh_from_db()
    assert truck.state == TruckState.INSIDE and truck.entered_at == entered
    assert str(member.temperature) == "36.5" and truck.loading_zone == "东区卸货平台"
    # Within the limit nothing is sent; past it, one alert to officers and guards.
    assert services.dwell_alerts_send(at=entered + dt.timedelta(minutes=45)) == 0
    assert services.dwell_alerts_send(at=entered + dt.timedelta(minutes=46)) == 1
    assert services.dwell_alerts_send(at=entered + dt.timedelta(minutes=50)) == 0
    titles = Message.objects.filter(user=truck_world.users["a1_guard"]).values_list(
        "title", flat=True
    )
    assert list(titles) == [services.DWELL_TITLE.format(plate="渝A12345")]
    left = entered + dt.timedelta(minutes=52)
    services.truck_exit(scope=guard, enterprise=truck_world.a1, plate="渝a12345", at=left)
    truck.refresh_from_db()
    assert truck.state == TruckState.LEFT and truck.left_at == left
    assert services.dwell_minutes(truck, left + dt.timedelta(hours=3)) == 52


def test_it_refuses_a_declaration_after_the_deadline(truck_world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        _declare(truck_world, arrival=AT + dt.timedelta(hours=23))
    message = caught.value.message_dict["planned_arrival"][0]
    assert message.startswith(services.DECLARATION_LATE.split("{")[0])
    assert "24" in message
    assert not TruckDeclaration.objects.exists() and not CrewMember.objects.exists()


def test_it_refuses_a_crew_member_without_a_48h_result(truck_world: World) -> None:
    rules = truck_rules(park=truck_world.park_a, on=AT.date())
    for tested_at in (None, ARRIVAL - dt.timedelta(hours=49)):
        with pytest.raises(ValidationError) as caught:
            _declare(truck_world, tested_at=tested_at)
        assert caught.value.message_dict["crew"] == [
            services.CREW_TEST_MISSING.format(n=1, hours=48, basis=rules.test_basis)
        ]
    assert not TruckDeclaration.objects.exists()


def test_it_refuses_an_unknown_plate_at_exit(truck_world: World) -> None:
    truck = _declare(truck_world)
    guard = scope_for_user(truck_world.users["a1_guard"])
    with pytest.raises(ValidationError) as caught:
        # Declared but never entered: not inside, so no exit either.
        services.truck_exit(scope=guard, enterprise=truck_world.a1, plate="渝A12345", at=AT)
    assert caught.value.message_dict["plate"] == [
        services.PLATE_UNKNOWN_AT_EXIT.format(plate="渝A12345")
    ]
    truck.refresh_from_db()
    assert truck.state == TruckState.DECLARED and truck.left_at is None


def test_it_refuses_entry_without_the_checks(truck_world: World) -> None:
    truck = _declare(truck_world)
    guard = scope_for_user(truck_world.users["a1_guard"])
    with pytest.raises(ValidationError) as caught:
        services.truck_enter(
            scope=guard, truck=truck, temperatures={}, codes_checked=True,
            truck_disinfected=False, goods_disinfected=False, loading_zone="", loaders="",
            at=ARRIVAL, by=None,
        )  # fmt: skip
    assert caught.value.message_dict == {
        "temperature": [services.TEMPERATURE_MISSING],
        "checks": [services.CHECKS_INCOMPLETE.format(missing="车辆消杀、货物消杀")],
        "loading_zone": [services.ZONE_REQUIRED],
    }
    truck.refresh_from_db()
    assert truck.state == TruckState.DECLARED and truck.entered_at is None
    with pytest.raises(PermissionDenied):
        services.truck_enter(
            scope=scope_for_user(truck_world.users["a1_employee"]), truck=truck,
            temperatures={}, codes_checked=True, truck_disinfected=True, goods_disinfected=True,
            loading_zone="东区", loaders="", at=ARRIVAL, by=None,
        )  # fmt: skip


def test_it_refuses_bad_expired_and_busy_links(
    truck_world: World, settings: object, client_as: Callable[[str | None], Client]
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.declaration_link_resolve(token="forged:token", at=AT)
    assert caught.value.message_dict == {"link": [services.LINK_INVALID]}
    link, token = services.declaration_link_create(
        scope=scope_for_user(truck_world.users["a1_officer"]),
        enterprise=truck_world.a1, label="", at=AT, by=None,
    )  # fmt: skip
    with pytest.raises(ValidationError):
        services.declaration_link_resolve(token=token, at=link.expires_at)
    settings.TRUCK_LINK_RATE_LIMIT = 1  # type: ignore[attr-defined]
    kwargs = {"token": token, "planned_arrival": ARRIVAL, "route": "G65", "travel_history": "重庆",
              "at": AT}  # fmt: skip
    services.truck_declare_by_link(plate="渝A11111", crew=[_crew()], **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as caught:
        services.truck_declare_by_link(plate="渝A22222", crew=[_crew(902)], **kwargs)  # type: ignore[arg-type]
    assert caught.value.message_dict == {"link": [services.LINK_BUSY]}
    assert TruckDeclaration.objects.count() == 1
    # The phone page: no account, a 404 for a forged link, a 422 for a bad form.
    from django.utils import timezone

    anonymous = client_as(None)
    assert anonymous.get("/logistics/declare/forged/").status_code == 404
    assert anonymous.get(f"/logistics/declare/{token}/").status_code == 404  # expired
    _, fresh = services.declaration_link_create(
        scope=scope_for_user(truck_world.users["a1_officer"]),
        enterprise=truck_world.a1, label="", at=timezone.now(), by=None,
    )  # fmt: skip
    page = anonymous.get(f"/logistics/declare/{fresh}/")
    assert page.status_code == 200 and truck_world.a1.name not in page.content.decode()


def test_the_phone_page_takes_a_declaration(
    truck_world: World, client_as: Callable[[str | None], Client]
) -> None:
    from django.utils import timezone

    _, token = services.declaration_link_create(
        scope=scope_for_user(truck_world.users["a1_officer"]),
        enterprise=truck_world.a1, label="", at=timezone.now(), by=None,
    )  # fmt: skip
    arrival = timezone.localtime() + dt.timedelta(hours=30)
    tested = timezone.localtime() - dt.timedelta(hours=5)
    body = {
        "plate": "渝B54321", "planned_arrival": arrival.strftime("%Y-%m-%dT%H:%M"),
        "route": "G65", "travel_history": "重庆市", "crew1_name": "司机乙",
        "crew1_id_number": valid_id(903), "crew1_phone": "13912345679",
        "crew1_tested_at": tested.strftime("%Y-%m-%dT%H:%M"), "crew1_test_negative": "on",
        "crew1_vaccine_doses": "2",
    }  # fmt: skip
    bad = client_as(None).post(f"/logistics/declare/{token}/", {**body, "route": ""})
    assert bad.status_code == 422 and services.ROUTE_REQUIRED in bad.content.decode()
    assert not TruckDeclaration.objects.exists()
    good = client_as(None).post(f"/logistics/declare/{token}/", body)
    assert good.status_code == 200 and "申报已提交" in good.content.decode()
    truck = TruckDeclaration.objects.get()
    assert truck.plate == "渝B54321" and truck.crew.get().vaccine_doses == 2
    gate = client_as("a1_guard").get(f"/logistics/enterprises/{truck_world.a1.pk}/trucks/")
    assert gate.status_code == 200 and "渝B54321" in gate.content.decode()
    exit_page = client_as("a1_guard").post(
        f"/logistics/enterprises/{truck_world.a1.pk}/trucks/", {"form": "exit", "plate": "渝Z00000"}
    )
    assert exit_page.status_code == 422
    assert services.PLATE_UNKNOWN_AT_EXIT.format(plate="渝Z00000") in exit_page.content.decode()


def test_the_register_keeps_vehicles_and_drivers(
    truck_world: World, client_as: Callable[[str | None], Client]
) -> None:
    from parkguard.logistics.models import Driver, Vehicle

    officer = client_as("a1_officer")
    url = f"/logistics/enterprises/{truck_world.a1.pk}/trucks/"
    assert officer.post(url, {"form": "vehicle", "plate": "渝A 8K123"}).status_code == 302
    again = officer.post(url, {"form": "vehicle", "plate": "渝A8K123"})
    assert again.status_code == 422 and services.VEHICLE_TAKEN in again.content.decode()
    assert list(Vehicle.objects.values_list("plate", flat=True)) == ["渝A8K123"]
    body = {"form": "driver", "name": "张师傅", "id_number": valid_id(950), "phone": "13911112222"}
    assert officer.post(url, body).status_code == 302
    driver = Driver.objects.get()
    assert id_decrypt(driver.id_cipher) == valid_id(950) and driver.id_masked != valid_id(950)
    assert client_as("a1_guard").post(url, {**body, "id_number": valid_id(951)}).status_code == 403
    assert Driver.objects.count() == 1


def test_truck_entry_and_exit_are_in_the_gates_access_log(truck_world: World) -> None:
    """Issue 15 gap (a): tracing and the access-log export see trucks, one row per crew
    member, through a truck-crew temporary pass."""
    from parkguard.gate.models import AccessCheck
    from parkguard.gate.services import gate_create
    from parkguard.orgs.access import SYSTEM

    gate = gate_create(
        scope=SYSTEM, park=truck_world.park_a, enterprise=truck_world.a1, name="甲一货运门",
        place="plant_gate", at=AT, by=None,
    )  # fmt: skip
    truck = _declare(truck_world)
    member = CrewMember.objects.get(declaration=truck)
    user = truck_world.users["a1_guard"]
    guard = scope_for_user(user)
    services.truck_enter(
        scope=guard, truck=truck, temperatures={member.pk: "36.4"}, codes_checked=True,
        truck_disinfected=True, goods_disinfected=True, loading_zone="东区卸货平台",
        loaders="", at=ARRIVAL, by=user,
    )  # fmt: skip
    left = ARRIVAL + dt.timedelta(minutes=30)
    services.truck_exit(scope=guard, enterprise=truck_world.a1, plate="渝A12345", at=left)
    rows = list(AccessCheck.objects.filter(gate=gate).order_by("at"))
    assert [(r.direction, r.allowed) for r in rows] == [("in", True), ("out", True)]
    crew_pass = rows[0].temporary_pass
    assert crew_pass is not None and crew_pass == rows[1].temporary_pass
    assert crew_pass.name == "司机甲" and crew_pass.plate == "渝A12345"
    assert str(rows[0].temperature) == "36.4" and rows[0].guard == user
    assert "在园 30 分钟" in rows[1].reasons[0]["text"]
    assert crew_pass.valid_until == left


def test_the_guard_opens_a_truck_from_the_day_list_and_lets_it_in(truck_world: World) -> None:
    """J-1.3, Z-5.3a: the guard's own page for a truck (the checks before entry) opens from the
    day's list and records the entry; a user outside the gate action gets a 404 and the truck
    is untouched."""
    truck = _declare(truck_world)
    # The page lists the trucks of the real day: arrange this one to be due in two hours.
    TruckDeclaration.objects.filter(pk=truck.pk).update(
        planned_arrival=timezone.now() + dt.timedelta(hours=2)
    )
    member = CrewMember.objects.get(declaration=truck)
    guard = Client()
    guard.force_login(truck_world.users["a1_guard"])
    day = guard.get(f"/logistics/enterprises/{truck_world.a1.pk}/trucks/")
    assert day.status_code == 200 and f"/logistics/trucks/{truck.pk}/" in day.content.decode()
    page = guard.get(f"/logistics/trucks/{truck.pk}/")
    assert page.status_code == 200 and "渝A12345" in page.content.decode()
    for outsider in ("a2_officer", "a1_employee"):
        other = Client()
        other.force_login(truck_world.users[outsider])
        assert other.get(f"/logistics/trucks/{truck.pk}/").status_code == 404
        refused = other.post(
            f"/logistics/trucks/{truck.pk}/",
            {f"temperature_{member.pk}": "36.5", "codes_checked": "on",
             "truck_disinfected": "on", "goods_disinfected": "on", "loading_zone": "东区"},
        )  # fmt: skip
        assert refused.status_code == 404
        truck.refresh_from_db()
        assert truck.state == TruckState.DECLARED and truck.entered_at is None
    entered = guard.post(
        f"/logistics/trucks/{truck.pk}/",
        {f"temperature_{member.pk}": "36.4", "codes_checked": "on", "truck_disinfected": "on",
         "goods_disinfected": "on", "loading_zone": "东区卸货平台", "loaders": "固定装卸组"},
    )  # fmt: skip
    assert entered.status_code == 302
    truck.refresh_from_db()
    member.refresh_from_db()
    assert truck.state == TruckState.INSIDE and truck.loading_zone == "东区卸货平台"
    assert str(member.temperature) == "36.4"
