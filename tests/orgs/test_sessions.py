"""Sessions of one login (issue 18 §3): listed to their owner, ended one by one or everywhere."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from parkguard.audit.models import AuditEvent
from parkguard.orgs.models import UserSession
from tests.factories import PASSWORD, World

pytestmark = pytest.mark.django_db


def _login(username: str, *, address: str = "10.1.2.3", browser: str = "Mobile Safari") -> Client:
    client = Client(REMOTE_ADDR=address, HTTP_USER_AGENT=browser)
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _logged_in(client: Client) -> bool:
    return client.get(reverse("account_security")).status_code == 200


def test_a_login_is_recorded_with_its_network_not_its_host(world: World) -> None:
    client = _login("a1_officer")
    row = UserSession.objects.get(user=world.users["a1_officer"])
    assert row.session_key == client.session.session_key
    assert row.address == "10.1.2.0/24" and row.browser == "Mobile Safari"
    page = client.get(reverse("account_security")).content.decode()
    assert "10.1.2.0/24" in page and "10.1.2.3" not in page


def test_ending_another_session_logs_that_browser_out(world: World) -> None:
    phone = _login("a1_officer", browser="手机")
    desk = _login("a1_officer", browser="电脑")
    phone_row = UserSession.objects.get(session_key=phone.session.session_key)
    response = desk.post(reverse("session_end", args=[phone_row.pk]))
    assert response.status_code == 302
    assert not _logged_in(phone) and _logged_in(desk)
    assert not UserSession.objects.filter(pk=phone_row.pk).exists()
    assert AuditEvent.objects.filter(action="session_end", actor=world.users["a1_officer"])


def test_nobody_ends_a_session_of_someone_else(world: World) -> None:
    victim = _login("a1_officer")
    row = UserSession.objects.get(session_key=victim.session.session_key)
    outsider = _login("a2_officer")
    assert outsider.post(reverse("session_end", args=[row.pk])).status_code == 404
    assert _logged_in(victim)
    assert Session.objects.filter(session_key=row.session_key).exists()


def test_logging_out_everywhere_ends_every_session_of_that_login_only(world: World) -> None:
    phone, desk = _login("a1_officer"), _login("a1_officer")
    other = _login("a2_officer")
    response = desk.post(reverse("sessions_end_all"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert not _logged_in(phone) and not _logged_in(desk)
    assert _logged_in(other)
    assert not UserSession.objects.filter(user=world.users["a1_officer"]).exists()
