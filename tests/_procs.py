"""What the process-level fault tests share (tests/test_import_kill.py, tests/test_queue_redis.py,
tests/test_queue_import_kill.py): a database other processes can open, bounded waits, running
a driver script, arming a fault point, and two huey consumers on Redis with their log.

Nothing here times anything: every wait is for a condition, bounded by a deadline that only
turns a hang into a failure.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEADLINE = 30.0  # seconds any one wait may take
REDIS_URL = os.environ.get("HUEY_REDIS_URL") or "redis://127.0.0.1:6379/0"


def wait(
    what: str,
    done: Callable[[], bool],
    *,
    deadline: float = DEADLINE,
    describe: Callable[[], Any] | None = None,
) -> None:
    """Look until `done()`; fail after `deadline` seconds, saying what (and `describe()`)."""
    until = time.monotonic() + deadline
    while not done():
        if time.monotonic() > until:
            more = f"; log: {describe()}" if describe is not None else ""
            pytest.fail(f"timed out waiting for {what}{more}")
        time.sleep(0.02)


@contextlib.contextmanager
def scratch_database(tmp: Path, tag: str) -> Iterator[str]:
    """A DATABASE_URL other processes share: a scratch database on DATABASE_URL's PostgreSQL
    (dropped afterwards), else a SQLite file under `tmp`."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp / f'{tag}.sqlite3'}"
        return
    import psycopg

    parsed = urlparse(url)
    scratch = f"{parsed.path.lstrip('/') or 'postgres'}_{tag}_{uuid.uuid4().hex[:8]}"
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{scratch}"')
    try:
        yield urlunparse(parsed._replace(path=f"/{scratch}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def run_json(driver: str, env: dict[str, str], *args: str) -> Any:
    """Run a driver command; its last line of output is JSON."""
    out = subprocess.run(
        [sys.executable, driver, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=DEADLINE * 2,
    )
    assert out.returncode == 0, out.stderr.decode()[-3000:]
    return json.loads(out.stdout.decode().strip().splitlines()[-1])


def arm(faults: Path, point: str) -> Path:
    """Arm a fault point (parkguard/lib/fault_points.py); returns the file its process writes."""
    for suffix in (".reached", ".release"):
        (faults / f"{point}{suffix}").unlink(missing_ok=True)
    (faults / f"{point}.armed").touch()
    return faults / f"{point}.reached"


def redis_client() -> Any:
    """A client of the test Redis; skips the test, saying why, when it is unreachable."""
    redis = pytest.importorskip("redis", reason="the redis package is not installed")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.RedisError as exc:
        print(f"Redis at {REDIS_URL} is unreachable: {exc}")
        pytest.skip(f"Redis at {REDIS_URL} is unreachable: {exc}")
    return client


class Queue:
    """Consumers' world (tests/queue_redis_driver.py or a driver built on it): their environment,
    their processes, their log in Redis. Every world has its own huey name and log key, so
    runs on one Redis do not meet, and deletes its keys when closed."""

    def __init__(
        self, client: Any, var_dir: Path, *, lease_seconds: int, driver: str, deadline: float
    ) -> None:
        self.client = client
        self.driver = driver
        self.deadline = deadline
        self.name = f"pgqueue{uuid.uuid4().hex[:12]}"
        self.log_key = f"{self.name}.log"
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "parkguard.settings",
            # The consumer's settings, not the test ones (which run every job inline).
            "PARKGUARD_ENV": "development",
            "PARKGUARD_VAR_DIR": str(var_dir),
            "HUEY_REDIS_URL": REDIS_URL,
            "HUEY_NAME": self.name,
            "HUEY_LEASE_SECONDS": str(lease_seconds),
            "QUEUE_TEST_LOG": self.log_key,
            # Who has not declared, as the reminder tests ask it (the health app's is to come).
            "PARKGUARD_UNDECLARED_QUERY": "tests.notify.test_reminders.fake_undeclared",
        }
        self.env.pop("DATABASE_URL", None)
        self.consumers: list[subprocess.Popen[bytes]] = []

    def run(self, *args: str) -> str:
        out = subprocess.run(
            [sys.executable, self.driver, *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            timeout=self.deadline,
            check=True,
        )
        return out.stdout.decode().strip()

    def consumer(self) -> subprocess.Popen[bytes]:
        """Start a consumer (`<driver> consume`: huey's run_huey, one worker, no periodic)."""
        proc = subprocess.Popen(
            [sys.executable, self.driver, "consume"],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.consumers.append(proc)
        return proc

    def log(self) -> list[tuple[str, str, str, int]]:
        """Jobs started and ended, in order: (event, task name, task id, consumer pid)."""
        rows = [raw.decode().split() for raw in self.client.lrange(self.log_key, 0, -1)]
        return [(e, name, task_id, int(pid)) for e, name, task_id, pid in rows if e != "ready"]

    def ready(self) -> int:
        """Consumers that have started (and run their start-up hooks)."""
        return sum(raw.startswith(b"ready ") for raw in self.client.lrange(self.log_key, 0, -1))

    def wait(self, what: str, done: Callable[[], bool]) -> None:
        wait(what, done, deadline=self.deadline, describe=self.log)

    def close(self) -> None:
        for proc in self.consumers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.consumers:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        keys = list(self.client.scan_iter(f"*{self.name}*"))
        if keys:
            self.client.delete(*keys)


def ends(log: list[tuple[str, str, str, int]], name: str) -> list[tuple[str, str, str, int]]:
    """The log's ends (complete or error) of jobs whose name contains `name`."""
    return [row for row in log if name in row[1] and row[0] in {"complete", "error"}]
