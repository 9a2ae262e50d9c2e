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

M = TypeVar("M", bound=Model)

_INSERTS: dict[tuple[type[Model], str], tuple[str, list[Field[Any, Any]], bool]] = {}
_SELECTS: dict[tuple[type[Model], str, str], tuple[str, list[str], list[Any]]] = {}


def insert(obj: Model, using: str = "default") -> None:
    """`obj.save()` of a new row as one pre-written INSERT (no signals: the models this serves
    have no receivers and no history); sets the primary key and the instance's state."""
    connection = connections[using]
    model = type(obj)
    key = (model, connection.vendor)
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
        cached = _INSERTS[key] = (sql, fields, returning)
    sql, fields, returning = cached
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        pk = cursor.fetchone()[0] if returning else cursor.lastrowid
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = using


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
    connection = connections[using]
    key = (model, connection.vendor, f"{','.join(field_names)}|{joins}|{where}|{extra}")
    cached = _SELECTS.get(key)
    if cached is None:
        quote = connection.ops.quote_name
        meta = model._meta
        wanted = set(field_names)
        # `from_db` takes the loaded values in the model's field order.
        fields = [f for f in meta.concrete_fields if f.name in wanted or f.attname in wanted]
        if len(fields) != len(wanted):
            raise ValueError(f"hot_sql: not concrete fields of {meta.label}: {field_names}")
        columns = [f"t.{quote(str(f.column))}" for f in fields] + list(extra)
        sql = f"SELECT {', '.join(columns)} FROM {quote(meta.db_table)} t {joins} WHERE {where}"
        converters: list[Any] = []
        for f in fields:
            col = f.get_col(meta.db_table)
            chain = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            converters.append((col, chain))
        cached = _SELECTS[key] = (sql, [f.attname for f in fields], converters)
    sql, attnames, converters = cached
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        row = cursor.fetchone()
    if row is None:
        return None
    count = len(attnames)
    values = list(row[:count])
    for i, (col, chain) in enumerate(converters):
        for convert in chain:
            values[i] = convert(values[i], col, connection)
    return model.from_db(using, attnames, values), tuple(row[count:])
