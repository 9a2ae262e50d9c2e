"""Pre-written statements for a hot path (the gate's check, docs/gate.md "Where the time goes").

Building a query through the ORM costs about ten times as much CPU as running it: for a
statement that a path runs on every request, the text is written once per process and
connection vendor from the model's own table and columns, and the fields' own conversions
still apply (`get_db_prep_save` going in, the backend's converters and `from_db` coming out).
What comes back is an ordinary model instance, saved or loaded as the ORM would have it.

On PostgreSQL these statements are also prepared on the server (`cursor`): parsing and
planning them again on every request cost the database about as much CPU as the check's
Python (docs/gate.md, "Round five"). `PARKGUARD_DB_PREPARE=0` turns that off, e.g. behind a
connection pooler in transaction mode that cannot keep prepared statements (PgBouncer before
1.21).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

import psycopg
from django.conf import settings
from django.db import connections
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import Field, Model

from parkguard.lib import durability

M = TypeVar("M", bound=Model)

_INSERTS: dict[tuple[type[Model], str, bool], tuple[str, list[Field[Any, Any]], bool]] = {}
_SELECTS: dict[tuple[type[Model], str, str], tuple[str, list[Any], int]] = {}


_NEVER_BY_COUNT = 2**62


@contextlib.contextmanager
def cursor(using: str = "default") -> Iterator[Any]:
    """`connection.cursor()` for a hot statement: on PostgreSQL its statements are prepared on
    the server once per connection and statement text (psycopg's server-side binding); the
    cursor is still Django's wrapper (error translation, the query log of tests and debug).
    Elsewhere, or with `DB_PREPARE` off or an execute wrapper installed, the plain cursor."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not settings.DB_PREPARE or connection.execute_wrappers:
        with connection.cursor() as plain:
            yield plain
        return
    # What `connection.cursor()` does (health check, connect, wrap), with a cursor class of
    # our own on the same psycopg connection (its adapters carry the time zone).
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        psycopg_connection = connection.connection
        if psycopg_connection.prepare_threshold is None:
            # Django turns preparing off (None); psycopg then ignores `prepare=True` too. With
            # a threshold no statement reaches, only the statements asked for are prepared:
            # Django's own cursors bind on the client and never prepare.
            psycopg_connection.prepare_threshold = _NEVER_BY_COUNT
        raw = _PreparingCursor(psycopg_connection)
    connection.validate_thread_sharing()
    wrapper = _LoggedAsWritten if connection.queries_logged else CursorWrapper
    with wrapper(raw, connection) as wrapped:
        yield wrapped


class _LoggedAsWritten(CursorDebugWrapper):
    """Django's query log for a prepared statement: the statement with its parameters in
    it, as the ORM's cursor logs (Django would read it back from the cursor, which a
    prepared execution leaves empty). Only where queries are logged (tests, debug)."""

    def execute(self, sql: Any, params: Any = None) -> Any:
        with self.debug_sql(self.db.ops.compose_sql(sql, params), params):
            return self._execute_with_wrappers(sql, params, many=False, executor=self._execute)


class _PreparingCursor(psycopg.Cursor[Any]):
    """Server-side binding, every statement prepared (psycopg keeps the prepared statements
    per connection and statement text, and prepares again after a failure)."""

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        kwargs.setdefault("prepare", True)
        return super().execute(query, params, **kwargs)


def insert(obj: Model, using: str = "default") -> None:
    """`obj.save()` of a new row as one pre-written INSERT (no signals: the models this serves
    have no receivers and no history); sets the primary key and the instance's state."""
    connection = connections[using]
    model = type(obj)
    # In a relaxed transaction (lib/durability.py) the first INSERT also sends its setting.
    relax = durability.relax_take(connection)
    key = (model, connection.vendor, relax)
    cached = _INSERTS.get(key)
    if cached is None:
        quote = connection.ops.quote_name
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        columns = ", ".join(quote(str(f.column)) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        returning = bool(connection.features.can_return_columns_from_insert)
        sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"
        if returning:
            sql += f" RETURNING {quote(str(model._meta.pk.column))}"
            if relax:
                sql += f", {durability.RELAX_EXPRESSION}"
        elif relax:
            raise ValueError("hot_sql: a relaxed commit needs INSERT … RETURNING")
        cached = _INSERTS[key] = (sql, fields, returning)
    sql, fields, returning = cached
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with cursor(using) as c:
        c.execute(sql, params)
        pk = c.fetchone()[0] if returning else c.lastrowid
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = using


def _part(
    connection: Any, model: type[Model], alias: str, field_names: Sequence[str]
) -> tuple[list[str], list[str], list[Any]]:
    """Columns (through `alias`), attnames and converters of `field_names` of `model`."""
    quote = connection.ops.quote_name
    meta = model._meta
    wanted = set(field_names)
    # `from_db` takes the loaded values in the model's field order.
    fields = [f for f in meta.concrete_fields if f.name in wanted or f.attname in wanted]
    if len(fields) != len(wanted):
        raise ValueError(f"hot_sql: not concrete fields of {meta.label}: {field_names}")
    converters: list[Any] = []
    for f in fields:
        col = f.get_col(meta.db_table)
        chain = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        converters.append((col, chain))
    columns = [f"{alias}.{quote(str(f.column))}" for f in fields]
    return columns, [f.attname for f in fields], converters


def _load(
    connection: Any,
    using: str,
    model: type[Model],
    attnames: list[str],
    converters: list[Any],
    values: list[Any],
) -> Model:
    for i, (col, chain) in enumerate(converters):
        for convert in chain:
            values[i] = convert(values[i], col, connection)
    return model.from_db(using, attnames, values)


def select_one(
    model: type[M],
    field_names: Sequence[str],
    where: str,
    params: Sequence[Any],
    *,
    joins: str = "",
    extra: Sequence[str] = (),
    using: str = "default",
) -> tuple[M, tuple[Any, ...]] | None:
    """One row of `model` (only `field_names`, the rest deferred) and the values of the
    `extra` column expressions, from `SELECT … FROM <table> t <joins> WHERE <where>`.

    `where`, `joins` and `extra` are constants the caller writes once (naming the model's
    columns through `t.`, its own joins through their aliases); the statement and the fields'
    converters are built once per process per vendor."""
    found = select_joined(model, field_names, where, params, joins=joins, extra=extra, using=using)
    if found is None:
        return None
    row, _, values = found
    return row, values


def select_joined(
    model: type[M],
    field_names: Sequence[str],
    where: str,
    params: Sequence[Any],
    *,
    joins: str = "",
    joined: Sequence[tuple[type[Model], str, Sequence[str]]] = (),
    extra: Sequence[str] = (),
    using: str = "default",
) -> tuple[M, list[Model | None], tuple[Any, ...]] | None:
    """`select_one`, and also one instance of each `joined` model (model, the alias its
    `joins` clause gives it, its field names; None where an outer join found no row, i.e.
    its primary key is NULL), loaded with the same conversions, from the same statement."""
    connection = connections[using]
    parts = [(model, "t", tuple(field_names))] + [(m, a, tuple(f)) for m, a, f in joined]
    key = (model, connection.vendor, f"{parts}|{joins}|{where}|{extra}")
    cached = _SELECTS.get(key)
    if cached is None:
        quote = connection.ops.quote_name
        columns: list[str] = []
        loaded: list[tuple[type[Model], list[str], list[Any], int, int]] = []
        for part_model, alias, names in parts:
            cols, attnames, converters = _part(connection, part_model, alias, names)
            pk = attnames.index(part_model._meta.pk.attname) if part_model is not model else -1
            loaded.append((part_model, attnames, converters, len(columns), pk))
            columns += cols
        columns += list(extra)
        table = quote(model._meta.db_table)
        sql = f"SELECT {', '.join(columns)} FROM {table} t {joins} WHERE {where}"
        cached = _SELECTS[key] = (sql, loaded, len(columns) - len(extra))
    sql, loaded, count = cached
    with cursor(using) as c:
        c.execute(sql, list(params))
        row = c.fetchone()
    if row is None:
        return None
    objects: list[Model | None] = []
    for part_model, attnames, converters, start, pk in loaded:
        values = list(row[start : start + len(attnames)])
        if pk >= 0 and values[pk] is None:
            objects.append(None)
            continue
        objects.append(_load(connection, using, part_model, attnames, converters, values))
    first = objects[0]
    return first, objects[1:], tuple(row[count:])  # type: ignore[return-value]
