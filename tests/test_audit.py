"""The audit log is append-only and hash-chained: an edit anywhere shows."""

from __future__ import annotations

import datetime as dt

import pytest

from parkguard.audit.models import AuditEvent
from parkguard.audit.services import audit_record, audit_verify

AT = dt.datetime(2022, 11, 15, 9, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
@pytest.mark.usefixtures("audit_tamperable")
def test_it_chains_events_and_detects_tampering() -> None:
    first = audit_record(actor=None, action="id_reveal", at=AT, reason="核对身份")
    second = audit_record(actor=None, action="export", at=AT, detail={"rows": 3})
    assert second.prev_digest == first.digest
    assert audit_verify() is None
    AuditEvent.objects.filter(pk=first.pk).update(reason="改过的事由")
    assert audit_verify() == first.pk


@pytest.mark.django_db
def test_it_refuses_to_rewrite_or_delete_an_event() -> None:
    event = audit_record(actor=None, action="login", at=AT)
    event.reason = "x"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


@pytest.mark.django_db(transaction=True)
def test_it_keeps_one_chain_under_concurrent_writers() -> None:
    """Several writers at once still form a single unbroken chain."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    if connection.vendor != "postgresql":
        # The test database on SQLite is one in-memory file shared by threads, which locks
        # whole tables; SQLite's IMMEDIATE transactions serialise writers by design.
        pytest.skip("concurrent writers are exercised on PostgreSQL")

    def write(n: int) -> None:
        try:
            for i in range(5):
                audit_record(actor=None, action="export", at=AT, detail={"w": n, "i": i})
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(write, range(4)))
    assert AuditEvent.objects.count() == 20
    assert audit_verify() is None
    prevs = list(AuditEvent.objects.values_list("prev_digest", flat=True))
    assert len(prevs) == len(set(prevs))
