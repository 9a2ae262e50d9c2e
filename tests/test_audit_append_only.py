"""On PostgreSQL the database refuses to edit or delete an audit event (issue 18 §1).

The application's own connection is the attacker here: a bug or an injected query that
tries UPDATE or DELETE fails, and the row is intact afterwards. The one change allowed is
Django's SET NULL when a user is deleted, and the chain still verifies after it.
Requirement: Z-6 (oversight relies on records nobody can quietly change).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction

from parkguard.audit import services
from parkguard.audit.models import AuditEvent
from parkguard.audit.services import audit_check, audit_record
from tests.factories import make_user

AT = dt.datetime(2022, 11, 15, 9, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="只有 PostgreSQL 由数据库触发器拒绝修改审计记录"
)


def _event() -> AuditEvent:
    return audit_record(actor=make_user("auditor"), action="id_reveal", at=AT, reason="核对")


@postgresql_only
def test_the_database_refuses_an_update_and_the_row_is_intact() -> None:
    event = _event()
    with pytest.raises(DatabaseError, match="审计记录只可追加"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="改过的事由")
    assert AuditEvent.objects.get(pk=event.pk).reason == "核对"
    assert audit_check() is None


@postgresql_only
def test_the_database_refuses_a_delete_and_the_row_is_still_there() -> None:
    event = _event()
    with pytest.raises(DatabaseError, match="审计记录只可追加"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk, digest=event.digest).exists()


@postgresql_only
def test_a_missing_trigger_is_reported_by_verify() -> None:
    _event()
    assert services.append_only_enforced()
    with connection.cursor() as cursor:  # rolled back with the test's transaction
        cursor.execute("DROP TRIGGER audit_append_only ON audit_auditevent")
    finding = audit_check()
    assert finding is not None and finding.kind == services.UNPROTECTED


def test_deleting_the_actor_keeps_the_recorded_id_and_the_chain() -> None:
    """Allowed on every database: Django's SET NULL, with the actor id kept in the chain."""
    event = _event()
    actor_id = event.actor_id
    event.actor.delete()  # type: ignore[union-attr]
    event.refresh_from_db()
    assert event.actor_id is None and event.actor_id_ref == actor_id
    assert audit_check() is None
