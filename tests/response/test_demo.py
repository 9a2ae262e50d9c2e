"""The demo park's zones (Z-5.1): areas with an isolation area, a person in orange with an
open, reported incident (Z-4.2), a manual move awaiting its second approver."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from parkguard.orgs.models import Enterprise, Membership
from parkguard.response.choices import MoveState, ZoneColour
from parkguard.response.models import Area, Incident, PersonZone, SitePlan, ZoneMove
from parkguard.status.services import status_rebuild


@pytest.mark.django_db
def test_the_demo_park_has_zones_and_an_open_incident() -> None:
    call_command("demo_load", verbosity=0)
    a1 = Membership.objects.get(user__username="officer").enterprise
    assert a1 is not None
    assert Area.objects.filter(enterprise=a1, is_isolation=True, zone=ZoneColour.RED).count() == 1
    assert set(Area.objects.filter(enterprise=a1).values_list("block", flat=True)) == {
        "handover",
        "production",
        "living",
        "public_health",
        "public_space",
    }
    # Its site plan, sanitised, with every area placed on it (the plan page draws them).
    plan = SitePlan.objects.get(enterprise=a1)
    assert "<rect" in plan.svg and "厂区平面图" in plan.svg
    assert not Area.objects.filter(enterprise=a1, plan_x__isnull=True).exists()
    [incident] = Incident.objects.all()
    assert incident.reported_at is not None and incident.isolated_at is None
    assert incident.minutes_to_report is not None and incident.tasks.count() == 6
    zone = PersonZone.objects.get(pk=incident.person_id)
    assert zone.colour == ZoneColour.ORANGE
    assert ZoneMove.objects.filter(state=MoveState.PENDING).count() == 1
    assert status_rebuild(at=timezone.now(), write=False).differing_people == 0
    # Park A's other enterprises have no isolation area yet: the park's list flags them.
    others = Enterprise.objects.filter(jurisdiction=a1.jurisdiction).exclude(pk=a1.pk)
    client = Client()
    client.force_login(Membership.objects.get(user__username="park_admin").user)
    page = client.get(f"/response/parks/{a1.jurisdiction_id}/").content.decode()
    assert all(e.name in page for e in others) and incident.title in page
    call_command("demo_load", verbosity=0)  # idempotent
    assert Incident.objects.count() == 1
