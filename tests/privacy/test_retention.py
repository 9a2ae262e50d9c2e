"""Retention (issue 18 §5): records go when their retention period ends (a nightly purge);
at the end of an emergency a park admin, with another admin's approval, purges the park's
health and movement data. Both write a deletion receipt and an audit entry, and delete no
audit entry: `audit verify` still passes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client, override_settings

from parkguard.audit.models import AuditEvent
from parkguard.audit.services import audit_check, audit_record
from parkguard.gate.models import AccessCheck
from parkguard.gate.services import gate_create
from parkguard.health.models import Declaration, TemperatureReading
from parkguard.mobility.models import Trip, TripStop
from parkguard.orgs import access
from parkguard.orgs.access import scope_for_user
from parkguard.orgs.choices import Role
from parkguard.orgs.models import Membership
from parkguard.people.models import Person
from parkguard.privacy import services
from parkguard.privacy.choices import PurgeKind, PurgeState
from parkguard.privacy.models import Purge
from parkguard.privacy.retention import EMERGENCY_KINDS, KINDS
from tests.factories import World, make_user

NOW = dt.datetime(2022, 12, 31, 12, 0, tzinfo=dt.UTC)
OLD = NOW - dt.timedelta(days=40)
RECENT = NOW - dt.timedelta(days=5)
pytestmark = pytest.mark.django_db


def _declare(person: Person, at: dt.datetime) -> Declaration:
    return Declaration.objects.create(
        person=person, on=at.date(), temperature="36.5", code_colour="green", submitted_at=at
    )


def _temperature(person: Person, at: dt.datetime) -> TemperatureReading:
    return TemperatureReading.objects.create(
        person=person, temperature=Decimal("36.4"), taken_at=at, on=at.date(), source="gate"
    )


def _trip(world: World, person: Person, at: dt.datetime) -> Trip:
    trip = Trip.objects.create(
        person=person,
        enterprise=person.enterprise,
        purpose="private",
        departs_on=at.date(),
        returns_on=at.date(),
        status="filed",
        filed_at=at,
    )
    TripStop.objects.create(
        trip=trip,
        order=1,
        division_code="420102",
        division_name="湖北省武汉市江岸区",
        first_day=at.date(),
        last_day=at.date(),
    )
    return trip


def _access(world: World, person: Person, at: dt.datetime) -> AccessCheck:
    gate = gate_create(
        scope=access.SYSTEM,
        park=world.park_a,
        enterprise=person.enterprise,
        name=f"门{at:%j}",
        place="plant_gate",
        at=at,
        by=None,
    )
    return AccessCheck.objects.create(
        at=at,
        recorded_at=at,
        gate=gate,
        park=world.park_a,
        enterprise=person.enterprise,
        direction="in",
        method="phone_pass",
        person=person,
        allowed=True,
    )


def _data(world: World) -> None:
    for at in (OLD, RECENT):
        _declare(world.a1_person, at)
        _temperature(world.a1_person, at)
        _access(world, world.a1_person, at)
    _declare(world.b1_person, OLD)  # park B's


def test_every_kind_has_a_retention_setting() -> None:
    from django.conf import settings

    assert set(KINDS) == set(settings.RETENTION_DAYS)
    assert settings.AUDIT_RETAIN_DAYS >= 180


@override_settings(RETENTION_DAYS={**{k: 30 for k in KINDS}})
def test_the_scheduled_purge_deletes_only_expired_rows_and_keeps_the_audit(world: World) -> None:
    _data(world)
    audit_record(actor=None, action="login", at=OLD - dt.timedelta(days=400))
    audit_before = AuditEvent.objects.count()
    receipts = services.retention_purge(at=NOW)
    assert {r.jurisdiction_id for r in receipts} == {world.park_a.pk, world.park_b.pk}
    assert Declaration.objects.filter(person=world.a1_person).get().submitted_at == RECENT
    assert TemperatureReading.objects.get().taken_at == RECENT
    assert AccessCheck.objects.get().at == RECENT
    assert not Declaration.objects.filter(person=world.b1_person).exists()
    park_a = next(r for r in receipts if r.jurisdiction_id == world.park_a.pk)
    lines = {line["kind"]: line for line in park_a.receipt}
    assert lines["declarations"]["rows"] == 1
    assert lines["declarations"]["first"] == lines["declarations"]["last"] == "2022-11-21"
    assert park_a.kind == PurgeKind.SCHEDULED and park_a.state == PurgeState.DONE
    # One audit entry per receipt; none deleted, however old.
    assert AuditEvent.objects.count() == audit_before + 2
    assert AuditEvent.objects.filter(action="privacy_purge").count() == 2
    assert audit_check() is None
    call_command("audit", "verify")


@override_settings(RETENTION_DAYS={**{k: 30 for k in KINDS}})
def test_a_second_run_finds_nothing_and_writes_no_receipt(world: World) -> None:
    _data(world)
    services.retention_purge(at=NOW)
    assert services.retention_purge(at=NOW) == []
    assert Purge.objects.count() == 2


@override_settings(RETENTION_DAYS={**{k: 30 for k in KINDS}})
def test_the_purge_takes_a_trips_change_history_with_it(world: World) -> None:
    trip = _trip(world, world.a1_person, OLD)
    assert Trip.history.filter(id=trip.pk).exists()
    services.retention_purge(at=NOW)
    assert not Trip.objects.filter(pk=trip.pk).exists()
    assert not Trip.history.filter(id=trip.pk).exists()
    assert not TripStop.history.filter(trip_id=trip.pk).exists()


def test_the_management_command_purges(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    _declare(world.a1_person, dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    call_command("privacy", "purge")
    assert not Declaration.objects.exists()
    assert "已清除 1 条到期记录" in capsys.readouterr().out


def _second_admin(world: World) -> str:
    user = make_user("park_a_admin2", staff=True)
    Membership.objects.create(user=user, role=Role.PARK_ADMIN, jurisdiction=world.park_a)
    world.users["park_a_admin2"] = user
    return "park_a_admin2"


def _request(world: World, who: str = "park_a_admin", **kw: object) -> Purge:
    user = world.users[who]
    fields: dict[str, object] = {
        "kinds": EMERGENCY_KINDS,
        "until": dt.date(2022, 12, 30),
        "reason": "疫情解除，按规定清除",
    } | kw
    return services.emergency_purge_request(
        scope=scope_for_user(user),
        park=world.park_a,
        by=user,
        at=NOW,
        **fields,  # type: ignore[arg-type]
    )


def _decide(world: World, purge: Purge, who: str, approve: bool = True) -> Purge:
    user = world.users[who]
    return services.emergency_purge_decide(
        scope=scope_for_user(user), purge=purge, approve=approve, by=user, at=NOW
    )


def test_the_emergency_purge_waits_for_a_second_admin(world: World) -> None:
    _data(world)
    second = _second_admin(world)
    purge = _request(world)
    assert Declaration.objects.count() == 3  # nothing deleted yet
    with pytest.raises(ValidationError) as caught:
        _decide(world, purge, "park_a_admin")
    assert caught.value.message_dict["__all__"] == [services.SELF_APPROVAL]
    purge.refresh_from_db()
    assert purge.state == PurgeState.PENDING
    before = AuditEvent.objects.count()
    done = _decide(world, purge, second)
    done.refresh_from_db()
    assert done.state == PurgeState.DONE and done.decided_by == world.users[second]
    # Park A's health and movement data up to the end date, all of it; park B's untouched.
    assert list(Declaration.objects.values_list("person_id", flat=True)) == [world.b1_person.pk]
    assert not TemperatureReading.objects.exists()
    assert not AccessCheck.objects.exists()
    lines = {line["kind"]: line for line in done.receipt}
    assert lines["declarations"]["rows"] == 2
    assert lines["declarations"]["first"] == "2022-11-21"
    assert lines["declarations"]["last"] == "2022-12-26"
    assert lines["access_log"]["rows"] == 2
    # The decision and the receipt are audited; earlier audit entries are all still there.
    assert AuditEvent.objects.count() == before + 2
    receipt = AuditEvent.objects.filter(action="privacy_purge").get()
    assert receipt.detail["receipt"][0]["rows"] >= 0
    assert receipt.detail["requested_by"] == world.users["park_a_admin"].pk
    assert audit_check() is None
    call_command("audit", "verify")


def test_a_refused_purge_deletes_nothing(world: World) -> None:
    _data(world)
    second = _second_admin(world)
    purge = _decide(world, _request(world), second, approve=False)
    purge.refresh_from_db()
    assert purge.state == PurgeState.REFUSED and purge.receipt == []
    assert Declaration.objects.count() == 3
    with pytest.raises(ValidationError) as caught:
        _decide(world, purge, second)
    assert caught.value.message_dict["__all__"] == [services.NOT_PENDING]


@pytest.mark.parametrize(
    ("fields", "key", "message"),
    [
        ({"kinds": []}, "kinds", services.KINDS_REQUIRED),
        ({"kinds": ["audit"]}, "kinds", services.KIND_UNKNOWN),
        ({"until": None}, "until", services.UNTIL_REQUIRED),
        ({"until": dt.date(2023, 1, 2)}, "until", services.UNTIL_FUTURE),
        ({"reason": "清"}, "reason", services.REASON_REQUIRED),
    ],
)
def test_a_bad_purge_request_is_refused(
    world: World, fields: dict[str, object], key: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        _request(world, **fields)  # type: ignore[arg-type]
    assert caught.value.message_dict[key] == [message]
    assert not Purge.objects.exists()


@pytest.mark.parametrize("who", ["park_b_admin", "a1_officer", "a1_employee"])
def test_only_the_parks_admins_propose_or_decide(world: World, who: str) -> None:
    with pytest.raises(PermissionDenied):
        _request(world, who=who)
    purge = _request(world)
    with pytest.raises(PermissionDenied):
        _decide(world, purge, who)
    purge.refresh_from_db()
    assert purge.state == PurgeState.PENDING


def test_the_park_page_proposes_and_a_second_admin_approves(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    _data(world)
    second = _second_admin(world)
    admin = client_as("park_a_admin")
    url = f"/privacy/parks/{world.park_a.pk}/"
    bad = admin.post(url, {"kinds": ["declarations"], "until": "2022-12-30", "reason": "x"})
    assert bad.status_code == 200 and services.REASON_REQUIRED in bad.content.decode()
    assert not Purge.objects.exists()
    with override_settings(USE_TZ=True):
        admin.post(
            url, {"kinds": ["declarations"], "until": "2022-12-30", "reason": "疫情解除清除"}
        )
    purge = Purge.objects.get()
    other = Client()
    other.force_login(world.users[second])
    response = other.post(f"/privacy/purges/{purge.pk}/decide/", {"approve": "1"})
    assert response.status_code == 302
    purge.refresh_from_db()
    assert purge.state == PurgeState.DONE
    assert list(Declaration.objects.values_list("person_id", flat=True)) == [world.b1_person.pk]
    page = other.get(url).content.decode()
    assert "删除回执" in page and "每日健康申报：2 条" in page
