"""Imports that get stuck (issue 8, item 7): leases, recovery, a real cancel, purging.

A batch whose worker died must not stay "validating" or "applying" for ever; cancel must
stop a running job with nothing applied; uploads and staged rows of finished batches go.
Requirement: Z-5.2a (the ledger import) — all-or-nothing holds through every one of these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from parkguard.orgs.access import Scope, scope_for_user
from parkguard.people import tasks
from parkguard.people.choices import ImportStatus
from parkguard.people.importing import checker, jobs, messages
from parkguard.people.models import Person, PersonImport, PersonImportRow
from tests.factories import World
from tests.people import sheets as build
from tests.people.sheets import row
from tests.people.uploads import ledger_upload

Clients = Callable[[str | None], Client]
TODAY = dt.date(2022, 11, 15)


def _queued(world: World, client_as: Clients, monkeypatch: pytest.MonkeyPatch) -> PersonImport:
    """A background batch whose job was never run (the enqueue waits for a commit)."""
    monkeypatch.setattr(jobs, "BACKGROUND_FROM_ROWS", 1)
    batch = ledger_upload(
        client_as("a1_officer"), world, build.csv([row(n) for n in range(1, 13)]), "台账.csv"
    )
    assert batch.status == ImportStatus.QUEUED and bytes(batch.payload)
    return batch


def _ready(world: World, client_as: Clients) -> PersonImport:
    batch = ledger_upload(
        client_as("a1_officer"), world, build.csv([row(1), row(2), row(3)]), "台账.csv"
    )
    assert batch.status == ImportStatus.READY and batch.rows.count() == 3
    return batch


def _died(batch: PersonImport, status: ImportStatus) -> None:
    """What a worker that died leaves: a running status and a lease in the past."""
    PersonImport.objects.filter(pk=batch.pk).update(
        status=status, lease_until=timezone.now() - dt.timedelta(minutes=5)
    )


def _officer(world: World) -> Scope:
    return scope_for_user(world.users["a1_officer"])


def _a1_people() -> int:
    return Person.objects.filter(enterprise__name="甲一精工有限公司").count()


def test_a_check_whose_worker_died_is_queued_again_and_then_checked(
    world: World,
    client_as: Clients,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    batch = _queued(world, client_as, monkeypatch)
    _died(batch, ImportStatus.VALIDATING)
    with django_capture_on_commit_callbacks(execute=True) as enqueued:
        assert jobs.person_import_recover(now=timezone.now()) == 1
    assert len(enqueued) == 1  # the check job was queued once more, and ran (huey immediate)
    batch.refresh_from_db()
    assert (batch.status, batch.attempts, batch.create_count) == (ImportStatus.READY, 2, 12)
    assert batch.message == messages.CHECK_REQUEUED and bytes(batch.payload) == b""


def test_a_check_whose_worker_died_twice_fails_with_a_reason_and_keeps_nothing(
    world: World,
    client_as: Clients,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    batch = _queued(world, client_as, monkeypatch)
    PersonImport.objects.filter(pk=batch.pk).update(attempts=jobs.MAX_ATTEMPTS)
    _died(batch, ImportStatus.VALIDATING)
    with django_capture_on_commit_callbacks(execute=True) as enqueued:
        jobs.person_import_recover(now=timezone.now())
    assert enqueued == []
    batch.refresh_from_db()
    assert (batch.status, batch.message) == (ImportStatus.FAILED, messages.CHECK_STALLED)
    assert bytes(batch.payload) == b"" and batch.lease_until is None
    assert batch.finished_at is not None


def test_a_check_whose_request_died_fails_when_its_page_is_opened(
    world: World, client_as: Clients
) -> None:
    """An inline check keeps no upload to retry: opening the page fails it (on access)."""
    batch = PersonImport.objects.create(enterprise=world.a1, filename="a.csv")
    _died(batch, ImportStatus.VALIDATING)
    page = client_as("a1_officer").get(f"/imports/{batch.pk}/").content.decode()
    batch.refresh_from_db()
    assert (batch.status, batch.message) == (ImportStatus.FAILED, messages.CHECK_STALLED)
    assert messages.CHECK_STALLED in page


def test_a_merge_whose_worker_died_goes_back_to_ready_with_nothing_written(
    world: World, client_as: Clients
) -> None:
    """The merge is one transaction: a dead worker wrote nothing; confirming again works."""
    batch = _ready(world, client_as)
    before = _a1_people()
    _died(batch, ImportStatus.APPLYING)
    client = client_as("a1_officer")
    api = client.get(f"/api/v1/imports/{batch.pk}").json()  # on access, through the API too
    assert api["status"] == ImportStatus.READY
    batch.refresh_from_db()
    assert (batch.status, batch.message) == (ImportStatus.READY, messages.APPLY_STALLED)
    assert batch.rows.count() == 3 and _a1_people() == before
    client.post(f"/imports/{batch.pk}/confirm/")
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE and _a1_people() == before + 3


def test_a_live_lease_is_left_alone(world: World, client_as: Clients) -> None:
    batch = _ready(world, client_as)
    PersonImport.objects.filter(pk=batch.pk).update(
        status=ImportStatus.APPLYING, lease_until=timezone.now() + dt.timedelta(minutes=1)
    )
    assert jobs.person_import_recover(now=timezone.now()) == 0
    batch.refresh_from_db()
    assert batch.status == ImportStatus.APPLYING and batch.rows.count() == 3


def test_the_periodic_task_recovers_and_purges(world: World, client_as: Clients) -> None:
    batch = _ready(world, client_as)
    _died(batch, ImportStatus.APPLYING)
    tasks.person_import_housekeeping_task()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.READY


def test_cancelling_a_validating_batch_stops_its_job_between_chunks(
    world: World, client_as: Clients, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The job sees the cancel at its next heartbeat, stops, and stages nothing."""
    batch = _queued(world, client_as, monkeypatch)
    monkeypatch.setattr(checker, "PROGRESS_EVERY", 3)
    beats: list[int] = []
    heartbeat = jobs._heartbeat
    said: list[str] = []

    def cancelling_heartbeat(batch_id: int) -> Callable[[int, int], None]:
        beat = heartbeat(batch_id)

        def spy(done: int, total: int) -> None:
            beats.append(done)
            if done == 3:  # the officer presses cancel while rows 4.. wait to be checked
                batch = PersonImport.objects.get(pk=batch_id)
                said.append(jobs.person_import_cancel(scope=_officer(world), batch=batch))
            beat(done, total)

        return spy

    monkeypatch.setattr(jobs, "_heartbeat", cancelling_heartbeat)
    jobs.person_import_check_job(batch_id=batch.pk, kind="csv", today=TODAY)
    assert said == [messages.CANCEL_REQUESTED]
    assert beats == [0, 3], "the check went on after the cancel"
    batch.refresh_from_db()
    assert (batch.status, batch.message) == (ImportStatus.CANCELLED, messages.CANCELLED)
    assert bytes(batch.payload) == b"" and not PersonImportRow.objects.filter(batch=batch).exists()
    assert batch.create_count == 0


def test_cancelling_a_validating_batch_on_the_page_flags_it(
    world: World, client_as: Clients
) -> None:
    batch = PersonImport.objects.create(
        enterprise=world.a1,
        filename="a.csv",
        status=ImportStatus.VALIDATING,
        lease_until=timezone.now() + dt.timedelta(minutes=1),
    )
    response = client_as("a1_officer").post(f"/imports/{batch.pk}/cancel/", follow=True)
    assert messages.CANCEL_REQUESTED in response.content.decode()
    batch.refresh_from_db()
    assert batch.cancel_requested and batch.status == ImportStatus.VALIDATING


def test_cancelling_an_applying_batch_before_its_merge_applies_nothing(
    world: World, client_as: Clients
) -> None:
    """Confirmed, merge job not yet run: the cancel lands first, the merge refuses to start."""
    batch = _ready(world, client_as)
    before = _a1_people()
    PersonImport.objects.filter(pk=batch.pk).update(
        status=ImportStatus.APPLYING, lease_until=timezone.now() + dt.timedelta(minutes=1)
    )
    response = client_as("a1_officer").post(f"/imports/{batch.pk}/cancel/", follow=True)
    assert messages.CANCEL_REQUESTED in response.content.decode()
    jobs.person_import_apply(batch_id=batch.pk, actor_id=None, today=TODAY)  # the job runs
    batch.refresh_from_db()
    assert (batch.status, batch.message) == (ImportStatus.CANCELLED, messages.CANCELLED)
    assert _a1_people() == before and not PersonImportRow.objects.filter(batch=batch).exists()


def test_a_cancelled_batch_whose_worker_died_ends_cancelled(
    world: World, client_as: Clients
) -> None:
    batch = _ready(world, client_as)
    PersonImport.objects.filter(pk=batch.pk).update(cancel_requested=True)
    _died(batch, ImportStatus.APPLYING)
    jobs.person_import_recover(now=timezone.now())
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CANCELLED
    assert not PersonImportRow.objects.filter(batch=batch).exists()


def test_a_finished_batch_cannot_be_cancelled(world: World, client_as: Clients) -> None:
    batch = _ready(world, client_as)
    client = client_as("a1_officer")
    client.post(f"/imports/{batch.pk}/confirm/")
    assert (
        jobs.person_import_cancel(scope=_officer(world), batch=batch) == messages.CANCEL_NOT_PENDING
    )
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE


@pytest.mark.parametrize("persona", ["a1_employee", "a1_leader", "liaison_a", "park_b_admin"])
def test_the_import_services_refuse_those_who_may_not_import(
    world: World, client_as: Clients, persona: str
) -> None:
    """The services decide (access.require "import"), not only the views."""
    from django.core.exceptions import PermissionDenied

    batch = _ready(world, client_as)
    scope = scope_for_user(world.users[persona])
    with pytest.raises(PermissionDenied):
        jobs.person_import_cancel(scope=scope, batch=batch)
    with pytest.raises(PermissionDenied):
        jobs.person_import_confirm(
            scope=scope, batch=batch, actor=world.users[persona], today=TODAY
        )
    with pytest.raises(PermissionDenied):
        jobs.person_import_start(
            scope=scope,
            enterprise=world.a1,
            actor=world.users[persona],
            filename="a.csv",
            data=build.csv([row(9)]),
            today=TODAY,
        )
    batch.refresh_from_db()
    assert (batch.status, batch.cancel_requested) == (ImportStatus.READY, False)
    assert batch.rows.count() == 3 and PersonImport.objects.count() == 1


def test_purge_leaves_no_upload_and_no_staged_rows_of_finished_batches(
    world: World, client_as: Clients
) -> None:
    """What a crash could leave behind (uploads, staged rows of finished batches) is dropped;
    a batch still waiting for its confirmation keeps its rows, until it is stale."""
    finished = {}
    for status in (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.CANCELLED):
        batch = _ready(world, client_as)
        PersonImport.objects.filter(pk=batch.pk).update(status=status, payload=b"ciphertext")
        finished[status] = batch
    waiting = _ready(world, client_as)
    stale = _ready(world, client_as)
    now = timezone.now()
    PersonImport.objects.filter(pk=stale.pk).update(heartbeat_at=now - dt.timedelta(days=2))

    uploads, rows = jobs.person_import_purge(now=now)

    assert (uploads, rows) == (3, 12)
    for batch in finished.values():
        batch.refresh_from_db()
        assert bytes(batch.payload) == b"" and batch.rows.count() == 0
    waiting.refresh_from_db()
    assert waiting.status == ImportStatus.READY and waiting.rows.count() == 3
    stale.refresh_from_db()
    assert stale.status == ImportStatus.CANCELLED and stale.rows.count() == 0
    assert stale.message == messages.READY_EXPIRED.format(hours=24)


def test_a_failed_merge_drops_its_staged_rows(world: World, client_as: Clients) -> None:
    """Purge on completion: a merge that fails (here: a person added since the preview
    makes the counts disagree) writes nothing and keeps no staged rows."""
    batch = _ready(world, client_as)
    before = _a1_people()
    PersonImport.objects.filter(pk=batch.pk).update(create_count=2)  # the ledger moved
    client_as("a1_officer").post(f"/imports/{batch.pk}/confirm/")
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert batch.rows.count() == 0 and _a1_people() == before


@pytest.mark.django_db(transaction=True)
def test_a_cancel_during_a_running_merge_is_refused_and_the_recovery_leaves_it_alone(
    world: World, client_as: Clients
) -> None:
    """A merge holds its batch's row lock to the end: the cancel says it is too late (nothing
    half-done either way) and the recovery skips the locked row even past its lease."""
    import threading

    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("row locks between connections are exercised on PostgreSQL")
    batch = _ready(world, client_as)
    PersonImport.objects.filter(pk=batch.pk).update(
        status=ImportStatus.APPLYING, lease_until=timezone.now() - dt.timedelta(minutes=5)
    )
    locked, release = threading.Event(), threading.Event()

    def merging() -> None:
        try:
            with transaction.atomic():
                PersonImport.objects.select_for_update().get(pk=batch.pk)
                locked.set()
                release.wait(timeout=60)
        finally:
            connection.close()

    worker = threading.Thread(target=merging)
    worker.start()
    try:
        assert locked.wait(timeout=60)
        assert (
            jobs.person_import_cancel(scope=_officer(world), batch=batch)
            == messages.CANCEL_TOO_LATE
        )
        assert jobs.person_import_recover(now=timezone.now()) == 0
    finally:
        release.set()
        worker.join()
    batch.refresh_from_db()
    assert (batch.status, batch.cancel_requested) == (ImportStatus.APPLYING, False)
    assert batch.rows.count() == 3
