"""Plans per second for a park of synthetic people (pure: no Django, no database).

Run: ``python -m bench.policy_plan [--quick]``. Builds 100,000 people (``--quick``: 5,000)
of every kind, from every origin, some with high-risk stays, and plans each arrival under
the pack that fits (J for visitors and trucks, H and B for returning employees), in the
version in force on the arrival date. The
baseline, measured in the same run, is validating the same people into `PersonFacts`: the
cost the API pays anyway before any plan. The ratio is plan time / baseline time.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, datetime, timedelta
from typing import Any

from parkguard.policy import (
    Pack,
    PersonFacts,
    Records,
    evaluate_plan,
    load_registry,
    plan_arrival,
)

TARGET = 10.0  # a plan may cost at most ten times the validation of its input
CHUNK = 500  # people per interleaved timing slice
ORIGINS = ["local", "out_of_county", "out_of_prefecture", "out_of_province", "abroad"]


def synthetic_people(n: int, *, seed: int = 20221111) -> list[tuple[str, dict[str, Any]]]:
    """(pack id, facts as plain JSON-like data) for n people, deterministically."""
    rng = random.Random(seed)
    start = datetime(2022, 11, 14, 6, 0)
    people = []
    for i in range(n):
        kind = rng.choices(["employee", "visitor", "truck_crew"], weights=[6, 3, 1])[0]
        origin = rng.choice(ORIGINS)
        arrived = start + timedelta(minutes=rng.randrange(60 * 24 * 30))
        stays = []
        if rng.random() < 0.3:
            last = arrived.date() - timedelta(days=rng.randrange(10))
            stays.append(
                {
                    "region": f"地区{i % 97}",
                    "risk": rng.choice(["low", "medium", "high"]),
                    "first_day": (last - timedelta(days=rng.randrange(8))).isoformat(),
                    "last_day": last.isoformat(),
                    "transit": rng.random() < 0.2,
                }
            )
        facts = {
            "kind": kind,
            "staff_category": "regular" if kind == "employee" else None,
            "returnee": kind == "employee" and rng.random() < 0.5,
            "origin": origin,
            "stays": stays,
            "departed_at": (arrived - timedelta(hours=rng.randrange(1, 48))).isoformat(),
            "certificates": [
                {"sampled_at": (arrived - timedelta(hours=rng.randrange(1, 96))).isoformat()}
            ],
            "arrived_at": arrived.isoformat(),
        }
        pack_id = "jinjiang-xiyuan-2022-81"
        if kind == "employee":
            pack_id = rng.choice(["jinjiang-xiyuan-2022-81", "honglu-2021-10"])
        people.append((pack_id, facts))
    return people


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="5,000 people instead of 100,000")
    parser.add_argument("--people", type=int, default=None)
    args = parser.parse_args(argv)
    n = args.people or (5_000 if args.quick else 100_000)

    registry = load_registry()
    rows = synthetic_people(n)
    # Honglu's returnee rules only apply in their own season: shift those arrivals there.
    shift = date(2021, 2, 10) - date(2022, 11, 14)
    arrivals = [
        datetime.fromisoformat(row["arrived_at"])
        + (shift if pid == "honglu-2021-10" else timedelta())
        for pid, row in rows
    ]
    # Each arrival is planned by the version in force on its date (as the site does), looked
    # up before timing.
    in_force: dict[tuple[str, date], Pack] = {}
    packs = []
    for (pid, _row), arrived in zip(rows, arrivals, strict=True):
        key = (pid, arrived.date())
        if key not in in_force:
            in_force[key] = registry.in_force(pid, arrived.date())
        packs.append(in_force[key])
    facts = [{k: v for k, v in row.items() if k != "arrived_at"} for _pid, row in rows]

    # Baseline and plans are timed chunk by chunk, interleaved, so that a load spike on a
    # shared machine falls on both sides of the ratio instead of on one of them.
    baseline = planning = 0.0
    plans = []
    for start in range(0, n, CHUNK):
        stop = min(start + CHUNK, n)
        t0 = time.perf_counter()
        persons = [PersonFacts.model_validate(f) for f in facts[start:stop]]
        t1 = time.perf_counter()
        plans += [
            plan_arrival(pack=pack, person=person, arrived_at=arrived)
            for pack, person, arrived in zip(
                packs[start:stop], persons, arrivals[start:stop], strict=True
            )
        ]
        t2 = time.perf_counter()
        baseline += t1 - t0
        planning += t2 - t1

    t0 = time.perf_counter()
    empty = Records()
    for plan in plans:
        evaluate_plan(plan=plan, records=empty, at=plan.arrived_at + timedelta(days=3))
    evaluating = time.perf_counter() - t0

    with_phases = sum(1 for p in plans if p.phases)
    obligations = sum(len(p.obligations) for p in plans)
    ratio = planning / baseline if baseline else float("inf")
    print(f"people: {n}  plans with phases: {with_phases}  obligations: {obligations}")
    print(f"baseline (PersonFacts validation): {baseline:.3f} s  ({n / baseline:,.0f}/s)")
    print(f"plan_arrival: {planning:.3f} s  evaluate_plan: {evaluating:.3f} s")
    print(
        f"policy_plan: ratio {ratio:.2f} (target {TARGET:.0f}) "
        f"plans/s {n / planning:,.0f} evaluations/s {n / evaluating:,.0f} people {n}"
    )
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
