"""The demo park has a day's work in mobility for each role."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from parkguard.duties.models import Duty
from parkguard.mobility.models import IsolationRecord, RiskArea, Trip, Visitor
from parkguard.orgs.models import Membership
from parkguard.status.models import StatusHold


@pytest.mark.django_db
def test_the_demo_has_a_returnee_a_pending_trip_visitors_and_a_register() -> None:
    call_command("demo_load", verbosity=0)
    assert RiskArea.objects.count() == 3
    # The returnee in home isolation; the other record is the blue zone's returnee under home
    # health monitoring (Z-5.1, tests/response/test_demo.py).
    isolation = IsolationRecord.objects.get(kind="home_isolation")
    assert IsolationRecord.objects.exclude(kind="home_isolation").get().kind == (
        "home_health_monitoring"
    )
    assert isolation.kind == "home_isolation" and isolation.released_at is None
    assert StatusHold.objects.filter(kind="plan", cleared_at__isnull=True).count() == 1
    source = f"mobility.return:{isolation.declaration_id}"
    assert Duty.objects.filter(source=source, state="done").count() >= 2
    assert Duty.objects.filter(source=source, state="due").exists()
    trip = Trip.objects.get()
    assert trip.status == "pending" and trip.approver
    approver = Membership.objects.get(user__username="entb_admin")
    assert approver.enterprise_id == trip.enterprise_id
    me = Membership.objects.get(user__username="employee").person
    registered, issued = Visitor.objects.order_by("pk")
    assert registered.host == me and registered.state == "registered"
    # J-1.2.4 with issue 13 §1: a filled-in visitor holding the pass the officer issued.
    assert issued.host == me and issued.state == "filled"
    assert issued.temporary_pass is not None and issued.temporary_pass.revoked_at is None
    assert issued.temporary_pass.source == f"mobility.visitor:{issued.pk}"
    assert issued.earliest_entry is not None
    assert issued.temporary_pass.valid_from >= issued.earliest_entry
    assert issued.temporary_pass.negative_sampled_at is not None
