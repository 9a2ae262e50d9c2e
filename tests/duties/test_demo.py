"""The demo park's duties: routine tests from the packs with citations, some done, some due
today, some overdue, coverage figures and fourteen days of daily figures (Z-5.2b, Z-3.2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from parkguard.duties.choices import ROUTINE, DutyState
from parkguard.duties.models import DailyFigure, Duty
from parkguard.duties.selectors import OVERDUE, TODAY, duty_list, key_population_ledger
from parkguard.duties.services import duties_routine_sync
from parkguard.orgs.access import scope_for_user
from parkguard.orgs.models import Membership


@pytest.mark.django_db
def test_the_demo_park_has_a_day_of_duties() -> None:
    call_command("demo_load", verbosity=0)
    now = timezone.now()
    officer = Membership.objects.get(user__username="officer")
    scope = scope_for_user(officer.user)
    assert officer.enterprise is not None
    today = duty_list(scope=scope, enterprise=officer.enterprise, which=TODAY, at=now)
    overdue = duty_list(scope=scope, enterprise=officer.enterprise, which=OVERDUE, at=now)
    assert today.rows and overdue.rows
    routine = Duty.objects.filter(source=ROUTINE).first()
    assert routine is not None and routine.citation["requirement"] in {"Z-5.2b", "J-1.5b"}
    park = Membership.objects.get(user__username="park_admin")
    total, rows = key_population_ledger(
        scope=scope_for_user(park.user), at=now, place=park.jurisdiction
    )
    assert total.share is not None and 0.5 < total.share < 0.95
    assert len(rows) > 1
    days = DailyFigure.objects.filter(enterprise=officer.enterprise).count()
    assert days == 14
    assert DailyFigure.objects.filter(on=timezone.localdate(now) - dt.timedelta(days=13)).exists()
    assert duties_routine_sync(at=now, write=False).differing_people == 0
    count = Duty.objects.count()
    call_command("demo_load", verbosity=0)  # idempotent
    assert Duty.objects.count() == count
    me = Membership.objects.get(user__username="employee").person
    assert Duty.objects.filter(person=me, source=ROUTINE, state=DutyState.DUE).exists()
