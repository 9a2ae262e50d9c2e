"""Impact preview of a policy change on open plans, against the pure engine on the same plans.

Run: ``python -m bench.plan_impact [--quick] [--no-confirm]``. Builds a park following notice J
with 100,000
returns (``--quick``: 2,000), each with its stored plan (home isolation for a stay in a
high-risk area, none for the others), then changes the risk-area register and previews the
impact through the real path (`mobility.impact.impact_preview`: load the open plans and the
facts in a fixed number of queries, recompute under the changed policy, compare obligation by
obligation). The baseline, in the same run, is the engine alone (`plan_arrival`) on the same
facts, already built. The ratio is preview time / engine time (lower is better); the run
exits 1 above TARGET. It also previews a park with a tenth of the returns and checks that the
query count does not grow with the number of plans. A progress bar goes to stderr.

Engine and preview runs are taken in turn, best of two each. Then the change is confirmed on
both parks (small first): the large park's confirm time against the same engine time
(CONFIRM_TARGET), and its queries per changed return no more than the small park's (the confirm
writes a chunk of returns at a time in a fixed set of statements, plus one INSERT per batch of
rows). Numbers, before and after, are in docs/mobility.md (same-run ratios on a shared machine).

Django is set up as in ``bench/people_import.py`` (a throwaway SQLite file unless
DATABASE_URL names PostgreSQL, where a scratch database is used).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from typing import Any

TARGET = 2.0
# The confirm previews, then writes every changed return's plans, isolation records, duties
# and holds: its time against the same engine time, and its queries a fixed set per chunk of
# `status.services.CHUNK` returns plus one INSERT per batch of rows (`BATCH`, fewer rows on
# SQLite, whose statements take at most 999 parameters); on PostgreSQL, many rows are one COPY
# (`lib.bulk_rows`).
CONFIRM_TARGET = 40.0
N_FULL = 100_000
N_QUICK = 2_000
# A smaller park, to show the preview's query count does not grow with the plans.
SMALL_SHARE = 10
TZ = dt.timezone(dt.timedelta(hours=8))
WUHAN = "420102"
SHANGHAI = "310115"
HOME = "350582"
J_PACK = "jinjiang-xiyuan-2022-81"
DAYS = 7  # arrival days spread over a week (varied plans)
BAR = 40


def _bar(done: int, total: int) -> None:
    if total and (done == total or done % max(1, total // BAR) == 0):
        filled = BAR * done // total
        sys.stderr.write(f"\r  preview [{'#' * filled}{'.' * (BAR - filled)}] {done}/{total}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _quiet(done: int, total: int) -> None:
    """A progress report that draws nothing."""


def _park(name: str, n: int, serial: int) -> tuple[Any, list[Any]]:
    """A park with `n` returns and their stored plans; returns the park and the engine's
    inputs (pack, person facts, arrival, enterprise facts) for the baseline."""
    from django.utils import timezone

    from parkguard.lib.bulk_rows import bulk_insert
    from parkguard.mobility import rules
    from parkguard.mobility.choices import PlanState
    from parkguard.mobility.models import ReturnDeclaration, ReturnPlan, RiskArea
    from parkguard.mobility.services import plan_index
    from parkguard.orgs.access import SYSTEM
    from parkguard.orgs.choices import JurisdictionKind
    from parkguard.orgs.services import enterprise_create, jurisdiction_create
    from parkguard.people.models import Person
    from parkguard.policy import EnterpriseFacts, PersonFacts, plan_arrival, to_jsonable
    from parkguard.rules.models import PackAdoption

    county = jurisdiction_create(name=f"{name}县", kind=JurisdictionKind.COUNTY)
    county.code = HOME
    county.save(update_fields=["code"])
    park = jurisdiction_create(name=name, kind=JurisdictionKind.PARK, parent=county)
    from stdnum.cn import uscc

    body = f"91350582MA{serial:07d}"
    enterprise = enterprise_create(
        scope=SYSTEM,
        name=f"{name}企业",
        credit_code=body + uscc.calc_check_digit(body),
        jurisdiction=park,
        legal_representative="法人",
        industry="制造",
    )
    now = dt.datetime(2022, 11, 20, 9, tzinfo=TZ)
    PackAdoption.objects.create(jurisdiction=park, pack_id=J_PACK, params={}, adopted_at=now)
    RiskArea.objects.create(
        jurisdiction=park,
        division_code=WUHAN,
        division_name="湖北省武汉市江岸区",
        level="high",
        effective_from=dt.date(2022, 11, 1),
        source="bench",
        created_at=now,
    )
    # COPY on PostgreSQL (`lib.bulk_rows`): 100,000 returns' rows in seconds, not minutes.
    people = bulk_insert(
        Person,
        [
            Person(
                enterprise=enterprise,
                name=f"员工{i}",
                id_digest=f"{serial}-{i}",
                id_encrypted="x",
                id_masked="x",
                id_tail="x",
                gender="male",
                birth_date=dt.date(1990, 1, 1),
                phone="13800000000",
                category="regular",
                status="active",
            )
            for i in range(n)
        ],
    )
    policy = rules.park_policy(park)
    entries = [rules.Entry(WUHAN, "high", dt.date(2022, 11, 1), None)]
    changed = [*entries, rules.Entry(SHANGHAI, "high", dt.date(2022, 11, 1), None)]
    facts = EnterpriseFacts(headcount=n)
    cache: dict[tuple[str, int], tuple[list[tuple[Any, Any, Any]], Any]] = {}
    declarations = []
    inputs = []
    for i, person in enumerate(people):
        code = WUHAN if i % 2 == 0 else SHANGHAI
        day = i % DAYS
        arrived = dt.datetime(2022, 11, 14 + day, 10, tzinfo=TZ)
        stays = [
            {
                "division_code": code,
                "division_name": code,
                "first_day": (arrived.date() - dt.timedelta(days=DAYS)).isoformat(),
                "last_day": arrived.date().isoformat(),
                "transit": False,
            }
        ]
        key = (code, day)
        if key not in cache:
            stay_in = [
                rules.StayIn(code, code, arrived.date() - dt.timedelta(days=DAYS), arrived.date())
            ]
            found = rules.plans_under(
                policy,
                category="regular",
                stays=stay_in,
                certificates=[],
                arrived_at=arrived,
                entries=entries,
                enterprise=facts,
            )
            # The baseline computes what the preview computes: the plans under the changed
            # register (Shanghai high too), from facts built beforehand.
            pack = policy.packs(arrived.date())[0][0]
            person_facts = PersonFacts(
                kind="employee",
                staff_category="regular",
                returnee=True,
                origin="out_of_province",
                stays=rules.stay_facts(stay_in, changed, pack),
            )
            cache[key] = (
                [(to_jsonable(f.plan), plan_index(f.plan), f.plan.earliest_entry) for f in found],
                (pack, person_facts),
            )
        plans, (pack, person_facts) = cache[key]
        declarations.append(
            ReturnDeclaration(
                person=person,
                enterprise=enterprise,
                arrived_at=arrived,
                transport="train",
                stays=stays,
                declared_at=arrived,
            )
        )
        # The same moment as the preview gives the engine: in the site's time zone.
        inputs.append((pack, person_facts, timezone.localtime(arrived), facts, plans))
    bulk_insert(ReturnDeclaration, declarations)
    rows = []
    for declaration, (_, _, _, _, plans) in zip(declarations, inputs, strict=True):
        # A return nothing applied to keeps an empty plan here, so that every return is open.
        empty: tuple[Any, Any, Any] = (
            {"pack_id": J_PACK, "obligations": [], "phases": []},
            {},
            None,
        )
        for plan, index, entry in plans or [empty]:
            rows.append(
                ReturnPlan(
                    declaration=declaration,
                    pack_id=J_PACK,
                    version=1,
                    document_number="晋政西〔2022〕81号",
                    plan=plan,
                    index=index,
                    earliest_entry=entry,
                    state=PlanState.OPEN,
                    computed_at=now,
                )
            )
    bulk_insert(ReturnPlan, rows)
    # The change: Shanghai's district becomes high-risk too.
    RiskArea.objects.create(
        jurisdiction=park,
        division_code=SHANGHAI,
        division_name="上海市浦东新区",
        level="high",
        effective_from=dt.date(2022, 11, 1),
        source="bench",
        created_at=now,
    )
    del plan_arrival
    return park, inputs


def engine_seconds(inputs: list[Any]) -> float:
    from parkguard.policy import plan_arrival

    start = time.perf_counter()
    for pack, person, arrived, enterprise, _ in inputs:
        plan_arrival(pack=pack, person=person, arrived_at=arrived, enterprise=enterprise)
    return time.perf_counter() - start


def preview(park: Any, *, progress: bool) -> tuple[float, int, dict[str, int]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from parkguard.mobility.impact import Change, impact_preview
    from parkguard.orgs.access import SYSTEM

    at = dt.datetime(2022, 11, 21, 9, tzinfo=TZ)
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        found = impact_preview(
            scope=SYSTEM,
            park=park,
            change=Change(kind="risk_areas", description="bench"),
            at=at,
            # Every timed run reports its progress (the count it needs included); the bar
            # is drawn on the first.
            progress=_bar if progress else _quiet,
        )
        seconds = time.perf_counter() - start
    return seconds, len(queries), found.summary()


def confirm(park: Any) -> tuple[float, int, int]:
    """Time and queries of confirming the change (new plans, duties, holds, notices)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from parkguard.mobility.impact import Change, impact_confirm
    from parkguard.orgs.access import SYSTEM

    at = dt.datetime(2022, 11, 21, 9, tzinfo=TZ)
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        record = impact_confirm(
            scope=SYSTEM,
            park=park,
            change=Change(kind="risk_areas", description="bench"),
            by=None,
            at=at,
        )
        seconds = time.perf_counter() - start
    return seconds, len(queries), int(record.summary["people"])


def _confirm_limit(small_queries: int, small_changed: int, changed: int) -> int:
    """No query per plan: the confirm's statements come in chunks of returns and batches of
    rows, so per changed return they are no more on the large park than on the small one."""
    return int(small_queries * max(1.0, changed / max(1, small_changed))) + 1


def _verdict(queries: int, small_queries: int, ratio: float) -> int:
    if queries > small_queries:
        print("plan_impact: the query count grew with the plans", file=sys.stderr)
        return 1
    if ratio > TARGET:
        print(f"plan_impact: target missed ({ratio:.2f} > {TARGET})", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help=f"{N_QUICK} plans instead of {N_FULL}")
    parser.add_argument("--plans", type=int, default=None, help="any other number of plans")
    parser.add_argument(
        "--no-confirm",
        action="store_true",
        help="preview only (the full size's confirm writes tens of thousands of plans)",
    )
    args = parser.parse_args(argv)
    n = args.plans or (N_QUICK if args.quick else N_FULL)

    from bench.people_import import _configure

    label, cleanup = _configure()
    import django

    django.setup()
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0)
        print(f"plan_impact: {n} open returns on {label}", flush=True)
        t0 = time.perf_counter()
        park, inputs = _park("基准园区", n, 1)
        small, _ = _park("小园区", max(1, n // SMALL_SHARE), 2)
        print(f"  built in {time.perf_counter() - t0:.1f} s", flush=True)
        # Both sides warmed up (imports, the packs' indexes), each the best of two runs,
        # taken in turn (engine, preview, engine, preview) so that a busy spell on a shared
        # machine falls on both sides alike.
        _, small_queries, _ = preview(small, progress=False)
        engines, runs = [], []
        for k in range(2):
            engines.append(engine_seconds(inputs))
            runs.append(preview(park, progress=k == 0))
        engine = min(engines)
        seconds = min(r[0] for r in runs)
        queries, summary = runs[0][1], runs[0][2]
        ratio = seconds / engine
        print(
            f"  engine {engine:.2f} s ({n / engine:,.0f} plans/s); preview {seconds:.2f} s "
            f"({n / seconds:,.0f} plans/s); queries {queries} (a tenth of the plans: "
            f"{small_queries}); {summary}",
            flush=True,
        )
        print(
            f"plan_impact: ratio {ratio:.2f} (target {TARGET}) preview/engine time on {n} plans, "
            f"queries {queries} vs {small_queries}"
        )
        if args.no_confirm:
            return _verdict(queries, small_queries, ratio)
        # The confirm: the change written on both parks (the small one first), timed against
        # the engine on the large park's plans, and its queries counted at both sizes.
        small_confirm_s, small_confirm_q, small_changed = confirm(small)
        confirm_s, confirm_q, changed = confirm(park)
        confirm_ratio = confirm_s / engine
        print(
            f"  confirm: {confirm_s:.2f} s for {changed} changed returns of {n} "
            f"({changed / confirm_s:,.0f} returns/s), queries {confirm_q} "
            f"({1000 * confirm_q / max(1, changed):.1f} per 1,000 changed returns); a tenth of "
            f"the plans: {small_confirm_s:.2f} s for {small_changed}, queries {small_confirm_q}",
            flush=True,
        )
        print(
            f"plan_impact: confirm ratio {confirm_ratio:.2f} (target {CONFIRM_TARGET}) "
            f"confirm/engine time on {n} plans, queries {confirm_q} vs {small_confirm_q} "
            f"(limit {_confirm_limit(small_confirm_q, small_changed, changed)})"
        )
        if confirm_q > _confirm_limit(small_confirm_q, small_changed, changed):
            print("plan_impact: the confirm's queries per return grew", file=sys.stderr)
            return 1
        if confirm_ratio > CONFIRM_TARGET:
            print(
                f"plan_impact: confirm target missed ({confirm_ratio:.2f} > {CONFIRM_TARGET})",
                file=sys.stderr,
            )
            return 1
        return _verdict(queries, small_queries, ratio)
    finally:
        from django.db import connections

        connections.close_all()
        cleanup()


if __name__ == "__main__":
    raise SystemExit(main())
