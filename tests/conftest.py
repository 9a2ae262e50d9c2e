"""Shared fixtures: the two-park world and a logged-in client per persona."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from hypothesis import settings

from tests.factories import World, build_world

# Property tests check what holds, not how fast: no per-example deadline (a loaded machine
# made it flaky); a test that guards against a hang sets its own.
settings.register_profile("parkguard", deadline=None)
settings.load_profile("parkguard")


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def client_as(world: World) -> Callable[[str | None], Client]:
    """`client_as("a1_officer")` is a logged-in client; `client_as(None)` is anonymous."""

    def make(persona: str | None) -> Client:
        client = Client()
        if persona is not None:
            client.force_login(world.users[persona])
        return client

    return make


@pytest.fixture
def audit_tamperable(db: None) -> None:
    """Act as an attacker who owns the database: on PostgreSQL, switch off (for this test's
    transaction only) the trigger that refuses edits of audit rows, so the tamper tests can
    show that the HMAC chain still finds what was done."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
