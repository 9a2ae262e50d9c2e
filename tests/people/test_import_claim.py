"""Whoever claims a staff-import merge runs it; a second start of the same merge gets nothing
and writes nothing (issue 18, Tests: "no job runs twice"; the queue's lease may put a job back).

The merge starts with one conditional UPDATE of its batch (APPLYING, not cancelled; renews the
lease; `parkguard/people/importing/staging.py`), which holds the row to the commit that turns
the batch DONE. A second merge after the first claims nothing (both databases); on PostgreSQL a
second merge started while the first runs waits at its claim, then claims nothing.
Requirement: Z-5.2a (the ledger import is all-or-nothing, and happens once).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone

from parkguard.audit.models import AuditEvent
from parkguard.people.choices import ImportStatus
from parkguard.people.importing import jobs as people_jobs
from parkguard.people.importing import staging
from parkguard.people.models import Person, PersonImport
from tests.factories import World
from tests.people import sheets as build

TODAY = dt.date(2022, 11, 15)
WAIT = 30.0  # seconds any one wait may take (a bound, not a timing)


Clients = Callable[[str | None], Client]


def _applying(world: World, client_as: Clients) -> PersonImport:
    """A checked staff import of three new people, confirmed (APPLYING), its merge not run."""
    client = client_as("a1_officer")
    response = client.post(
        f"/enterprises/{world.a1.pk}/people/import/",
        {"file": SimpleUploadedFile("台账.csv", build.csv([build.row(n) for n in (1, 2, 3)]))},
    )
    assert response.status_code == 302
    batch = PersonImport.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert batch.status == ImportStatus.READY
    now = timezone.now()
    PersonImport.objects.filter(pk=batch.pk).update(
        status=ImportStatus.APPLYING, lease_until=now + dt.timedelta(minutes=2)
    )
    return batch


def _people_written(world: World) -> list[Any]:
    return [
        list(Person.objects.filter(enterprise=world.a1).order_by("pk").values_list("pk", "name")),
        list(PersonImport.objects.order_by("pk").values_list("pk", "status", "finished_at")),
        AuditEvent.objects.filter(action="person_import").count(),
    ]


def test_a_second_merge_of_one_staff_import_writes_nothing(
    world: World, client_as: Clients
) -> None:
    batch = _applying(world, client_as)
    before = Person.objects.filter(enterprise=world.a1).count()
    actor = world.users["a1_officer"].pk
    people_jobs.person_import_apply(batch_id=batch.pk, actor_id=actor, today=TODAY)
    batch.refresh_from_db()
    assert (batch.status, batch.create_count) == (ImportStatus.DONE, 3)
    merged = _people_written(world)
    assert len(merged[0]) == before + 3 and merged[2] == 1

    # The same job again (the queue's lease put it back): it claims nothing, writes nothing.
    people_jobs.person_import_apply(batch_id=batch.pk, actor_id=actor, today=TODAY)
    assert _people_written(world) == merged


@pytest.mark.django_db(transaction=True)
def test_a_merge_started_while_another_runs_waits_and_then_claims_nothing(
    world: World, client_as: Clients, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL, two connections: the first merge is stopped inside its transaction (the
    ledger written, not committed); the second blocks at its claim on the batch's row; the
    first commits; the second then finds the batch DONE and writes nothing."""
    if connection.vendor != "postgresql":
        pytest.skip("really at once on PostgreSQL (SQLite's IMMEDIATE writers take turns)")
    batch = _applying(world, client_as)
    actor = world.users["a1_officer"].pk
    before = Person.objects.filter(enterprise=world.a1).count()
    inside, go = threading.Event(), threading.Event()

    def stop_the_first(name: str) -> None:
        if name == "person_import_merge" and not inside.is_set():
            inside.set()
            assert go.wait(timeout=WAIT)

    monkeypatch.setattr(staging, "fault_point", stop_the_first)
    errors: list[BaseException] = []

    def merge() -> None:
        try:
            people_jobs.person_import_apply(batch_id=batch.pk, actor_id=actor, today=TODAY)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    first = threading.Thread(target=merge)
    first.start()
    assert inside.wait(timeout=WAIT)
    second = threading.Thread(target=merge)
    second.start()
    # The second merge waits on the first's row lock (no sleep: look until it is seen waiting).
    deadline = timezone.now() + dt.timedelta(seconds=WAIT)
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0] >= 1:
                break
            assert timezone.now() < deadline, "the second merge never waited for the first"
            time.sleep(0.01)
    go.set()
    first.join(timeout=WAIT)
    second.join(timeout=WAIT)
    assert not first.is_alive() and not second.is_alive()
    assert errors == []
    batch.refresh_from_db()
    assert (batch.status, batch.create_count) == (ImportStatus.DONE, 3)
    assert Person.objects.filter(enterprise=world.a1).count() == before + 3
    assert AuditEvent.objects.filter(action="person_import").count() == 1
