"""Database outage (issue 8 §8): 503 with Retry-After, Chinese for browsers, JSON for the API;
liveness apart from readiness; recovery without a restart.

The outage is simulated by making the connection refuse, as PostgreSQL does when it is down.
Requirement: L-4.4b (24-hour duty: the system says clearly when it cannot serve).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from unittest import mock

from django.db import OperationalError, connection
from django.test import Client

from parkguard.lib.api_failures import DATABASE_UNAVAILABLE
from tests.factories import World

Clients = Callable[[str | None], Client]


@contextmanager
def database_down() -> Iterator[None]:
    refused = OperationalError('connection to server at "127.0.0.1", port 5432 failed')
    with mock.patch.object(connection, "ensure_connection", side_effect=refused):
        yield


def test_pages_answer_503_in_chinese_with_retry_after(world: World, client_as: Clients) -> None:
    client = client_as("a1_officer")
    client.raise_request_exception = False
    with database_down():
        for url in ("/", f"/enterprises/{world.a1.pk}/people/", f"/people/{world.a1_person.pk}/"):
            response = client.get(url)
            assert response.status_code == 503, url
            assert response["Retry-After"].isdigit()
            assert DATABASE_UNAVAILABLE in response.content.decode()
            assert "<html" in response.content.decode()
        anonymous = Client(raise_request_exception=False).get("/accounts/login/")
        assert anonymous.status_code in (200, 503)
    # Recovery needs no restart: the next request finds the database again.
    assert client.get(f"/people/{world.a1_person.pk}/").status_code == 200


def test_the_api_answers_503_in_its_json_shape(world: World, client_as: Clients) -> None:
    client = client_as("a1_officer")
    client.raise_request_exception = False
    with database_down():
        response = client.get(f"/api/v1/enterprises/{world.a1.pk}/people")
        assert response.status_code == 503
        assert response.json() == {"detail": DATABASE_UNAVAILABLE}
        assert response["Retry-After"].isdigit()
        created = client.post(
            f"/api/v1/enterprises/{world.a1.pk}/people", {}, content_type="application/json"
        )
        assert created.status_code in (503, 422)
    assert client.get(f"/api/v1/enterprises/{world.a1.pk}/people").status_code == 200


def test_liveness_needs_no_database_and_readiness_checks_it(db: None) -> None:
    client = Client(raise_request_exception=False)
    assert client.get("/healthz?ready").json() == {"status": "ready"}
    with database_down():
        live = client.get("/healthz")
        assert (live.status_code, live.json()) == (200, {"status": "ok"})
        ready = client.get("/healthz?ready")
        assert ready.status_code == 503 and ready["Retry-After"].isdigit()
        assert ready.json()["detail"] == DATABASE_UNAVAILABLE
    assert client.get("/healthz?ready").status_code == 200


def test_other_server_errors_get_a_chinese_page_without_details(
    world: World, client_as: Clients
) -> None:
    from parkguard.people import views

    client = client_as("a1_officer")
    client.raise_request_exception = False
    with mock.patch.object(views, "render", side_effect=RuntimeError("secret detail")):
        response = client.get(f"/people/{world.a1_person.pk}/")
    assert response.status_code == 500
    assert "服务器出错" in response.content.decode()
    assert "secret detail" not in response.content.decode()
