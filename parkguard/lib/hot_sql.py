"""Pre-written statements for a hot path (the gate's check, docs/gate.md "Where the time goes").

Building a query through the ORM costs about ten times as much CPU as running it: for a
statement that a path runs on every request, the text is written once per process and
connection vendor from the model's own table and columns, and the fields' own conversions
still apply (`get_db_prep_save` going in, the backend's converters and `from_db` coming out).
What comes back is an ordinary model instance, saved or loaded as the ORM would have it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import connections
from django.db.models import Field, Model

from parkguard.lib import durability

M = TypeVar("M", bound=Model)

_INSERTS: dict[
    tuple[type[Model], str, bool, tuple[str, ...]], tuple[str, list[Field[Any, Any]], bool]
] = {}
_SELECTS: dict[tuple[type[Model], str, str], tuple[str, list[Any], int]] = {}


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
        meta = model._meta
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        columns = ", ".join(quote(str(f.column)) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        returning = bool(connection.features.can_return_columns_from_insert)
        sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"
        if unless:
            if not returning:
                raise ValueError("hot_sql: INSERT … ON CONFLICT needs INSERT … RETURNING")
            target = ", ".join(quote(str(meta.get_field(n).column)) for n in unless)  # type: ignore[union-attr]
            sql += f" ON CONFLICT ({target}) DO NOTHING"
        if returning:
            sql += f" RETURNING {quote(str(meta.pk.column))}"
            if relax:
                sql += f", {durability.RELAX_EXPRESSION}"
        elif relax:
            raise ValueError("hot_sql: a relaxed commit needs INSERT … RETURNING")
        cached = _INSERTS[key] = (sql, fields, returning)
    sql, fields, returning = cached
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if returning:
            row = cursor.fetchone()
            if row is None:  # ON CONFLICT DO NOTHING: another row holds the unique values
                return False
            pk = row[0]
        else:
            pk = cursor.lastrowid
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = using
    return True


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
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        row = cursor.fetchone()
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
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        rows = cursor.fetchall()
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
