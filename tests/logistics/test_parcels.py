"""Parcels and takeaway (Z-5.3d): stored centrally, packaging disinfected, picked up by the
addressee with a code from their phone."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from parkguard.logistics import parcels
from parkguard.logistics.models import Parcel
from parkguard.notify.models import Message
from parkguard.orgs.access import scope_for_user
from tests.factories import World

pytestmark = pytest.mark.django_db


def test_a_parcel_is_logged_disinfected_and_picked_up_by_code(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    guard = scope_for_user(world.users["a1_guard"])
    parcel = parcels.parcel_log(
        scope=guard, enterprise=world.a1, addressee=world.a1_employee_person, kind="parcel",
        disinfected=False, at=timezone.now(), by=None,
    )  # fmt: skip
    assert len(parcel.code) == 6
    inbox = Message.objects.get(user=world.users["a1_employee"])
    assert parcel.code in inbox.body
    mine = client_as("a1_employee").get("/logistics/parcels/mine/").content.decode()
    assert parcel.code in mine
    with pytest.raises(ValidationError) as caught:
        parcels.parcel_hand_over(
            scope=guard, enterprise=world.a1, code=parcel.code, at=timezone.now()
        )
    assert caught.value.message_dict == {"code": [parcels.PARCEL_NOT_DISINFECTED]}
    parcels.parcel_disinfect(scope=guard, parcel=parcel, at=timezone.now())
    with pytest.raises(ValidationError) as caught:
        parcels.parcel_hand_over(
            scope=guard, enterprise=world.a1, code="000000x", at=timezone.now()
        )
    assert caught.value.message_dict == {"code": [parcels.PARCEL_CODE_UNKNOWN]}
    page = client_as("a1_guard").post(
        f"/logistics/enterprises/{world.a1.pk}/parcels/", {"form": "hand", "code": parcel.code}
    )
    assert page.status_code == 302
    parcel.refresh_from_db()
    assert parcel.picked_up_at is not None
    assert (
        parcel.code not in client_as("a1_employee").get("/logistics/parcels/mine/").content.decode()
    )


def test_it_refuses_a_parcel_for_another_enterprises_person(world: World) -> None:
    guard = scope_for_user(world.users["a1_guard"])
    with pytest.raises(ValidationError) as caught:
        parcels.parcel_log(
            scope=guard, enterprise=world.a1, addressee=world.a2_person, kind="box",
            disinfected=True, at=timezone.now(), by=None,
        )  # fmt: skip
    assert caught.value.message_dict == {
        "kind": [parcels.PARCEL_KIND_UNKNOWN],
        "addressee": [parcels.PARCEL_ADDRESSEE_FOREIGN],
    }
    with pytest.raises(PermissionDenied):
        parcels.parcel_log(
            scope=scope_for_user(world.users["a1_employee"]), enterprise=world.a1,
            addressee=world.a1_person, kind="mail", disinfected=True, at=timezone.now(), by=None,
        )  # fmt: skip
    assert not Parcel.objects.exists()
