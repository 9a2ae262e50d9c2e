"""Gate checks per second through gunicorn, against a bare JSON endpoint on the same server.

Run: ``python -m bench.gate_check [--quick]``. Builds a throwaway SQLite database (or uses
DATABASE_URL's PostgreSQL as given) with one enterprise, ``GATES`` gates, ``PEOPLE`` people
with a negative test and a device token; starts gunicorn on 127.0.0.1 (a free port) and, in a
second process, a bounded load generator that sends requests at a fixed rate (``--rate``,
default 300 per second) for ``--seconds`` to the bare endpoint (``/healthz``, JSON, no
database) and then to ``POST /api/v1/gate/check`` with a fresh phone token for each request
(a different person, gate and direction each time, so no check is a replay). Server time per
request comes from gunicorn's access log (``%(D)s``, microseconds).

Prints ``gate_check: ratio <achieved checks/s ÷ achieved bare/s> (target 0.7) p50 … p99 …``
and exits 1 if the ratio is below TARGET or the gate check's server p99 is above P99_MS.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench import _server

TARGET = 0.7
P99_MS = 5.0
RATE = 300
GATES = 20
PEOPLE = 200
SECONDS_FULL = 10.0
SECONDS_QUICK = 3.0
WARM = 20  # gate checks before the measured run
ROOT = Path(__file__).resolve().parents[1]
START_SECONDS = 180  # gunicorn's boot on a busy shared machine has taken over 20 s


def _prepare(env: dict[str, str]) -> dict[str, Any]:
    """Migrate and build the data in a child process (Django is not set up here)."""
    code = "import bench.gate_check as b, json; print(json.dumps(b._build()))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _build() -> dict[str, Any]:
    import datetime as dt

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from parkguard.gate.services import gate_create
    from parkguard.orgs.access import SYSTEM
    from parkguard.orgs.services import api_token_create
    from parkguard.people.services import person_create
    from parkguard.status.services import status_results_record
    from tests.factories import TODAY, adopt, build_world, valid_id

    world = build_world()
    adopt(world.park_a, "zhengyang-2022-20", entry_test_hours=48)
    now = timezone.now()
    gates = [
        gate_create(
            scope=SYSTEM,
            park=world.park_a,
            enterprise=world.a1,
            name=f"门{i}",
            place="plant_gate",
            at=now,
            by=None,
        ).pk
        for i in range(GATES)
    ]
    people = [
        person_create(
            scope=SYSTEM,
            enterprise=world.a1,
            id_number=valid_id(i, born="19850101"),
            phone=f"139{i:08d}",
            today=TODAY,
            name=f"员工{i}",
            category="regular",
        ).pk
        for i in range(PEOPLE)
    ]
    status_results_record(negatives={p: now - dt.timedelta(hours=2) for p in people}, at=now)
    _, clear = api_token_create(name="闸机", created_by=None, enterprise=world.a1)
    return {"gates": gates, "people": people, "token": clear}


def _load(
    port: int, path: str, bodies: list[bytes] | None, rate: float, seconds: float, token: str
) -> dict[str, Any]:
    """Send requests at `rate` per second for `seconds` (bench/_server.py's bounded load)."""

    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}

    def request(i: int) -> _server.Request:
        if bodies is None:
            return ("GET", path, None, {})
        return ("POST", path, bodies[i % len(bodies)], headers)

    result = _server.load(port, request, lambda status, _: status == 200, rate, seconds)
    result.pop("first_error")
    return result


def _bodies(data: dict[str, Any], count: int, offset: int = 0) -> list[bytes]:
    """One check per (person, gate, direction), each with a token of the current window."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parkguard.settings")
    import django

    django.setup()
    import datetime as dt

    from parkguard.gate.tokens import phone_token

    now = dt.datetime.now(tz=dt.UTC)
    bodies = []
    for i in range(offset, offset + count):
        person = data["people"][i % len(data["people"])]
        gate = data["gates"][(i // len(data["people"])) % len(data["gates"])]
        direction = "in" if (i // (len(data["people"]) * len(data["gates"]))) % 2 == 0 else "out"
        body = {
            "gate_id": gate,
            "direction": direction,
            "code": phone_token(person_id=person, at=now),
            "code_colour": "green",
            "temperature": "36.5",
        }
        bodies.append(json.dumps(body).encode())
    return bodies


def _generator_main() -> None:
    """The load generator's process: read its job on stdin, print the result."""
    job = json.loads(sys.stdin.read())
    bodies = None
    if job["path"] != "/healthz":
        bodies = _bodies(job["data"], job["count"], job.get("offset", 0))
    result = _load(job["port"], job["path"], bodies, job["rate"], job["seconds"], job["token"])
    print(json.dumps(result))


def _generate(env: dict[str, str], job: dict[str, Any]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", "import bench.gate_check as b; b._generator_main()"],
        cwd=ROOT,
        env=env,
        input=json.dumps(job),
        capture_output=True,
        text=True,
        check=True,
        timeout=job["seconds"] * 10 + 60,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a few seconds per endpoint")
    parser.add_argument("--rate", type=float, default=RATE, help="requests per second")
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    seconds = args.seconds or (SECONDS_QUICK if args.quick else SECONDS_FULL)

    with _server.bench_env("gate") as (env, tmp, label):
        return _run(args, env, tmp, seconds, label)


def _run(
    args: argparse.Namespace, env: dict[str, str], tmp: Path, seconds: float, label: str
) -> int:
    data = _prepare(env)
    count = int(args.rate * seconds)
    if count + WARM > len(data["people"]) * len(data["gates"]) * 2:
        raise SystemExit("bench.gate_check: more checks than distinct (person, gate, direction)")
    port = _server.free_port()
    log = tmp / "access.log"
    server = _server.gunicorn(
        env, port=port, workers=args.workers, log=log, start_seconds=START_SECONDS
    )
    try:
        job = {"port": port, "rate": args.rate, "seconds": seconds, "token": data["token"]}
        job["data"], job["count"] = data, count
        # Warm both paths (imports, pack loading, connections) before measuring; the gate's
        # warm-up checks use (person, gate, direction) triples after the measured ones.
        _generate(env, {**job, "path": "/healthz", "seconds": 1.0, "rate": 50})
        warm = {"path": "/api/v1/gate/check", "seconds": 1.0, "rate": WARM, "count": WARM}
        _generate(env, {**job, **warm, "offset": count})
        lines = len(log.read_text().splitlines())
        bare = _generate(env, {**job, "path": "/healthz"})
        bare_ms = _server.server_times(log, "/healthz", lines)
        lines = len(log.read_text().splitlines())
        gate = _generate(env, {**job, "path": "/api/v1/gate/check"})
        gate_ms = _server.server_times(log, "/api/v1/gate/check", lines)
    finally:
        server.terminate()
        server.wait(timeout=30)
    bare_rate = (bare["done"] - bare["errors"]) / bare["wall"]
    gate_rate = (gate["done"] - gate["errors"]) / gate["wall"]
    ratio = gate_rate / bare_rate if bare_rate else 0.0
    p50, p99 = _server.percentile(gate_ms, 0.5), _server.percentile(gate_ms, 0.99)
    ok = ratio >= TARGET and p99 < P99_MS and gate["errors"] == 0
    print(
        f"gate_check: ratio {ratio:.2f} (target {TARGET}) "
        f"checks {gate_rate:.0f}/s vs bare {bare_rate:.0f}/s at {args.rate:.0f}/s offered, "
        f"server p50 {p50:.2f} ms p99 {p99:.2f} ms (target < {P99_MS} ms), "
        f"bare p99 {_server.percentile(bare_ms, 0.99):.2f} ms, errors {gate['errors']}, "
        f"{count} checks, {args.workers} workers, {label}, {_server.load_average()}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
