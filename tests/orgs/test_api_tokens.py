"""Device tokens: issued once in clear, scoped, revocable, audited."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from parkguard.audit.models import AuditEvent
from parkguard.orgs.forms import TOKEN_TARGET_REQUIRED
from parkguard.orgs.models import ApiToken
from tests.factories import World


@pytest.mark.django_db
def test_it_issues_a_token_shown_once_and_stores_only_its_digest(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    response = client_as("a1_officer").post(
        "/tokens/", {"name": "东门闸机", "enterprise": world.a1.pk}
    )
    clear = response.context["created"]
    assert clear.startswith("pg_") and clear in response.content.decode()
    token = ApiToken.objects.get(name="东门闸机")
    assert clear not in (token.digest, token.prefix) and token.owner_park == world.park_a
    api = Client(HTTP_AUTHORIZATION=f"Bearer {clear}")
    assert [e["name"] for e in api.get("/api/v1/enterprises").json()] == [world.a1.name]
    assert AuditEvent.objects.filter(action="token_create", enterprise_id_ref=world.a1.pk)
    # The park admin sees the enterprise's token and can revoke it; then it stops working.
    page = client_as("park_a_admin").get("/tokens/").content.decode()
    assert "东门闸机" in page
    client_as("park_a_admin").post(f"/tokens/{token.pk}/revoke/")
    assert api.get("/api/v1/enterprises").status_code == 401


@pytest.mark.django_db
def test_it_refuses_a_token_for_another_enterprise_or_without_a_target(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    client = client_as("a1_officer")
    other = client.post("/tokens/", {"name": "x", "enterprise": world.a2.pk})
    assert "enterprise" in other.context["form"].errors
    neither = client.post("/tokens/", {"name": "x"})
    assert neither.context["form"].errors["enterprise"] == [TOKEN_TARGET_REQUIRED]
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_it_refuses_the_token_page_to_an_employee(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    assert client_as("a1_employee").get("/tokens/").status_code == 403
