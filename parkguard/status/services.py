"""Writes of the person status. Set-based: every service takes many people at once and costs
a few queries per chunk of `CHUNK` ids, never one round trip per person.

These services are called by health and sampling services INSIDE their own transaction, after
those have asked `orgs.access.require()`; they check no permission themselves, because the
evidence has already been accepted by the time the status follows it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, transaction

from parkguard.lib import hot_sql
from parkguard.lib.bulk_rows import bulk_set
from parkguard.people.models import Person
from parkguard.status import sources
from parkguard.status.choices import HoldKind
from parkguard.status.models import PersonStatus, StatusHold

# Ids per query: well under SQLite's bound-parameter limit, few enough queries for 100,000.
CHUNK = 5000
BATCH = 1000

UNKNOWN_KIND = "未知的限制类型"
# Backends whose `INSERT … ON CONFLICT (…) DO UPDATE` the one-person fast paths write.
UPSERT_VENDORS = frozenset({"postgresql", "sqlite"})

# Fields the rebuild recomputes and compares (everything but the bookkeeping `updated_at`).
DERIVED_FIELDS = (
    "enterprise_id",
    "latest_negative_at",
    "pending_results",
    "on_hold",
    "holds",
    "alert_count",
    "declared_on",
    "last_temperature",
    "last_temperature_at",
)


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    unique = sorted(set(ids))
    for start in range(0, len(unique), CHUNK):
        yield unique[start : start + CHUNK]


def _locked_rows(chunk: Sequence[int], at: dt.datetime) -> dict[int, PersonStatus]:
    """The status rows of `chunk`, locked for update, created first where missing."""
    rows = {
        row.pk: row
        for row in PersonStatus.objects.select_for_update().filter(pk__in=chunk).order_by("pk")
    }
    missing = [pk for pk in chunk if pk not in rows]
    if missing:
        PersonStatus.objects.bulk_create(
            [
                PersonStatus(person_id=pk, enterprise_id=enterprise_id, updated_at=at)
                for pk, enterprise_id in Person.objects.filter(pk__in=missing).values_list(
                    "pk", "enterprise_id"
                )
            ],
            ignore_conflicts=True,
            batch_size=BATCH,
        )
        # Read back rather than trust the objects: a concurrent writer may have won the insert.
        rows.update(
            (row.pk, row)
            for row in PersonStatus.objects.select_for_update()
            .filter(pk__in=missing)
            .order_by("pk")
        )
    return rows


def _save(rows: Iterable[PersonStatus], fields: Sequence[str], at: dt.datetime) -> None:
    changed = list(rows)
    for row in changed:
        row.updated_at = at
    if changed:
        bulk_set(PersonStatus, changed, [*fields, "updated_at"])


def _open_holds(chunk: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Open holds of `chunk` as the JSON the status row shows, oldest first."""
    labels = dict(HoldKind.choices)
    found: dict[int, list[dict[str, Any]]] = {}
    for hold in (
        StatusHold.objects.filter(person_id__in=chunk, cleared_at__isnull=True)
        .order_by("person_id", "opened_at", "id")
        .values("person_id", "kind", "reason", "citation", "source", "opened_at")
    ):
        found.setdefault(hold["person_id"], []).append(
            {
                "kind": hold["kind"],
                "label": labels.get(hold["kind"], hold["kind"]),
                "reason": hold["reason"],
                "citation": hold["citation"],
                "source": hold["source"],
                "opened_at": hold["opened_at"].isoformat(),
            }
        )
    return found


@transaction.atomic
def status_refresh(*, person_ids: Iterable[int], at: dt.datetime) -> None:
    """Recompute `on_hold`, `holds` and `alert_count` of these people from their open holds."""
    for chunk in _chunks(person_ids):
        rows = _locked_rows(chunk, at)
        holds = _open_holds(chunk)
        for pk, row in rows.items():
            row.holds = holds.get(pk, [])
            row.on_hold = bool(row.holds)
            row.alert_count = len(row.holds)
        _save(rows.values(), ("holds", "on_hold", "alert_count"), at)


@transaction.atomic
def status_hold_open(
    *,
    person_ids: Iterable[int],
    kind: str,
    reason: str,
    citation: Mapping[str, Any],
    source: str,
    at: dt.datetime,
) -> int:
    """Open a hold of `kind` from `source` on each person who has no such open hold yet.

    Idempotent per (person, kind, source): a second call with the same source opens nothing.
    Returns the number of holds opened.
    """
    if kind not in HoldKind.values:
        raise ValueError(UNKNOWN_KIND)
    ids = sorted(set(person_ids))
    opened = 0
    for chunk in _chunks(ids):
        already = set(
            StatusHold.objects.filter(
                person_id__in=chunk, kind=kind, source=source, cleared_at__isnull=True
            ).values_list("person_id", flat=True)
        )
        new = [
            StatusHold(
                person_id=pk,
                kind=kind,
                reason=reason,
                citation=dict(citation),
                source=source,
                opened_at=at,
            )
            for pk in chunk
            if pk not in already
        ]
        StatusHold.objects.bulk_create(new, batch_size=BATCH)
        opened += len(new)
    status_refresh(person_ids=ids, at=at)
    return opened


@transaction.atomic
def status_hold_clear(
    *,
    person_ids: Iterable[int],
    kind: str,
    source: str | None = None,
    by: User | None = None,
    at: dt.datetime,
) -> int:
    """Clear the open holds of `kind` (from `source`, if given); returns how many were cleared."""
    if kind not in HoldKind.values:
        raise ValueError(UNKNOWN_KIND)
    ids = sorted(set(person_ids))
    cleared = 0
    for chunk in _chunks(ids):
        holds = StatusHold.objects.filter(person_id__in=chunk, kind=kind, cleared_at__isnull=True)
        if source is not None:
            holds = holds.filter(source=source)
        cleared += holds.update(cleared_at=at, cleared_by=by)
    status_refresh(person_ids=ids, at=at)
    return cleared


@transaction.atomic
def status_results_record(
    *,
    negatives: Mapping[int, dt.datetime],
    pending_delta: Mapping[int, int] | None = None,
    at: dt.datetime,
) -> None:
    """Move `latest_negative_at` forward to each negative's sampling time, and add the pending
    deltas (+1 when a sample is taken, -1 when its result arrives; never below zero)."""
    pending = dict(pending_delta or {})
    for chunk in _chunks([*negatives, *pending]):
        rows = _locked_rows(chunk, at)
        for pk, row in rows.items():
            sampled = negatives.get(pk)
            if sampled is not None and (
                row.latest_negative_at is None or sampled > row.latest_negative_at
            ):
                row.latest_negative_at = sampled
            if pk in pending:
                row.pending_results = max(0, row.pending_results + pending[pk])
        _save(rows.values(), ("latest_negative_at", "pending_results"), at)


_DECLARED_UPSERT: dict[str, str] = {}


def _declared_move_forward(*, pk: int, on: dt.date, at: dt.datetime) -> None:
    """One person's status row, created if missing, takes `declared_on` = `on` if it has none
    or an older one (and `updated_at` = `at` either way): what the general path below does for
    one person, as one upsert written once per process and vendor (`INSERT … SELECT` from the
    person, so a missing person writes nothing; the row is locked as the update takes it)."""
    meta = PersonStatus._meta
    field = meta.get_field
    sql = _DECLARED_UPSERT.get(connection.vendor)
    if sql is None:
        quote = connection.ops.quote_name
        person = Person._meta

        def col(name: str) -> str:
            return quote(str(field(name).column))  # type: ignore[union-attr]

        table = quote(meta.db_table)
        declared, updated = col("declared_on"), col("updated_at")
        inserted = ("person", "enterprise", "pending_results", "on_hold", "holds", "alert_count")
        sql = _DECLARED_UPSERT[connection.vendor] = (
            f"INSERT INTO {table} ({', '.join(col(n) for n in inserted)}, {declared}, {updated}) "
            f"SELECT p.{quote(str(person.pk.column))}, "
            f"p.{quote(str(person.get_field('enterprise').column))}, %s, %s, %s, %s, %s, %s "
            f"FROM {quote(person.db_table)} p WHERE p.{quote(str(person.pk.column))} = %s "
            f"ON CONFLICT ({col('person')}) DO UPDATE SET {updated} = EXCLUDED.{updated}, "
            f"{declared} = CASE WHEN {table}.{declared} IS NULL "
            f"OR {table}.{declared} < EXCLUDED.{declared} "
            f"THEN EXCLUDED.{declared} ELSE {table}.{declared} END"
        )
    params = [
        field(name).get_db_prep_save(field(name).get_default(), connection)  # type: ignore[union-attr]
        for name in ("pending_results", "on_hold", "holds", "alert_count")
    ]
    params += [
        field("declared_on").get_db_prep_save(on, connection),  # type: ignore[union-attr]
        field("updated_at").get_db_prep_save(at, connection),  # type: ignore[union-attr]
        pk,
    ]
    with hot_sql.cursor() as cursor:
        cursor.execute(sql, params)


@transaction.atomic(savepoint=False)
def status_declaration_record(*, declared: Mapping[int, dt.date], at: dt.datetime) -> None:
    """Move `declared_on` forward to the date of each person's newest declaration."""
    if len(declared) == 1 and connection.vendor in UPSERT_VENDORS:
        # One declaration (the daily form): one upsert instead of five ORM statements.
        [(pk, on)] = declared.items()
        _declared_move_forward(pk=pk, on=on, at=at)
        return
    for chunk in _chunks(declared):
        rows = _locked_rows(chunk, at)
        for pk, row in rows.items():
            on = declared[pk]
            if row.declared_on is None or on > row.declared_on:
                row.declared_on = on
        _save(rows.values(), ("declared_on",), at)


_TEMPERATURE_UPDATE: list[str] = []


def temperature_forward_statement(
    *, pk: int, value: Decimal, taken_at: dt.datetime, at: dt.datetime
) -> tuple[str, list[Any]]:
    """The conditional `UPDATE` by which one person's status row takes a reading if it has
    none or an older one (`.filter(newer, pk=pk).update(...)`, written once per process: the
    gate's path, where building it through the ORM cost more than running it), and its
    parameters. It changes no row where the person has no status row yet or a newer
    reading: `status_temperature_record` then takes the general path."""
    meta = PersonStatus._meta
    field = meta.get_field
    if not _TEMPERATURE_UPDATE:
        quote = connection.ops.quote_name

        def col(name: str) -> str:
            return quote(str(field(name).column))  # type: ignore[union-attr]

        _TEMPERATURE_UPDATE.append(
            f"UPDATE {quote(meta.db_table)} SET {col('last_temperature')} = %s, "
            f"{col('last_temperature_at')} = %s, {col('updated_at')} = %s "
            f"WHERE {col('person')} = %s AND ({col('last_temperature_at')} IS NULL "
            f"OR {col('last_temperature_at')} <= %s)"
        )
    when = field("last_temperature_at").get_db_prep_save(taken_at, connection)  # type: ignore[union-attr]
    params = [
        field("last_temperature").get_db_prep_save(value, connection),  # type: ignore[union-attr]
        when,
        field("updated_at").get_db_prep_save(at, connection),  # type: ignore[union-attr]
        pk,
        when,
    ]
    return _TEMPERATURE_UPDATE[0], params


def _temperature_move_forward(
    *, pk: int, value: Decimal, taken_at: dt.datetime, at: dt.datetime
) -> bool:
    """One person's status row takes this reading (`temperature_forward_statement`); False
    if the statement changed no row."""
    sql, params = temperature_forward_statement(pk=pk, value=value, taken_at=taken_at, at=at)
    with hot_sql.cursor() as cursor:
        cursor.execute(sql, params)
        return bool(cursor.rowcount == 1)


# No savepoint: the gate's check calls this inside its own transaction, and nothing catches
# its errors, so a failure rolls the whole check back.
@transaction.atomic(savepoint=False)
def status_temperature_record(
    *, readings: Mapping[int, tuple[Decimal, dt.datetime]], at: dt.datetime
) -> None:
    """Keep each person's newest temperature reading (value and time taken)."""
    if len(readings) == 1:
        # One reading (a gate's check): one conditional UPDATE; the general path below only
        # when it found no row to move forward (no status row yet, or an older reading).
        [(pk, (value, taken_at))] = readings.items()
        if _temperature_move_forward(pk=pk, value=value, taken_at=taken_at, at=at):
            return
    for chunk in _chunks(readings):
        rows = _locked_rows(chunk, at)
        for pk, row in rows.items():
            value, taken_at = readings[pk]
            if row.last_temperature_at is None or taken_at >= row.last_temperature_at:
                row.last_temperature = value
                row.last_temperature_at = taken_at
        _save(rows.values(), ("last_temperature", "last_temperature_at"), at)


@dataclass
class RebuildReport:
    checked: int = 0
    created: int = 0
    # "人员 12：declared_on 2022-11-14 → 2022-11-15"
    differences: list[str] = field(default_factory=list)
    differing_people: int = 0


def _expected(
    pk: int, enterprise_id: int, evidence: sources.Evidence, holds: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "enterprise_id": enterprise_id,
        "latest_negative_at": evidence.latest_negative_at,
        "pending_results": evidence.pending_results,
        "on_hold": bool(holds),
        "holds": holds,
        "alert_count": len(holds),
        "declared_on": evidence.declared_on,
        "last_temperature": evidence.last_temperature,
        "last_temperature_at": evidence.last_temperature_at,
    }


_EMPTY = _expected(0, 0, sources.Evidence(), [])


def _is_empty(expected: dict[str, Any]) -> bool:
    return all(expected[f] == _EMPTY[f] for f in DERIVED_FIELDS if f != "enterprise_id")


@transaction.atomic
def status_rebuild(*, at: dt.datetime, write: bool, limit: int = 50) -> RebuildReport:
    """Recompute every status row from the records; report (and, if `write`, fix) differences.

    A missing row whose expected state is empty is no difference (the gate reads "no row" as
    "no evidence"); with `write` every missing row is created. `limit` caps the listed lines.
    """
    report = RebuildReport()
    people = list(Person.objects.order_by("pk").values_list("pk", "enterprise_id"))
    for start in range(0, len(people), CHUNK):
        part = dict(people[start : start + CHUNK])
        chunk = list(part)
        evidence = sources.collect(chunk)
        holds = _open_holds(chunk)
        stored = {row.pk: row for row in PersonStatus.objects.filter(pk__in=chunk)}
        to_create: list[PersonStatus] = []
        to_fix: list[PersonStatus] = []
        for pk in chunk:
            report.checked += 1
            expected = _expected(
                pk, part[pk], evidence.get(pk, sources.Evidence()), holds.get(pk, [])
            )
            row = stored.get(pk)
            if row is None:
                if not _is_empty(expected):
                    report.differing_people += 1
                    if len(report.differences) < limit:
                        report.differences.append(f"人员 {pk}：缺少状态行")
                if write:
                    to_create.append(PersonStatus(person_id=pk, updated_at=at, **expected))
                continue
            diffs = [f for f in DERIVED_FIELDS if getattr(row, f) != expected[f]]
            if not diffs:
                continue
            report.differing_people += 1
            for name in diffs:
                if len(report.differences) < limit:
                    report.differences.append(
                        f"人员 {pk}：{name} {getattr(row, name)!r} → {expected[name]!r}"
                    )
                setattr(row, name, expected[name])
            to_fix.append(row)
        if write:
            PersonStatus.objects.bulk_create(to_create, batch_size=BATCH)
            report.created += len(to_create)
            _save(to_fix, DERIVED_FIELDS, at)
    return report


_TABLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@transaction.atomic
def _results_update_sql(*, table: str) -> str:
    """The UPDATE … FROM that moves every status row named in `table` (a table or a CTE of
    `person_id`, `negative_at`, `pending_delta`) forward: latest negative only forward,
    pending never below zero. One placeholder: the update time."""
    status = connection.ops.quote_name(PersonStatus._meta.db_table)
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    return (
        f"UPDATE {status} SET "
        "latest_negative_at = CASE WHEN d.negative_at IS NOT NULL AND "
        f"({status}.latest_negative_at IS NULL OR d.negative_at > {status}.latest_negative_at)"
        f" THEN d.negative_at ELSE {status}.latest_negative_at END, "
        f"pending_results = {greatest}(0, {status}.pending_results + d.pending_delta), "
        "updated_at = %s "
        f"FROM {table} d WHERE {status}.person_id = d.person_id"
    )


def status_results_update_cte(*, delta: str, at: dt.datetime) -> tuple[str, list[Any]]:
    """The status update of `status_results_merge` as a PostgreSQL data-modifying CTE body
    over the CTE `delta` (same columns), RETURNING each updated person_id: a caller that
    computes the delta in the same statement (the lab import) writes samples and status in
    one round trip, then calls `status_results_merge` for any person it did not find."""
    if not _TABLE_NAME.match(delta):
        raise ValueError(delta)
    status = connection.ops.quote_name(PersonStatus._meta.db_table)
    stamp = connection.ops.adapt_datetimefield_value(at)
    return _results_update_sql(table=delta) + f" RETURNING {status}.person_id", [stamp]


def status_results_merge(*, table: str, at: dt.datetime, missing_only: bool = False) -> int:
    """`status_results_record` for very many people at once, in a few statements.

    `table` names a (temporary) table of one row per person: `person_id`, `negative_at`
    (a sampling time or NULL) and `pending_delta` (an integer). Every existing row is moved
    forward with one UPDATE … FROM (latest negative only forward, pending never below zero);
    only when it found fewer rows than `table` holds are the missing ones created, already
    moved forward, with one INSERT … SELECT. `missing_only`: the existing rows were updated
    already (`status_results_update_cte`); create the missing ones only. Returns the rows
    updated or created.
    """
    if not _TABLE_NAME.match(table):
        raise ValueError(table)
    status = connection.ops.quote_name(PersonStatus._meta.db_table)
    person = connection.ops.quote_name(Person._meta.db_table)
    stamp = connection.ops.adapt_datetimefield_value(at)
    with connection.cursor() as cursor:
        updated = 0
        if not missing_only:
            cursor.execute(_results_update_sql(table=table), [stamp])
            updated = cursor.rowcount
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            if updated >= cursor.fetchone()[0]:
                return updated
        cursor.execute(
            # The other nullable columns are left out: they start NULL. A new row has no
            # pending result left (pending never below zero).
            f"INSERT INTO {status} (person_id, enterprise_id, latest_negative_at, "
            "pending_results, on_hold, holds, alert_count, updated_at) "
            "SELECT d.person_id, p.enterprise_id, d.negative_at, 0, %s, %s, 0, %s "
            f"FROM {table} d JOIN {person} p ON p.id = d.person_id "
            f"WHERE NOT EXISTS (SELECT 1 FROM {status} s WHERE s.person_id = d.person_id) "
            "ON CONFLICT DO NOTHING",
            [False, "[]", stamp],
        )
        return updated + cursor.rowcount
