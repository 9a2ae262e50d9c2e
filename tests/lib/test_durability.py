"""`lib.durability.commit_relaxed`: the gate check's transaction commits without waiting for
the disk, and only that transaction (docs/gate.md, "Durability")."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from parkguard.lib.durability import commit_relaxed

# synchronous_commit on PostgreSQL; PRAGMA synchronous on SQLite (1 NORMAL, 2 FULL).
RELAXED = {"postgresql": "off", "sqlite": "1"}
DURABLE = {"postgresql": "on", "sqlite": "2"}


def _setting() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW synchronous_commit")
        else:
            cursor.execute("PRAGMA synchronous")
        return str(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_it_relaxes_its_own_transaction_and_restores_the_connection() -> None:
    assert _setting() == DURABLE[connection.vendor]
    with commit_relaxed():
        assert connection.in_atomic_block
        assert _setting() == RELAXED[connection.vendor]
    assert not connection.in_atomic_block
    assert _setting() == DURABLE[connection.vendor]


@pytest.mark.django_db(transaction=True)
def test_it_restores_the_connection_after_a_rollback() -> None:
    with pytest.raises(ZeroDivisionError), commit_relaxed():
        _ = 1 / 0
    assert not connection.in_atomic_block
    assert _setting() == DURABLE[connection.vendor]


@pytest.mark.django_db(transaction=True)
def test_it_leaves_an_outer_transaction_as_it_is() -> None:
    with transaction.atomic():
        with commit_relaxed():
            assert _setting() == DURABLE[connection.vendor]
        assert connection.in_atomic_block
    assert _setting() == DURABLE[connection.vendor]
