"""Personal data in errors and URLs (issue 8 §3): nulls refused in Chinese; whole ID numbers
travel only in POST bodies. Requirement: B-2.2 (personal files stay with those who may see them).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from parkguard.lib.api_errors import NULL_REFUSED
from parkguard.people import selectors
from parkguard.people.identity import id_decrypt
from tests.factories import World

Clients = Callable[[str | None], Client]


@pytest.mark.parametrize("field", ["post", "name", "phone", "category", "wide_contact", "status"])
def test_a_null_for_a_field_that_cannot_be_empty_is_a_422(
    world: World, client_as: Clients, field: str
) -> None:
    before = (world.a1_person.name, world.a1_person.post, world.a1_person.phone)
    response = client_as("a1_officer").patch(
        f"/api/v1/people/{world.a1_person.pk}", {field: None}, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert [(e["loc"][-1], e["msg"]) for e in detail] == [(field, NULL_REFUSED)]
    assert world.a1_person.phone not in response.content.decode()
    world.a1_person.refresh_from_db()
    assert (world.a1_person.name, world.a1_person.post, world.a1_person.phone) == before


def test_a_null_for_a_field_that_may_be_empty_clears_it(world: World, client_as: Clients) -> None:
    response = client_as("a1_officer").patch(
        f"/api/v1/people/{world.a1_person.pk}",
        {"org_unit_id": None},
        content_type="application/json",
    )
    assert response.status_code == 200
    world.a1_person.refresh_from_db()
    assert world.a1_person.org_unit_id is None


def test_the_ledger_search_refuses_a_whole_number(world: World, client_as: Clients) -> None:
    """A full ID number in the GET search is refused (the page says to use the POST finder)."""
    number = id_decrypt(world.a1_person.id_encrypted)
    client = client_as("a1_officer")
    page = client.get(f"/enterprises/{world.a1.pk}/people/", {"q": number})
    assert page.status_code == 200
    assert selectors.SEARCH_FULL_NUMBER in page.content.decode()
    finder = f'method="post" action="/enterprises/{world.a1.pk}/people/find/"'
    assert finder in page.content.decode()
    api = client.get(f"/api/v1/enterprises/{world.a1.pk}/people", {"q": number})
    assert api.status_code == 422
    assert api.json()["detail"][0]["msg"] == selectors.SEARCH_FULL_NUMBER
    tail = client.get(f"/api/v1/enterprises/{world.a1.pk}/people", {"q": number[-4:]})
    assert [p["id"] for p in tail.json()] == [world.a1_person.pk]


def test_the_finder_takes_the_number_by_post_and_opens_the_file(
    world: World, client_as: Clients
) -> None:
    number = id_decrypt(world.a1_person.id_encrypted)
    client = client_as("a1_officer")
    url = f"/enterprises/{world.a1.pk}/people/find/"
    response = client.post(url, {"id_number": f" {number[:6]} {number[6:]} "})
    assert response.status_code == 302
    assert response["Location"] == f"/people/{world.a1_person.pk}/"
    assert number not in response["Location"]
    missing = client.post(url, {"id_number": id_decrypt(world.a2_person.id_encrypted)})
    assert missing.status_code == 422
    assert selectors.FIND_NOT_FOUND in missing.content.decode()


def test_the_finder_shows_outsiders_nothing(world: World, client_as: Clients) -> None:
    number = id_decrypt(world.a1_person.id_encrypted)
    url = f"/enterprises/{world.a1.pk}/people/find/"
    assert client_as("a2_officer").post(url, {"id_number": number}).status_code == 404
    assert client_as("park_b_admin").post(url, {"id_number": number}).status_code == 404
    assert client_as(None).post(url, {"id_number": number}).status_code == 302
    leader = client_as("a1_leader").post(
        url, {"id_number": id_decrypt(world.a1_employee_person.id_encrypted)}
    )
    assert leader.status_code == 422, "a team leader finds no one outside their unit"
