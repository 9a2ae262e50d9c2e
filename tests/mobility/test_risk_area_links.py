"""The risk-area register leads to the impact preview (issue 12 walk-through): a park admin,
who may preview and confirm, finds the link there; a park cadre, who keeps the register but
may not change plans, does not. The preview's parameters box starts empty."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from parkguard.mobility.rules import NO_HOME_DIVISION
from parkguard.orgs.choices import Role
from parkguard.orgs.models import Membership
from tests.factories import World, make_user

pytestmark = pytest.mark.django_db


def test_the_park_admin_finds_the_preview_from_the_register(
    jinjiang: World, client_as: Callable[[str | None], Client]
) -> None:
    world = jinjiang
    client = client_as("park_a_admin")
    page = client.get(f"/mobility/parks/{world.park_a.pk}/risk-areas/")
    assert page.status_code == 200
    link = f"/mobility/parks/{world.park_a.pk}/impact/?for=risk_areas"
    assert f'href="{link}"' in page.content.decode()
    form = client.get(link).content.decode()
    assert ">null</textarea>" not in form
    # The form opens on a risk-area change; previewing it shows the summary.
    assert '<option value="risk_areas" selected>' in form
    assert 'id="impact-summary"' not in form  # chosen, not yet previewed
    preview = client.get(link.split("?")[0], {"kind": "risk_areas"})
    assert preview.status_code == 200
    assert 'id="impact-summary"' in preview.content.decode()


def test_a_cadre_keeps_the_register_without_the_link(jinjiang: World) -> None:
    world = jinjiang
    cadre = make_user("cadre_risk")
    Membership.objects.create(user=cadre, role=Role.PARK_CADRE, jurisdiction=world.park_a)
    client = Client()
    client.force_login(cadre)
    page = client.get(f"/mobility/parks/{world.park_a.pk}/risk-areas/")
    assert page.status_code == 200
    assert "/impact/" not in page.content.decode()
    assert client.get(f"/mobility/parks/{world.park_a.pk}/impact/").status_code == 403


def test_a_park_with_no_county_code_gets_a_field_error_not_a_server_error(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    """Found on the walk: the preview raised ValueError (a 500) when the county has no code."""
    client = client_as("park_a_admin")
    for answer in (
        client.get(f"/mobility/parks/{world.park_a.pk}/impact/?kind=risk_areas"),
        client.post(
            f"/mobility/parks/{world.park_a.pk}/impact/",
            {"kind": "risk_areas", "description": "调整", "confirm": "1"},
        ),
    ):
        assert answer.status_code == 422
        assert NO_HOME_DIVISION in answer.content.decode()
