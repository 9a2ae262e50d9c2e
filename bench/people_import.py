"""Staff ledger import: end-to-end rows per second against a raw load of the same rows.

Run: ``python -m bench.people_import [--quick]``. Builds 100,000 people (``--quick``: 5,000)
as an .xlsx and a .csv, then imports each into a fresh enterprise through the real path:
size/row precheck, parse (calamine / csv), check every row (ID checksum, birth date,
region, phone, category, places), HMAC + encrypt each ID, stage (COPY on PostgreSQL,
executemany on SQLite), and the set-based merge that a confirm runs. The baseline, in the
same run, loads the same rows as plain text into a bare table (COPY on PostgreSQL,
executemany on SQLite). The ratio is end-to-end rate / raw rate (worse format counts); the
run exits 1 when it is below TARGET, as ``bench/policy_plan.py`` does. The merge line is
split into its statements (MERGE_STEPS: new people with the ledger's indexes, employment
events, updates, the re-check, the commit where PostgreSQL runs its deferred FK checks).

Last measured (docs/people.md, "where the merge goes"), load average 13–20 on 2 cores:
SQLite 0.038 at 100,000 rows (the merge 16–22% of the time, was 52–60%); PostgreSQL 0.023
with --quick. The target is not met on either: see the docs for the per-row budget.

Django is set up here: PARKGUARD_ENV=test and, unless DATABASE_URL is set, a throwaway
SQLite file under /tmp. With a PostgreSQL DATABASE_URL the run uses a scratch database
``<name>_bench`` on that server (dropped afterwards), or the named database itself if it
may not create one. The development database var/parkguard.sqlite3 is never touched.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import io
import os
import random
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlparse, urlunparse

TARGET = 0.25
N_FULL = 100_000
N_QUICK = 5_000


def _configure() -> tuple[str, Callable[[], None]]:
    """Point Django at a throwaway database; returns its label and a cleanup function."""
    os.environ.setdefault("PARKGUARD_ENV", "test")
    os.environ["DJANGO_SETTINGS_MODULE"] = "parkguard.settings"
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        handle, path = tempfile.mkstemp(prefix="parkguard-bench-", suffix=".sqlite3", dir="/tmp")
        os.close(handle)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"

        def cleanup() -> None:
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(path + suffix)

        return f"sqlite {path}", cleanup
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise SystemExit("bench.people_import: DATABASE_URL must be PostgreSQL (or unset)")
    import psycopg

    name = parsed.path.lstrip("/") or "postgres"
    scratch = f"{name}_bench"
    admin = urlunparse(parsed._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
            conn.execute(f'CREATE DATABASE "{scratch}"')
    except psycopg.Error:
        return f"postgresql {name}", lambda: None
    os.environ["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{scratch}"))

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')

    return f"postgresql {scratch}", drop


# Region codes that GB/T 2260 knows for these birth years (checked once below).
REGIONS = ["450222", "150202", "510107", "420106", "500114", "350582"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍鹏红梅飞鑫波斌宇浩凯健俊帆"
POSTS = ["操作工", "技术员", "质检员", "仓管员", "保安", "保洁", "食堂", "司机", "文员"]


def _id_prefixes(count: int) -> list[str]:
    """`count` region+birth prefixes, each good for 1,000 distinct valid ID numbers."""
    from stdnum.cn import ric

    from parkguard.people.identity import IdentityError, id_parse

    found: list[str] = []
    day = dt.date(1975, 1, 1)
    today = dt.date(2022, 11, 15)
    while len(found) < count:
        for region in REGIONS:
            body = f"{region}{day:%Y%m%d}000"
            with contextlib.suppress(IdentityError):
                id_parse(body + ric.calc_check_digit(body + "0"), today=today)
                found.append(body[:14])
        day += dt.timedelta(days=37)
    return found[:count]


def synthetic_rows(n: int, *, seed: int = 20221115) -> list[list[str]]:
    """n ledger rows in template column order, deterministic, every ID distinct and valid."""
    from stdnum.cn import ric

    from parkguard.people.choices import StaffCategory
    from parkguard.people.columns import COLUMNS

    rng = random.Random(seed)
    prefixes = _id_prefixes(n // 1000 + 1)
    categories = [str(label) for _, label in StaffCategory.choices]
    keys = [c.key for c in COLUMNS]
    rows = []
    for i in range(n):
        body = f"{prefixes[i // 1000]}{i % 1000:03d}"
        category = rng.choices(categories, weights=[70, 5, 3, 12, 8, 2])[0]
        values = {
            "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            "id_number": body + ric.calc_check_digit(body + "0"),
            "phone": rng.choice(["138", "139", "150", "151", "177", "186", "189"])
            + f"{rng.randrange(10**8):08d}",
            "category": category,
            "org_unit": rng.choice(["生产部/一车间/甲班", "生产部/一车间/乙班", "行政部"]),
            "post": rng.choice(POSTS),
            "labour_agency": "渝才劳务派遣有限公司"
            if category in ("劳务派遣人员", "第三方外包人员", "客户派驻人员")
            else "",
            "workshop": rng.choice(["一车间", "二车间", ""]),
            "dormitory": f"{rng.randrange(1, 6)}号楼{rng.randrange(101, 520)}",
            "shift": rng.choice(["白班", "夜班"]),
            "home_community": rng.choice(["红石社区", "青龙村"]),
            "home_address": f"红石镇幸福路{rng.randrange(1, 300)}号",
            "vaccination_doses": str(rng.choice([0, 1, 2, 3])),
            "status": "在岗",
            "joined_on": f"20{rng.randrange(10, 22)}-{rng.randrange(1, 13):02d}-01",
        }
        rows.append([values.get(k, "") for k in keys])
    return rows


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    import xlsxwriter

    from parkguard.people.columns import COLUMNS

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True})
    sheet = book.add_worksheet("人员台账")
    sheet.write_row(0, 0, [c.header for c in COLUMNS])
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values):
            if value:
                sheet.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


def csv_bytes(rows: list[list[str]]) -> bytes:
    from parkguard.people.columns import COLUMNS

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header for c in COLUMNS])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


# What the merge's statements write, by their start (quotes dropped, lower case).
MERGE_STEPS = (
    ("insert into people_person ", "insert new people (ledger + 6 indexes)"),
    ("insert into people_employmentevent", "employment events (joined, status)"),
    ("update people_person ", "update changed people"),
    ("update people_personimportrow", "new-or-changed re-check vs ledger"),
)
MERGE_OTHER = "other (count, roles, audit, batch row)"
MERGE_COMMIT = "commit (deferred FK checks, WAL, fsync)"


class Phases:
    """Wall time per phase of the import, by wrapping the functions the service calls."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        # Inside the merge: each statement by what it writes, and the commit.
        self.merge_steps: dict[str, float] = defaultdict(float)
        self._merging = False

    @contextlib.contextmanager
    def wrapped(self) -> Iterator[None]:
        from django.db import connection

        from parkguard.people import sheets
        from parkguard.people.importing import checker, staging

        originals: list[tuple[Any, str, Any]] = []

        def wrap(owner: Any, attr: str, label: str) -> None:
            original = getattr(owner, attr)

            def timed(*args: Any, **kwargs: Any) -> Any:
                start = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    self.seconds[label] += time.perf_counter() - start

            originals.append((owner, attr, original))
            setattr(owner, attr, timed)

        wrap(sheets, "sheet_precheck", "scan (inflate, rows, references)")
        wrap(sheets, "sheet_parse", "parse")
        wrap(checker.LedgerRowChecker, "__init__", "load lookups")
        wrap(checker.LedgerRowChecker, "check", "check rows (ID, phone, HMAC, encrypt)")
        wrap(staging, "stage", "stage (COPY/executemany)")
        wrap(staging, "merge", "merge (INSERT…SELECT, events, audit)")
        merge = staging.merge

        def merging(*args: Any, **kwargs: Any) -> Any:
            self._merging = True
            try:
                return merge(*args, **kwargs)
            finally:
                self._merging = False

        staging.merge = merging
        commit = connection.commit

        def timed_commit() -> None:
            start = time.perf_counter()
            try:
                commit()
            finally:
                if self._merging:
                    self.merge_steps[MERGE_COMMIT] += time.perf_counter() - start

        connection.commit = timed_commit  # type: ignore[method-assign]
        try:
            with connection.execute_wrapper(self._statement):
                yield
        finally:
            del connection.commit
            staging.merge = merge
            for owner, attr, original in originals:
                setattr(owner, attr, original)

    def _statement(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not self._merging:
            return execute(sql, params, many, context)
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            head = sql.lstrip()[:60].replace('"', "").lower()
            label = next((text for prefix, text in MERGE_STEPS if head.startswith(prefix)), None)
            self.merge_steps[label or MERGE_OTHER] += time.perf_counter() - start


def _world() -> Any:
    from parkguard.orgs.choices import JurisdictionKind, OrgUnitKind
    from parkguard.orgs.models import Jurisdiction, OrgUnit
    from parkguard.orgs.services import jurisdiction_create, org_unit_save

    county = Jurisdiction.objects.filter(name="基准县").first()
    if county is None:
        county = jurisdiction_create(name="基准县", kind=JurisdictionKind.COUNTY)
        park = jurisdiction_create(name="基准园区", kind=JurisdictionKind.PARK, parent=county)
        town = jurisdiction_create(name="红石镇", kind=JurisdictionKind.TOWN, parent=county)
        for name in ["红石社区", "青龙村"]:
            jurisdiction_create(name=name, kind=JurisdictionKind.COMMUNITY, parent=town)
    park = Jurisdiction.objects.get(name="基准园区")
    del OrgUnit, OrgUnitKind, org_unit_save
    return park


def _enterprise(park: Any, label: str) -> Any:
    from stdnum.cn import uscc

    from parkguard.orgs.access import SYSTEM
    from parkguard.orgs.choices import OrgUnitKind
    from parkguard.orgs.services import enterprise_create, org_unit_save

    serial = abs(hash(label)) % 10**7
    body = f"91500114MA{serial:07d}"
    enterprise = enterprise_create(
        scope=SYSTEM,
        name=f"基准企业{label}",
        credit_code=body + uscc.calc_check_digit(body),
        jurisdiction=park,
        legal_representative="法人",
        industry="制造",
    )
    dept = org_unit_save(
        scope=SYSTEM, enterprise=enterprise, parent=None, kind=OrgUnitKind.DEPARTMENT, name="生产部"
    )
    org_unit_save(
        scope=SYSTEM, enterprise=enterprise, parent=None, kind=OrgUnitKind.DEPARTMENT, name="行政部"
    )
    shop = org_unit_save(
        scope=SYSTEM, enterprise=enterprise, parent=dept, kind=OrgUnitKind.WORKSHOP, name="一车间"
    )
    for team in ["甲班", "乙班"]:
        org_unit_save(
            scope=SYSTEM, enterprise=enterprise, parent=shop, kind=OrgUnitKind.TEAM, name=team
        )
    return enterprise


def import_once(
    *, enterprise: Any, data: bytes, filename: str, phases: Phases
) -> tuple[float, Any]:
    """Upload + check + stage + confirm + merge, through the public services."""
    from django.contrib.auth import get_user_model

    from parkguard.orgs.access import SYSTEM
    from parkguard.people.importing import jobs

    scope = SYSTEM  # the benchmark measures the import, not the permissions
    user, _ = get_user_model().objects.get_or_create(username="bench_officer")
    today = dt.date(2022, 11, 15)
    jobs.BACKGROUND_FROM_ROWS = 10**9  # run inline: the worker runs the same code
    jobs.BACKGROUND_FROM_BYTES = 10**12
    with phases.wrapped():
        start = time.perf_counter()
        batch = jobs.person_import_start(
            scope=scope,
            enterprise=enterprise,
            actor=user,
            filename=filename,
            data=data,
            today=today,
        )
        if batch.status != "ready":
            raise SystemExit(f"bench: import not ready: {batch.status} {batch.errors[:3]}")
        if batch.create_count or batch.update_count:
            batch = jobs.person_import_confirm(scope=scope, batch=batch, actor=user, today=today)
        elapsed = time.perf_counter() - start
    return elapsed, batch


def raw_load(rows: list[list[str]]) -> float:
    """The same rows as text into a bare table: COPY (PostgreSQL) / executemany (SQLite)."""
    from django.db import connection, transaction

    width = len(rows[0])
    columns = ", ".join(f"c{i} text" for i in range(width))
    with connection.cursor() as c:
        c.execute("DROP TABLE IF EXISTS bench_raw_people")
        c.execute(f"CREATE TABLE bench_raw_people ({columns})")
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as c:
        if connection.vendor == "postgresql":
            with c.cursor.copy("COPY bench_raw_people FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * width)
            c.executemany(f"INSERT INTO bench_raw_people VALUES ({marks})", rows)
    elapsed = time.perf_counter() - start
    with connection.cursor() as c:
        c.execute("DROP TABLE bench_raw_people")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help=f"{N_QUICK} rows instead of {N_FULL}")
    parser.add_argument("--rows", type=int, default=None, help="any other number of rows")
    args = parser.parse_args(argv)
    n = args.rows or (N_QUICK if args.quick else N_FULL)

    label, cleanup = _configure()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    try:
        call_command("migrate", verbosity=0)
        print(f"people_import: {n} rows on {label}", flush=True)
        t0 = time.perf_counter()
        rows = synthetic_rows(n)
        files = {"xlsx": xlsx_bytes(rows), "csv": csv_bytes(rows)}
        print(
            f"  built files in {time.perf_counter() - t0:.1f} s: "
            + ", ".join(f"{k} {len(v) / 1e6:.1f} MB" for k, v in files.items()),
            flush=True,
        )
        park = _world()
        raw_seconds = min(raw_load(rows) for _ in range(2))
        raw_rate = n / raw_seconds
        print(
            f"  raw load ({'COPY' if connection.vendor == 'postgresql' else 'executemany'}): "
            f"{raw_seconds:.2f} s, {raw_rate:,.0f} rows/s",
            flush=True,
        )
        rates: dict[str, float] = {}
        enterprises: dict[str, Any] = {}
        for kind, data in files.items():
            enterprise = enterprises[kind] = _enterprise(park, f"{kind}-{n}")
            phases = Phases()
            seconds, batch = import_once(
                enterprise=enterprise, data=data, filename=f"台账.{kind}", phases=phases
            )
            rates[kind] = n / seconds
            print(
                f"  {kind}: {seconds:.2f} s end-to-end, {rates[kind]:,.0f} rows/s "
                f"(created {batch.create_count})",
                flush=True,
            )
            accounted = 0.0
            for phase, spent in phases.seconds.items():
                accounted += spent
                print(f"    {phase:<40} {spent:6.2f} s  {100 * spent / seconds:5.1f}%")
                if phase.startswith("merge"):
                    for step, taken in sorted(phases.merge_steps.items(), key=lambda kv: -kv[1]):
                        print(f"      {step:<38} {taken:6.2f} s  {100 * taken / seconds:5.1f}%")
            print(f"    {'other (batch rows, requests to DB)':<40} {seconds - accounted:6.2f} s")
        # Re-importing the same file: everything checked, nothing written.
        enterprise = enterprises["csv"]
        again_seconds, again = import_once(
            enterprise=enterprise, data=files["csv"], filename="台账.csv", phases=Phases()
        )
        print(
            f"  csv re-import (idempotent, {again.unchanged_count} unchanged): "
            f"{again_seconds:.2f} s, {n / again_seconds:,.0f} rows/s",
            flush=True,
        )
        worst = min(rates.values())
        ratio = worst / raw_rate
        print(
            f"people_import: ratio {ratio:.3f} (target {TARGET}) rows={n} db={connection.vendor} "
            f"xlsx={rates['xlsx']:,.0f}/s csv={rates['csv']:,.0f}/s raw={raw_rate:,.0f}/s"
        )
    finally:
        cleanup()
    if ratio < TARGET:  # like bench/policy_plan.py: a missed target is a failed run
        print(f"people_import: target missed ({ratio:.3f} < {TARGET})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
