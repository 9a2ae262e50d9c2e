"""Whoever claims a lab import runs it; a second start of the same job gets nothing and writes
nothing (issue 18, Tests: "no job runs twice"; the queue's lease may put a job back).

The start is one conditional UPDATE, `result_import_claim` (QUEUED → RUNNING with a fresh
lease, `parkguard/sampling/jobs.py`), not a read and then a write. On both databases a second
delivery that passed the early check in the window a read-then-write leaves open claims
nothing; on PostgreSQL two claims really run at once (threads, each its own connection).
The staff-import merge's claim: tests/people/test_import_claim.py.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from parkguard.audit.models import AuditEvent
from parkguard.people.identity import payload_cipher
from parkguard.sampling import importing, jobs, services
from parkguard.sampling.choices import ImportState, SampleKind
from parkguard.sampling.models import ResultImport, Sample
from parkguard.status.models import PersonStatus
from tests.sampling.conftest import AT, LabDay

WAIT = 30.0  # seconds any one wait may take (a bound, not a timing)


def _queued_lab_file(t: LabDay) -> ResultImport:
    """A lab file queued as a large upload is (encrypted, QUEUED, leased), its job not run."""
    for i, person in enumerate(t.staff[:3]):
        services.sample_take(
            scope=t.officer(),
            round=t.round,
            barcode=f"C{i:04d}",
            kind=SampleKind.SINGLE,
            person_ids=[person.pk],
            at=AT,
            by=None,
        )
    body = "条码号,检测结果,采样时间\n" + "".join(
        f"C{i:04d},阴性,2022-11-16 08:30\n" for i in range(3)
    )
    return ResultImport.objects.create(
        lab=t.lab,
        enterprise=t.world.a1,
        filename="结果.csv",
        dry_run=False,
        state=ImportState.QUEUED,
        rows_total=3,
        created_by=t.world.users["a1_officer"],
        created_at=timezone.now(),
        lease_until=importing.lease(timezone.now()),
        data=payload_cipher().encrypt(body.encode()),
    )


def _lab_written() -> list[Any]:
    """What a lab import writes: samples, statuses, imports and their audit entries."""
    return [
        list(Sample.objects.order_by("pk").values_list("pk", "result", "result_at")),
        list(
            PersonStatus.objects.order_by("pk").values_list(
                "pk", "latest_negative_at", "pending_results"
            )
        ),
        list(
            ResultImport.objects.order_by("pk").values_list(
                "pk", "state", "written", "lease_until", "finished_at"
            )
        ),
        AuditEvent.objects.filter(action="sampling.results_import").count(),
    ]


@pytest.mark.django_db
def test_a_claimed_lab_import_cannot_be_claimed_again(lab_day: LabDay) -> None:
    batch = _queued_lab_file(lab_day)
    assert jobs.result_import_claim(batch.pk) is True
    batch.refresh_from_db()
    assert batch.state == ImportState.RUNNING
    held = _lab_written()
    assert jobs.result_import_claim(batch.pk) is False  # the second claim gets nothing
    assert _lab_written() == held  # and writes nothing (not even the lease)


@pytest.mark.django_db
def test_a_second_start_of_a_lab_import_in_the_window_writes_nothing(
    lab_day: LabDay, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two deliveries of one job, the second inside the first's window between its check
    (QUEUED) and its start: the second runs the import; the first then claims nothing."""
    batch = _queued_lab_file(lab_day)
    actor = lab_day.world.users["a1_officer"].pk
    cipher = payload_cipher()
    decrypt = type(cipher).decrypt
    seen: dict[str, Any] = {}

    def decrypt_and_let_the_other_delivery_run(self: Any, token: bytes) -> bytes:
        if not seen:  # the first delivery has seen QUEUED and not yet claimed it
            seen["before"] = _lab_written()
            jobs.result_import_job(batch_id=batch.pk, actor_id=actor)
            seen["after_second"] = _lab_written()
        return bytes(decrypt(self, token))

    monkeypatch.setattr(type(cipher), "decrypt", decrypt_and_let_the_other_delivery_run)
    jobs.result_import_job(batch_id=batch.pk, actor_id=actor)

    batch.refresh_from_db()
    assert (batch.state, batch.written) == (ImportState.DONE, 3)
    assert seen["after_second"] != seen["before"]  # the delivery that claimed it wrote
    assert _lab_written() == seen["after_second"]  # the one that lost the claim wrote nothing
    assert AuditEvent.objects.filter(action="sampling.results_import").count() == 1
    assert Sample.objects.filter(result_import=batch).count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_one_lab_import_at_once_one_wins(lab_day: LabDay) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("really at once on PostgreSQL (SQLite's IMMEDIATE writers take turns)")
    batch = _queued_lab_file(lab_day)
    start = threading.Barrier(2)

    def claim() -> bool:
        try:
            start.wait(timeout=WAIT)
            return jobs.result_import_claim(batch.pk)
        finally:
            connection.close()

    results: list[bool] = []
    threads = [threading.Thread(target=lambda: results.append(claim())) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT)
    assert sorted(results) == [False, True]
    batch.refresh_from_db()
    assert batch.state == ImportState.RUNNING
