"""`lib.durability.commit_relaxed`: the gate check's transaction commits without waiting for
the disk, and only that transaction (docs/gate.md, "Durability")."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from parkguard.lib import hot_sql
from parkguard.lib.durability import commit_relaxed
from parkguard.orgs.models import ApiToken

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


def _token(name: str) -> ApiToken:
    return ApiToken(name=name, digest=name * 8, prefix=name)


@pytest.mark.django_db(transaction=True)
def test_it_relaxes_its_own_transaction_and_restores_the_connection() -> None:
    """The first pre-written INSERT carries the setting (PostgreSQL: no statement of its
    own); SQLite's connection is relaxed before the transaction begins."""
    assert _setting() == DURABLE[connection.vendor]
    with commit_relaxed(), CaptureQueriesContext(connection) as queries:
        assert connection.in_atomic_block
        hot_sql.insert(_token("a"))
        assert _setting() == RELAXED[connection.vendor]
        hot_sql.insert(_token("b"))  # the second one carries nothing
    assert not connection.in_atomic_block
    assert _setting() == DURABLE[connection.vendor]
    assert not [q for q in queries.captured_queries if "SET LOCAL" in q["sql"]]
    carried = [q["sql"] for q in queries.captured_queries if "set_config" in q["sql"]]
    assert len(carried) == (1 if connection.vendor == "postgresql" else 0)
    assert ApiToken.objects.filter(name__in=["a", "b"]).count() == 2


@pytest.mark.django_db(transaction=True)
def test_without_a_carrying_statement_the_setting_is_sent_before_the_commit() -> None:
    with CaptureQueriesContext(connection) as queries, commit_relaxed():
        ApiToken.objects.create(name="c", digest="c" * 8, prefix="c")  # not pre-written
    sql = [q["sql"] for q in queries.captured_queries]
    if connection.vendor == "postgresql":
        assert sql[-2:] == ["SET LOCAL synchronous_commit = off", "COMMIT"], sql
    else:
        assert sql[0] == "PRAGMA synchronous = NORMAL" and sql[-1].startswith("PRAGMA")
    assert _setting() == DURABLE[connection.vendor]
    with commit_relaxed():  # the next relaxed transaction asks again
        hot_sql.insert(_token("d"))
        assert _setting() == RELAXED[connection.vendor]


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
