"""Temperature readings and missed checks (B-2.2b), sick leave (B-2.3), the signed daily
summary (Z-5.2c), vaccination coverage (J-1.5b), and the board's fixed query count."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from parkguard.health import selectors, services
from parkguard.health.models import Alert, DailySummary, SickLeave, TemperatureReading, Vaccination
from parkguard.health.rules import health_rules
from parkguard.orgs.access import scope_for_token, scope_for_user
from parkguard.orgs.choices import Role
from parkguard.orgs.models import Membership
from parkguard.orgs.services import api_token_create
from parkguard.status.models import PersonStatus
from parkguard.status.services import status_rebuild
from tests.factories import World, make_person, make_user
from tests.health.conftest import AT, ON


def _scope(world: World, name: str):
    return scope_for_user(world.users[name])


def _b1_officer(world: World) -> str:
    user = make_user("b1_officer")
    Membership.objects.create(user=user, role=Role.EPIDEMIC_OFFICER, enterprise=world.b1)
    world.users["b1_officer"] = user
    return "b1_officer"


def _read(world: World, person, user: str, value: str = "36.5", at=AT, **kw):
    return services.reading_record(
        scope=_scope(world, user),
        person=person,
        temperature=value,
        source=kw.pop("source", "gate"),
        at=at,
        by=world.users[user],
        **kw,
    )


def test_b_2_2b_two_checks_a_day_drive_the_missed_list(health_world: World) -> None:
    """B-2.2b: notice B asks for 2 checks a day (上班, 下班); fewer is a missed check."""
    officer = _b1_officer(health_world)
    rules = health_rules(park=health_world.park_b, on=ON)
    assert rules.checks_per_day == 2
    assert rules.check_slots == ("上班", "下班")
    assert rules.checks_citation is not None
    assert rules.checks_citation.requirement == "B-2.2b"
    once = health_world.b1_person
    twice = make_person(health_world.b1, "乙一两次", 310)
    none = make_person(health_world.b1, "乙一未测", 311)
    _read(health_world, once, officer)
    _read(health_world, twice, officer)
    _read(health_world, twice, officer, source="office", at=AT + dt.timedelta(hours=9))
    scope = _scope(health_world, officer)
    missed = selectors.missed_checks(scope=scope, enterprise=health_world.b1, on=ON, rules=rules)
    assert [(m.person.name, m.taken, m.required) for m in missed] == [
        ("乙一未测", 0, 2),
        ("乙一赵六", 1, 2),
    ]
    services.sick_leave_open(
        scope=scope,
        person=none,
        reason="发热",
        started_on=ON,
        at=AT,
        by=health_world.users[officer],
    )
    missed = selectors.missed_checks(scope=scope, enterprise=health_world.b1, on=ON, rules=rules)
    assert [m.person.name for m in missed] == ["乙一赵六"]


def test_no_missed_checks_where_the_pack_sets_no_number(health_world: World) -> None:
    rules = health_rules(park=health_world.park_a, on=ON)
    scope = _scope(health_world, "a1_officer")
    assert (
        selectors.missed_checks(scope=scope, enterprise=health_world.a1, on=ON, rules=rules) == []
    )


def test_a_reading_at_the_threshold_opens_a_fever_alert(health_world: World) -> None:
    reading, alert = _read(
        health_world, health_world.a1_person, "a1_officer", "37.3", source="manual"
    )
    reading.refresh_from_db()
    assert reading.taken_by == health_world.users["a1_officer"]
    assert reading.source == "manual"
    assert alert is not None
    assert alert.source == f"health.reading:{reading.pk}"
    status = PersonStatus.objects.get(pk=health_world.a1_person.pk)
    assert status.last_temperature == Decimal("37.3")
    assert status.on_hold is True
    assert [h["kind"] for h in status.holds] == ["fever"]
    assert status_rebuild(at=AT, write=False).differing_people == 0


@pytest.mark.parametrize("value", ["25", "45", "abc"])
def test_a_bad_reading_is_refused_with_a_field_error(health_world: World, value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _read(health_world, health_world.a1_person, "a1_officer", value)
    assert list(caught.value.message_dict) == ["temperature"]
    assert not TemperatureReading.objects.exists()


def test_a_reading_with_an_unknown_source_or_future_time_is_refused(health_world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        _read(
            health_world,
            health_world.a1_person,
            "a1_officer",
            source="roof",
            taken_at=AT + dt.timedelta(hours=1),
        )
    assert caught.value.message_dict == {
        "source": [services.SOURCE_UNKNOWN],
        "taken_at": [services.TAKEN_IN_FUTURE],
    }


def test_a_gate_device_records_for_its_own_enterprise_only(health_world: World) -> None:
    device, _ = api_token_create(
        name="1号门测温仪", created_by=health_world.users["a1_officer"], enterprise=health_world.a1
    )
    scope = scope_for_token(device)
    reading, _ = services.reading_record(
        scope=scope,
        person=health_world.a1_person,
        temperature="36.4",
        source="gate",
        at=AT,
        device=device,
    )
    assert reading.device == device
    assert reading.taken_by is None
    with pytest.raises(PermissionDenied):
        services.reading_record(
            scope=scope,
            person=health_world.a2_person,
            temperature="36.4",
            source="gate",
            at=AT,
            device=device,
        )
    assert not TemperatureReading.objects.filter(person=health_world.a2_person).exists()
    # Writing is all it may do: it still reads no personal data.
    assert not selectors.readings(scope=scope, enterprise=health_world.a1, on=ON).exists()


@pytest.mark.parametrize("user", ["a2_officer", "park_b_admin", "a1_leader", "a1_employee"])
def test_outsiders_and_lower_roles_record_no_reading(health_world: World, user: str) -> None:
    with pytest.raises(PermissionDenied):
        _read(health_world, health_world.a1_person, user)
    assert not TemperatureReading.objects.exists()


def test_b_2_3_sick_leave_holds_status_until_cleared_to_return(health_world: World) -> None:
    """B-2.3: who is off, why, since when; cleared to return by an officer."""
    officer = health_world.users["a1_officer"]
    scope = _scope(health_world, "a1_officer")
    person = health_world.a1_person
    leave = services.sick_leave_open(
        scope=scope, person=person, reason="发热、咳嗽，已就诊", started_on=ON, at=AT, by=officer
    )
    leave.refresh_from_db()
    assert (leave.reason, leave.started_on, leave.recorded_by) == (
        "发热、咳嗽，已就诊",
        ON,
        officer,
    )
    status = PersonStatus.objects.get(pk=person.pk)
    assert status.on_hold is True
    assert status.holds[0]["kind"] == "sick_leave"
    assert status.holds[0]["reason"] == f"病假（发热、咳嗽，已就诊），自 {ON} 起"
    with pytest.raises(ValidationError) as caught:
        services.sick_leave_open(
            scope=scope, person=person, reason="again", started_on=ON, at=AT, by=officer
        )
    assert caught.value.message_dict == {"__all__": [services.LEAVE_OPEN]}
    later = AT + dt.timedelta(days=3)
    with pytest.raises(ValidationError) as caught:
        services.sick_leave_return(
            scope=scope,
            leave=leave,
            returned_on=ON - dt.timedelta(days=1),
            note="",
            at=later,
            by=officer,
        )
    assert caught.value.message_dict == {"returned_on": [services.RETURN_BEFORE_START]}
    services.sick_leave_return(
        scope=scope, leave=leave, returned_on=later.date(), note="复诊正常", at=later, by=officer
    )
    leave.refresh_from_db()
    assert leave.returned_on == later.date()
    assert leave.cleared_by == officer
    assert leave.clearance_note == "复诊正常"
    status.refresh_from_db()
    assert status.on_hold is False


@pytest.mark.parametrize("user", ["a2_officer", "park_a_admin", "a1_leader", "a1_employee"])
def test_b_2_3_only_the_enterprise_s_officers_record_sick_leave(
    health_world: World, user: str
) -> None:
    with pytest.raises(PermissionDenied):
        services.sick_leave_open(
            scope=_scope(health_world, user),
            person=health_world.a1_person,
            reason="x",
            started_on=ON,
            at=AT,
            by=health_world.users[user],
        )
    assert not SickLeave.objects.exists()
    assert not PersonStatus.objects.exists()


def test_an_officer_closes_an_alert_and_the_hold_lifts(health_world: World) -> None:
    _, alert = _read(health_world, health_world.a1_person, "a1_officer", "38.2")
    assert alert is not None
    with pytest.raises(PermissionDenied):
        services.alert_close(
            scope=_scope(health_world, "a2_officer"),
            alert=alert,
            note="复测正常",
            at=AT,
            by=health_world.users["a2_officer"],
        )
    alert.refresh_from_db()
    assert alert.closed_at is None
    with pytest.raises(ValidationError) as caught:
        services.alert_close(
            scope=_scope(health_world, "a1_officer"),
            alert=alert,
            note="",
            at=AT,
            by=health_world.users["a1_officer"],
        )
    assert caught.value.message_dict == {"note": [services.NOTE_REQUIRED]}
    services.alert_close(
        scope=_scope(health_world, "a1_officer"),
        alert=alert,
        note="复测 36.6 ℃，正常",
        at=AT,
        by=health_world.users["a1_officer"],
    )
    alert.refresh_from_db()
    assert alert.closing_note == "复测 36.6 ℃，正常"
    assert PersonStatus.objects.get(pk=health_world.a1_person.pk).on_hold is False


def test_z_5_2c_a_named_person_signs_the_day_s_summary(health_world: World) -> None:
    """Z-5.2c: the enterprise's named person summarises staff health each day."""
    officer = health_world.users["a1_officer"]
    scope = _scope(health_world, "a1_officer")
    employee = health_world.users["a1_employee"]
    services.declaration_submit(
        scope=scope_for_user(employee),
        person=health_world.a1_employee_person,
        temperature="37.6",
        symptoms=[],
        case_contact=False,
        household_travel=False,
        household_travel_note="",
        code_colour="green",
        at=AT,
        by=employee,
    )
    summary = services.summary_sign(
        scope=scope,
        enterprise=health_world.a1,
        on=ON,
        signer_name="林防疫",
        note="",
        at=AT,
        by=officer,
    )
    summary.refresh_from_db()
    assert summary.signer_name == "林防疫"
    assert summary.signed_by == officer
    figures = summary.figures
    assert (figures["headcount"], figures["declared"], figures["not_declared"]) == (2, 1, 1)
    assert (figures["fever_alerts"], figures["symptom_alerts"], figures["open_alerts"]) == (1, 0, 1)
    assert figures["not_declared_names"] == ["甲一张三"]
    with pytest.raises(ValidationError) as caught:
        services.summary_sign(
            scope=scope,
            enterprise=health_world.a1,
            on=ON,
            signer_name="别人",
            note="",
            at=AT,
            by=officer,
        )
    assert caught.value.message_dict == {
        "__all__": [services.SUMMARY_SIGNED.format(on=ON, name="林防疫")]
    }
    with pytest.raises(PermissionDenied):
        services.summary_sign(
            scope=_scope(health_world, "a1_leader"),
            enterprise=health_world.a1,
            on=ON - dt.timedelta(days=1),
            signer_name="班长",
            note="",
            at=AT,
            by=health_world.users["a1_leader"],
        )
    assert DailySummary.objects.count() == 1


def test_j_1_5b_vaccination_records_and_coverage(health_world: World) -> None:
    """J-1.5b: vaccination records and coverage per enterprise."""
    officer = health_world.users["a1_officer"]
    scope = _scope(health_world, "a1_officer")
    person = health_world.a1_person
    for dose in (1, 2):
        services.vaccination_record(
            scope=scope,
            person=person,
            dose=dose,
            given_on=dt.date(2021, 5 + dose, 1),
            kind="inactivated",
            at=AT,
            by=officer,
        )
    person.refresh_from_db()
    assert person.vaccination_doses == 2
    assert list(Vaccination.objects.filter(person=person).values_list("dose", flat=True)) == [1, 2]
    with pytest.raises(ValidationError) as caught:
        services.vaccination_record(
            scope=scope,
            person=person,
            dose=2,
            given_on=dt.date(2022, 1, 1),
            kind="x",
            at=AT,
            by=officer,
        )
    assert caught.value.message_dict == {
        "dose": [services.DOSE_DUPLICATE.format(dose=2)],
        "kind": [services.VACCINE_KIND_UNKNOWN],
    }
    total, units = selectors.vaccination_coverage(scope=scope, enterprise=health_world.a1)
    assert (total.headcount, total.vaccinated, total.rate) == (2, 1, 50.0)
    assert total.by_doses == {0: 1, 2: 1}
    assert [(u.name, u.headcount, u.vaccinated) for u in units] == [
        ("甲一生产部", 1, 1),
        ("未分配部门", 1, 0),
    ]
    park = selectors.park_vaccination_coverage(
        scope=_scope(health_world, "park_a_admin"), park=health_world.park_a
    )
    assert [(c.name, c.headcount, c.vaccinated) for c in park] == [
        ("甲一精工有限公司", 2, 1),
        ("甲二食品有限公司", 1, 0),
    ]
    with pytest.raises(PermissionDenied):
        services.vaccination_record(
            scope=_scope(health_world, "a2_officer"),
            person=person,
            dose=3,
            given_on=dt.date(2022, 1, 1),
            kind="inactivated",
            at=AT,
            by=health_world.users["a2_officer"],
        )
    person.refresh_from_db()
    assert person.vaccination_doses == 2


@pytest.mark.parametrize("size", [2, 40])
def test_the_board_costs_the_same_queries_for_any_headcount(
    health_world: World, size: int, django_assert_max_num_queries
) -> None:
    people = [make_person(health_world.a1, f"甲一员工{n:02d}", 400 + n) for n in range(size)]
    officer = scope_for_user(health_world.users["a1_officer"])
    for person in people[::2]:
        user = make_user(f"e{person.pk}")
        Membership.objects.create(
            user=user, role=Role.EMPLOYEE, enterprise=health_world.a1, person=person
        )
        services.declaration_submit(
            scope=scope_for_user(user),
            person=person,
            temperature="36.5",
            symptoms=[],
            case_contact=False,
            household_travel=False,
            household_travel_note="",
            code_colour="green",
            at=AT,
            by=user,
        )
    # Staff, declarations, alerts and the unit paths (one query each, whatever the headcount).
    with django_assert_max_num_queries(4):
        board = selectors.declaration_board(scope=officer, enterprise=health_world.a1, on=ON)
    assert board.headcount == size + 2
    assert board.declared == len(people[::2])
    assert not Alert.objects.exists()


def test_a_team_leader_sees_only_their_unit_on_the_board(health_world: World) -> None:
    board = selectors.declaration_board(
        scope=_scope(health_world, "a1_leader"), enterprise=health_world.a1, on=ON
    )
    assert [p.name for p in board.missing_people] == ["甲一张三"]
