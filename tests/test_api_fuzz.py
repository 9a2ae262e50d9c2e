"""Schemathesis over the whole OpenAPI document (issue 8 §6): no 5xx, shapes as documented.

Every operation is fuzzed, logged in as a park admin and as an enterprise's epidemic
officer, with positive and negative data. There is no network: requests go straight into
the WSGI application. Half of the examples use the real ids of the personas' world, so
requests reach the code behind the scope check, not only 404s.

Bounded, so CI time is predictable (docs/security.md, "接口模糊测试"): at most MAX_EXAMPLES
requests per operation, persona and mode, derandomized (the same requests every run) and
never shrunk, so an operation costs at most MAX_EXAMPLES × 2 × 2 requests and the whole
document at most REQUEST_BUDGET (a test fails if the document grows past it, so raising it
is a decision). The hypothesis deadline per request, HANG_SECONDS, is a guard against a hang,
far above any normal request (tens of milliseconds), not a performance check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import checks
from schemathesis.generation import GenerationMode

from parkguard.api.root import api
from tests.factories import World

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"))
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]  # type: ignore[union-attr]
CHECKS = [
    checks.not_a_server_error,
    checks.response_schema_conformance,
    checks.content_type_conformance,
]
MAX_EXAMPLES = 6
PERSONAS = ["park_a_admin", "a1_officer"]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
# Requests the whole document may cost (156 operations × 24 today); raise it on purpose.
REQUEST_BUDGET = 5000
HANG_SECONDS = 10


def test_the_fuzzing_is_bounded_in_requests() -> None:
    total = len(OPERATIONS) * len(PERSONAS) * len(MODES) * MAX_EXAMPLES
    assert total <= REQUEST_BUDGET, f"{total} requests: raise REQUEST_BUDGET on purpose"


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    """The Django app, kept from closing the test's connection after each request.

    (Django's test client does the same: a request's end would otherwise close the
    connection that holds the test transaction.)
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _session(world: World, persona: str) -> tuple[dict[str, str], dict[str, str]]:
    """Headers and cookies of a logged-in browser session, CSRF token included."""
    client = Client()
    client.force_login(world.users[persona])
    csrf = _get_new_csrf_string()
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf}
    return {"X-CSRFToken": csrf, "Referer": "http://localhost/"}, cookies


def _real_ids(world: World) -> dict[str, Any]:
    return {
        "enterprise_id": world.a1.pk,
        "person_id": world.a1_person.pk,
        "jurisdiction_id": world.park_a.pk,
        "unit_id": world.a1_unit.pk,
        "org_unit_id": world.a1_unit.pk,
    }


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_the_api_answers_every_generated_request_without_a_server_error(
    world: World, wsgi_app: WSGIHandler, operation: Any
) -> None:
    """One world per operation; each persona and each generation mode gets its examples."""
    real = _real_ids(world)
    for persona in PERSONAS:
        headers, cookies = _session(world, persona)
        for mode in MODES:
            sent = _fuzz(operation, mode, wsgi_app, headers, cookies, real)
            assert sent <= MAX_EXAMPLES


def _fuzz(
    operation: Any,
    mode: GenerationMode,
    app: WSGIHandler,
    headers: dict[str, str],
    cookies: dict[str, str],
    real: dict[str, Any],
) -> int:
    """Fuzz one operation in one mode; returns how many requests were sent."""
    counter = iter(range(10_000))
    sent = [0]

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=dt.timedelta(seconds=HANG_SECONDS),
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        if next(counter) % 2 and case.path_parameters:
            case.path_parameters = {k: real.get(k, v) for k, v in case.path_parameters.items()}
        sent[0] += 1
        response = case.call(app=app, headers=headers, cookies=cookies)
        case.validate_response(response, checks=CHECKS)

    run()
    return sent[0]
