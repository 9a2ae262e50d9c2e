"""Finding people (issue 9 §2): full ID by POST, last 4 or 6, phone, name, pinyin initials,
and the pasted assistance list (协查). B-2.2 (personal file), J-2.1 (rosters)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client, override_settings

from parkguard.audit.models import AuditEvent
from parkguard.people import selectors
from parkguard.people.identity import ID_CHECKSUM, ID_LENGTH, id_decrypt, id_mask
from parkguard.people.models import Person
from parkguard.people.pinyin import name_initials
from tests.factories import World
from tests.people.sheets import person_id

Clients = Callable[[str | None], Client]


def _ids(page: bytes, people: list[Person]) -> set[int]:
    text = page.decode()
    return {p.pk for p in people if f"/people/{p.pk}/" in text}


def test_initials_are_stored_at_write_time() -> None:
    assert name_initials("张三丰") == "zsf"
    assert name_initials("Anna李") == "annal"


def test_the_ledger_finds_by_last_4_or_6_digits_name_and_initials(
    world: World, client_as: Clients
) -> None:
    """Issue 9 §2: 末4位 / 末6位 / 姓名 / 拼音首字母 in the ledger search (GET, no whole number)."""
    client = client_as("a1_officer")
    person, other = world.a1_person, world.a1_employee_person
    number = id_decrypt(person.id_encrypted)
    url = f"/enterprises/{world.a1.pk}/people/"
    for q in (number[-4:], number[-6:], "甲一张", name_initials(person.name)):
        found = _ids(client.get(url, {"q": q}).content, [person, other])
        assert found == {person.pk}, q
    assert person.name_initials == name_initials(person.name)


def test_seven_digits_in_the_search_are_refused(world: World, client_as: Clients) -> None:
    number = id_decrypt(world.a1_person.id_encrypted)
    page = client_as("a1_officer").get(f"/enterprises/{world.a1.pk}/people/", {"q": number[-7:]})
    assert selectors.SEARCH_FULL_NUMBER in page.content.decode()


def test_the_finder_takes_a_phone_by_post(world: World, client_as: Clients) -> None:
    """Issue 9 §2: a phone number finds its holder; it is POSTed, never in the URL."""
    client = client_as("a1_officer")
    url = f"/enterprises/{world.a1.pk}/people/find/"
    response = client.post(url, {"id_number": world.a1_person.phone})
    assert response.status_code == 302
    assert response["Location"] == f"/people/{world.a1_person.pk}/"
    Person.objects.filter(pk=world.a1_employee_person.pk).update(phone=world.a1_person.phone)
    both = client.post(url, {"id_number": f"+86 {world.a1_person.phone}"})
    assert both.status_code == 200
    assert _ids(both.content, [world.a1_person, world.a1_employee_person]) == {
        world.a1_person.pk,
        world.a1_employee_person.pk,
    }
    missing = client.post(url, {"id_number": "13900000000"})
    assert missing.status_code == 422
    assert selectors.FIND_PHONE_NOT_FOUND in missing.content.decode()


def test_a_pasted_list_is_answered_line_by_line_masked_and_audited(
    world: World, client_as: Clients
) -> None:
    """Issue 9 §2 and bad input: malformed and duplicate numbers are named by line."""
    mine = id_decrypt(world.a1_person.id_encrypted)
    elsewhere = id_decrypt(world.b1_person.id_encrypted)
    stranger = person_id(777)
    bad = mine[:17] + ("0" if mine[17] != "0" else "1")
    text = "\n".join([mine, "", elsewhere, stranger, bad, mine, "12345"])
    client = client_as("a1_officer")
    before = Person.objects.count()
    response = client.post("/people/lookup/", {"numbers": text})
    assert response.status_code == 200
    body = response.content.decode()
    assert mine not in body and elsewhere not in body and stranger not in body
    assert id_mask(mine) in body
    assert world.a1_person.name in body
    assert world.b1_person.name not in body, "another park's person is not in scope"
    assert ID_CHECKSUM in body and ID_LENGTH in body
    assert selectors.LOOKUP_DUPLICATE.format(line=1) in body
    event = AuditEvent.objects.get(action="person_lookup")
    assert event.detail == {"lines": 6, "found": 1, "not_found": 2, "bad": 3}
    assert mine not in str(event.detail)
    assert Person.objects.count() == before


def test_the_lookup_result_names_each_line() -> None:
    assert selectors.lookup_lines("a\n\n b ，c\n") == [(1, "a"), (3, "b"), (3, "c")]


@override_settings(LOOKUP_MAX_NUMBERS=3)
def test_a_list_over_the_limit_is_refused_whole(world: World, client_as: Clients) -> None:
    text = "\n".join(person_id(n) for n in range(4))
    response = client_as("a1_officer").post("/people/lookup/", {"numbers": text})
    assert response.status_code == 422
    assert selectors.LOOKUP_TOO_MANY.format(max=3, count=4) in response.content.decode()
    assert not AuditEvent.objects.filter(action="person_lookup").exists()


@pytest.mark.parametrize("persona", ["a1_employee", "a1_leader", "a1_guard", None])
def test_lower_roles_have_no_lookup(world: World, client_as: Clients, persona: str | None) -> None:
    number = id_decrypt(world.a1_person.id_encrypted)
    response = client_as(persona).post("/people/lookup/", {"numbers": number})
    assert response.status_code in {302, 404}
    assert world.a1_person.name not in response.content.decode()


def test_the_roster_searches_exports_masked_and_reveals_a_phone_with_a_reason(
    world: World, client_as: Clients
) -> None:
    """Issue 9 §5 (J-2.1): the liaison's roster: search, masked export (audited), phone reveal."""
    client = client_as("liaison_a")
    person = world.a1_person
    page = client.get("/roster/", {"q": name_initials(person.name)})
    assert person.name in page.content.decode()
    assert person.phone not in page.content.decode()
    empty = client.get("/roster/", {"q": "zzzz"})
    assert person.name not in empty.content.decode()
    export = client.get("/roster/export/")
    assert export.status_code == 200
    assert AuditEvent.objects.filter(action="roster_export").count() == 1
    import io

    from python_calamine import CalamineWorkbook

    cells = [
        str(c)
        for r in CalamineWorkbook.from_filelike(io.BytesIO(export.content))
        .get_sheet_by_index(0)
        .to_python()
        for c in r
    ]
    assert person.name in cells and person.phone_masked in cells and person.phone not in cells
    refused = client.post(f"/people/{person.pk}/phone/", {"reason": "短"})
    assert person.phone not in refused.content.decode()
    assert not AuditEvent.objects.filter(action="phone_reveal").exists()
    shown = client.post(f"/people/{person.pk}/phone/", {"reason": "核实密接人员行程"})
    assert person.phone in shown.content.decode()
    event = AuditEvent.objects.get(action="phone_reveal")
    assert event.reason == "核实密接人员行程" and person.phone not in str(event.detail)


def test_another_communitys_resident_phone_stays_hidden(world: World, client_as: Clients) -> None:
    other = world.a1_employee_person  # lives in community B
    response = client_as("liaison_a").post(f"/people/{other.pk}/phone/", {"reason": "越权查看号码"})
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="phone_reveal").exists()


def test_outsiders_pasting_a1_numbers_find_nobody(world: World, client_as: Clients) -> None:
    """Another enterprise's officer and another park's admin see A1's people as not found."""
    numbers = "\n".join(
        id_decrypt(p.id_encrypted) for p in (world.a1_person, world.a1_employee_person)
    )
    for persona in ("a2_officer", "park_b_admin"):
        response = client_as(persona).post("/people/lookup/", {"numbers": numbers})
        assert response.status_code == 200
        body = response.content.decode()
        assert world.a1_person.name not in body and world.a1.name not in body
        assert world.a1_employee_person.name not in body
