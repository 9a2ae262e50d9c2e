"""What the HTTP benchmarks share (bench/gate_check.py, bench/soak.py, bench/gate_profile.py):
the environment and its scratch database, gunicorn on a free loopback port, a bounded
fixed-rate load generator, server times from the access log, and the resident memory of
gunicorn's workers.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CONNECTIONS = 16
DRAIN = 2  # stop sending at twice the planned duration

# One request: (method, path, body, headers); and whether its answer counts as a success.
Request = tuple[str, str, bytes | None, dict[str, str]]
# What every gate benchmark runs with: the test environment, no device rate limit in the way,
# the production caches of packs and device tokens.
ENV = {
    "PARKGUARD_ENV": "test",
    "DJANGO_SETTINGS_MODULE": "parkguard.settings",
    "PARKGUARD_GATE_DEVICE_CHECKS_PER_MINUTE": str(10**9),
    "PARKGUARD_API_TOKEN_REQUESTS_PER_MINUTE": str(10**9),
    "PARKGUARD_GATE_PACKS_CACHE_SECONDS": "60",
    "PARKGUARD_API_TOKEN_CACHE_SECONDS": "5",
}


@contextlib.contextmanager
def bench_env(
    name: str, extra: dict[str, str] | None = None
) -> Iterator[tuple[dict[str, str], Path, str]]:
    """(env, scratch folder, database label) for a benchmark's child processes: ENV plus
    `extra` over this process's environment, and a database of its own, a throwaway SQLite
    file when DATABASE_URL is unset, else a scratch database on its PostgreSQL that is
    dropped when the block ends."""
    tmp = Path(tempfile.mkdtemp(prefix=f"parkguard-bench-{name}-"))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update({**ENV, **(extra or {})})
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
        yield env, tmp, "sqlite (DATABASE_URL unset: not the PostgreSQL of production)"
        return
    env["DATABASE_URL"], label, drop = _scratch(env["DATABASE_URL"])
    try:
        yield env, tmp, label
    finally:
        drop()


def _scratch(url: str) -> tuple[str, str, Callable[[], None]]:
    """A scratch database `<name>_gatebench` on `url`'s PostgreSQL, and how to drop it."""
    from urllib.parse import urlparse, urlunparse

    import psycopg

    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise SystemExit("bench: DATABASE_URL must be PostgreSQL (or unset)")
    scratch = f"{parsed.path.lstrip('/') or 'postgres'}_gatebench"
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        conn.execute(f'CREATE DATABASE "{scratch}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')

    return urlunparse(parsed._replace(path=f"/{scratch}")), f"postgresql {scratch}", drop


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_times(log: Path, path: str, since: int) -> list[float]:
    """Milliseconds per request of `path` in the access log, from line `since` on."""
    found = []
    for line in log.read_text().splitlines()[since:]:
        parts = line.split()
        if len(parts) == len(("path", "status", "micros")) and parts[0] == path:
            found.append(int(parts[2]) / 1000)
    return found


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def load_average() -> str:
    return f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores"


def gunicorn(
    env: dict[str, str], *, port: int, workers: int, log: Path, start_seconds: float = 300
) -> subprocess.Popen[bytes]:
    """Start gunicorn on 127.0.0.1:`port` with a `path status micros` access log; returns
    once /healthz answers. A loaded machine boots Django slowly: `start_seconds` bounds both
    the wait for the first answer and gunicorn's worker timeout (its default 30 s has killed
    workers on their first request, which imports the URLconf)."""
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "parkguard.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            str(log),
            "--access-logformat",
            "%(U)s %(s)s %(D)s",
            "--log-level",
            "warning",
            "--timeout",
            str(int(start_seconds)),
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + start_seconds
    while True:
        with contextlib.suppress(OSError):
            conn = HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        if time.monotonic() > deadline or server.poll() is not None:
            server.terminate()
            raise SystemExit("bench: gunicorn did not start")
        time.sleep(0.2)


def load(
    port: int,
    request: Callable[[int], Request],
    ok: Callable[[int, bytes], bool],
    rate: float,
    seconds: float,
    connections: int = CONNECTIONS,
) -> dict[str, Any]:
    """Send `request(i)` at `rate` per second for `seconds`, over `connections` threads;
    bounded in count and in time: requests not sent by twice the planned time are dropped
    (a server that cannot keep up shows as a lower achieved rate). The first failed answer
    is kept (status and a little of the body) to say what went wrong.

    Besides the count, `client_p50_ms` / `client_p99_ms` are each request's response time
    measured from when it was due, not from when it was sent: a request that waited for a
    free connection because the server fell behind counts its wait (no coordinated
    omission), so these are never lower than what a caller at this rate would see."""
    total = int(rate * seconds)
    start = time.perf_counter() + 0.2
    stop = start + seconds * DRAIN
    lock = threading.Lock()
    index = [0]
    latencies: list[float] = []
    from_due: list[float] = []
    errors = [0]
    first: list[str] = []

    def worker() -> None:
        conn = HTTPConnection("127.0.0.1", port, timeout=10)
        while True:
            with lock:
                i = index[0]
                index[0] += 1
            if i >= total or time.perf_counter() > stop:
                break
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            method, path, body, headers = request(i)
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                content = response.read()
                good = ok(response.status, content)
                failure = "" if good else f"{response.status} {content[:200]!r}"
            except OSError as exc:
                good, failure = False, repr(exc)
                conn.close()
                conn = HTTPConnection("127.0.0.1", port, timeout=10)
            end = time.perf_counter()
            with lock:
                latencies.append(end - t0)
                from_due.append(end - due)
                if not good:
                    errors[0] += 1
                    if not first:
                        first.append(failure)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    return {
        "done": len(latencies),
        "errors": errors[0],
        "wall": wall,
        "offered": total,
        "first_error": first[0] if first else "",
        "client_p50_ms": percentile(from_due, 0.5) * 1000,
        "client_p99_ms": percentile(from_due, 0.99) * 1000,
    }


def worker_rss_kib(master_pid: int) -> int:
    """Resident memory of gunicorn's workers (the master's children), from /proc, in KiB."""
    return sum(worker_rss_by_pid(master_pid).values())


def worker_rss_by_pid(master_pid: int) -> dict[int, int]:
    """Each gunicorn worker's (the master's children's) resident memory in KiB, by pid: a
    changed pid is a worker that died and was replaced (its leak would be hidden)."""
    found: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) != master_pid:  # fields[1] is the parent pid
            continue
        with contextlib.suppress(OSError):
            for line in (stat.parent / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    found[int(stat.parent.name)] = int(line.split()[1])
    return found
