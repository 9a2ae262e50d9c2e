"""The assistance lookup's hourly budget (issue 18): each login may look up
PARKGUARD_LOOKUP_NUMBERS_PER_HOUR ID numbers an hour, counted in the shared cache
(parkguard/lib/rate_window.py); a paste that would pass it is refused whole in Chinese, nothing
is looked up or shown, and the refusal is audited. The decision is the service's
(`people_lookup_answer`), so any caller of it is held to the same budget."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import timezone

from parkguard.audit.models import AuditEvent
from parkguard.orgs.access import scope_for_user
from parkguard.people import services
from parkguard.people.identity import id_decrypt
from tests.factories import World
from tests.people.sheets import person_id

Clients = Callable[[str | None], Client]


# Half past an hour: every paste of a test falls in one window, whenever the test runs.
MOMENT = timezone.now().replace(minute=30, second=0, microsecond=0)
WINDOW_END = MOMENT.replace(minute=0) + dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def _fresh_counters_and_a_fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    cache.clear()
    clock = SimpleNamespace(now=lambda: MOMENT, localdate=timezone.localdate)
    monkeypatch.setattr("parkguard.people.views.timezone", clock)


def _paste(world: World, *strangers: int) -> str:
    """A1's person's number and `strangers` other valid numbers, one a line."""
    return "\n".join([id_decrypt(world.a1_person.id_encrypted), *map(person_id, strangers)])


@override_settings(LOOKUP_NUMBERS_PER_HOUR=5)
def test_under_the_limit_the_lookup_answers(world: World, client_as: Clients) -> None:
    client = client_as("a1_officer")
    for strangers in ((1, 2), (3,)):  # 3 + 2 numbers: exactly the budget
        response = client.post("/people/lookup/", {"numbers": _paste(world, *strangers)})
        assert response.status_code == 200
        assert world.a1_person.name in response.content.decode()
    assert AuditEvent.objects.filter(action="person_lookup").count() == 2
    assert not AuditEvent.objects.filter(action="person_lookup_refused").exists()


@override_settings(LOOKUP_NUMBERS_PER_HOUR=5)
def test_over_the_limit_nothing_is_looked_up_and_the_refusal_is_audited(
    world: World, client_as: Clients
) -> None:
    client = client_as("a1_officer")
    assert client.post("/people/lookup/", {"numbers": _paste(world, 1, 2, 3)}).status_code == 200
    response = client.post("/people/lookup/", {"numbers": _paste(world, 4, 5)})
    assert response.status_code == 422
    body = response.content.decode()
    until = f"{timezone.localtime(WINDOW_END):%H:%M}"
    assert services.LOOKUP_RATE_LIMITED.format(limit=5, used=4, count=3, until=until) in body
    assert 'id="lookup-result"' not in body and world.a1_person.name not in body
    assert AuditEvent.objects.filter(action="person_lookup").count() == 1
    refusal = AuditEvent.objects.get(action="person_lookup_refused")
    assert refusal.actor is not None and refusal.actor.username == "a1_officer"
    assert refusal.detail == {"numbers": 3, "used": 4, "limit": 5, "cache_unreachable": False}
    assert id_decrypt(world.a1_person.id_encrypted) not in str(refusal.detail)
    # The refused paste used none of the budget: the one number left still answers.
    response = client.post("/people/lookup/", {"numbers": _paste(world)})
    assert response.status_code == 200 and world.a1_person.name in response.content.decode()


@override_settings(LOOKUP_NUMBERS_PER_HOUR=2)
def test_another_login_keeps_its_own_budget(world: World, client_as: Clients) -> None:
    spent = client_as("a1_officer")
    assert spent.post("/people/lookup/", {"numbers": _paste(world, 1)}).status_code == 200
    assert spent.post("/people/lookup/", {"numbers": _paste(world)}).status_code == 422
    other = client_as("park_a_admin").post("/people/lookup/", {"numbers": _paste(world, 1)})
    assert other.status_code == 200
    assert world.a1_person.name in other.content.decode()


@override_settings(LOOKUP_NUMBERS_PER_HOUR=2)
def test_malformed_and_repeated_numbers_use_none_of_the_budget(
    world: World, client_as: Clients
) -> None:
    number = id_decrypt(world.a1_person.id_encrypted)
    text = "\n".join([number, number, "12345", number[:17] + "Y", person_id(1)])
    response = client_as("a1_officer").post("/people/lookup/", {"numbers": text})
    assert response.status_code == 200
    assert AuditEvent.objects.get(action="person_lookup").detail["lines"] == 5


@override_settings(LOOKUP_NUMBERS_PER_HOUR=1)
def test_the_service_refuses_whoever_calls_it(world: World) -> None:
    """No page in between: the budget is the service's, as an API calling it would be held."""
    officer = world.users["a1_officer"]
    scope = scope_for_user(officer)
    text = _paste(world)
    at, today = MOMENT, timezone.localdate()
    services.people_lookup_answer(scope=scope, actor=officer, text=text, today=today, at=at)
    with pytest.raises(ValidationError) as refused:
        services.people_lookup_answer(scope=scope, actor=officer, text=text, today=today, at=at)
    assert "每个账号每小时最多协查 1 个身份证号" in str(refused.value.message_dict["numbers"])


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
)
def test_without_the_shared_counter_the_lookup_waits(world: World, client_as: Clients) -> None:
    response = client_as("a1_officer").post("/people/lookup/", {"numbers": _paste(world)})
    assert response.status_code == 422
    body = response.content.decode()
    assert services.LOOKUP_RATE_UNAVAILABLE in body and world.a1_person.name not in body
    assert AuditEvent.objects.get(action="person_lookup_refused").detail["cache_unreachable"]
