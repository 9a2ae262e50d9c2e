"""The demo park's trucks: one declared ahead, one inside with its dwell timer, one gone."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from parkguard.logistics.choices import TruckState
from parkguard.logistics.models import TruckDeclaration


@pytest.mark.django_db
def test_the_demo_park_has_trucks_from_declaration_to_exit() -> None:
    call_command("demo_load", verbosity=0)
    states = sorted(TruckDeclaration.objects.values_list("state", flat=True))
    assert states == sorted([TruckState.DECLARED, TruckState.INSIDE, TruckState.LEFT])
    inside = TruckDeclaration.objects.get(state=TruckState.INSIDE)
    client = Client()
    client.login(username="guard", password="demo-park-2022")
    page = client.get(f"/logistics/enterprises/{inside.enterprise_id}/trucks/").content.decode()
    assert inside.plate in page and "停留" in page
    assert "今日货车" in client.get("/").content.decode()
    call_command("demo_load", verbosity=0)  # idempotent
    assert TruckDeclaration.objects.count() == 3
