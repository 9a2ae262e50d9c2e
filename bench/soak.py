"""A bounded soak on loopback: gate checks and health declarations together, against gunicorn.

Run: ``python -m bench.soak [--quick | --seconds N]``. Ten minutes by default (``--quick``: 30
seconds) of ``POST /api/v1/gate/check`` at 300 per second (device token, a fresh phone token
per request, never a replay) and, at the same time, ``POST /api/v1/health/declarations`` at 50
per second (each by another employee's browser session, with its CSRF token: one declaration
per person per day). On DATABASE_URL's PostgreSQL (a scratch database, dropped afterwards), or
on a throwaway SQLite file when DATABASE_URL is unset (said so in the output line).

The world, the server and the load generator are bench/gate_check.py's (its `_build`, and the
bounded fixed-rate load of bench/_server.py); this adds the declarers, runs the two streams
in two generator processes at once, and samples the resident memory of gunicorn's workers
(/proc) after a warm-up, every MEMORY_SAMPLES-th of the run and at the end.

Prints one line per stream (achieved rate vs offered — the ratio —, server p50/p99 from the
access log, the caller's p50/p99 measured from each request's due time, so a server that
falls behind cannot hide its queue, errors) and the memory, and exits 1 on any miss: an error
(a non-success answer, a gate refusal, a transport error), an achieved rate under RATE_SHARE
of the offered one, memory not flat (the largest sample after the warm-up > start ×
MEMORY_SLOPE + MEMORY_SLACK_MIB), or a worker replaced during the run (gunicorn restarts a
worker that died or timed out; the new one starts small and would hide a leak).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench import _server

GATE_RATE = 300
DECLARE_RATE = 50
SECONDS_FULL = 600.0
SECONDS_QUICK = 30.0
WARM_SECONDS = 3.0
RATE_SHARE = 0.95  # achieved / offered, each stream
MEMORY_SLOPE = 1.2
MEMORY_SLACK_MIB = 16
MEMORY_SAMPLES = 10  # memory samples during the run, evenly spaced
TOKEN_WINDOW_SECONDS = 60  # PARKGUARD_PASS_ROTATE_SECONDS: a (person, gate, way) once a window
GATE = "/api/v1/gate/check"
DECLARE = "/api/v1/health/declarations"
ROOT = _server.ROOT


def _build(people: int, declarers: int) -> dict[str, Any]:
    """gate_check's world topped up to `people` gate-goers, plus `declarers` employees with a
    login session each (both set-based: tens of thousands in seconds)."""
    import datetime as dt

    import bench.gate_check as gate_check

    data = gate_check._build()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.base import VALID_KEY_CHARS
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.middleware.csrf import _get_new_csrf_string
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from parkguard.orgs.choices import Role
    from parkguard.orgs.models import Enterprise, Membership
    from parkguard.people.models import Person

    enterprise = Enterprise.objects.get(name="甲一精工有限公司")
    users = User.objects.bulk_create(User(username=f"soak{i}") for i in range(declarers))
    people_rows = Person.objects.bulk_create(
        Person(
            enterprise=enterprise,
            name=f"申报{i}",
            id_digest=f"soak{i:060d}",
            id_encrypted="x",
            id_masked="450*************12",
            id_tail="0012",
            gender="male",
            birth_date=dt.date(1990, 1, 1),
            phone=f"136{i:08d}",
            category="regular",
        )
        for i in range(declarers)
    )
    Membership.objects.bulk_create(
        Membership(user=u, role=Role.EMPLOYEE, enterprise=enterprise, person=p)
        for u, p in zip(users, people_rows, strict=True)
    )
    # More gate-goers than gate_check's, set-based, each with a recent negative test.
    from parkguard.status.services import status_results_record

    extra = Person.objects.bulk_create(
        Person(
            enterprise=enterprise,
            name=f"通行{i}",
            id_digest=f"gate{i:060d}",
            id_encrypted="x",
            id_masked="450*************12",
            id_tail="0012",
            gender="male",
            birth_date=dt.date(1990, 1, 1),
            phone=f"135{i:08d}",
            category="regular",
        )
        for i in range(max(0, people - len(data["people"])))
    )
    now = timezone.now()
    status_results_record(negatives={p.pk: now - dt.timedelta(hours=2) for p in extra}, at=now)
    data["people"] += [p.pk for p in extra]
    expires = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    store = SessionStore()
    keys = []
    sessions = []
    for user in users:
        key = get_random_string(32, VALID_KEY_CHARS)
        data_of = {
            "_auth_user_id": str(user.pk),
            "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
            "_auth_user_hash": user.get_session_auth_hash(),
        }
        sessions.append(Session(session_key=key, session_data=store.encode(data_of)))
        sessions[-1].expire_date = expires
        keys.append(key)
    Session.objects.bulk_create(sessions, batch_size=2000)
    return {**data, "sessions": keys, "csrf": _get_new_csrf_string()}


def _prepare(env: dict[str, str], people: int, declarers: int) -> dict[str, Any]:
    code = f"import bench.soak as s, json; print(json.dumps(s._build({people}, {declarers})))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if out.returncode:
        raise SystemExit(f"bench.soak: setup failed\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _generator_main() -> None:
    """One stream's load generator (its own process): the job on stdin, the result printed."""
    job = json.loads(sys.stdin.read())
    data = job["data"]
    offset = job["offset"]
    if job["stream"] == "gate":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parkguard.settings")
        import datetime as dt

        import django

        django.setup()
        from parkguard.gate.tokens import phone_token

        people, gates = data["people"], data["gates"]
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {data['token']}"}

        def request(i: int) -> _server.Request:
            # Consecutive requests take distinct (person, gate, way) until the combinations
            # run out; the setup gives more combinations than one token window's requests.
            k = i + offset
            way = "in" if (k // (len(people) * len(gates))) % 2 == 0 else "out"
            body = {
                "gate_id": gates[(k // len(people)) % len(gates)],
                "direction": way,
                "code": phone_token(person_id=people[k % len(people)], at=dt.datetime.now(dt.UTC)),
                "code_colour": "green",
                "temperature": "36.5",
            }
            return ("POST", GATE, json.dumps(body).encode(), headers)

        def ok(status: int, content: bytes) -> bool:
            return status == 200 and json.loads(content).get("allowed") is True

    else:
        sessions, csrf = data["sessions"], data["csrf"]
        body = json.dumps({"temperature": "36.5", "code_colour": "green"}).encode()

        def request(i: int) -> _server.Request:
            cookie = f"sessionid={sessions[i + offset]}; csrftoken={csrf}"
            headers = {"Content-Type": "application/json", "Cookie": cookie, "X-CSRFToken": csrf}
            return ("POST", DECLARE, body, headers)

        def ok(status: int, content: bytes) -> bool:
            return status == 201

    result = _server.load(job["port"], request, ok, job["rate"], job["seconds"])
    print(json.dumps(result))


def _start(env: dict[str, str], job: dict[str, Any]) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", "import bench.soak as s; s._generator_main()"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None
    proc.stdin.write(json.dumps(job))
    proc.stdin.close()
    return proc


def _finish(proc: subprocess.Popen[str]) -> dict[str, Any]:
    assert proc.stdout is not None
    out = proc.stdout.read()
    if proc.wait() != 0:
        raise SystemExit("bench.soak: a load generator failed")
    return dict(json.loads(out.strip().splitlines()[-1]))


def _streams(
    env: dict[str, str], port: int, data: dict[str, Any], seconds: float, offsets: tuple[int, int]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Both streams at once; returns (gate, declarations)."""
    base = {"port": port, "data": data, "seconds": seconds}
    gate = _start(env, {**base, "stream": "gate", "rate": GATE_RATE, "offset": offsets[0]})
    declare = _start(env, {**base, "stream": "declare", "rate": DECLARE_RATE, "offset": offsets[1]})
    return _finish(gate), _finish(declare)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help=f"{SECONDS_QUICK:.0f} seconds")
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    seconds = args.seconds or (SECONDS_QUICK if args.quick else SECONDS_FULL)

    extra = {
        "PARKGUARD_PASS_ROTATE_SECONDS": str(TOKEN_WINDOW_SECONDS),
        # The session outlives the soak (each declarer's request renews it anyway).
        "PARKGUARD_IDLE_MINUTES": str(int(seconds // 60) + 30),
    }
    with _server.bench_env("soak", extra) as (env, tmp, label):
        return _run(args, env, tmp, seconds, label)


def _run(
    args: argparse.Namespace, env: dict[str, str], tmp: Path, seconds: float, label: str
) -> int:
    # Gate-goers: more (person, gate, way) combinations than a token window's checks (20 gates).
    people = int(GATE_RATE * TOKEN_WINDOW_SECONDS * 1.5 / (20 * 2)) + 1
    declarers = int(DECLARE_RATE * (seconds + WARM_SECONDS)) + 10
    clock = time.perf_counter()
    data = _prepare(env, people, declarers)
    setup = time.perf_counter() - clock
    port = _server.free_port()
    log = tmp / "access.log"
    server = _server.gunicorn(env, port=port, workers=args.workers, log=log)
    try:
        # Warm up (imports, packs, connections) before the first memory sample.
        warm = int(DECLARE_RATE * WARM_SECONDS)
        warm_gate, warm_declare = _streams(env, port, data, WARM_SECONDS, (0, 0))
        start_by_pid = _server.worker_rss_by_pid(server.pid)
        lines = len(log.read_text().splitlines())
        samples: list[dict[int, int]] = []
        done = threading.Event()

        def sample() -> None:
            while not done.wait(seconds / MEMORY_SAMPLES):
                samples.append(_server.worker_rss_by_pid(server.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        gate, declare = _streams(env, port, data, seconds, (int(GATE_RATE * WARM_SECONDS), warm))
        done.set()
        sampler.join()
        samples.append(_server.worker_rss_by_pid(server.pid))
    finally:
        server.terminate()
        server.wait(timeout=30)
    # An error while warming up is an error too (only its rate and times are not measured).
    warm_errors = warm_gate["errors"] + warm_declare["errors"]
    ok = warm_errors == 0
    if warm_errors:
        first = warm_gate.get("first_error") or warm_declare.get("first_error")
        print(f"soak warm-up: errors {warm_errors} (first: {first}) MISS")
    for name, path, result, rate in (
        ("gate_check", GATE, gate, GATE_RATE),
        ("declarations", DECLARE, declare, DECLARE_RATE),
    ):
        times = _server.server_times(log, path, lines)
        achieved = (result["done"] - result["errors"]) / result["wall"]
        ratio = achieved / rate
        good = result["errors"] == 0 and ratio >= RATE_SHARE
        first = f" (first: {result['first_error']})" if result["errors"] else ""
        ok = ok and good
        unsent = result["offered"] - result["done"]
        print(
            f"soak {name}: ratio {ratio:.2f} (target {RATE_SHARE}) {achieved:.0f}/s of "
            f"{rate}/s offered ({unsent} of {result['offered']} never sent), "
            f"server p50 {_server.percentile(times, 0.5):.2f} ms "
            f"p99 {_server.percentile(times, 0.99):.2f} ms, caller (from due time) "
            f"p50 {result['client_p50_ms']:.2f} ms p99 {result['client_p99_ms']:.2f} ms, "
            f"errors {result['errors']} of {result['done']}{first}"
            f"{'' if good else ' MISS'}"
        )
    start_kib = sum(start_by_pid.values())
    totals = [sum(s.values()) for s in samples]
    end_kib, peak_kib = totals[-1], max(totals)
    limit = start_kib * MEMORY_SLOPE + MEMORY_SLACK_MIB * 1024
    replaced = any(set(s) != set(start_by_pid) for s in samples)
    flat = start_kib > 0 and peak_kib <= limit and not replaced
    ok = ok and flat
    series = " ".join(f"{t / 1024:.0f}" for t in totals)
    print(
        f"soak memory: workers' RSS {start_kib / 1024:.1f} MiB after warm-up, "
        f"{end_kib / 1024:.1f} MiB at the end, peak {peak_kib / 1024:.1f} MiB "
        f"(limit {limit / 1024:.1f} MiB; samples MiB: {series})"
        f"{'; a worker was replaced during the run' if replaced else ''}"
        f"{'' if flat else ' MISS'}; {seconds:.0f} s, {args.workers} workers, "
        f"setup {setup:.0f} s, {label}"
    )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"soak load average (1, 5, 15 min): {load}; {'ok' if ok else 'MISS'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
