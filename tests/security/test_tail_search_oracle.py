"""The ledger's search by an ID number's tail is no oracle for digits the mask hides.

The mask shows the last `ID_MASK_TAIL` digits. Searching by the last 4 or 6 (issue 9 §2) tells
whoever searches whether a guess of the hidden digits is right: 100 searches give two more
digits, 100 more two more, with no reveal and no audit entry. So a tail longer than the mask
shows matches only in enterprises where the caller may reveal the number anyway (officers,
enterprise and park admins); a team leader, a park cadre or a community liaison finds by name,
initials or the digits the mask already shows.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from parkguard.orgs.choices import Role
from parkguard.orgs.models import Membership
from parkguard.people.identity import ID_MASK_TAIL, id_decrypt
from tests.factories import World, make_user


def _found(client: Client, url: str, q: str, name: str) -> bool:
    return name in client.get(url, {"q": q}).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["a1_leader", "park_cadre"])
def test_it_matches_hidden_digits_only_for_those_who_may_reveal(
    world: World, client_as: Callable[[str | None], Client], persona: str
) -> None:
    if persona == "park_cadre":
        world.users[persona] = make_user(persona)
        Membership.objects.create(
            user=world.users[persona], role=Role.PARK_CADRE, jurisdiction=world.park_a
        )
    person = world.a1_person
    number = id_decrypt(person.id_encrypted)
    url = f"/enterprises/{world.a1.pk}/people/"
    lower = client_as(persona)
    # The caller sees the person, and finds them by name and by the digits the mask shows.
    assert _found(lower, url, "甲一张", person.name)
    assert _found(lower, url, number[-ID_MASK_TAIL:], person.name)
    # The last 4 or 6 digits would confirm hidden ones: they find nobody.
    assert not _found(lower, url, number[-4:], person.name)
    assert not _found(lower, url, number[-6:], person.name)
    api = lower.get(f"/api/v1/enterprises/{world.a1.pk}/people", {"q": number[-4:]})
    assert api.status_code == 200 and api.json() == []
    # Who may reveal the number still finds by its last 4 or 6.
    officer = client_as("a1_officer")
    assert _found(officer, url, number[-4:], person.name)
    assert _found(officer, url, number[-6:], person.name)


@pytest.mark.django_db
def test_the_roster_does_not_match_hidden_digits(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    person = world.a1_person
    number = id_decrypt(person.id_encrypted)
    liaison = client_as("liaison_a")
    assert _found(liaison, "/roster/", "甲一张", person.name)
    assert not _found(liaison, "/roster/", number[-4:], person.name)


@pytest.mark.django_db
def test_the_finder_is_no_oracle_for_a_whole_number(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    """The finder by a whole ID or phone number answers "found" only where the caller may reveal
    that number: the phone's mask hides four digits, so a team leader could try 10,000 numbers
    and learn a colleague's phone without a reason or an audit entry."""
    person = world.a1_person
    url = f"/enterprises/{world.a1.pk}/people/find/"
    leader = client_as("a1_leader")
    for number in (person.phone, id_decrypt(person.id_encrypted)):
        response = leader.post(url, {"id_number": number})
        assert response.status_code == 422
        assert f"/people/{person.pk}/" not in response.content.decode()
    officer = client_as("a1_officer")
    assert officer.post(url, {"id_number": person.phone})["Location"] == f"/people/{person.pk}/"
