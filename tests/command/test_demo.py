"""The demo park's lockdown drill (issue 17): order placed, one checkpoint staffed, one
pending with the park admin on its roster, so the admin plays it from the board."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from parkguard.command.models import LockdownOrder, Shift
from parkguard.orgs.models import Membership


@pytest.mark.django_db
def test_the_demo_park_has_a_lockdown_drill_ready_to_play() -> None:
    call_command("demo_load", verbosity=0)
    [order] = LockdownOrder.objects.all()
    first, second = order.checkpoints.order_by("pk")
    assert first.staffed_at is not None and second.staffed_at is None
    admin = Membership.objects.get(user__username="park_admin").user
    assert Shift.objects.filter(checkpoint=second, user=admin).exists()
    client = Client()
    client.force_login(admin)
    home = client.get("/", follow=True).content.decode()
    assert f"/command/parks/{order.jurisdiction_id}/" in home
    page = client.get(f"/command/orders/{order.pk}/").content.decode()
    assert "报告到岗" in page and order.title in page
    roster = client.get(f"/command/parks/{order.jurisdiction_id}/rosters/").content.decode()
    assert "空岗" in roster
    call_command("demo_load", verbosity=0)  # idempotent
    assert LockdownOrder.objects.count() == 1
