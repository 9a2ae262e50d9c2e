"""Login: Chinese errors, lockout after repeated failures, audited, idle timeout."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings

from parkguard.audit.models import AuditEvent
from parkguard.orgs.login import CREDENTIAL_POSTS_LIMITED, LOGIN_INVALID, LOGIN_LOCKED
from tests.factories import PASSWORD, World


@pytest.mark.django_db
def test_it_shows_a_chinese_error_for_a_wrong_login(world: World) -> None:
    response = Client().post("/accounts/login/", {"username": "park_a_admin", "password": "nope"})
    assert response.status_code == 200
    assert LOGIN_INVALID in response.content.decode()
    assert "_auth_user_id" not in Client().session


@pytest.mark.django_db
@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCK_MINUTES=15)
def test_it_locks_an_account_after_repeated_failures(world: World) -> None:
    client = Client()
    for _ in range(3):
        client.post("/accounts/login/", {"username": "park_a_admin", "password": "nope"})
    # Even the right password is refused while locked.
    response = client.post("/accounts/login/", {"username": "park_a_admin", "password": PASSWORD})
    assert LOGIN_LOCKED.format(minutes=15) in response.content.decode()
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="login_failed").count() == 3


@pytest.mark.django_db
def test_it_logs_in_and_audits_the_login(world: World) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": "a1_officer", "password": PASSWORD})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="login", actor=world.users["a1_officer"]).exists()


def test_it_ends_idle_sessions() -> None:
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE == 30 * 60


@pytest.mark.django_db
@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCK_MINUTES=15)
def test_it_applies_the_lockout_to_the_back_office_login(world: World) -> None:
    client = Client()
    for _ in range(3):
        response = client.post("/admin/login/", {"username": "park_a_admin", "password": "nope"})
        assert LOGIN_INVALID in response.content.decode()
    locked = client.post("/admin/login/", {"username": "park_a_admin", "password": PASSWORD})
    assert locked.status_code == 200
    assert LOGIN_LOCKED.format(minutes=15) in locked.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_it_keeps_non_staff_out_of_the_back_office(world: World) -> None:
    client = Client()
    response = client.post("/admin/login/", {"username": "a1_officer", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCK_MINUTES=15)
def test_a_right_password_at_the_back_office_is_no_failed_login(world: World) -> None:
    """Issue 8 §9: a non-staff user with the right password at /admin/login/ is not locked."""
    client = Client()
    for _ in range(4):
        client.post("/admin/login/", {"username": "a1_officer", "password": PASSWORD})
    assert not AuditEvent.objects.filter(action="login_failed").exists()
    main = client.post("/accounts/login/", {"username": "a1_officer", "password": PASSWORD})
    assert main.status_code == 302


@pytest.mark.django_db
@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCK_MINUTES=15)
def test_the_lockout_reads_the_same_whether_or_not_the_account_exists(world: World) -> None:
    """Issue 18 §3: the answers tell an attacker nothing about which user names exist."""
    answers = []
    for username in ("park_a_admin", "no_such_user"):
        client = Client()
        pages = [
            client.post("/accounts/login/", {"username": username, "password": "nope"})
            for _ in range(4)
        ]
        answers.append(
            [(p.status_code, LOGIN_LOCKED.format(minutes=15) in p.content.decode()) for p in pages]
        )
    assert answers[0] == answers[1] == [(200, False)] * 3 + [(200, True)]


@pytest.mark.django_db
@override_settings(LOGIN_MAX_FAILURES=5, LOGIN_MAX_FAILURES_PER_ADDRESS=3, LOGIN_LOCK_MINUTES=15)
def test_one_address_trying_many_names_is_locked_out(world: World) -> None:
    """Issue 18 §3: password spraying (one guess for each of many names) hits a limit too."""
    sprayer = Client(REMOTE_ADDR="203.0.113.9")
    for name in ("a1_officer", "a2_officer", "liaison_a"):
        sprayer.post("/accounts/login/", {"username": name, "password": "nope"})
    blocked = sprayer.post("/accounts/login/", {"username": "a1_employee", "password": PASSWORD})
    assert LOGIN_LOCKED.format(minutes=15) in blocked.content.decode()
    assert "_auth_user_id" not in sprayer.session
    # The same account from another address is not locked: only three names failed once.
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    ok = elsewhere.post("/accounts/login/", {"username": "a1_employee", "password": PASSWORD})
    assert ok.status_code == 302


@pytest.mark.django_db
@override_settings(CREDENTIAL_POSTS_PER_MINUTE=3, LOGIN_MAX_FAILURES=100)
@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/accounts/login/", {"username": "park_a_admin", "password": "nope"}),
        ("/admin/login/", {"username": "park_a_admin", "password": "nope"}),
        (
            "/accounts/activate/",
            {"login": "nobody", "code": "x", "password1": "a", "password2": "a"},
        ),
    ],
)
def test_one_address_floods_a_credential_form_and_is_refused_before_any_password_is_hashed(
    world: World, url: str, body: dict[str, str]
) -> None:
    """Issue 18 §3: within a minute, an address's fourth POST is a Chinese 429 that runs no
    form (no failure counted, nothing audited); the page itself still loads, and the right
    password is refused too until the minute has passed."""
    cache.clear()
    client = Client()
    assert [client.post(url, body).status_code for _ in range(3)] == [200, 200, 200]
    failures = AuditEvent.objects.filter(action="login_failed").count()
    flooded = client.post(url, {**body, "password": PASSWORD})
    assert flooded.status_code == 429
    assert CREDENTIAL_POSTS_LIMITED in flooded.content.decode()
    assert AuditEvent.objects.filter(action="login_failed").count() == failures
    assert "_auth_user_id" not in client.session
    assert client.get(url).status_code == 200
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert (
        other.post("/accounts/login/", {"username": "a1_officer", "password": PASSWORD}).status_code
        == 302
    )
