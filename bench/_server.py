"""What the HTTP benchmarks share: gunicorn on a free loopback port, a bounded fixed-rate load
generator, and the resident memory of gunicorn's workers (bench/gate_check.py, bench/soak.py).
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CONNECTIONS = 16
DRAIN = 2  # stop sending at twice the planned duration

# One request: (method, path, body, headers); and whether its answer counts as a success.
Request = tuple[str, str, bytes | None, dict[str, str]]


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
    is kept (status and a little of the body) to say what went wrong."""
    total = int(rate * seconds)
    start = time.perf_counter() + 0.2
    stop = start + seconds * DRAIN
    lock = threading.Lock()
    index = [0]
    latencies: list[float] = []
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
            elapsed = time.perf_counter() - t0
            with lock:
                latencies.append(elapsed)
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
    }


def worker_rss_kib(master_pid: int) -> int:
    """Resident memory of gunicorn's workers (the master's children), from /proc, in KiB."""
    total = 0
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
                    total += int(line.split()[1])
    return total
