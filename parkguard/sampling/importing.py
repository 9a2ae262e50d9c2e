"""Lab import: a lab's file or API rows → staging table → set-based checks and merge.

Rows are read once (labfile.py) and streamed into a temporary staging table (COPY on
PostgreSQL, executemany on SQLite). Every check across rows and every write is then a few
statements that join the staging table to the samples by their indexed barcode: duplicates
with different results, samples of another enterprise, results that would overwrite a
different one; then one UPDATE … FROM writes the results, one INSERT … SELECT … GROUP BY
collects what each person's status must learn, and `status_results_merge` applies it.
Nothing is done row by row in Python but the reading.

All-or-nothing per file: one bad row and nothing is written. Idempotent per (lab, sample):
a sample that already has the same result is left alone; a different one is an error.
A dry run does every check and reports what would be written, then writes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, DataError, connection, transaction
from django.utils import timezone

from parkguard.audit.services import audit_record
from parkguard.duties.choices import DutyKind
from parkguard.duties.services import duty_evidence_record
from parkguard.lib.fault_points import fault_point
from parkguard.orgs.access import NOT_ALLOWED, Scope, require, visible
from parkguard.orgs.models import Enterprise
from parkguard.people import sheets
from parkguard.people.identity import id_digest, id_normalise
from parkguard.people.models import Person
from parkguard.sampling import labfile
from parkguard.sampling.choices import ImportState, Result, SampleKind
from parkguard.sampling.models import Lab, ResultImport, Sample, SampleMember
from parkguard.sampling.outcomes import results_followups
from parkguard.status.models import PersonStatus
from parkguard.status.services import (
    status_results_merge,
    status_results_record,
    status_results_update_cte,
)

OTHER_ENTERPRISE = "第 {row} 行：样本 {barcode} 属于其他企业的人员，不能由本企业导入"
CONFLICT_IN_FILE = "第 {row} 行：样本 {barcode} 在文件中出现两次且结果不同（另见第 {other} 行）"
CONFLICT_STORED = "第 {row} 行：样本 {barcode} 已有不同的检测结果“{stored}”，不能改写"
MISSING_SAMPLED_AT = "第 {row} 行：按身份证号登记的新样本需要填写采样时间"
UNMATCHED = "第 {row} 行：未找到条码号 {barcode} 对应的样本，也未按身份证号找到本企业人员"
LAB_ELSEWHERE = "该检测机构不服务于本企业所在园区"
NOT_THIS_LAB = "设备令牌不属于该检测机构"

# Rows per staging batch (progress is reported between batches), and errors kept per file.
BATCH = 10_000
MAX_LISTED = 200
_COPY_CHUNK = 1 << 20  # bytes per COPY write
_WORK_MEM = "192MB"  # the person grouping of a million rows fits

_STAGE_COLUMNS = ("row_no", "barcode", "result", "sampled_at", "tested_at", "id_digest")


@dataclass
class ImportReport:
    rows: int = 0
    staged: int = 0
    written: int = 0
    unchanged: int = 0
    created: int = 0
    unmatched_count: int = 0
    copied: bool = False  # PostgreSQL's COPY fast path read the file
    positives: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    unmatched: list[dict[str, Any]] = field(default_factory=list)
    # Seconds per step, for the benchmark and the import page.
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row: int, column: str, message: str) -> None:
        if len(self.errors) < MAX_LISTED:
            self.errors.append({"row": row, "column": column, "message": message})


class _Invalid(Exception):
    """Raised inside the write transaction to roll it back (errors or a dry run)."""


class _Lost(Exception):
    """The import is no longer this worker's (recovered as failed after its lease ran out)."""


def lease(now: dt.datetime) -> dt.datetime:
    """When the worker of an import started or renewed at `now` is taken for dead."""
    return now + dt.timedelta(seconds=settings.IMPORT_LEASE_SECONDS)


def stage_drop(key: int) -> None:
    """Drop the scratch tables of import `key`: a worker killed mid-import leaves its
    PostgreSQL UNLOGGED tables behind (SQLite's TEMP tables end with the connection)."""
    with connection.cursor() as cursor:
        for table in (f"sampling_stage_{key}", f"sampling_delta_{key}"):
            for name in (table, f"{table}_raw", f"{table}_t"):
                cursor.execute(f"DROP TABLE IF EXISTS {name}")


def _authorise(*, scope: Scope, lab: Lab, enterprise: Enterprise | None) -> list[int]:
    """The enterprises whose samples this import may write; raises 403 if none."""
    if enterprise is not None:
        require(scope, "import_results", enterprise)
        if enterprise.jurisdiction_id != lab.jurisdiction_id:
            raise PermissionDenied(LAB_ELSEWHERE)
        return [enterprise.pk]
    require(scope, "import_results", lab)
    if scope.token_id is not None and lab.token_id != scope.token_id:
        raise PermissionDenied(NOT_THIS_LAB)
    park = Enterprise.objects.filter(jurisdiction_id=lab.jurisdiction_id)
    ids = list(visible(scope, park, "import_results").values_list("pk", flat=True))
    if not ids:
        raise PermissionDenied(NOT_ALLOWED)
    return ids


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


class _Scratch:
    """How scratch tables are made: on PostgreSQL UNLOGGED tables named by the import (a
    temporary table lives in the session's few megabytes of local buffers and spills to
    disk at a million rows; an unlogged one uses the shared buffers and writes no WAL), on
    SQLite TEMP tables. Always dropped when the import ends."""

    def __format__(self, spec: str) -> str:
        return "UNLOGGED" if connection.vendor == "postgresql" else "TEMPORARY"


_SCRATCH = _Scratch()


def _tune() -> None:
    """Enough memory for the import's hash joins and grouping (this transaction only)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = %s", [_WORK_MEM])


class _Stage:
    """The staging table of one import (see `_Scratch`)."""

    def __init__(self, key: int) -> None:
        self.name = f"sampling_stage_{key}"
        self.delta = f"sampling_delta_{key}"
        # The COPY fast path's raw file and its distinct time texts (`_copy_fast`).
        self.raw = f"{self.name}_raw"
        self.moments = f"{self.name}_t"
        pg = connection.vendor == "postgresql"
        stamp = "timestamptz" if pg else "text"
        self._temp_store: int | None = None
        with connection.cursor() as cursor:
            if not pg and not connection.in_atomic_block:
                # SQLite keeps TEMP tables in a file by default: in memory, the stage, its
                # index and the delta cost half as much (restored by `drop`). SQLite allows
                # the change outside a transaction only (an import runs in autocommit).
                cursor.execute("PRAGMA temp_store")
                self._temp_store = int(cursor.fetchone()[0])
                cursor.execute("PRAGMA temp_store = MEMORY")
            for table in (self.name, self.delta, self.raw, self.moments):
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(
                f"CREATE {_SCRATCH} TABLE {self.name} (row_no integer, barcode text, "
                f"result text, sampled_at {stamp}, tested_at {stamp}, id_digest text)"
            )

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        """One batch, in its own transaction (a commit per batch, not per row, in autocommit;
        the progress written between batches is then visible to the page polling it)."""
        if not rows:
            return
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                columns = ", ".join(_STAGE_COLUMNS)
                with cursor.cursor.copy(f"COPY {self.name} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(_STAGE_COLUMNS))
                cursor.executemany(f"INSERT INTO {self.name} VALUES ({marks})", rows)

    def index(self) -> None:
        """SQLite joins through an index (its plans are nested loops); PostgreSQL hashes."""
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"ANALYZE {self.name}")  # temp tables have no statistics
            else:
                cursor.execute(f"CREATE INDEX {self.name}_barcode ON {self.name} (barcode)")

    def fill(self, fast: _Fast) -> None:
        """The fast path's rows into the stage, numbered as the file numbers them (the long
        way: something in the file needs the checks that name rows)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {self.name} (barcode, result, sampled_at, tested_at, row_no) "
                + fast.select.format(extra=f", {fast.ordered}"),
                fast.params,
            )

    def drop_raw(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.moments}")
            cursor.execute(f"DROP TABLE IF EXISTS {self.raw}")

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.name}")
            cursor.execute(f"DROP TABLE IF EXISTS {self.delta}")
            if self._temp_store is not None:
                cursor.execute(f"PRAGMA temp_store = {self._temp_store:d}")
        self.drop_raw()


def _stage_rows(
    *,
    stage: _Stage,
    rows: Iterable[tuple[int, Sequence[Any]]],
    layout: labfile.Layout,
    at: dt.datetime,
    report: ImportReport,
    progress: Callable[[int], None] | None,
) -> None:
    """Read every row (errors into the report) and stream the good ones into the stage.

    The cyclic garbage collector is paused while reading: the loop makes no cycles, and
    its collections, walking every object the process holds, cost more than the parsing.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        _stage_loop(stage=stage, rows=rows, layout=layout, at=at, report=report, progress=progress)
    finally:
        if was_enabled:
            gc.enable()


def _stage_loop(
    *,
    stage: _Stage,
    rows: Iterable[tuple[int, Sequence[Any]]],
    layout: labfile.Layout,
    at: dt.datetime,
    report: ImportReport,
    progress: Callable[[int], None] | None,
) -> None:
    parse = labfile.row_parser(layout, at=at, tz=ZoneInfo(settings.TIME_ZONE))
    adapt = connection.ops.adapt_datetimefield_value
    adapted: dict[dt.datetime, Any] = {}
    digests: dict[str, str] = {}
    batch: list[tuple[Any, ...]] = []
    id_column = layout.headers.get(labfile.Column.ID_NUMBER, "")
    for number, row in rows:
        parsed = parse(number, row)
        if parsed is None:
            continue
        report.rows += 1
        if isinstance(parsed, list):
            for e in parsed:
                report.error(e.row, e.column, e.message)
            continue
        _, barcode, result, sampled, tested, clear_id = parsed
        digest = None
        if clear_id:
            digest = digests.get(clear_id)
            if digest is None:
                normal = id_normalise(clear_id)
                if len(normal) != len(clear_id) or not normal[:-1].isdigit():
                    report.error(
                        number, id_column, labfile.BAD_ID.format(row=number, column=id_column)
                    )
                    continue
                digest = digests[clear_id] = id_digest(normal)
        s = None
        if sampled is not None:
            s = adapted.get(sampled)
            if s is None:
                s = adapted[sampled] = adapt(sampled)
        t = None
        if tested is not None:
            t = adapted.get(tested)
            if t is None:
                t = adapted[tested] = adapt(tested)
        batch.append((number, barcode, result, s, t, digest))
        report.staged += 1
        if len(batch) >= BATCH:
            stage.write(batch)
            batch = []
            if progress is not None:
                progress(report.rows)
    stage.write(batch)
    if progress is not None:
        progress(report.rows)


class _NotClean(Exception):
    """The fast path met something only the row reader can explain: it steps aside."""


_TIME_TEXT = r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}( +\d{1,2}:\d{1,2}(:\d{1,2})?)?$"


@dataclass
class _Fast:
    """A clean .csv COPYed as it is: `select` reads it as staged rows (barcode, result,
    sampled_at, tested_at), with `params`; `rows` is the number of data rows."""

    select: str
    params: list[Any]
    rows: int
    ordered: str  # the raw table's file order, for row numbers


def _copy_fast(
    *, stage: _Stage, layout: labfile.Layout, at: dt.datetime, report: ImportReport
) -> _Fast | None:
    """PostgreSQL, a clean .csv: COPY the file's text as it is into a raw table, check its
    few distinct result words and time texts, and return the SELECT that reads it as staged
    rows (the import then writes from it directly, no staging copy, no Python per row).
    Anything unusual (a ragged row, an unknown result word, a time in another form or in the
    future, a blank barcode, an ID number column, whose HMAC is computed in Python) rolls
    this back and returns None: the row reader then reads the file and names each problem."""
    ix = layout.index
    if layout.body is None or connection.vendor != "postgresql" or labfile.Column.ID_NUMBER in ix:
        return None
    import psycopg  # only on PostgreSQL, where the driver is loaded anyway

    raw, moments = stage.raw, stage.moments
    columns = [f"c{i}" for i in range(layout.width)]
    bar, res = f"c{ix[labfile.Column.BARCODE]}", f"c{ix[labfile.Column.RESULT]}"
    times = [f"c{ix[f]}" for f in (labfile.Column.SAMPLED_AT, labfile.Column.TESTED_AT) if f in ix]
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            _tune()
            # No row-number column: a fresh table filled by one COPY keeps the file's order
            # in its ctid, which numbers the rows when a message needs them (`_Stage.fill`).
            cursor.execute(
                f"CREATE {_SCRATCH} TABLE {raw} (" + ", ".join(f"{c} text" for c in columns) + ")"
            )
            body = layout.body.encode("utf-8")
            clock = time.perf_counter()
            with cursor.cursor.copy(
                f"COPY {raw} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"
            ) as copy:
                view = memoryview(body)
                for offset in range(0, len(body), _COPY_CHUNK):
                    copy.write(view[offset : offset + _COPY_CHUNK])
            report.timings["copy"] = time.perf_counter() - clock
            clock = time.perf_counter()
            # One scan: the distinct result words, any blank barcode, the number of rows.
            cursor.execute(
                f"SELECT {res}, bool_or(coalesce(btrim({bar}), '') = ''), count(*) "
                f"FROM {raw} GROUP BY {res}"
            )
            words, rows = {}, 0
            for text, blank, count in cursor.fetchall():
                result = labfile.RESULT_WORDS.get(labfile.normalise(text))
                if result is None or blank:
                    raise _NotClean
                words[text] = result
                rows += count
            # Each distinct time text is checked and converted once (a file repeats a few).
            union = " UNION ".join(f"SELECT btrim({c}) AS v FROM {raw}" for c in times) or (
                "SELECT NULL::text AS v"
            )
            cursor.execute(
                f"CREATE {_SCRATCH} TABLE {moments} AS SELECT v, NULL::timestamptz AS at "
                f"FROM ({union}) x WHERE coalesce(v, '') <> ''"
            )
            cursor.execute(f"SELECT count(*) FROM {moments} WHERE v !~ %s", [_TIME_TEXT])
            if cursor.fetchone()[0]:
                raise _NotClean
            cursor.execute(
                f"UPDATE {moments} SET at = replace(v, '/', '-')::timestamp AT TIME ZONE %s",
                [settings.TIME_ZONE],
            )
            cursor.execute(f"SELECT count(*) FROM {moments} WHERE at > %s", [at])
            if cursor.fetchone()[0]:
                raise _NotClean
            cursor.execute(f"ANALYZE {moments}")
            report.timings["check_file"] = time.perf_counter() - clock
    except (_NotClean, DataError, DatabaseError, psycopg.Error):
        stage.drop_raw()
        return None

    def moment(field: str) -> tuple[str, str]:
        if field not in ix:
            return "NULL::timestamptz", ""
        alias = f"m_{field}"
        return (
            f"{alias}.at",
            f"LEFT JOIN {moments} {alias} ON {alias}.v = btrim(r.c{ix[field]}) ",
        )

    smp, smp_join = moment(labfile.Column.SAMPLED_AT)
    tst, tst_join = moment(labfile.Column.TESTED_AT)
    # A CASE, not a join to a VALUES list: the planner would guess that join keeps 1 % of
    # the raw table's (unanalysed) rows and pick nested loops over a million index probes.
    cases = " ".join(["WHEN %s THEN %s"] * len(words))
    report.rows = report.staged = rows
    report.copied = True
    return _Fast(
        select=(
            f"SELECT btrim(r.{bar}) AS barcode, CASE r.{res} {cases} END AS result, "
            f"{smp} AS sampled_at, {tst} AS tested_at{{extra}} FROM {raw} r "
            f"{smp_join}{tst_join}"
        ),
        params=[v for pair in words.items() for v in pair],
        rows=rows,
        ordered=f"{layout.header_row} + row_number() OVER (ORDER BY r.ctid)",
    )


class _NotAll(Exception):
    """The one-statement write met a row it did not write: roll it back, take the long way."""


def _write_fast(
    *, fast: _Fast, allowed: list[int], lab: Lab, batch: ResultImport, at: dt.datetime
) -> bool:
    """PostgreSQL, every row a pending sample of an allowed enterprise (the usual file): one
    statement writes the results from the raw file, computes what each person's status
    learns from the rows it wrote (RETURNING) and updates the status rows. Rolled back (to
    its savepoint) and False when it wrote fewer samples than the file has rows: a repeated
    or unknown barcode, another enterprise's or an already stored sample; the caller then
    stages the rows and runs the checks that name each one."""
    s = _q(Sample._meta.db_table)
    m = _q(SampleMember._meta.db_table)
    marks = ", ".join(["%s"] * len(allowed))
    stamp = connection.ops.adapt_datetimefield_value(at)
    status_sql, status_params = status_results_update_cte(delta="d", at=at)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"WITH src AS ({fast.select.format(extra='')}), "
                f"w AS (UPDATE {s} x SET result = src.result, "
                "result_at = COALESCE(src.tested_at, %s), lab_id = %s, result_import_id = %s "
                "FROM src WHERE x.barcode = src.barcode AND x.barcode <> '' AND x.result = %s "
                f"AND x.enterprise_id IN ({marks}) RETURNING x.id, x.taken_at, x.result), "
                "d AS (SELECT mm.person_id AS person_id, "
                "MAX(CASE WHEN w.result = %s THEN w.taken_at END) AS negative_at, "
                f"-COUNT(*) AS pending_delta FROM w JOIN {m} mm ON mm.sample_id = w.id "
                # In the status table's key order: the status UPDATE then walks its pages
                # once, in order, instead of at random (a million status rows do not fit
                # the shared buffers; see docs/sampling.md, Speed).
                f"GROUP BY mm.person_id ORDER BY mm.person_id), u AS ({status_sql}) "
                "SELECT (SELECT COUNT(*) FROM w), (SELECT COUNT(*) FROM d), "
                "(SELECT COUNT(*) FROM u)",
                [
                    *fast.params,
                    stamp,
                    lab.pk,
                    batch.pk,
                    Result.PENDING,
                    *allowed,
                    Result.NEGATIVE,
                    *status_params,
                ],
            )
            written, people, updated = cursor.fetchone()
            if written < fast.rows:
                raise _NotAll
    except _NotAll:
        return False
    if updated < people:
        _status_missing(batch=batch, at=at)
    return True


def _status_missing(*, batch: ResultImport, at: dt.datetime) -> None:
    """People of this import's samples with no status row yet (rare: every person gets one
    when they join): created, already moved forward, by `status_results_merge`."""
    s = _q(Sample._meta.db_table)
    m = _q(SampleMember._meta.db_table)
    status = _q(PersonStatus._meta.db_table)
    delta = f"sampling_missing_{batch.pk}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {delta}")
        cursor.execute(
            f"CREATE {_SCRATCH} TABLE {delta} AS SELECT mm.person_id AS person_id, "
            "MAX(CASE WHEN x.result = %s THEN x.taken_at END) AS negative_at, "
            f"-COUNT(DISTINCT x.id) AS pending_delta FROM {s} x "
            f"JOIN {m} mm ON mm.sample_id = x.id WHERE x.result_import_id = %s "
            f"AND NOT EXISTS (SELECT 1 FROM {status} t WHERE t.person_id = mm.person_id) "
            "GROUP BY mm.person_id",
            [Result.NEGATIVE, batch.pk],
        )
        status_results_merge(table=delta, at=at, missing_only=True)
        cursor.execute(f"DROP TABLE {delta}")


def _distinct(stage: _Stage) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(DISTINCT barcode) FROM {stage.name}")
        return int(cursor.fetchone()[0])


def _conflicts_in_file(*, stage: _Stage, report: ImportReport) -> None:
    """The same sample twice in the file with different results."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT barcode, MIN(row_no), MAX(row_no) FROM {stage.name} GROUP BY barcode "
            "HAVING COUNT(DISTINCT result) > 1 ORDER BY MIN(row_no)"
        )
        for barcode, first, last in cursor.fetchall():
            report.error(last, "", CONFLICT_IN_FILE.format(row=last, barcode=barcode, other=first))


def _check(
    *, stage: _Stage, report: ImportReport, allowed: list[int], park_ids: set[int]
) -> list[tuple[Any, ...]]:
    """Rows that wrote nothing and why: another enterprise's sample, a different stored
    result (errors), or an unknown barcode (returned, for the ID-number pass)."""
    t = stage.name
    s = _q(Sample._meta.db_table)
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(allowed))
        cursor.execute(
            f"SELECT st.row_no, st.barcode, st.result, st.sampled_at, st.tested_at, "
            f"st.id_digest, x.id, x.enterprise_id, x.result FROM {t} st "
            f"LEFT JOIN {s} x ON x.barcode = st.barcode AND x.barcode <> '' "
            f"WHERE x.id IS NULL OR x.enterprise_id NOT IN ({marks}) "
            "OR (x.result <> %s AND x.result <> st.result) ORDER BY st.row_no",
            [*allowed, Result.PENDING],
        )
        found = cursor.fetchall()
    labels = dict(Result.choices)
    loose: list[tuple[Any, ...]] = []
    for row_no, barcode, result, sampled, tested, digest, sid, ent, stored in found:
        if sid is None or ent not in allowed:
            if sid is not None and ent in park_ids:
                report.error(row_no, "", OTHER_ENTERPRISE.format(row=row_no, barcode=barcode))
            else:
                # Outside the park a barcode is as good as unknown (nothing is revealed).
                loose.append((row_no, barcode, result, sampled, tested, digest))
        else:
            report.error(
                row_no,
                "",
                CONFLICT_STORED.format(row=row_no, barcode=barcode, stored=labels.get(stored, "")),
            )
    return loose


@dataclass
class _NewSample:
    row_no: int
    barcode: str
    result: str
    sampled: Any
    tested: Any
    person_id: int
    enterprise_id: int


def _by_id_number(
    *,
    loose: list[tuple[Any, ...]],
    report: ImportReport,
    allowed: list[int],
    park_id: int,
) -> list[_NewSample]:
    """Rows with an unknown barcode, matched to a person by the ID number's HMAC."""
    digests = {row[5] for row in loose if row[5]}
    people: dict[str, list[tuple[int, int, str, str]]] = {}
    for pk, ent, digest, masked, name in Person.objects.filter(
        id_digest__in=digests, enterprise__jurisdiction_id=park_id
    ).values_list("pk", "enterprise_id", "id_digest", "id_masked", "name"):
        people.setdefault(digest, []).append((pk, ent, masked, name))
    new: dict[str, _NewSample] = {}
    for row_no, barcode, result, sampled, tested, digest in loose:
        matches = people.get(digest or "", [])
        mine = [m for m in matches if m[1] in allowed]
        if mine:
            if sampled is None:
                report.error(row_no, "", MISSING_SAMPLED_AT.format(row=row_no))
            elif barcode not in new:
                pk, ent, _, _ = mine[0]
                new[barcode] = _NewSample(row_no, barcode, result, sampled, tested, pk, ent)
            continue
        if matches:
            report.error(row_no, "", OTHER_ENTERPRISE.format(row=row_no, barcode=barcode))
            continue
        report.unmatched_count += 1
        if len(report.unmatched) < MAX_LISTED:
            report.unmatched.append(
                {
                    "row": row_no,
                    "barcode": barcode,
                    "message": UNMATCHED.format(row=row_no, barcode=barcode),
                }
            )
    return list(new.values())


def _count_writes(*, stage: _Stage, allowed: list[int]) -> int:
    marks = ", ".join(["%s"] * len(allowed))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(DISTINCT x.id) FROM {stage.name} st JOIN {_q(Sample._meta.db_table)} x "
            f"ON x.barcode = st.barcode AND x.barcode <> '' "
            f"WHERE x.result = %s AND x.enterprise_id IN ({marks})",
            [Result.PENDING, *allowed],
        )
        return int(cursor.fetchone()[0])


def _write_results(
    *, stage: _Stage, allowed: list[int], lab: Lab, batch: ResultImport, at: dt.datetime
) -> int:
    """One UPDATE … FROM: every pending sample of the allowed enterprises named in the file."""
    s = _q(Sample._meta.db_table)
    marks = ", ".join(["%s"] * len(allowed))
    stamp = connection.ops.adapt_datetimefield_value(at)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {s} SET result = st.result, result_at = COALESCE(st.tested_at, %s), "
            f"lab_id = %s, result_import_id = %s FROM {stage.name} st "
            f"WHERE {s}.barcode = st.barcode AND {s}.barcode <> '' AND {s}.result = %s "
            f"AND {s}.enterprise_id IN ({marks})",
            [stamp, lab.pk, batch.pk, Result.PENDING, *allowed],
        )
        return int(cursor.rowcount)


def _write_status(
    *,
    stage: _Stage,
    lab: Lab,
    batch: ResultImport,
    new: list[_NewSample],
    at: dt.datetime,
    report: ImportReport,
) -> None:
    s = _q(Sample._meta.db_table)
    m = _q(SampleMember._meta.db_table)
    clock = time.perf_counter()
    with connection.cursor() as cursor:
        # What each person's status learns: the newest negative sampling time and one
        # pending result fewer per sample that got its result.
        cursor.execute(
            # Reached through the staged barcodes (an index), so the cost follows the file,
            # not the size of the samples table; a barcode twice in the file counts once.
            f"CREATE {_SCRATCH} TABLE {stage.delta} AS SELECT mm.person_id AS person_id, "
            f"MAX(CASE WHEN x.result = %s THEN x.taken_at END) AS negative_at, "
            f"-COUNT(DISTINCT x.id) AS pending_delta FROM {stage.name} st "
            f"JOIN {s} x ON x.barcode = st.barcode AND x.barcode <> '' "
            f"JOIN {m} mm ON mm.sample_id = x.id "
            # In key order, like the fast path's (`_write_fast`).
            "WHERE x.result_import_id = %s GROUP BY mm.person_id ORDER BY mm.person_id",
            [Result.NEGATIVE, batch.pk],
        )
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {stage.delta}")
    status_results_merge(table=stage.delta, at=at)
    report.timings["status"] = time.perf_counter() - clock
    if new:
        created = Sample.objects.bulk_create(
            [
                Sample(
                    enterprise_id=n.enterprise_id,
                    kind=SampleKind.SINGLE,
                    barcode=n.barcode,
                    taken_at=_read(n.sampled) or at,
                    result=n.result,
                    result_at=_read(n.tested) or at,
                    lab=lab,
                    result_import=batch,
                )
                for n in new
            ]
        )
        SampleMember.objects.bulk_create(
            [
                SampleMember(sample=c, person_id=n.person_id)
                for c, n in zip(created, new, strict=True)
            ]
        )
        status_results_record(
            negatives={
                n.person_id: c.taken_at
                for c, n in zip(created, new, strict=True)
                if n.result == Result.NEGATIVE
            },
            at=at,
        )
        # A sample the lab took that was never registered here (matched by ID number) is
        # still the person's test: it meets their test duty at its sampling time (Z-5.2b).
        duty_evidence_record(
            kind=DutyKind.NUCLEIC_ACID,
            evidence={n.person_id: c.taken_at for c, n in zip(created, new, strict=True)},
            at=at,
            reference=f"sampling.import:{batch.pk}",
        )
        report.created = len(created)


def _read(value: Any) -> dt.datetime | None:
    """A staged SQLite time text back to a datetime (PostgreSQL hands back datetimes)."""
    if value is None or isinstance(value, dt.datetime):
        return value
    parsed = dt.datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _checked_write(
    *,
    stage: _Stage,
    report: ImportReport,
    allowed: list[int],
    park_ids: set[int],
    lab: Lab,
    batch: ResultImport,
    at: dt.datetime,
    dry_run: bool,
) -> list[_NewSample]:
    """The staged rows' write with every check (raises `_Invalid` on errors and after a dry
    run). Optimistic: the UPDATE first; only when it wrote fewer samples than rows staged are
    the duplicates, foreign samples, stored results and unknown barcodes looked for (the
    transaction rolls back if any is an error). Returns the rows matched by ID number."""
    clock = time.perf_counter()
    if dry_run:
        written = _count_writes(stage=stage, allowed=allowed)
    else:
        written = _write_results(stage=stage, allowed=allowed, lab=lab, batch=batch, at=at)
    distinct = report.staged
    if written < report.staged:
        distinct = _distinct(stage)
        if distinct < report.staged:
            _conflicts_in_file(stage=stage, report=report)
    if report.errors:
        raise _Invalid
    report.timings["write_results"] = time.perf_counter() - clock
    clock = time.perf_counter()
    # Every distinct sample written: nothing unmatched, foreign or conflicting.
    loose = (
        _check(stage=stage, report=report, allowed=allowed, park_ids=park_ids)
        if written < distinct
        else []
    )
    new = _by_id_number(loose=loose, report=report, allowed=allowed, park_id=lab.jurisdiction_id)
    report.timings["check_and_match"] = time.perf_counter() - clock
    report.written = written
    if report.errors:
        raise _Invalid
    if dry_run:
        report.created = len(new)
        raise _Invalid
    return new


def results_import(
    *,
    scope: Scope,
    lab: Lab,
    enterprise: Enterprise | None,
    layout: labfile.Layout,
    rows: Iterable[tuple[int, Sequence[Any]]],
    dry_run: bool,
    at: dt.datetime,
    by: User | None,
    batch: ResultImport | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[ResultImport, ImportReport]:
    """Import one file's (or one API post's) rows; all-or-nothing. See the module docstring.

    Returns the import record (state done, checked or invalid) and its report.
    """
    allowed = _authorise(scope=scope, lab=lab, enterprise=enterprise)
    if batch is None:
        batch = ResultImport.objects.create(
            lab=lab,
            enterprise=enterprise,
            dry_run=dry_run,
            state=ImportState.RUNNING,
            created_by=by,
            created_at=at,
            lease_until=lease(timezone.now()),
        )
    report = ImportReport()
    park_ids = set(
        Enterprise.objects.filter(jurisdiction_id=lab.jurisdiction_id).values_list("pk", flat=True)
    )
    stage = _Stage(batch.pk)
    try:
        clock = time.perf_counter()
        fast = _copy_fast(stage=stage, layout=layout, at=at, report=report)
        if fast is None:
            _stage_rows(
                stage=stage, rows=rows, layout=layout, at=at, report=report, progress=progress
            )
            stage.index()
        elif progress is not None:
            progress(report.rows)
        report.timings["parse_and_stage"] = time.perf_counter() - clock
        try:
            with transaction.atomic():
                # Renewing the lease locks the import's row (PostgreSQL) or takes the write
                # lock (SQLite) to the commit: the recovery leaves a live write alone.
                claimed = ResultImport.objects.filter(
                    pk=batch.pk, state=ImportState.RUNNING
                ).update(lease_until=lease(timezone.now()))
                if not claimed:
                    raise _Lost
                _tune()
                clock = time.perf_counter()
                done = (
                    fast is not None
                    and not dry_run
                    and _write_fast(fast=fast, allowed=allowed, lab=lab, batch=batch, at=at)
                )
                if done:
                    report.written = report.staged
                    report.timings["write_results_and_status"] = time.perf_counter() - clock
                else:
                    if fast is not None:
                        stage.fill(fast)
                        stage.index()
                    new = _checked_write(
                        stage=stage,
                        report=report,
                        allowed=allowed,
                        park_ids=park_ids,
                        lab=lab,
                        batch=batch,
                        at=at,
                        dry_run=dry_run,
                    )
                    _write_status(stage=stage, lab=lab, batch=batch, new=new, at=at, report=report)
                fault_point("lab_import_write")  # results and statuses written, not committed
                audit_record(
                    actor=by,
                    action="sampling.results_import",
                    at=at,
                    target=batch,
                    enterprise_id=enterprise.pk if enterprise else None,
                    jurisdiction_id=lab.jurisdiction_id,
                    detail={"lab": lab.pk, "written": report.written, "created": report.created},
                )
                clock = time.perf_counter()
                report.positives = results_followups(
                    samples=Sample.objects.filter(result_import=batch), at=at
                )
                report.timings["holds_and_alerts"] = time.perf_counter() - clock
        except _Invalid:
            pass
    except _Lost:
        batch.refresh_from_db()
        return batch, report
    finally:
        stage.drop()
    report.unchanged = max(
        0, report.rows - report.written - report.created - report.unmatched_count
    )
    if report.errors:
        report.written = report.created = report.unchanged = 0
    state = (
        ImportState.INVALID
        if report.errors
        else ImportState.CHECKED
        if dry_run
        else ImportState.DONE
    )
    ResultImport.objects.filter(pk=batch.pk).update(
        state=state,
        rows_total=report.rows,
        rows_done=report.rows,
        written=report.written,
        unchanged=report.unchanged,
        errors=report.errors,
        unmatched=report.unmatched,
        finished_at=at,
        data=None,
        lease_until=None,
    )
    batch.refresh_from_db()
    return batch, report


def _with_body(data: bytes, layout: labfile.Layout, *, width: int) -> labfile.Layout:
    """The text after the header rows, if they hold no quote (so lines are rows there)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return layout
    parts = text.split("\n", layout.header_row)
    if len(parts) <= layout.header_row or '"' in "".join(parts[: layout.header_row]):
        return layout
    return dataclasses.replace(layout, body=parts[-1], width=width)


def file_layout(
    *, data: bytes, filename: str, lab: Lab, limits: sheets.SheetLimits
) -> tuple[labfile.Layout, Iterator[tuple[int, list[Any]]]]:
    """The file's layout (lab mapping, synonyms) and its numbered data rows; FileRefused."""
    stream = labfile.file_rows(data=data, filename=filename, limits=limits)
    head: list[list[Any]] = []
    for row in stream:
        head.append(row)
        if len(head) >= sheets.HEADER_SEARCH_ROWS:
            break
    layout = labfile.layout_find(head, mapping=lab.mapping)
    if filename.lower().endswith(".csv") and connection.vendor == "postgresql":
        layout = _with_body(data, layout, width=len(head[layout.header_row - 1]))

    def rest() -> Iterator[tuple[int, list[Any]]]:
        number = layout.header_row
        for row in head[layout.header_row :]:
            number += 1
            yield number, row
        for row in stream:
            number += 1
            if number - layout.header_row > limits.max_rows:
                raise labfile.FileRefused(sheets.TOO_MANY_ROWS.format(limit=limits.max_rows))
            yield number, row

    return layout, rest()
