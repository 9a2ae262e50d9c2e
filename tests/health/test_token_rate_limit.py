"""Every device-token call is rate limited (issue 18 §3, "rate limits on ... the device
API"): past `API_TOKEN_REQUESTS_PER_MINUTE` calls in a minute a token gets a Chinese 429 and
the call writes nothing; another token is not affected; the gate check keeps its own limit
(tests/gate/test_api.py::test_a_device_is_rate_limited) and is not counted here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from parkguard.api.auth import TOKEN_RATE_LIMITED
from parkguard.health.models import TemperatureReading
from parkguard.orgs.services import api_token_create
from tests.factories import World


@pytest.fixture(autouse=True)
def _fresh_counters(settings: Any) -> Iterator[None]:
    settings.API_TOKEN_REQUESTS_PER_MINUTE = 3
    cache.clear()
    yield
    cache.clear()


def _device(world: World, name: str) -> Client:
    _, clear = api_token_create(name=name, created_by=None, enterprise=world.a1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {clear}")


def _reading(device: Client, world: World) -> int:
    body = {"person_id": world.a1_person.pk, "temperature": 36.5, "source": "gate"}
    return device.post("/api/v1/health/readings", json.dumps(body), "application/json").status_code


@pytest.mark.django_db
def test_a_token_over_its_limit_is_refused_in_chinese_and_writes_nothing(
    health_world: World,
) -> None:
    device = _device(health_world, "1号门")
    assert [_reading(device, health_world) for _ in range(3)] == [201, 201, 201]
    body = {"person_id": health_world.a1_person.pk, "temperature": 38.5, "source": "gate"}
    refused = device.post("/api/v1/health/readings", json.dumps(body), "application/json")
    assert refused.status_code == 429
    assert refused.json() == {"detail": TOKEN_RATE_LIMITED}
    assert TemperatureReading.objects.count() == 3
    assert not TemperatureReading.objects.filter(temperature="38.5").exists()
    # Another device of the same enterprise has its own count.
    assert _reading(_device(health_world, "2号门"), health_world) == 201


@pytest.mark.django_db
def test_an_unknown_token_stays_a_401(health_world: World) -> None:
    for _ in range(5):
        assert Client(HTTP_AUTHORIZATION="Bearer pg_nope").get("/api/v1/me").status_code == 401


def test_the_gate_check_keeps_its_own_limit_and_is_not_counted() -> None:
    from parkguard.api.root import _own_limit_paths

    assert _own_limit_paths() == {reverse("api:gate_check")}
