"""Lab result import: end-to-end rows per second against a raw load of the same file.

Run: ``python -m bench.lab_import [--quick]``. Builds N people with one pending single tube
each (PostgreSQL: 1,000,000, SQLite: 100,000; ``--quick``: 20,000 / 5,000), inserted
set-based (setup, not timed), and a lab's .csv of N results (条码号, 姓名, 检测结果, 采样时间,
检测时间; a handful positive). End-to-end is the real path: bomb scan, header and synonyms,
stream-parse every row into the staging table (COPY / executemany), the set-based checks
(duplicates, enterprise, stored results, unknown barcodes), the UPDATE … FROM that writes
the results, the status upkeep (one INSERT … SELECT … GROUP BY and one UPDATE … FROM) and
the holds and alerts of the positives. Each step's time is printed.

The baseline, in the same run: PostgreSQL COPYs the same file (CSV, header) into an unlogged
table of text columns; SQLite executemany()s the same rows (already split) into a bare table.
The ratio is baseline seconds / end-to-end seconds; the run exits 1 below the target
(0.25 on PostgreSQL, 0.3 on SQLite), as the other benchmarks do.

``--ceiling`` measures instead the best case of an insert-only results table (scratch tables,
no checks): raw load, one INSERT … ON CONFLICT DO NOTHING keyed by (lab, sample), one status
UPDATE per person. 2026-12-01, load average 10–14 on 2 cores, same-run ratios: the import
0.028 (PostgreSQL, --quick) and 0.115 (SQLite, --quick); the ceiling 0.044 at 1,000,000 rows on
PostgreSQL (0.070 with no status upkeep at all) and 0.262 at 100,000 on SQLite: under both
targets, so the results stay on the samples (docs/sampling.md, Speed).

Uses a throwaway SQLite file, or a scratch database ``<name>_bench`` on the PostgreSQL server
of DATABASE_URL (see bench/people_import.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import time
from typing import Any

from bench.people_import import _configure

TARGETS = {"postgresql": 0.25, "sqlite": 0.3}
SIZES = {"postgresql": 1_000_000, "sqlite": 100_000}
QUICK = {"postgresql": 20_000, "sqlite": 5_000}
POSITIVES = 5
CHUNK = 50_000  # rows per setup statement
TIMES = ["2022-11-16 07:30", "2022-11-16 08:00", "2022-11-16 08:30", "2022-11-16 09:00"]


def _load(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    from django.db import connection

    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            with c.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            c.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def _template(model: Any, **given: Any) -> tuple[list[str], list[Any]]:
    """Every concrete column of `model` with its default (prepared once), or a given value."""
    from django.db import connection
    from django.utils import timezone

    columns, values = [], []
    now = timezone.now()
    for f in model._meta.concrete_fields:
        if f.primary_key and f.attname not in given:
            continue
        columns.append(f.column)
        if f.attname in given:
            values.append(given[f.attname])
            continue
        value = f.get_default()
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now
        values.append(f.get_db_prep_save(value, connection))
    return columns, values


def setup(n: int) -> tuple[Any, Any]:
    """Park, enterprise, lab; n people with a pending single tube and a status row each."""
    from django.db import connection, transaction

    from bench.people_import import _enterprise, _world
    from parkguard.orgs.access import SYSTEM
    from parkguard.people.models import Person
    from parkguard.sampling.models import Sample, SampleMember
    from parkguard.sampling.services import lab_create
    from parkguard.status.models import PersonStatus

    park = _world()
    enterprise = _enterprise(park, f"lab-{n}")
    lab, _ = lab_create(scope=SYSTEM, jurisdiction=park, name="基准检测中心", by=None)
    taken = dt.datetime(2022, 11, 16, 0, 30, tzinfo=dt.UTC)
    adapt = connection.ops.adapt_datetimefield_value
    with transaction.atomic():
        people, p_vals = _template(
            Person,
            id=0,
            enterprise_id=enterprise.pk,
            name="",
            id_digest="",
            id_masked="450*************12",
            id_tail="0012",
            id_encrypted="x",
            gender="male",
            birth_date=connection.ops.adapt_datefield_value(dt.date(1990, 1, 1)),
            phone="13800000000",
            category="regular",
        )
        at = {c: i for i, c in enumerate(people)}
        samples, s_vals = _template(
            Sample,
            id=0,
            enterprise_id=enterprise.pk,
            kind="single",
            barcode="",
            taken_at=adapt(taken),
            result="pending",
        )
        sat = {c: i for i, c in enumerate(samples)}
        members, _ = _template(SampleMember, id=0, sample_id=0, person_id=0)
        statuses, st_vals = _template(
            PersonStatus, person_id=0, enterprise_id=enterprise.pk, pending_results=1
        )
        base = 1_000_000_000  # ids far above anything the world made
        for start in range(0, n, CHUNK):
            ids = range(base + start, base + min(n, start + CHUNK))
            rows = []
            for i in ids:
                v = list(p_vals)
                v[at["id"]], v[at["name"]], v[at["id_digest"]] = i, f"员工{i % 10000}", f"{i:064d}"
                rows.append(tuple(v))
            _load(Person._meta.db_table, people, rows)
            rows = []
            for i in ids:
                v = list(s_vals)
                v[sat["id"]], v[sat["barcode"]] = i, f"B{i}"
                rows.append(tuple(v))
            _load(Sample._meta.db_table, samples, rows)
            _load(SampleMember._meta.db_table, members, [(i, i, i) for i in ids])
            rows = []
            for i in ids:
                v = list(st_vals)
                v[0] = i
                rows.append(tuple(v))
            _load(PersonStatus._meta.db_table, statuses, rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            for model in (Person, Sample, SampleMember, PersonStatus):
                c.execute(f"ANALYZE {model._meta.db_table}")
    return enterprise, lab


def lab_file(n: int) -> bytes:
    out = io.StringIO()
    out.write("条码号,姓名,检测结果,采样时间,检测时间\n")
    base = 1_000_000_000
    step = max(1, n // POSITIVES)
    for k in range(n):
        i = base + k
        result = "阳性" if k % step == step - 1 else "阴性"
        out.write(f"B{i},员工{i % 10000},{result},{TIMES[k % 4]},2022-11-16 14:00\n")
    return out.getvalue().encode("utf-8")


def raw_load(data: bytes, *, keep: bool = False) -> float:
    """The baseline: the same file, loaded as plain text into a bare (unlogged) table."""
    import csv

    from django.db import connection, transaction

    with connection.cursor() as c:
        c.execute("DROP TABLE IF EXISTS bench_raw_results")
        unlogged = "UNLOGGED " if connection.vendor == "postgresql" else ""
        c.execute(
            f"CREATE {unlogged}TABLE bench_raw_results "
            "(c0 text, c1 text, c2 text, c3 text, c4 text)"
        )
    rows: list[tuple[str, ...]] = []
    if connection.vendor != "postgresql":
        rows = [tuple(r) for r in csv.reader(io.StringIO(data.decode("utf-8")))][1:]
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as c:
        if connection.vendor == "postgresql":
            with c.cursor.copy(
                "COPY bench_raw_results FROM STDIN WITH (FORMAT csv, HEADER true)"
            ) as copy:
                view = memoryview(data)
                for offset in range(0, len(data), 1 << 20):
                    copy.write(view[offset : offset + (1 << 20)])
        else:
            c.executemany("INSERT INTO bench_raw_results VALUES (%s, %s, %s, %s, %s)", rows)
    elapsed = time.perf_counter() - start
    if not keep:
        with connection.cursor() as c:
            c.execute("DROP TABLE bench_raw_results")
    return elapsed


def ceiling(n: int) -> None:
    """The insert-only design's best case, in the same run: scratch tables only (none of the
    app's), no parsing, no checks, no holds. The same file COPYed / executemany()d into a raw
    table (the baseline), then one INSERT … SELECT … ON CONFLICT DO NOTHING of every row into
    a logged results table keyed by (lab, sample), then one UPDATE of one status row per
    person (GROUP BY person) — what "status rows current in the same transaction" costs.
    The ratio is baseline / (the import's own load + those two statements)."""
    from django.db import connection, transaction

    pg = connection.vendor == "postgresql"
    tables = ("bench_c_sample", "bench_c_status", "bench_c_result")
    with connection.cursor() as c:
        for t in tables:
            c.execute(f"DROP TABLE IF EXISTS {t}")
        c.execute(
            "CREATE TABLE bench_c_sample (id bigint PRIMARY KEY, barcode varchar(40) UNIQUE, "
            "taken_at timestamp)"
        )
        c.execute(
            "CREATE TABLE bench_c_status (person_id bigint PRIMARY KEY, latest_negative_at "
            "timestamp, pending_results integer, updated_at timestamp, pad text)"
            + (" WITH (fillfactor = 45)" if pg else "")
        )
        c.execute(
            "CREATE TABLE bench_c_result (id integer PRIMARY KEY"
            + (" GENERATED BY DEFAULT AS IDENTITY" if pg else "")
            + ", lab_id integer, sample_id bigint, result varchar(10), result_at timestamp, "
            "import_id integer, UNIQUE (lab_id, sample_id))"
        )
    base = 1_000_000_000
    for start in range(0, n, CHUNK):
        ids = range(base + start, base + min(n, start + CHUNK))
        _load(
            "bench_c_sample", ["id", "barcode", "taken_at"], [(i, f"B{i}", TIMES[0]) for i in ids]
        )
        _load(
            "bench_c_status",
            ["person_id", "pending_results", "updated_at", "pad"],
            [(i, 1, TIMES[0], "x" * 120) for i in ids],
        )
    if pg:
        with connection.cursor() as c:
            c.execute("ANALYZE bench_c_sample")
            c.execute("ANALYZE bench_c_status")
    data = lab_file(n)
    raw = min(raw_load(data, keep=True) for _ in range(2))
    # The import's own load is that raw load, plus on SQLite the split of the file into rows
    # that the baseline gets for free (PostgreSQL's COPY splits it itself).
    parse = 0.0
    if not pg:
        import csv

        t0 = time.perf_counter()
        sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8"))))
        parse = time.perf_counter() - t0
    with transaction.atomic(), connection.cursor() as c:
        t0 = time.perf_counter()
        c.execute(
            "INSERT INTO bench_c_result (lab_id, sample_id, result, result_at, import_id) "
            "SELECT 1, x.id, CASE r.c2 WHEN '阴性' THEN 'negative' ELSE 'positive' END, "
            + ("CAST(r.c4 AS timestamp)" if pg else "r.c4")
            + ", 7 FROM bench_raw_results r JOIN bench_c_sample x ON x.barcode = r.c0 "
            "ON CONFLICT DO NOTHING"
        )
        insert = time.perf_counter() - t0
        t0 = time.perf_counter()
        c.execute(
            "UPDATE bench_c_status SET pending_results = pending_results - d.n, "
            "latest_negative_at = d.neg, updated_at = %s FROM (SELECT x.id AS pid, "
            "MAX(CASE WHEN r.result = 'negative' THEN x.taken_at END) AS neg, COUNT(*) AS n "
            "FROM bench_c_result r JOIN bench_c_sample x ON x.id = r.sample_id "
            "WHERE r.import_id = 7 GROUP BY x.id) d WHERE bench_c_status.person_id = d.pid",
            [TIMES[1]],
        )
        status = time.perf_counter() - t0
    with connection.cursor() as c:
        for t in (*tables, "bench_raw_results"):
            c.execute(f"DROP TABLE IF EXISTS {t}")
    print(
        f"  ceiling of an insert-only design, {n} rows: raw load {raw:.2f} s, split "
        f"{parse:.2f} s, results INSERT "
        f"{insert:.2f} s, status UPDATE (one per person) {status:.2f} s",
        flush=True,
    )
    print(
        f"lab_import: ceiling ratio {raw / (parse + raw + insert + status):.3f} "
        f"(without any status upkeep {raw / (parse + raw + insert):.3f}; target "
        f"{TARGETS[connection.vendor]}) rows={n} db={connection.vendor}"
    )


def import_once(*, enterprise: Any, lab: Any, data: bytes, n: int) -> tuple[float, Any]:
    from django.urls import reverse
    from django.utils import timezone

    from parkguard.orgs.access import SYSTEM
    from parkguard.people.sheets import SheetLimits
    from parkguard.sampling import importing
    from parkguard.sampling.rules import testing_rules

    limits = SheetLimits(max_bytes=len(data) + 1, max_rows=n + 1, max_inflated=len(data) + 1)
    at = timezone.now()
    # A server process has its URLconf and rule packs loaded already: so does this one.
    reverse("sampling_round_list", args=[enterprise.pk])
    testing_rules(park=enterprise.jurisdiction, on=at.date())
    start = time.perf_counter()
    layout, rows = importing.file_layout(data=data, filename="结果.csv", lab=lab, limits=limits)
    _, report = importing.results_import(
        scope=SYSTEM,
        lab=lab,
        enterprise=enterprise,
        layout=layout,
        rows=rows,
        dry_run=False,
        at=at,
        by=None,
    )
    elapsed = time.perf_counter() - start
    report.timings["total"] = elapsed
    return elapsed, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a small run")
    parser.add_argument("--rows", type=int, default=None, help="any other number of rows")
    parser.add_argument(
        "--ceiling",
        action="store_true",
        help="measure only the best case of an insert-only results table (no target)",
    )
    args = parser.parse_args(argv)
    label, cleanup = _configure()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from parkguard.sampling.models import Sample
    from parkguard.status.models import PersonStatus

    vendor = connection.vendor
    n = args.rows or (QUICK if args.quick else SIZES)[vendor]
    target = TARGETS[vendor]
    try:
        if args.ceiling:
            ceiling(n)
            return 0
        call_command("migrate", verbosity=0)
        print(f"lab_import: {n} rows on {label}", flush=True)
        t0 = time.perf_counter()
        enterprise, lab = setup(n)
        data = lab_file(n)
        print(
            f"  setup {time.perf_counter() - t0:.1f} s, file {len(data) / 1e6:.1f} MB", flush=True
        )
        raw = min(raw_load(data) for _ in range(2))
        kind = "COPY into an unlogged table" if vendor == "postgresql" else "executemany"
        print(f"  raw load ({kind}): {raw:.2f} s, {n / raw:,.0f} rows/s", flush=True)
        seconds, report = import_once(enterprise=enterprise, lab=lab, data=data, n=n)
        for step, spent in report.timings.items():
            print(f"    {step:<20} {spent:7.2f} s")
        print(
            f"  end-to-end: {seconds:.2f} s, {n / seconds:,.0f} rows/s "
            f"(written {report.written}, positives {report.positives}, "
            f"errors {len(report.errors)}, "
            f"{'COPY fast path' if report.copied else 'row reader'})",
            flush=True,
        )
        assert report.written == n and not report.errors, report.errors[:3]
        assert not Sample.objects.filter(result="pending", enterprise=enterprise).exists()
        assert not PersonStatus.objects.filter(
            enterprise=enterprise, pending_results__gt=0
        ).exists()
        again, second = import_once(enterprise=enterprise, lab=lab, data=data, n=n)
        print(
            f"  re-import (idempotent, {second.unchanged} unchanged, "
            f"{second.written} written): {again:.2f} s"
        )
        ratio = raw / seconds
        print(
            f"lab_import: ratio {ratio:.3f} (target {target}) rows={n} db={vendor} "
            f"end_to_end={n / seconds:,.0f}/s raw={n / raw:,.0f}/s"
        )
    finally:
        cleanup()
    if ratio < target:
        print(f"lab_import: target missed ({ratio:.3f} < {target})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
