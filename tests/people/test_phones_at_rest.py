"""Phone numbers encrypted at rest like ID numbers (issue 18 §5): the database row holds no
number; code, search and masks see the clear one; legacy rows are sealed by the migration."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.db.models import Model
from django.test import Client, override_settings

from parkguard.logistics.models import CrewMember, TruckDeclaration
from parkguard.mobility.models import Visitor
from parkguard.orgs.access import scope_for_user
from parkguard.people.fields import seal_existing
from parkguard.people.identity import phone_is_sealed, phone_open, phone_seal
from parkguard.people.models import HouseholdMember, Person
from parkguard.people.selectors import person_lookup
from tests.factories import TODAY, World
from tests.people import sheets as build
from tests.people.sheets import row

pytestmark = pytest.mark.django_db
PHONE = "13912345678"
OLD_KEY = "b2xkLW9ubHktaWQtZW5jcnlwdGlvbi1rZXktMDAwMDA="


def _raw(model: type[Model], pk: int) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])
        values = cursor.fetchone()
    return repr(values)


def _stored(model: type[Model], pk: int) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT phone FROM {table} WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


def test_the_raw_row_holds_no_phone_number(world: World) -> None:
    person = world.a1_person
    person.phone = PHONE
    person.save()
    member = HouseholdMember.objects.create(
        person=person, name="家属", relation="配偶", phone=PHONE
    )
    truck = TruckDeclaration.objects.create(
        enterprise=world.a1,
        declared_by="carrier",
        plate="渝A12345",
        planned_arrival=dt.datetime(2022, 11, 15, tzinfo=dt.UTC),
        route="路线",
        travel_history="重庆",
        submitted_at=dt.datetime(2022, 11, 15, tzinfo=dt.UTC),
    )
    crew = CrewMember.objects.create(
        declaration=truck, name="司机", id_digest="x" * 64, id_cipher="", id_masked="", phone=PHONE
    )
    for model, pk in ((Person, person.pk), (HouseholdMember, member.pk), (CrewMember, crew.pk)):
        assert PHONE not in _raw(model, pk), model
        assert "5678" not in _stored(model, pk)
        assert phone_is_sealed(_stored(model, pk))
    # The history copy of the person is sealed too.
    history = Person.history.model
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(history._meta.db_table)
        cursor.execute(f"SELECT phone FROM {table} WHERE id = %s", [person.pk])
        assert all(phone_is_sealed(r[0]) for r in cursor.fetchall())
    person.refresh_from_db()
    assert person.phone == PHONE
    assert person.phone_masked == "139****5678"
    assert HouseholdMember.objects.get(pk=member.pk).phone_masked == "139****5678"


def test_a_blank_phone_stays_blank(world: World) -> None:
    member = HouseholdMember.objects.create(person=world.a1_person, name="家属", relation="子")
    assert _stored(HouseholdMember, member.pk) == ""


def test_search_by_phone_still_finds_the_person(world: World) -> None:
    Person.objects.filter(pk=world.a1_person.pk).update(phone=PHONE)
    assert list(Person.objects.filter(phone=PHONE)) == [world.a1_person]
    found = person_lookup(
        scope=scope_for_user(world.users["a1_officer"]),
        enterprise=world.a1,
        number="139 1234 5678",
        today=TODAY,
    )
    assert found == [world.a1_person]


def test_sealing_is_deterministic_and_opens_with_an_older_key() -> None:
    assert phone_seal(PHONE) == phone_seal(PHONE) != phone_seal("13912345679")
    assert phone_open(phone_seal(PHONE)) == PHONE
    with override_settings(ID_ENC_KEYS=[OLD_KEY]):
        old = phone_seal(PHONE)
    from django.conf import settings

    with override_settings(ID_ENC_KEYS=[settings.ID_ENC_KEYS[0], OLD_KEY]):
        assert phone_open(old) == PHONE
    with pytest.raises(RuntimeError):
        phone_open(old)


def test_the_migration_seals_numbers_stored_in_clear(world: World) -> None:
    """Rows written before encryption (clear numbers) read as they are and are sealed."""
    visitor = Visitor.objects.create(
        enterprise=world.a1,
        host=world.a1_person,
        purpose="洽谈",
        origin_code="500103",
        origin_name="重庆市渝中区",
        arrives_at=dt.datetime(2022, 11, 15, tzinfo=dt.UTC),
        state="invited",
        link_nonce="n",
        created_at=dt.datetime(2022, 11, 15, tzinfo=dt.UTC),
    )
    table = connection.ops.quote_name(Visitor._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET phone = %s WHERE id = %s", [PHONE, visitor.pk])
    assert Visitor.objects.get(pk=visitor.pk).phone == PHONE  # legacy clear value reads
    seal_existing(Visitor)
    assert phone_is_sealed(_stored(Visitor, visitor.pk))
    assert Visitor.objects.get(pk=visitor.pk).phone == PHONE
    seal_existing(Visitor)  # idempotent
    assert phone_open(_stored(Visitor, visitor.pk)) == PHONE


def test_an_import_seals_phones_and_a_reimport_changes_nothing(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    from tests.people.uploads import ledger_confirm, ledger_upload

    client = client_as("a1_officer")
    data = build.xlsx([row(n) for n in range(1, 4)])
    ledger_confirm(client, ledger_upload(client, world, data))
    imported = Person.objects.filter(enterprise=world.a1, name__startswith="员工")
    assert imported.count() == 3
    for person in imported:
        stored = _stored(Person, person.pk)
        assert phone_is_sealed(stored) and person.phone not in stored
        assert len(person.phone) == 11
    again = ledger_upload(client, world, data)
    assert (again.create_count, again.update_count, again.unchanged_count) == (0, 0, 3)


def test_reseal_moves_phones_to_the_newest_key(world: World) -> None:
    from django.conf import settings
    from django.core.management import call_command

    with override_settings(ID_ENC_KEYS=[OLD_KEY]):
        Person.objects.filter(pk=world.a1_person.pk).update(phone=PHONE)
    with override_settings(ID_ENC_KEYS=[settings.ID_ENC_KEYS[0], OLD_KEY]):
        assert not Person.objects.filter(phone=PHONE).exists()  # sealed under the old key
        call_command("privacy", "reseal_phones")
        assert list(Person.objects.filter(phone=PHONE)) == [world.a1_person]
