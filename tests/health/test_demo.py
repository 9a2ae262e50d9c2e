"""The demo park's health today: some declared, a fever alert, a sick leave, and the
`employee` login still to declare."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from parkguard.health.models import Alert, Declaration, SickLeave
from parkguard.orgs.models import Membership
from parkguard.people.models import Person
from parkguard.status.models import PersonStatus, StatusHold
from parkguard.status.services import status_rebuild


@pytest.mark.django_db
def test_the_demo_park_has_a_day_of_health_work() -> None:
    call_command("demo_load", verbosity=0)
    today = timezone.localdate()
    me = Membership.objects.get(user__username="employee").person
    assert me is not None
    assert not Declaration.objects.filter(person=me, on=today).exists()
    assert Declaration.objects.filter(person=me, on__lt=today).exists()  # yesterday pre-fills
    assert Declaration.objects.filter(person__enterprise=me.enterprise, on=today).count() >= 50
    # The declaration-rate trend does not drop on its last day: today is like the days before.
    declared = Declaration.objects.filter(person__enterprise=me.enterprise)
    yesterday = declared.filter(on=today - dt.timedelta(days=1)).count()
    staff = Person.objects.filter(enterprise=me.enterprise, status="active").count()
    assert declared.filter(on=today).count() >= max(0.95 * yesterday, 0.8 * staff)
    [alert] = Alert.objects.filter(closed_at__isnull=True)
    assert alert.kind == "fever"
    assert alert.citation["requirement"] == "Z-4.2"
    assert SickLeave.objects.filter(returned_on__isnull=True).count() == 1
    # The fever and the sick leave (the testing day adds retest holds: tests/sampling).
    held = StatusHold.objects.filter(cleared_at__isnull=True, kind__in=["fever", "sick_leave"])
    assert PersonStatus.objects.filter(on_hold=True, person__in=held.values("person")).count() == 2
    assert status_rebuild(at=timezone.now(), write=False).differing_people == 0
    call_command("demo_load", verbosity=0)  # idempotent
    assert Alert.objects.count() == 1
