"""Masks that do not add up to the secret (issue 8 §4).

The mask hides every birth digit; whoever may not reveal the number sees age and birth year,
never the birth date, on the personal file and in the API; device tokens read no names.
Requirement: B-2.2 (personal files), J-2.3 (the officer who may reveal, on record).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from django.apps import apps
from django.test import Client

from parkguard.orgs.services import api_token_create
from parkguard.people.identity import id_decrypt, id_mask
from parkguard.people.models import Person
from tests.factories import World

Clients = Callable[[str | None], Client]


def test_the_mask_hides_the_birth_date_and_sequence_digits() -> None:
    number = "32010219900101123X"
    masked = id_mask(number)
    assert masked == "320*************3X"
    assert len(masked) == 18
    assert "19900101" not in masked and "1990" not in masked


def test_a_team_leader_sees_age_not_the_birth_date(world: World, client_as: Clients) -> None:
    """The leader may see the person but not reveal: no birth date on page or API."""
    person = world.a1_person
    birth = person.birth_date
    page = client_as("a1_leader").get(f"/people/{person.pk}/").content.decode()
    assert person.id_masked in page
    assert f"{birth:%Y-%m-%d}" not in page and f"{birth.year}年生" in page
    api = client_as("a1_leader").get(f"/api/v1/people/{person.pk}").json()
    assert "birth_date" not in api and api["birth_year"] == birth.year
    assert f"{birth:%Y-%m-%d}" not in str(api)
    listed = client_as("a1_leader").get(f"/api/v1/enterprises/{world.a1.pk}/people").json()
    assert all("birth_date" not in row for row in listed)


def test_the_officer_who_may_reveal_still_sees_the_birth_date(
    world: World, client_as: Clients
) -> None:
    person = world.a1_person
    page = client_as("a1_officer").get(f"/people/{person.pk}/").content.decode()
    assert f"{person.birth_date:%Y-%m-%d}" in page


def test_what_a_leader_sees_leaves_thousands_of_candidates(
    world: World, client_as: Clients
) -> None:
    """Everything the leader can read about one person leaves at least 10^4 numbers open."""
    person = world.a1_person
    seen = client_as("a1_leader").get(f"/api/v1/people/{person.pk}").json()
    masked = seen["id_masked"]
    hidden = masked.count("*")
    # birth year known: 4 of the hidden digits are fixed; the rest (region 3, date 4,
    # sequence 3 less gender parity) stay open, the check digit removes a factor 11.
    open_digits = hidden - 4
    assert open_digits >= 9
    assert 10 ** (open_digits - 1) // 11 > 10_000
    assert id_decrypt(person.id_encrypted) not in str(seen)


def test_device_tokens_read_no_names(world: World) -> None:
    _, clear = api_token_create(name="甲一门岗", created_by=None, enterprise=world.a1)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {clear}")
    detail = client.get(f"/api/v1/enterprises/{world.a1.pk}").json()
    assert detail["legal_representative"] is None
    assert all(e["legal_representative"] is None for e in client.get("/api/v1/enterprises").json())
    units = client.get(f"/api/v1/enterprises/{world.a1.pk}/units").json()
    assert units and all(u["responsible_name"] is None for u in units)
    session = Client()
    session.force_login(world.users["a1_officer"])
    assert (
        session.get(f"/api/v1/enterprises/{world.a1.pk}").json()["legal_representative"] == "法人"
    )


def test_the_migration_narrows_stored_masks(world: World) -> None:
    migration = importlib.import_module("parkguard.people.migrations.0007_mask_hides_birth_digits")
    number = id_decrypt(world.a1_person.id_encrypted)
    old = f"{number[:4]}{'*' * 10}{number[-4:]}"
    Person.objects.filter(pk=world.a1_person.pk).update(id_masked=old)
    migration.remask(apps, None)
    world.a1_person.refresh_from_db()
    assert world.a1_person.id_masked == id_mask(number)
    history = world.a1_person.history.first()
    assert history.id_masked == id_mask(number)
