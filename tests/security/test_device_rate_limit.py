"""The device API is rate-limited per token, on every endpoint (issue 18 §3).

The gate check has its own, lower limit (`tests/gate/test_api.py`); a device token calling any
other endpoint (a lab posting results, a gate reading its enterprise) is limited too, so a
stolen or broken device cannot flood the server. Sessions are not counted here (logins have
their own lockout).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from parkguard.api.root import DEVICE_RATE_LIMITED
from parkguard.orgs.services import api_token_create
from tests.factories import World


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


@pytest.mark.django_db
@override_settings(DEVICE_CALLS_PER_MINUTE=3)
def test_it_limits_each_device_token_on_every_endpoint(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    _, clear = api_token_create(name="甲一门岗", created_by=None, enterprise=world.a1)
    _, other = api_token_create(name="甲一门岗二", created_by=None, enterprise=world.a1)
    device = Client(HTTP_AUTHORIZATION=f"Bearer {clear}")
    url = f"/api/v1/enterprises/{world.a1.pk}"
    assert [device.get(url).status_code for _ in range(3)] == [200, 200, 200]
    limited = device.get(f"/api/v1/enterprises/{world.a1.pk}/units")
    assert limited.status_code == 429
    assert limited.json() == {"detail": DEVICE_RATE_LIMITED}
    # Another device of the same enterprise, and a browser session, are not held up.
    assert Client(HTTP_AUTHORIZATION=f"Bearer {other}").get(url).status_code == 200
    officer = client_as("a1_officer")
    assert [officer.get(url).status_code for _ in range(5)] == [200] * 5


@pytest.mark.django_db
@override_settings(DEVICE_CALLS_PER_MINUTE=0)
def test_it_does_not_limit_when_switched_off(world: World) -> None:
    _, clear = api_token_create(name="甲一门岗", created_by=None, enterprise=world.a1)
    device = Client(HTTP_AUTHORIZATION=f"Bearer {clear}")
    codes = {device.get(f"/api/v1/enterprises/{world.a1.pk}").status_code for _ in range(5)}
    assert codes == {200}
