"""A declaration's cost does not grow with the staff or the declarations already made: a fixed
number of SQL statements per declaration (issue 18: fifty a second beside the gate), the same
answers as before, and the status row kept as the set-based path keeps it."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parkguard.health.models import Alert, Declaration
from parkguard.orgs.choices import Role
from parkguard.orgs.models import Membership
from parkguard.people.models import Person
from parkguard.status.models import PersonStatus
from parkguard.status.services import status_declaration_record
from tests.factories import World, make_person, make_user
from tests.health.conftest import AT as DECLARED_AT

BODY = json.dumps({"temperature": "36.5", "code_colour": "green"})
# Through the API (a test runs in a transaction: each atomic block is a savepoint): the
# session, its user, the caller's memberships and their person with enterprise, park and
# unit (4); the service's savepoint around the park's adoptions, the INSERT (ON CONFLICT DO
# NOTHING: it also finds a declaration already made) and the status upsert (5); the
# session's save in its savepoint (3, SESSION_SAVE_EVERY_REQUEST).
API_STATEMENTS = 12


def _employee(world: World, serial: int) -> tuple[Person, Client]:
    person = make_person(world.a1, f"员工{serial}", serial)
    user = make_user(f"declarer{serial}")
    Membership.objects.create(user=user, role=Role.EMPLOYEE, enterprise=world.a1, person=person)
    client = Client()
    client.force_login(user)
    return person, client


def _declare(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/health/declarations", BODY, "application/json")
    assert response.status_code == 201, response.content
    return len(queries)


def test_it_declares_in_the_same_few_statements_however_many_came_before(
    health_world: World,
) -> None:
    first_person, first = _employee(health_world, 801)
    assert _declare(first) == API_STATEMENTS
    # Many more people, most of them with today's and yesterday's declarations already.
    today = timezone.localdate()
    others = [make_person(health_world.a1, f"同事{i}", 700 + i) for i in range(30)]
    Declaration.objects.bulk_create(
        Declaration(
            person=p,
            on=day,
            temperature="36.6",
            code_colour="green",
            submitted_at=timezone.now(),
        )
        for p in others
        for day in (today, today - dt.timedelta(days=1))
    )
    status_declaration_record(declared={p.pk: today for p in others}, at=timezone.now())
    later_person, later = _employee(health_world, 802)
    assert _declare(later) == API_STATEMENTS
    for person in (first_person, later_person):
        row = PersonStatus.objects.get(pk=person.pk)
        assert row.declared_on == today
        assert row.enterprise_id == health_world.a1.pk
        assert Declaration.objects.get(person=person, on=today).temperature == 36.5


def test_a_second_declaration_the_same_day_is_refused_in_as_few(
    health_world: World, client_as: Callable[[str | None], Client]
) -> None:
    _, client = _employee(health_world, 803)
    assert _declare(client) == API_STATEMENTS
    response = client.post("/api/v1/health/declarations", BODY, "application/json")
    assert response.status_code == 422
    assert Declaration.objects.filter(submitted_by__username="declarer803").count() == 1


AT = dt.datetime(2022, 11, 15, 8, 0, tzinfo=dt.UTC)


def test_one_declaration_creates_the_status_row_with_the_persons_enterprise(world: World) -> None:
    person = make_person(world.b1, "新员工", 901)
    PersonStatus.objects.filter(pk=person.pk).delete()
    status_declaration_record(declared={person.pk: dt.date(2022, 11, 15)}, at=AT)
    row = PersonStatus.objects.get(pk=person.pk)
    assert (row.enterprise_id, row.declared_on, row.updated_at) == (
        world.b1.pk,
        dt.date(2022, 11, 15),
        AT,
    )
    assert (row.on_hold, row.holds, row.alert_count, row.pending_results) == (False, [], 0, 0)


def test_an_older_declaration_keeps_the_date_and_touches_the_row(world: World) -> None:
    pk = world.a1_person.pk
    status_declaration_record(declared={pk: dt.date(2022, 11, 15)}, at=AT)
    later = AT + dt.timedelta(hours=1)
    status_declaration_record(declared={pk: dt.date(2022, 11, 14)}, at=later)
    row = PersonStatus.objects.get(pk=pk)
    assert (row.declared_on, row.updated_at) == (dt.date(2022, 11, 15), later)


def test_a_declaration_of_no_such_person_writes_no_status_row(world: World) -> None:
    missing = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    status_declaration_record(declared={missing + 1000: dt.date(2022, 11, 15)}, at=AT)
    assert not PersonStatus.objects.filter(pk=missing + 1000).exists()


def _submit(world: World, **answers: object) -> object:
    from parkguard.health import services
    from parkguard.orgs.access import scope_for_user

    user = world.users["a1_employee"]
    fields: dict[str, object] = {
        "temperature": "36.5",
        "symptoms": [],
        "case_contact": False,
        "household_travel": False,
        "household_travel_note": "",
        "code_colour": "green",
    }
    fields.update(answers)
    return services.declaration_submit(
        scope=scope_for_user(user),
        person=world.a1_employee_person,
        at=DECLARED_AT,
        by=user,
        **fields,  # type: ignore[arg-type]
    )


def test_a_second_tab_that_lost_the_race_is_refused_and_writes_nothing(
    health_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both tabs passed the once-a-day check before either wrote: the one-per-day constraint
    keeps the first, the second gets the same refusal and no row of its own."""
    from parkguard.health import services

    _submit(health_world, temperature="36.5")
    monkeypatch.setattr(services, "_declared", lambda **_: False)  # the check saw no row yet
    with pytest.raises(ValidationError) as caught:
        _submit(health_world, temperature="38.5", household_travel=True)
    # The other error is said too; the once-a-day one comes from the INSERT's refusal.
    assert caught.value.message_dict == {"household_travel_note": [services.TRAVEL_NOTE_REQUIRED]}
    with pytest.raises(ValidationError) as caught:
        _submit(health_world, temperature="38.5")
    assert caught.value.message_dict == {"__all__": [services.DECLARATION_TWICE]}
    [kept] = Declaration.objects.filter(person=health_world.a1_employee_person)
    assert str(kept.temperature) == "36.5"
    assert not Alert.objects.filter(person=health_world.a1_employee_person).exists()


def test_a_second_declaration_with_another_error_is_told_both(health_world: World) -> None:
    from parkguard.health import services

    _submit(health_world)
    with pytest.raises(ValidationError) as caught:
        _submit(health_world, temperature="abc")
    assert caught.value.message_dict == {
        "temperature": [services.TEMPERATURE_NOT_NUMBER],
        "__all__": [services.DECLARATION_TWICE],
    }
    assert Declaration.objects.filter(person=health_world.a1_employee_person).count() == 1
