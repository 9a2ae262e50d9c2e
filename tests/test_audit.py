"""The audit log is append-only and hash-chained: an edit anywhere shows."""

from __future__ import annotations

import datetime as dt

import pytest

from parkguard.audit.models import AuditEvent
from parkguard.audit.services import audit_record, audit_verify

AT = dt.datetime(2022, 11, 15, 9, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
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
