"""Water, power and gas faults (L-2.3): reported, assigned, repaired with times, overdue
against the pack's hours; each step notified (Kind.UTILITY_FAULT)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from parkguard.continuity import selectors, services
from parkguard.continuity.choices import FaultState
from parkguard.continuity.models import UtilityFault
from parkguard.notify.choices import Kind
from parkguard.notify.models import Message
from parkguard.orgs.access import scope_for_user
from tests.continuity.conftest import AT
from tests.factories import World

pytestmark = pytest.mark.django_db


def report(w: World, **kw: object) -> UtilityFault:
    user = w.users["a1_officer"]
    args: dict[str, object] = {
        "scope": scope_for_user(user),
        "park": w.park_a,
        "enterprise": w.a1,
        "utility": "power",
        "location": "一车间配电房",
        "description": "跳闸停电",
        "at": AT,
        "by": user,
    }
    args.update(kw)
    return services.fault_report(**args)  # type: ignore[arg-type]


def test_l_2_3_a_fault_is_tracked_to_repair(cw: World) -> None:
    fault = report(cw)
    assert fault.due_at == AT + dt.timedelta(hours=4)
    assert fault.citation["pack_id"] == "liucheng-2022-36-utilities"
    admin = cw.users["park_a_admin"]
    assert Message.objects.filter(user=admin, kind=Kind.UTILITY_FAULT).exists()
    scope = scope_for_user(admin)
    services.fault_assign(scope=scope, fault=fault, assignee="园区电力抢修队", at=AT, by=admin)
    later = AT + dt.timedelta(minutes=95)
    services.fault_repair(scope=scope, fault=fault, note="更换空开，已恢复供电", at=later, by=admin)
    fault.refresh_from_db()
    assert fault.state == FaultState.REPAIRED and fault.minutes_to_repair() == 95
    assert fault.assignee == "园区电力抢修队" and fault.repaired_by == admin
    officer = cw.users["a1_officer"]
    assert Message.objects.filter(user=officer, title__contains="已修复").exists()


def test_an_unrepaired_fault_past_its_hours_is_overdue(cw: World) -> None:
    fault = report(cw)
    assert selectors.faults_overdue(rows=[fault], at=AT + dt.timedelta(hours=3)) == []
    assert selectors.faults_overdue(rows=[fault], at=AT + dt.timedelta(hours=5)) == [fault]


def test_bad_reports_and_steps_change_nothing(cw: World) -> None:
    with pytest.raises(ValidationError) as exc:
        report(cw, utility="steam", location="", description=" ")
    errors = exc.value.message_dict
    assert errors["utility"] == [services.UTILITY_UNKNOWN]
    assert errors["location"] == [services.LOCATION_REQUIRED]
    assert errors["description"] == [services.DESCRIPTION_REQUIRED]
    assert not UtilityFault.objects.exists()
    fault = report(cw)
    admin = cw.users["park_a_admin"]
    scope = scope_for_user(admin)
    with pytest.raises(ValidationError) as exc:
        services.fault_repair(scope=scope, fault=fault, note="好了", at=AT, by=admin)
    assert exc.value.message_dict["fault"] == [services.FAULT_NOT_ASSIGNED]
    with pytest.raises(ValidationError) as exc:
        services.fault_assign(scope=scope, fault=fault, assignee=" ", at=AT, by=admin)
    assert exc.value.message_dict["assignee"] == [services.ASSIGNEE_REQUIRED]
    fault.refresh_from_db()
    assert fault.state == FaultState.REPORTED and fault.assigned_at is None


def test_only_the_park_assigns_and_outsiders_report_nothing(cw: World) -> None:
    fault = report(cw)
    officer = cw.users["a1_officer"]
    with pytest.raises(PermissionDenied):
        services.fault_assign(
            scope=scope_for_user(officer), fault=fault, assignee="自己", at=AT, by=officer
        )
    other = cw.users["park_b_admin"]
    with pytest.raises(PermissionDenied):
        report(cw, scope=scope_for_user(other), by=other)
    fault.refresh_from_db()
    assert fault.state == FaultState.REPORTED and UtilityFault.objects.count() == 1
