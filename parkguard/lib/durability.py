"""A transaction whose commit does not wait for the disk: the gate's check (docs/gate.md,
"Durability").

PostgreSQL: `SET LOCAL synchronous_commit = off` for this one transaction. The commit returns
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
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        yield


F = TypeVar("F", bound=Callable[..., Any])


def atomic_relaxed(func: F) -> F:
    """`@transaction.atomic` with `commit_relaxed`'s commit, for a service."""

    @functools.wraps(func)
    def inner(*args: Any, **kwargs: Any) -> Any:
        with commit_relaxed():
            return func(*args, **kwargs)

    return cast(F, inner)
