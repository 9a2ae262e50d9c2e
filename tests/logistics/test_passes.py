"""Transport passes (Z-5.3c, L-3.5): the enterprise applies, the park approves quickly, the
printed pass carries a signed QR code the gate verifies; validity and revocation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from parkguard.logistics import passes
from parkguard.logistics.choices import PassState
from parkguard.logistics.models import TransportPass
from parkguard.orgs.access import scope_for_user
from parkguard.orgs.services import api_token_create
from tests.factories import World

pytestmark = pytest.mark.django_db


def _apply(world: World, *, days: int = 7) -> TransportPass:
    today = timezone.localdate()
    return passes.pass_apply(
        scope=scope_for_user(world.users["a1_officer"]),
        enterprise=world.a1,
        plate="渝A 66666",
        route="园区东门—G65—长沙",
        purpose="汽车零部件（生产物资）",
        valid_from=today,
        valid_until=today + dt.timedelta(days=days),
        at=timezone.now(),
        by=world.users["a1_officer"],
    )


def test_a_pass_is_applied_for_approved_verified_and_revoked(world: World) -> None:
    row = _apply(world)
    guard = scope_for_user(world.users["a1_guard"])
    token = passes.pass_token(row)
    assert passes.pass_verify(scope=guard, token=token, at=timezone.now()).reason == (
        passes.VERIFY_PENDING
    )
    admin = scope_for_user(world.users["park_a_admin"])
    passes.pass_decide(
        scope=admin, transport_pass=row, approve=True, note="", at=timezone.now(), by=None
    )
    row.refresh_from_db()
    assert row.state == PassState.APPROVED and row.plate == "渝A66666"
    verdict = passes.pass_verify(scope=guard, token=token, at=timezone.now())
    assert verdict.valid and verdict.plate == "渝A66666" and verdict.enterprise == world.a1.name
    later = timezone.now() + dt.timedelta(days=8)
    assert not passes.pass_verify(scope=guard, token=token, at=later).valid
    passes.pass_revoke(
        scope=admin, transport_pass=row, note="车辆违规停靠", at=timezone.now(), by=None
    )
    row.refresh_from_db()
    assert row.state == PassState.REVOKED
    verdict = passes.pass_verify(scope=guard, token=token, at=timezone.now())
    assert not verdict.valid and verdict.reason == passes.VERIFY_REVOKED
    assert passes.pass_verify(scope=guard, token="x:y", at=timezone.now()).reason == (
        passes.VERIFY_BAD
    )


def test_it_refuses_bad_applications_and_decisions(world: World) -> None:
    officer = scope_for_user(world.users["a1_officer"])
    today = timezone.localdate()
    with pytest.raises(ValidationError) as caught:
        passes.pass_apply(
            scope=officer, enterprise=world.a1, plate="x", route="", purpose="",
            valid_from=today, valid_until=today - dt.timedelta(days=1), at=timezone.now(),
            by=None,
        )  # fmt: skip
    assert caught.value.message_dict["route"] == [passes.PASS_ROUTE_REQUIRED]
    assert caught.value.message_dict["purpose"] == [passes.PASS_PURPOSE_REQUIRED]
    assert caught.value.message_dict["valid_until"] == [passes.PASS_DATES_ORDER]
    assert not TransportPass.objects.exists()
    row = _apply(world)
    with pytest.raises(PermissionDenied):  # the enterprise does not approve its own pass
        passes.pass_decide(
            scope=officer, transport_pass=row, approve=True, note="", at=timezone.now(), by=None
        )
    admin = scope_for_user(world.users["park_a_admin"])
    with pytest.raises(ValidationError) as caught:
        passes.pass_decide(
            scope=admin, transport_pass=row, approve=False, note=" ", at=timezone.now(), by=None
        )
    assert caught.value.message_dict == {"note": [passes.PASS_NOTE_REQUIRED]}
    with pytest.raises(ValidationError) as caught:
        passes.pass_revoke(scope=admin, transport_pass=row, note="x", at=timezone.now(), by=None)
    assert caught.value.message_dict == {"pass": [passes.PASS_NOT_APPROVED]}
    row.refresh_from_db()
    assert row.state == PassState.APPLIED and row.decided_at is None
    with pytest.raises(PermissionDenied):
        passes.pass_verify(
            scope=scope_for_user(world.users["a1_employee"]),
            token=passes.pass_token(row),
            at=timezone.now(),
        )


def test_the_pages_and_the_gate_device_verify_a_printed_pass(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    row = _apply(world)
    admin = client_as("park_a_admin")
    response = admin.post(f"/logistics/passes/{row.pk}/decide/", {"action": "approve"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.state == PassState.APPROVED
    printed = client_as("a1_officer").get(f"/logistics/passes/{row.pk}/").content.decode()
    assert "<svg" in printed and "渝A66666" in printed
    verify = client_as("a1_guard").post(
        "/logistics/passes/verify/", {"token": passes.pass_token(row)}
    )
    assert passes.VERIFY_OK in verify.content.decode()
    _, clear = api_token_create(name="甲一门岗闸机", created_by=None, enterprise=world.a1)
    device = Client(HTTP_AUTHORIZATION=f"Bearer {clear}")
    answer = device.post(
        "/api/v1/logistics/passes/verify",
        {"token": passes.pass_token(row)},
        content_type="application/json",
    ).json()
    assert answer["valid"] is True and answer["plate"] == "渝A66666"
