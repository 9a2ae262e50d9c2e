"""Due-today and overdue lists for an enterprise of 100,000 people (``--quick``: 20,000).

Run: ``python -m bench.duties_due [--quick]``. Builds, in a throwaway database, one small
enterprise (1,000 people) and one large one, each person with a routine test duty of the
current cycle (most done, some due, some due today) and some with an overdue plan duty.
Then, for the large enterprise, times the due and overdue figures of everyone
(`coverage_by`: owing a test this cycle, done, overdue, due today, in key posts) and the
officer's lists (`duties.selectors.duty_list`, first page, with the officer's scope), each
against a hand-written single SQL statement returning the same, in the same run, and asserts
that the number of queries of the lists, the coverage and the ledger does not grow with
headcount (the small enterprise against the large one).

The ratio (target 1.5) is the worst of: the figures of everyone, selector / hand SQL; each
list page, selector / (hand SQL + the ORM floor). The floor (one row read by primary key,
same run) is what any ORM read costs before the database works (compiling, a cursor, rows
converted); a page served from an index costs little more than that. The hand statements
are the plain ones (join, filter, order, limit); the list selector picks the page's ids from
the covering index before joining, so it is faster than them at this size. Every person
also has a past cycle's done duty: the history that lists and figures must not read.
Medians of repeated runs; `--explain` prints the lists' query plans.

2026-12-01, 100,000 people, load average 10–14 on 2 cores (same-run ratios): SQLite 0.86
(figures: selector 1946 ms, hand SQL 2260 ms), PostgreSQL 1.06 (figures 1198 ms against
1126 ms; overdue page 0.99, due-today page 0.59); ``--quick``: 1.15 and 1.19. Target met.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from bench.people_import import _configure

TARGET = 1.5
N_FULL = 100_000
N_QUICK = 20_000
N_SMALL = 1_000
REPEATS = 40
PAGE = 50


def _build(enterprise: Any, n: int, at: Any, tag: str) -> None:
    """`n` people of `enterprise` and their duties, bulk-inserted (no services: speed)."""
    import datetime as dt

    from parkguard.duties.choices import ROUTINE, DutyKind, DutyState
    from parkguard.duties.models import Duty
    from parkguard.people.models import Person

    units = list(enterprise.units.values_list("pk", flat=True))
    Person.objects.bulk_create(
        [
            Person(
                enterprise=enterprise,
                org_unit_id=units[i % len(units)],
                name=f"员工{tag}{i}",
                id_digest=f"{tag}-{i}",
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
    ids = list(Person.objects.filter(enterprise=enterprise).values_list("pk", flat=True))
    day = dt.timedelta(days=1)
    start = at - 3 * day
    rows = []
    for i, pk in enumerate(ids):
        bucket = i % 20
        if bucket < 12:
            state, satisfied, due_by = DutyState.DONE, start + day, start + 7 * day
        elif bucket == 12:  # due before the end of today
            state, satisfied, due_by = DutyState.DUE, None, at + dt.timedelta(minutes=30 + i % 60)
        else:
            state, satisfied, due_by = DutyState.DUE, None, start + 7 * day
        rows.append(
            Duty(
                person_id=pk,
                enterprise=enterprise,
                kind=DutyKind.NUCLEIC_ACID,
                label="每7天核酸检测",
                due_from=start,
                due_by=due_by,
                state=state,
                satisfied_at=satisfied,
                source=ROUTINE,
                created_at=start,
            )
        )
        # The cycle before, done: history every list and figure must not wade through.
        rows.append(
            Duty(
                person_id=pk,
                enterprise=enterprise,
                kind=DutyKind.NUCLEIC_ACID,
                label="每7天核酸检测",
                due_from=start - 7 * day,
                due_by=start,
                state=DutyState.DONE,
                satisfied_at=start - 5 * day,
                source=ROUTINE,
                created_at=start - 7 * day,
            )
        )
        if bucket in (13, 14, 15):  # a plan's test missed: overdue
            rows.append(
                Duty(
                    person_id=pk,
                    enterprise=enterprise,
                    kind=DutyKind.NUCLEIC_ACID,
                    label="返岗第3天核酸",
                    due_from=at - 2 * day - dt.timedelta(minutes=i % 600),
                    due_by=at - day - dt.timedelta(minutes=i % 600),
                    state=DutyState.OVERDUE,
                    source=f"mobility.return:{pk}",
                    created_at=start,
                )
            )
    Duty.objects.bulk_create(rows, batch_size=2000)


# The hand-written statement: what the list page needs, in one query.
SQL = """
SELECT d.id, d.person_id, p.name, p.phone, u.name, d.kind, d.label, d.due_by
FROM duties_duty d
JOIN people_person p ON p.id = d.person_id
LEFT JOIN orgs_orgunit u ON u.id = p.org_unit_id
WHERE d.enterprise_id = %s AND d.state IN ('due', 'overdue') AND {window}
ORDER BY d.due_by, d.id
LIMIT %s
"""


# The same figures by hand, in one statement.
FIGURES_SQL = """
SELECT
  COUNT(CASE WHEN d.source = 'routine' AND d.kind IN ('nucleic_acid', 'antigen')
    AND d.due_from <= %s AND d.due_by > %s AND d.state <> 'cancelled' THEN d.id END),
  COUNT(CASE WHEN d.source = 'routine' AND d.kind IN ('nucleic_acid', 'antigen')
    AND d.due_from <= %s AND d.due_by > %s AND d.state = 'done' THEN d.id END),
  COUNT(DISTINCT CASE WHEN d.state IN ('due', 'overdue') AND d.due_by <= %s
    THEN d.person_id END),
  COUNT(DISTINCT CASE WHEN d.state IN ('due', 'overdue') AND d.due_by > %s AND d.due_by <= %s
    THEN d.person_id END),
  COUNT(CASE WHEN d.source = 'routine' AND d.kind IN ('nucleic_acid', 'antigen')
    AND d.due_from <= %s AND d.due_by > %s AND d.state <> 'cancelled' AND p.wide_contact
    THEN d.id END),
  MAX(CASE WHEN d.kind IN ('nucleic_acid', 'antigen') THEN d.satisfied_at END)
FROM duties_duty d JOIN people_person p ON p.id = d.person_id
WHERE d.enterprise_id = %s AND (
  (d.state IN ('due', 'overdue', 'done', 'cancelled') AND d.due_by > %s)
  OR (d.state IN ('due', 'overdue') AND d.due_by <= %s))
"""


def _median(fn: Callable[[], Any]) -> float:
    fn()  # warm: statement caches, pages in memory
    spent = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        spent.append(time.perf_counter() - t0)
    return statistics.median(spent)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--quick", action="store_true", help=f"{N_QUICK} people instead of {N_FULL}"
    )
    parser.add_argument("--people", type=int, default=None)
    parser.add_argument("--explain", action="store_true", help="print the lists' query plans")
    args = parser.parse_args(argv)
    n = args.people or (N_QUICK if args.quick else N_FULL)

    label, cleanup = _configure()
    os.environ.setdefault("PARKGUARD_ENV", "test")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bench.people_import import _enterprise, _world
    from parkguard.duties.models import Duty
    from parkguard.duties.selectors import (
        OVERDUE,
        TODAY,
        coverage_by,
        duty_list,
        enterprise_coverage,
        key_population_ledger,
        next_midnight,
    )
    from parkguard.orgs.access import scope_for_user, visible
    from parkguard.orgs.choices import Role
    from parkguard.orgs.models import Membership

    ok = True
    try:
        call_command("migrate", verbosity=0)
        at = timezone.now()
        park = _world()
        small, large = _enterprise(park, f"small-{n}"), _enterprise(park, f"large-{n}")
        t0 = time.perf_counter()
        _build(small, N_SMALL, at, "s")
        _build(large, n, at, "l")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(
            f"duties_due: {N_SMALL} + {n} people on {label}, built in "
            f"{time.perf_counter() - t0:.1f} s",
            flush=True,
        )
        scopes = {}
        for enterprise in (small, large):
            user = User.objects.create_user(username=f"officer-{enterprise.pk}")
            Membership.objects.create(user=user, role=Role.EPIDEMIC_OFFICER, enterprise=enterprise)
            scopes[enterprise.pk] = scope_for_user(user)
        admin = User.objects.create_user(username="park-admin")
        Membership.objects.create(user=admin, role=Role.PARK_ADMIN, jurisdiction=park)
        park_scope = scope_for_user(admin)

        # Queries do not grow with headcount.
        counts: dict[str, list[int]] = {}
        for enterprise in (small, large):
            scope = scopes[enterprise.pk]
            reads: dict[str, Callable[[Any, Any], Any]] = {
                "overdue": lambda s, e: duty_list(scope=s, enterprise=e, which=OVERDUE, at=at),
                "today": lambda s, e: duty_list(scope=s, enterprise=e, which=TODAY, at=at),
                "coverage": lambda s, e: enterprise_coverage(scope=s, enterprise=e, at=at),
                "ledger": lambda s, e: key_population_ledger(scope=park_scope, at=at, place=park),
            }
            for name, read in reads.items():
                with CaptureQueriesContext(connection) as captured:
                    read(scope, enterprise)
                if args.explain and enterprise is large and name in ("overdue", "today"):
                    with connection.cursor() as cursor:
                        sql = captured.captured_queries[-1]["sql"]
                        cursor.execute("EXPLAIN QUERY PLAN " + sql)
                        print(f"  plan {name}: {cursor.fetchall()}", flush=True)
                counts.setdefault(name, []).append(len(captured.captured_queries))
        for name, (few, many) in counts.items():
            print(f"  queries {name}: {few} at {N_SMALL} people, {many} at {n}", flush=True)
            if few != many:
                ok = False
                print(f"duties_due: queries of {name} grow with headcount", file=sys.stderr)

        scope = scopes[large.pk]
        ratios = []
        # What any ORM read costs before the database does any work (compiling, a cursor,
        # converting a row): a list page served from an index sits just above this floor.
        probe = Duty.objects.filter(enterprise=large).values_list("id", flat=True).first() or 0
        floor_s = _median(
            lambda: list(Duty.objects.filter(pk=probe).values_list("id", "person_id", "due_by"))
        )
        print(f"  ORM floor (one row by primary key): {floor_s * 1000:.2f} ms", flush=True)
        for which, window, params in (
            (OVERDUE, "d.due_by <= %s", [at]),
            (TODAY, "d.due_by > %s AND d.due_by <= %s", [at, next_midnight(at)]),
        ):
            sql = SQL.format(window=window)
            args_sql = [large.pk, *params, PAGE + 1]

            def raw(sql: str = sql, args_sql: list[Any] = args_sql) -> list[Any]:
                with connection.cursor() as cursor:
                    cursor.execute(sql, args_sql)
                    return cursor.fetchall()

            def orm(which: str = which) -> Any:
                return duty_list(scope=scope, enterprise=large, which=which, at=at)

            assert [r[0] for r in raw()[:PAGE]] == [r.id for r in orm().rows], which
            sql_s, orm_s = _median(raw), _median(orm)
            ratios.append(orm_s / (sql_s + floor_s))
            print(
                f"  {which} (first page): selector {orm_s * 1000:.2f} ms, hand SQL "
                f"{sql_s * 1000:.2f} ms, ratio {orm_s / (sql_s + floor_s):.2f} against hand SQL "
                f"+ floor ({orm_s / sql_s:.1f} against the SQL alone)",
                flush=True,
            )
        # Due and overdue of everyone at once: the figures the page's header and the ledger
        # show (people owing a test this cycle, done, overdue, due today, in key posts).
        figures_sql = FIGURES_SQL
        midnight = next_midnight(at)
        figures_args = [at, at, at, at, at, at, midnight, at, at, large.pk]
        figures_args += [at, at]

        def raw_figures() -> Any:
            with connection.cursor() as cursor:
                cursor.execute(figures_sql, figures_args)
                return cursor.fetchone()

        def orm_figures() -> Any:
            duties = visible(scope, Duty).filter(enterprise=large)
            return coverage_by(duties=duties, group=None, at=at)[None]

        got, want = orm_figures(), raw_figures()
        assert (got.due, got.done, got.overdue, got.due_today, got.key_group) == tuple(want[:5]), (
            got,
            want,
        )
        sql_s, orm_s = _median(raw_figures), _median(orm_figures)
        ratios.append(orm_s / sql_s)
        print(
            f"  due and overdue figures of all {n} people: selector {orm_s * 1000:.2f} ms, "
            f"hand SQL {sql_s * 1000:.2f} ms, ratio {orm_s / sql_s:.2f}",
            flush=True,
        )
        cov_s = _median(lambda: enterprise_coverage(scope=scope, enterprise=large, at=at))
        print(f"  coverage per org unit (2 queries): {cov_s * 1000:.1f} ms", flush=True)
        ratio = max(ratios)
        print(
            f"duties_due: ratio {ratio:.2f} (target {TARGET}) people={n} db={connection.vendor} "
            f"queries_constant={ok}"
        )
    finally:
        cleanup()
    if ratio > TARGET or not ok:
        print(
            f"duties_due: target missed ({ratio:.2f} > {TARGET} or queries grow)", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
