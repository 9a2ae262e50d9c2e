"""CPU time of one gate check in one process, against the bare endpoint: no server, no
contention, so the number holds on a loaded machine where gunicorn's throughput does not.

Run: ``python -m bench.gate_profile [--checks N] [--profile]``. Builds bench/gate_check.py's
world (a throwaway SQLite file, or a scratch database on DATABASE_URL's PostgreSQL), then calls
the WSGI application directly (Django's request signals, middleware and connection handling
as under gunicorn) with ``--checks`` device checks with a temperature (distinct person, gate
and direction each) and as many ``GET /healthz``. ``--profile`` prints cProfile's top entries.

Prints ``gate_profile: ratio <bare CPU ms ÷ check CPU ms> (target 0.7) …`` (the throughput
ratio a CPU-bound server would reach) and exits 1 below TARGET.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import _server

TARGET = 0.7
CHECKS = 2000
WARM = 50


def _environ(method: str, path: str, body: bytes, token: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "CONTENT_TYPE": "application/json" if body else "",
        "CONTENT_LENGTH": str(len(body)) if body else "",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def _drive(app: Callable[..., Any], requests: list[tuple[str, str, bytes]], token: str) -> float:
    """CPU seconds per request; every answer must be a 200 (a gate check: allowed)."""
    status: list[str] = []

    def start_response(line: str, headers: list[Any], exc_info: Any = None) -> None:
        status.append(line)

    started = time.process_time()
    for method, path, body in requests:
        chunks = app(_environ(method, path, body, token), start_response)
        content = b"".join(chunks)
        chunks.close()
        if not status[-1].startswith("200") or (body and b'"allowed": true' not in content):
            raise SystemExit(f"bench.gate_profile: {path} answered {status[-1]} {content[:300]!r}")
    return (time.process_time() - started) / len(requests)


def _backend_cpu() -> tuple[int, float]:
    """The PostgreSQL backend serving this process and the CPU seconds it has used (it runs on
    the same cores as the application); (0, 0) on SQLite, where the database is in the
    process, or for a database on another machine."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0, 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = int(cursor.fetchone()[0])
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0, 0.0
    return pid, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _backend_note(before: tuple[int, float], after: tuple[int, float], checks: int) -> str:
    if not before[0]:
        return ""
    if before[0] != after[0]:
        return "database backend CPU not measured (the connection was replaced), "
    return f"database backend CPU per check {(after[1] - before[1]) / checks * 1000:.2f} ms, "


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checks", type=int, default=CHECKS)
    parser.add_argument("--profile", action="store_true", help="print cProfile's top entries")
    parser.add_argument("--top", type=int, default=45)
    args = parser.parse_args(argv)
    # Tokens made up front must outlive a slow run: an hour's window (the check's work is the
    # same whatever the window).
    extra = {"PARKGUARD_PASS_ROTATE_SECONDS": "3600", "PARKGUARD_PASS_TTL_SECONDS": "7200"}
    with _server.bench_env("gate-profile", extra) as (env, _tmp, label):
        os.environ.clear()
        os.environ.update(env)
        return _run(args, label)


def _run(args: argparse.Namespace, label: str) -> int:
    import bench.gate_check as gate_check

    data = gate_check._build()
    if args.checks + WARM > len(data["people"]) * len(data["gates"]) * 2:
        raise SystemExit("bench.gate_profile: more checks than distinct (person, gate, direction)")
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    bodies = gate_check._bodies(data, args.checks + WARM)
    checks = [("POST", "/api/v1/gate/check", b) for b in bodies]
    bare = [("GET", "/healthz", b"")] * (args.checks + WARM)
    token = data["token"]
    from django.db import connection

    # A fresh connection: one older than CONN_MAX_AGE is replaced at a request's start, and
    # the database backend's CPU is read from one backend process.
    connection.close()
    _drive(app, bare[:WARM], token)
    _drive(app, checks[:WARM], token)
    bare_cpu = _drive(app, bare[WARM:], token)
    # CPU time, not wall time: on a machine loaded by others, wall time mostly measures them.
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    if profiler is not None:
        profiler.enable()
    backend = _backend_cpu()
    check_cpu = _drive(app, checks[WARM:], token)
    backend_after = _backend_cpu()
    if profiler is not None:
        profiler.disable()
        for key in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(key).print_stats(args.top)
            print(out.getvalue())
    ratio = bare_cpu / check_cpu
    print(
        f"gate_profile: ratio {ratio:.2f} (target {TARGET}) CPU per check "
        f"{check_cpu * 1000:.2f} ms vs bare {bare_cpu * 1000:.2f} ms, {args.checks} checks"
        f"{' (under cProfile)' if profiler else ''}, {label}, "
        f"{_backend_note(backend, backend_after, args.checks)}"
        f"{_server.load_average()}"
    )
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
