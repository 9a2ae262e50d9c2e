"""Contact tracing over the access log: p95 per index case against the same query by hand.

Run: ``python -m bench.trace [--quick]``. Builds, in a throwaway database (SQLite by default;
DATABASE_URL's PostgreSQL, in a scratch database next to it, if set), enterprises of
``PER_ENTERPRISE`` people each with six plant gates and two place codes, the park's own two
gates, and an access log (PostgreSQL: 10,000,000 passages of 100,000 people; SQLite:
1,000,000 of 10,000; ``--quick``: 250,000 of 5,000, one enterprise at the same density):
three shifts, each person in and out around the shift change (standard deviation half an
hour) and a canteen scan in the middle of the shift, every day. PostgreSQL is loaded with
COPY (foreign-key triggers off, indexes built after the load, as a restore does); SQLite
with executemany.

Then for ``--cases`` index people picked at random it times, interleaved, the tracing read
(`response.selectors.co_passages`: people of the enterprise who passed the same gate or place
code within the pack's default N = 15 minutes in the pack's default window of 4 days before
detection, each with the gate) and the same question hand-written as one SQL
statement (a self-join of the log), checks that both give the same people, and
prints ``trace: ratio <p95 read ÷ p95 hand SQL> (target 1.5) p95 … ms (target 100)``.
Exits 1 if the ratio is above TARGET or the p95 above P95_MS.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import math
import random
import statistics
import sys
import time
from collections.abc import Iterator
from typing import Any

from bench.people_import import _configure

TARGET = 1.5
P95_MS = 100.0
PER_ENTERPRISE = 5_000
PLANT_GATES = 6
PLACE_CODES = 2
PARK_GATES = 2
SHIFTS = (0, 8, 16)  # three shifts change at these hours
SPREAD_MINUTES = 30  # people come through around the change, this standard deviation
GAP = dt.timedelta(minutes=15)  # the pack's default trace_gap_minutes
WINDOW = dt.timedelta(days=4)  # the pack's default trace_window_days
BASE = dt.datetime(2022, 10, 1, tzinfo=dt.UTC)
SIZES = {  # (people, events)
    "postgresql": (100_000, 10_000_000),
    "sqlite": (10_000, 1_000_000),
    "quick": (5_000, 250_000),  # one enterprise at the full runs' density
}
CASES = 200
CASES_QUICK = 40

HAND_SQL = """
SELECT DISTINCT o.person_id, o.gate_id, g.name
FROM gate_accesscheck i
JOIN gate_accesscheck o
  ON o.gate_id = i.gate_id AND o.at >= {lo} AND o.at <= {hi}
JOIN people_person p ON p.id = o.person_id
JOIN gate_gate g ON g.id = o.gate_id
WHERE i.person_id = %s AND i.at >= %s AND i.at <= %s
  AND o.person_id <> %s AND p.enterprise_id = %s
"""
BOUNDS = {
    "postgresql": ("i.at - %s", "i.at + %s"),
    "sqlite": ("datetime(i.at, %s)", "datetime(i.at, %s)"),
}

# allowed, refusal, reasons, packs, code_colour, code_source, steps, queued
REST = (True, "", "[]", "[]", "", "none", "[]", False)
COLUMNS = (
    "at",
    "recorded_at",
    "gate_id",
    "park_id",
    "enterprise_id",
    "direction",
    "method",
    "person_id",
    "allowed",
    "refusal",
    "reasons",
    "packs",
    "code_colour",
    "code_source",
    "steps",
    "queued",
)


def _people(park: Any, people: int) -> tuple[list[int], list[int], dict[int, list[int]]]:
    """Enterprises with their gates and people (bulk: no services); returns the people's ids,
    each person's enterprise id (same order) and each enterprise's gates."""
    from bench.people_import import _enterprise
    from parkguard.gate.models import Gate
    from parkguard.people.models import Person

    now = dt.datetime.now(dt.UTC)
    gates: dict[int, list[int]] = {}
    person_ids: list[int] = []
    person_ent: list[int] = []
    for e in range(max(1, math.ceil(people / PER_ENTERPRISE))):
        enterprise = _enterprise(park, f"trace-{e}")
        made = Gate.objects.bulk_create(
            [
                Gate(
                    park=park,
                    enterprise=enterprise,
                    name=(f"{k + 1}号门" if k < PLANT_GATES else f"场所码{k - PLANT_GATES + 1}"),
                    place="plant_gate" if k < PLANT_GATES else "office_entrance",
                    place_code=f"bench-{e}-{k}",
                    created_at=now,
                )
                for k in range(PLANT_GATES + PLACE_CODES)
            ]
        )
        gates[enterprise.pk] = [g.pk for g in made]
        n = min(PER_ENTERPRISE, people - e * PER_ENTERPRISE)
        Person.objects.bulk_create(
            [
                Person(
                    enterprise=enterprise,
                    name=f"员工{e}-{i}",
                    id_digest=f"trace-{e}-{i}",
                    id_encrypted="",
                    id_masked="",
                    id_tail="",
                    gender="male",
                    birth_date=dt.date(1990, 1, 1),
                    phone=f"139{i:08d}",
                    category="regular",
                )
                for i in range(n)
            ],
            batch_size=2000,
        )
        ids = list(
            Person.objects.filter(enterprise=enterprise).order_by("pk").values_list("pk", flat=True)
        )
        person_ids += ids
        person_ent += [enterprise.pk] * len(ids)
    park_gates = Gate.objects.bulk_create(
        [
            Gate(
                park=park,
                name=f"园区{k + 1}号门",
                place="plant_gate",
                place_code=f"bench-park-{k}",
                created_at=now,
            )
            for k in range(PARK_GATES)
        ]
    )
    gates[0] = [g.pk for g in park_gates]
    return person_ids, person_ent, gates


def _events(
    park_id: int, ids: list[int], ents: list[int], gates: dict[int, list[int]], total: int
) -> Iterator[tuple[Any, ...]]:
    """`total` passages: per person about three a day (in, canteen, out) around their shift's
    change, 00:00, 08:00 or 16:00; one in ten at a park gate."""
    rnd = random.Random(14)
    per = max(1, total // len(ids))
    days = math.ceil(per / 3)
    made = 0
    for index, (person, enterprise) in enumerate(zip(ids, ents, strict=True)):
        own = gates[enterprise]
        usual = own[index % PLANT_GATES]
        start_h = SHIFTS[index % len(SHIFTS)]
        count = per if index < len(ids) - 1 else total - made
        for k in range(count):
            day, slot = divmod(k, 3)
            day = day % days
            if slot == 1:
                gate, eid = own[PLANT_GATES + index % PLACE_CODES], enterprise
                hour, direction = 4, "in"
            else:
                if rnd.random() < 0.1:
                    gate, eid = gates[0][index % PARK_GATES], None
                else:
                    gate = usual if rnd.random() < 0.8 else own[rnd.randrange(PLANT_GATES)]
                    eid = enterprise
                hour, direction = (0, "in") if slot == 0 else (8, "out")
            minutes = int(rnd.gauss(0, SPREAD_MINUTES))
            at = BASE + dt.timedelta(days=day, hours=start_h + hour, minutes=minutes)
            yield (at, gate, eid, direction, person)
        made += count
    del park_id


def _load_sqlite(rows: Iterator[tuple[Any, ...]], park_id: int) -> None:
    from django.db import connection

    sql = (
        f"INSERT INTO gate_accesscheck ({', '.join(COLUMNS)}) VALUES "
        f"({', '.join(['%s'] * len(COLUMNS))})"
    )
    batch: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for at, gate, eid, direction, person in rows:
            stamp = at.strftime("%Y-%m-%d %H:%M:%S")
            batch.append((stamp, stamp, gate, park_id, eid, direction, "phone_pass", person, *REST))
            if len(batch) >= 50_000:
                cursor.executemany(sql, batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)


def _load_postgresql(rows: Iterator[tuple[Any, ...]], park_id: int) -> None:
    """COPY in text format, indexes dropped before and built after, FK triggers off."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'gate_accesscheck' "
            "AND indexname NOT LIKE '%%_pkey'"
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET session_replication_role = replica")
        raw = cursor.cursor  # psycopg's own cursor: COPY
        with raw.copy(f"COPY gate_accesscheck ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            buf = io.StringIO()
            for n, (at, gate, eid, direction, person) in enumerate(rows):
                stamp = at.strftime("%Y-%m-%d %H:%M:%S+00")
                enterprise = "\\N" if eid is None else eid
                buf.write(
                    f"{stamp}\t{stamp}\t{gate}\t{park_id}\t{enterprise}\t{direction}\t"
                    f"phone_pass\t{person}\tt\t\t[]\t[]\t\tnone\t[]\tf\n"
                )
                if n % 100_000 == 99_999:
                    copy.write(buf.getvalue())
                    buf = io.StringIO()
            copy.write(buf.getvalue())
        cursor.execute("SET session_replication_role = DEFAULT")
        for _, definition in indexes:
            cursor.execute(definition)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="5,000 people, 250,000 passages")
    parser.add_argument("--people", type=int, default=None)
    parser.add_argument("--events", type=int, default=None)
    parser.add_argument("--cases", type=int, default=None)
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    parser.add_argument("--keep", action="store_true", help="keep the database (and say where)")
    args = parser.parse_args(argv)

    label, cleanup = _configure()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.people_import import _world
    from parkguard.response.selectors import co_passages

    vendor = connection.vendor
    people, events = SIZES["quick" if args.quick else vendor]
    people, events = args.people or people, args.events or events
    cases = args.cases or (CASES_QUICK if args.quick else CASES)
    ratio, p95_ms = math.inf, math.inf
    if vendor == "sqlite":  # a throwaway file: no fsync per commit while building it
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
    try:
        call_command("migrate", verbosity=0)
        park = _world()
        t0 = time.perf_counter()
        ids, ents, gates = _people(park, people)
        rows = _events(park.pk, ids, ents, gates, events)
        (_load_postgresql if vendor == "postgresql" else _load_sqlite)(rows, park.pk)
        with connection.cursor() as cursor:
            # As after a restore: statistics, and on PostgreSQL the visibility map that lets
            # an index-only scan skip the heap (autovacuum sets it on a live, append-only log).
            cursor.execute("VACUUM ANALYZE" if vendor == "postgresql" else "ANALYZE")
            cursor.execute("SELECT COUNT(*) FROM gate_accesscheck")
            (logged,) = cursor.fetchone()
        print(
            f"trace: {logged} passages of {len(ids)} people on {label}, built in "
            f"{time.perf_counter() - t0:.1f} s",
            flush=True,
        )
        lo, hi = BOUNDS[vendor]
        sql = HAND_SQL.format(lo=lo, hi=hi)
        if vendor == "postgresql":
            gap_args: list[Any] = [GAP, GAP]
        else:
            seconds = int(GAP.total_seconds())
            gap_args = [f"-{seconds} seconds", f"+{seconds} seconds"]
        days = math.ceil(max(1, events // len(ids)) / 3)
        end = BASE + dt.timedelta(days=days)
        start = end - WINDOW
        rnd = random.Random(7)
        picked = rnd.sample(range(len(ids)), min(cases, len(ids)))

        def hand(i: int) -> set[int]:
            with connection.cursor() as cursor:
                cursor.execute(sql, [*gap_args, ids[i], start, end, ids[i], ents[i]])
                return {pk for pk, _gate, _name in cursor.fetchall()}

        def read(i: int) -> set[int]:
            found = co_passages(
                person_id=ids[i], enterprise_id=ents[i], start=start, end=end, gap=GAP
            )
            return set(found)

        # Warm: statement caches and pages in memory, and both say the same.
        sizes = []
        for i in picked[:5]:
            got, want = read(i), hand(i)
            assert got == want, (len(got), len(want))
            sizes.append(len(got))
        if args.explain:
            with CaptureQueriesContext(connection) as captured:
                read(picked[0])
            prefix = "EXPLAIN ANALYZE " if vendor == "postgresql" else "EXPLAIN QUERY PLAN "
            with connection.cursor() as cursor:
                for q in captured.captured_queries:
                    cursor.execute(prefix + q["sql"])
                    print("  plan:", *[r for r in cursor.fetchall()], sep="\n    ")
        read_s: list[float] = []
        hand_s: list[float] = []
        for i in picked:
            for fn, into in ((read, read_s), (hand, hand_s)):
                t = time.perf_counter()
                result = fn(i)
                into.append(time.perf_counter() - t)
            sizes.append(len(result))
        p95_read, p95_hand = _p95(read_s), _p95(hand_s)
        ratio, p95_ms = p95_read / p95_hand, p95_read * 1000
        print(
            f"  {len(picked)} index cases, candidates per case: median "
            f"{statistics.median(sizes):.0f}, max {max(sizes)}; read p50 "
            f"{statistics.median(read_s) * 1000:.1f} ms, hand SQL p50 "
            f"{statistics.median(hand_s) * 1000:.1f} ms p95 {p95_hand * 1000:.1f} ms",
            flush=True,
        )
        print(
            f"trace: ratio {ratio:.2f} (target {TARGET}) p95 {p95_ms:.1f} ms (target {P95_MS:.0f})"
            f" people={len(ids)} events={logged} db={vendor}"
        )
    finally:
        if args.keep:
            print(f"trace: kept {label}")
        else:
            cleanup()
    if ratio > TARGET or p95_ms > P95_MS:
        print("trace: MISSED the target", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
