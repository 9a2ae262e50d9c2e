"""Many rows in and many rows changed, through PostgreSQL's COPY (docs/mobility.md, "Speed").

A policy change writes tens of thousands of plans, duties and status rows. Django's
`bulk_create` builds one multi-row INSERT with a parameter per value, and `bulk_update` one
`CASE WHEN pk = … THEN …` per column per batch, which PostgreSQL must parse and plan per row.
Here, on PostgreSQL and past `THRESHOLD` rows:

- `bulk_insert` takes the new ids from the table's sequence in one
  `SELECT nextval(…) FROM generate_series(…)`, sets them on the objects, and streams the rows,
  ids included, with `COPY … FROM STDIN`;
- `bulk_set` streams the primary keys and the new values into a temporary table with COPY and
  changes the table in one `UPDATE … FROM`.

The values are the fields' own (`pre_save`, `get_db_prep_save`, as Django's INSERT has them)
and psycopg's `Copy.write_row` encodes them (JSON, time zones, NULL, tabs, newlines and
backslashes in text): nothing is formatted by hand. Below the threshold, and on SQLite, the
ORM's `bulk_create` and `bulk_update` do it. No signals are sent, as with those.

A COPY is logged in `connection.queries_log` like any other statement, so query counts
(`CaptureQueriesContext`) see it.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.db import connections, transaction
from django.db.models import NOT_PROVIDED, AutoField, BigAutoField, Field, Model, SmallAutoField

M = TypeVar("M", bound=Model)

# Fewer rows than this go through the ORM: a COPY (and, for an update, a temporary table)
# costs a few round trips of its own that a small batch does not earn back.
THRESHOLD = 200
# Rows per statement for the ORM's path (SQLite takes at most 999 parameters a statement;
# Django lowers it further there by itself).
BATCH = 1000

_AUTO = (AutoField, BigAutoField, SmallAutoField)
_names = itertools.count(1)


def _copying(connection: Any, count: int) -> bool:
    return bool(connection.vendor == "postgresql" and count >= THRESHOLD)


def _log(connection: Any, sql: str, start: float) -> None:
    if connection.queries_logged:
        connection.queries_log.append(
            {"sql": sql, "time": f"{time.monotonic() - start:.3f}", "copy": True}
        )


def _copy(connection: Any, sql: str, rows: Iterable[Sequence[Any]]) -> None:
    """`COPY … FROM STDIN` of `rows` on the connection's psycopg cursor."""
    start = time.monotonic()
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(sql) as copy,
    ):
        for row in rows:
            copy.write_row(row)
    _log(connection, sql, start)


def bulk_insert(model: type[M], rows: Iterable[M], *, using: str = "default") -> list[M]:
    """Insert new `rows` of `model`; each object comes back with its primary key set.

    PostgreSQL, `THRESHOLD` rows or more: ids from the sequence, then one COPY. Otherwise
    `bulk_create`. Models with parents (multi-table inheritance) or database defaults take
    the ORM's path.
    """
    objs = list(rows)
    connection = connections[using]
    meta = model._meta
    fields = [f for f in meta.concrete_fields if f.generated is False]
    simple = not meta.parents and all(f.db_default is NOT_PROVIDED for f in fields)
    if not (simple and _copying(connection, len(objs))):
        return model._default_manager.using(using).bulk_create(objs, batch_size=BATCH)
    for obj in objs:
        # As bulk_create: a related object saved after this one was built gives its id now.
        obj._prepare_related_fields_for_save(operation_name="bulk_insert")  # type: ignore[attr-defined]
    quote = connection.ops.quote_name
    pk = meta.pk
    assert pk is not None
    table = quote(meta.db_table)
    if isinstance(pk, _AUTO) and all(obj.pk is None for obj in objs):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s) "
                "ORDER BY 1",
                [meta.db_table, pk.column, len(objs)],
            )
            ids = [row[0] for row in cursor.fetchall()]
        for obj, pk_value in zip(objs, ids, strict=True):
            obj.pk = pk_value
    elif any(obj.pk is None for obj in objs):
        raise ValueError("bulk_insert: give every row a primary key, or none")
    columns = ", ".join(quote(str(f.column)) for f in fields)
    _copy(
        connection,
        f"COPY {table} ({columns}) FROM STDIN",
        ([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in objs),
    )
    for obj in objs:
        obj._state.adding = False
        obj._state.db = using
    return objs


def bulk_set(
    model: type[M], objs: Iterable[M], fields: Sequence[str], *, using: str = "default"
) -> int:
    """Write `fields` of these saved objects to their rows; returns the rows matched.

    PostgreSQL, `THRESHOLD` objects or more: the keys and values COPied into a temporary
    table, then one `UPDATE … FROM` (an object given twice: its last state). Otherwise
    `bulk_update`.
    """
    items = list(objs)
    if not fields:
        raise ValueError("bulk_set: no fields")
    if any(obj.pk is None for obj in items):
        raise ValueError("bulk_set: every object must have a primary key")
    connection = connections[using]
    if not _copying(connection, len(items)):
        if not items:
            return 0
        return model._default_manager.using(using).bulk_update(items, fields, batch_size=BATCH)
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    chosen: list[Field[Any, Any]] = []
    for name in fields:
        f = meta.get_field(name)
        if not isinstance(f, Field) or not f.concrete or f.primary_key or f.many_to_many:
            raise ValueError(f"bulk_set: {name} is not a column of {meta.label} to set")
        chosen.append(f)
    for obj in items:
        obj._prepare_related_fields_for_save(  # type: ignore[attr-defined]
            operation_name="bulk_set", fields=[f for f in chosen if f.is_relation]
        )
    last = {obj.pk: obj for obj in items}
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    # The counter first: PostgreSQL cuts a name at 63 bytes, the table's name may be long.
    temp = quote(f"bulk_set_{next(_names)}_{meta.db_table}"[:63])
    key = quote(str(pk.column))
    columns = [quote(str(f.column)) for f in chosen]
    listed = ", ".join([key, *columns])
    assignments = ", ".join(f"{c} = s.{c}" for c in columns)
    # savepoint=False: inside the caller's transaction no savepoint round trips; outside one,
    # a transaction of its own so that ON COMMIT DROP keeps the temporary table till the end.
    with transaction.atomic(using=using, savepoint=False):
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS "
                f"SELECT {listed} FROM {table} WITH NO DATA"
            )
        _copy(
            connection,
            f"COPY {temp} ({listed}) FROM STDIN",
            (
                [
                    pk.get_db_prep_save(pk_value, connection),
                    *(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in chosen),
                ]
                for pk_value, obj in last.items()
            ),
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS t SET {assignments} FROM {temp} AS s WHERE t.{key} = s.{key}"
            )
            matched = int(cursor.rowcount)
            cursor.execute(f"DROP TABLE {temp}")
    return matched
