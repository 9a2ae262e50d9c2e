"""A transaction whose commit does not wait for the disk: the gate's check (docs/gate.md,
"Durability").

PostgreSQL: `synchronous_commit = off` for this one transaction (`SET LOCAL`; what counts is
its value at COMMIT). To save the round trip, the first pre-written INSERT in the transaction
carries it as `set_config('synchronous_commit', 'off', true)` in its RETURNING list
(lib/hot_sql.py, `relax_take`); if none ran, `SET LOCAL` is sent on its own before the
commit. (Carried inside a savepoint that is then rolled back, the setting goes back to on:
that commit is durable, the safe side.) The commit returns
before its WAL is flushed; a crash of the database server may lose the last few hundred
milliseconds of such commits (the WAL writer flushes every `wal_writer_delay`, 200 ms by
default), never corrupts, and every other transaction keeps its durable commit.
SQLite (WAL mode): `PRAGMA synchronous = NORMAL` around this transaction, back to FULL (the
settings' value) after it. The commit is not fsynced; a power cut (not a process crash) may
roll back the last commits, and the database stays consistent.

Inside an outer transaction nothing is changed: the outer transaction decides.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, cast

from django.db import DatabaseError, connections, transaction

# The SQLite connection's normal setting (settings.py's init_command), restored afterwards.
SQLITE_DURABLE = "FULL"


# The connection attribute that marks a relaxed PostgreSQL transaction whose setting has not
# been sent yet, and the expression a statement selects to send it.
_PENDING = "parkguard_relax_pending"
RELAX_EXPRESSION = "set_config('synchronous_commit', 'off', true)"


def relax_take(connection: Any) -> bool:
    """True once in a relaxed PostgreSQL transaction whose setting is not sent yet: the
    caller's next statement (in this transaction, before the commit) selects
    RELAX_EXPRESSION. False everywhere else (SQLite, outside `commit_relaxed`)."""
    if getattr(connection, _PENDING, False):
        setattr(connection, _PENDING, False)
        return True
    return False


@contextlib.contextmanager
def commit_relaxed(using: str = "default") -> Iterator[None]:
    """`with commit_relaxed(): ...` is `transaction.atomic()` with a non-durable commit."""
    connection = connections[using]
    if connection.in_atomic_block:
        with transaction.atomic(using=using):
            yield
        return
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = NORMAL")
        try:
            with transaction.atomic(using=using):
                yield
        finally:
            # A connection too broken for this is closed and reopened with its init_command.
            with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute(f"PRAGMA synchronous = {SQLITE_DURABLE}")
        return
    with transaction.atomic(using=using):
        if connection.vendor != "postgresql":
            yield
            return
        setattr(connection, _PENDING, True)
        try:
            yield
            if relax_take(connection):  # no statement carried it: on its own, before COMMIT
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit = off")
        finally:
            setattr(connection, _PENDING, False)


F = TypeVar("F", bound=Callable[..., Any])


def atomic_relaxed(func: F) -> F:
    """`@transaction.atomic` with `commit_relaxed`'s commit, for a service."""

    @functools.wraps(func)
    def inner(*args: Any, **kwargs: Any) -> Any:
        with commit_relaxed():
            return func(*args, **kwargs)

    return cast(F, inner)
