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

_INSERTS: dict[
    tuple[type[Model], str, bool, tuple[str, ...]], tuple[str, list[Field[Any, Any]], bool]
] = {}
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


_PARTS: dict[tuple[type[Model], str], tuple[str, str, list[Field[Any, Any]]]] = {}


def _insert_parts(model: type[Model], connection: Any) -> tuple[str, str, list[Field[Any, Any]]]:
    """The quoted table, the column list and the fields (all but the primary key) of a new
    row of `model`, in the order its parameters go."""
    key = (model, connection.vendor)
    parts = _PARTS.get(key)
    if parts is None:
        quote = connection.ops.quote_name
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        columns = ", ".join(quote(str(f.column)) for f in fields)
        parts = _PARTS[key] = (quote(model._meta.db_table), columns, fields)
    return parts


def _params(obj: Model, fields: list[Field[Any, Any]], connection: Any) -> list[Any]:
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


def _saved(obj: Model, pk: Any, using: str) -> None:
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = using


def insert(obj: Model, using: str = "default", *, unless: Sequence[str] = ()) -> bool:
    """`obj.save()` of a new row as one pre-written INSERT (no signals: the models this serves
    have no receivers and no history); sets the primary key and the instance's state.

    `unless` names the fields of a unique constraint: a row that would break it is not
    inserted (`ON CONFLICT (…) DO NOTHING`, no savepoint needed to catch the error) and the
    answer is False, `obj` left unsaved."""
    connection = connections[using]
    model = type(obj)
    # In a relaxed transaction (lib/durability.py) the first INSERT also sends its setting.
    relax = durability.relax_take(connection)
    key = (model, connection.vendor, relax, tuple(unless))
    cached = _INSERTS.get(key)
    if cached is None:
        quote = connection.ops.quote_name
        table, columns, fields = _insert_parts(model, connection)
        marks = ", ".join(["%s"] * len(fields))
        returning = bool(connection.features.can_return_columns_from_insert)
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
        if unless:
            if not returning:
                raise ValueError("hot_sql: INSERT … ON CONFLICT needs INSERT … RETURNING")
            target = ", ".join(quote(str(model._meta.get_field(n).column)) for n in unless)  # type: ignore[union-attr]
            sql += f" ON CONFLICT ({target}) DO NOTHING"
        if returning:
            sql += f" RETURNING {quote(str(model._meta.pk.column))}"
            if relax:
                sql += f", {durability.RELAX_EXPRESSION}"
        elif relax:
            raise ValueError("hot_sql: a relaxed commit needs INSERT … RETURNING")
        cached = _INSERTS[key] = (sql, fields, returning)
    sql, fields, returning = cached
    with cursor(using) as c:
        c.execute(sql, _params(obj, fields, connection))
        if returning:
            row = c.fetchone()
            if row is None:  # ON CONFLICT DO NOTHING: another row holds the unique values
                return False
            pk = row[0]
        else:
            pk = c.lastrowid
    _saved(obj, pk, using)
    return True


def chains(using: str = "default") -> bool:
    """Whether `insert_chain` is available: PostgreSQL's data-modifying WITH clauses. (SQLite
    runs in the process: a statement more or less costs it no round trip.)"""
    return bool(connections[using].vendor == "postgresql")


_CHAINS: dict[tuple[Any, ...], str] = {}


def insert_chain(
    objs: Sequence[Model],
    *,
    guard: tuple[str, Sequence[Any]] | None = None,
    update: tuple[str, Sequence[Any]] | None = None,
    using: str = "default",
) -> tuple[bool, int]:
    """Several writes of one hot path as one statement on PostgreSQL (`chains()`): first
    `guard`, an `INSERT … ON CONFLICT DO NOTHING` of one row, then each of `objs` as a new row
    and `update` (an `UPDATE … WHERE …`), both only if the guard inserted its row. Sets the
    objects' primary keys (left unset where not inserted); returns whether the guard inserted
    (True without one) and how many rows the update changed. One round trip instead of
    2 + len(objs), with the same effect as running them in turn in the caller's transaction.

    `guard` and `update` are constants the caller writes once, with their parameters; their
    text is part of the statement's cache key."""
    connection = connections[using]
    if not chains(using):
        raise ValueError("hot_sql: insert_chain needs PostgreSQL")
    relax = durability.relax_take(connection)
    models = tuple(type(o) for o in objs)
    key = (models, guard[0] if guard else None, update[0] if update else None, relax)
    sql = _CHAINS.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        parts: list[str] = []
        when = ""
        if guard is not None:
            parts.append(f"g AS ({guard[0]} RETURNING 1)")
            when = " WHERE EXISTS (SELECT 1 FROM g)"
        selects = ["EXISTS (SELECT 1 FROM g)" if guard is not None else "TRUE"]
        for i, model in enumerate(models):
            table, columns, fields = _insert_parts(model, connection)
            marks = ", ".join(["%s"] * len(fields))
            pk = quote(str(model._meta.pk.column))
            parts.append(
                f"w{i} AS (INSERT INTO {table} ({columns}) SELECT {marks}{when} RETURNING {pk})"
            )
            selects.append(f"(SELECT {pk} FROM w{i})")
        if update is not None:
            also = " AND EXISTS (SELECT 1 FROM g)" if guard is not None else ""
            parts.append(f"u AS ({update[0]}{also} RETURNING 1)")
            selects.append("(SELECT count(*) FROM u)")
        if relax:
            selects.append(durability.RELAX_EXPRESSION)
        sql = _CHAINS[key] = f"WITH {', '.join(parts)} SELECT {', '.join(selects)}"
    params: list[Any] = list(guard[1]) if guard is not None else []
    for obj in objs:
        params += _params(obj, _insert_parts(type(obj), connection)[2], connection)
    if update is not None:
        params += list(update[1])
    with cursor(using) as c:
        c.execute(sql, params)
        row = c.fetchone()
    for i, obj in enumerate(objs):
        if row[1 + i] is not None:
            _saved(obj, row[1 + i], using)
    return bool(row[0]), int(row[1 + len(objs)]) if update is not None else 0


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
    sql, loaded, count = _compiled(connection, model, field_names, where, joins, joined, extra)
    with cursor(using) as c:
        c.execute(sql, list(params))
        row = c.fetchone()
    if row is None:
        return None
    objects = _objects(connection, using, loaded, row)
    first = objects[0]
    return first, objects[1:], tuple(row[count:])  # type: ignore[return-value]


def select_all(
    model: type[M],
    field_names: Sequence[str],
    where: str,
    params: Sequence[Any],
    *,
    joins: str = "",
    joined: Sequence[tuple[type[Model], str, Sequence[str]]] = (),
    extra: Sequence[str] = (),
    using: str = "default",
) -> list[tuple[M, list[Model | None], tuple[Any, ...]]]:
    """`select_joined` for every row the statement finds, in its order (`where` may end in an
    ORDER BY of the caller's)."""
    connection = connections[using]
    sql, loaded, count = _compiled(connection, model, field_names, where, joins, joined, extra)
    with cursor(using) as c:
        c.execute(sql, list(params))
        rows = c.fetchall()
    found: list[tuple[M, list[Model | None], tuple[Any, ...]]] = []
    for row in rows:
        objects = _objects(connection, using, loaded, row)
        found.append((objects[0], objects[1:], tuple(row[count:])))  # type: ignore[arg-type]
    return found


def _compiled(
    connection: Any,
    model: type[Model],
    field_names: Sequence[str],
    where: str,
    joins: str,
    joined: Sequence[tuple[type[Model], str, Sequence[str]]],
    extra: Sequence[str],
) -> tuple[str, list[Any], int]:
    """The statement, how to load each part of a row, and where the `extra` values start:
    built once per process per vendor."""
    parts = [(model, "t", tuple(field_names))] + [(m, a, tuple(f)) for m, a, f in joined]
    key = (model, connection.vendor, f"{parts}|{joins}|{where}|{extra}")
    cached = _SELECTS.get(key)
    if cached is None:
        columns: list[str] = []
        loaded: list[tuple[type[Model], list[str], list[Any], int, int]] = []
        for part_model, alias, names in parts:
            cols, attnames, converters = _part(connection, part_model, alias, names)
            pk = attnames.index(part_model._meta.pk.attname) if part_model is not model else -1
            loaded.append((part_model, attnames, converters, len(columns), pk))
            columns += cols
        columns += list(extra)
        table = connection.ops.quote_name(model._meta.db_table)
        sql = f"SELECT {', '.join(columns)} FROM {table} t {joins} WHERE {where}"
        cached = _SELECTS[key] = (sql, loaded, len(columns) - len(extra))
    return cached


def _objects(
    connection: Any, using: str, loaded: list[Any], row: Sequence[Any]
) -> list[Model | None]:
    """One instance per part of `row` (None for an outer join's missing row)."""
    objects: list[Model | None] = []
    for part_model, attnames, converters, start, pk in loaded:
        values = list(row[start : start + len(attnames)])
        if pk >= 0 and values[pk] is None:
            objects.append(None)
            continue
        objects.append(_load(connection, using, part_model, attnames, converters, values))
    return objects
