"""The second factor (issue 18 §3): admins and anyone who may reveal pass a TOTP code.

With `SECOND_FACTOR_REQUIRED` on (always in production), such an account is kept on the
enrol or verify page until it has passed a code; enrolment writes nothing until the first
code is right; a code cannot be used twice; an account manager can clear a lost phone.
"""

from __future__ import annotations

import time
from binascii import unhexlify
from collections.abc import Callable

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from parkguard.audit.models import AuditEvent
from parkguard.orgs import second_factor
from parkguard.orgs.access import scope_for_user, second_factor_required
from tests.factories import World

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("required")]


@pytest.fixture
def required() -> object:
    with override_settings(SECOND_FACTOR_REQUIRED=True):
        yield


def _code(secret_hex: str, *, steps_ahead: int = 0) -> str:
    totp = TOTP(unhexlify(secret_hex), second_factor.STEP_SECONDS, 0, second_factor.DIGITS, 0)
    totp.time = time.time() + steps_ahead * second_factor.STEP_SECONDS
    return f"{totp.token():06d}"


def _held(client: Client) -> bool:
    """Is this client kept on the second-factor pages?"""
    response = client.get(reverse("home"))
    return response.status_code == 302 and "/accounts/second-factor/" in response["Location"]


def _enrolled(client: Client) -> TOTPDevice:
    client.get(reverse("second_factor_setup"))
    secret = client.session[second_factor.SESSION_SECRET]
    response = client.post(reverse("second_factor_setup"), {"code": _code(secret), "next": "/"})
    assert response.status_code == 302
    return TOTPDevice.objects.get(confirmed=True, key=secret)


@pytest.mark.parametrize(
    ("persona", "needed"),
    [
        ("park_a_admin", True),
        ("a1_officer", True),  # may reveal ID numbers
        ("liaison_a", False),
        ("a1_leader", False),
        ("a1_guard", False),
        ("a1_employee", False),
    ],
)
def test_who_must_pass_it(world: World, persona: str, needed: bool) -> None:
    assert second_factor_required(scope_for_user(world.users[persona])) is needed


def test_an_admin_without_a_device_is_sent_to_enrol_and_the_api_refuses(
    client_as: Callable[[str | None], Client], world: World
) -> None:
    client = client_as("park_a_admin")
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("second_factor_setup"))
    api = client.get(f"/api/v1/enterprises/{world.a1.pk}/people")
    assert api.status_code == 403 and api.json()["detail"] == second_factor.NEEDED


def test_an_employee_is_not_asked(client_as: Callable[[str | None], Client]) -> None:
    assert not _held(client_as("a1_employee"))


def test_enrolment_writes_nothing_until_the_first_code_is_right(
    client_as: Callable[[str | None], Client], world: World
) -> None:
    client = client_as("a1_officer")
    page = client.get(reverse("second_factor_setup"))
    assert page.status_code == 200 and b"<svg" in page.content
    wrong = client.post(reverse("second_factor_setup"), {"code": "000000"})
    assert wrong.status_code == 422
    assert second_factor.CODE_WRONG in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=world.users["a1_officer"]).exists()

    device = _enrolled(client)
    assert device.user == world.users["a1_officer"]
    assert not _held(client)  # this session is verified
    assert AuditEvent.objects.filter(action="second_factor_enrol").count() == 1


def test_a_new_login_verifies_and_a_code_cannot_be_used_twice(
    client_as: Callable[[str | None], Client], world: World
) -> None:
    device = _enrolled(client_as("park_a_admin"))
    fresh = client_as("park_a_admin")
    response = fresh.get(reverse("home"))
    assert response["Location"].startswith(reverse("second_factor_verify"))

    wrong = fresh.post(reverse("second_factor_verify"), {"code": "12345x"})
    assert wrong.status_code == 422
    assert AuditEvent.objects.filter(action="second_factor_failed").count() == 1
    device.refresh_from_db()
    device.throttle_reset()  # the wrong code above started django-otp's back-off

    code = _code(device.key, steps_ahead=1)
    ok = fresh.post(reverse("second_factor_verify"), {"code": code, "next": "/health/"})
    assert ok.status_code == 302 and ok["Location"] == "/health/"
    assert not _held(fresh)

    again = client_as("park_a_admin")
    replay = again.post(reverse("second_factor_verify"), {"code": code})
    assert replay.status_code == 422
    assert _held(again)


def test_an_off_site_next_is_ignored(client_as: Callable[[str | None], Client]) -> None:
    client = client_as("park_a_admin")
    client.get(reverse("second_factor_setup"))
    secret = client.session[second_factor.SESSION_SECRET]
    response = client.post(
        reverse("second_factor_setup"), {"code": _code(secret), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_repeated_wrong_codes_are_throttled(
    client_as: Callable[[str | None], Client],
) -> None:
    device = _enrolled(client_as("a1_officer"))
    fresh = client_as("a1_officer")
    fresh.post(reverse("second_factor_verify"), {"code": "000000"})
    response = fresh.post(reverse("second_factor_verify"), {"code": _code(device.key)})
    assert response.status_code == 422
    assert second_factor.CODE_THROTTLED in response.content.decode()


def test_a_manager_clears_a_lost_phone_and_an_outsider_cannot(
    client_as: Callable[[str | None], Client], world: World
) -> None:
    device = _enrolled(client_as("a1_officer"))
    officer = world.users["a1_officer"]
    url = reverse("account_second_factor_reset", args=[officer.pk])

    outsider = client_as("a2_officer")
    _enrolled(outsider)
    assert outsider.post(url).status_code in {403, 404}
    assert TOTPDevice.objects.filter(pk=device.pk, key=device.key).exists()

    admin = client_as("park_a_admin")
    _enrolled(admin)
    assert admin.post(url).status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert AuditEvent.objects.filter(action="second_factor_reset", target_id=str(officer.pk))
