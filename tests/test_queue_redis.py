"""The production queue for real (issue 18, Tests): huey on Redis with two consumer processes.

A lab import (sampling's `result_import_task`, on a database the consumers share) and the
reminder clock (notify's `reminders_tick_task`) each run exactly once among two consumers; a
consumer killed (SIGKILL) in the middle of a job leaves the job leased in Redis, and the other
consumer's lease sweep, or the next consumer to start, requeues it and runs it to the end
(parkguard/lib/queue_lease.py).

Every run uses its own huey name and log key, so runs on one Redis do not meet, and deletes
its keys at the end. Skipped, saying why, when Redis is not reachable.
"""

from __future__ import annotations

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

import pytest

REDIS_URL = os.environ.get("HUEY_REDIS_URL") or "redis://127.0.0.1:6379/0"
ROOT = Path(__file__).resolve().parent.parent
DRIVER = str(Path(__file__).with_name("queue_redis_driver.py"))
DEADLINE = 20.0  # seconds any one wait may take


def _redis() -> Any:
    redis = pytest.importorskip("redis", reason="the redis package is not installed")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.RedisError as exc:
        print(f"Redis at {REDIS_URL} is unreachable: {exc}")
        pytest.skip(f"Redis at {REDIS_URL} is unreachable: {exc}")
    return client


class Queue:
    """Two consumers' world: their environment, their processes, their log in Redis."""

    def __init__(self, client: Any, var_dir: Path, *, lease_seconds: int) -> None:
        self.client = client
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
            [sys.executable, DRIVER, *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            timeout=DEADLINE,
            check=True,
        )
        return out.stdout.decode().strip()

    def consumer(self) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [sys.executable, DRIVER, "consume"],
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
        deadline = time.monotonic() + DEADLINE
        while not done():
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}; log: {self.log()}")
            time.sleep(0.05)

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


@pytest.fixture
def queue(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Queue]:
    # A short lease only where a consumer is killed; elsewhere longer than any job here.
    q = Queue(_redis(), tmp_path / "var", lease_seconds=getattr(request, "param", 60))
    try:
        yield q
    finally:
        q.close()


def _ends(log: list[tuple[str, str, str, int]], name: str) -> list[tuple[str, str, str, int]]:
    return [row for row in log if name in row[1] and row[0] in {"complete", "error"}]


def test_a_lab_import_and_a_reminder_each_run_once_among_two_consumers(queue: Queue) -> None:
    batch_id, admin_id = queue.run("prepare").split()
    first, second = queue.consumer(), queue.consumer()
    records = [f"record:r{i}" for i in range(20)]
    queue.run("enqueue", f"lab:{batch_id},{admin_id}", "reminders", *records)

    queue.wait("every job to end", lambda: len(_ends(queue.log(), "")) == 22)
    log = queue.log()
    starts = [row for row in log if row[0] == "start"]
    # Each job was started once, by one consumer, and ended once, without an error.
    assert len(starts) == len({row[2] for row in starts}) == 22
    assert {row[0] for row in _ends(log, "")} == {"complete"}
    assert len(_ends(log, "result_import_task")) == len(_ends(log, "reminders_tick_task")) == 1
    assert {row[3] for row in starts} <= {first.pid, second.pid}
    # The lab import really ran, on the database the consumers share (and only from QUEUED).
    lab_state, rows_done, reminder_runs = queue.run("state", batch_id).split()
    assert (lab_state, rows_done) == ("done", "1")
    # The reminder clock ran its day's reminder for the park once (a ReminderRun row).
    assert reminder_runs == "1"
    assert first.poll() is None and second.poll() is None


@pytest.mark.parametrize("queue", [1], indirect=True)
def test_a_consumer_killed_mid_job_leaves_the_job_to_the_other_consumer(
    queue: Queue, tmp_path: Path
) -> None:
    """Both consumers run; the one that took the job is killed; the other's lease sweep (the
    minute's `queue_lease_reap_task`, enqueued here rather than waited for) requeues it."""
    release = tmp_path / "release"
    consumers = {p.pid: p for p in (queue.consumer(), queue.consumer())}
    queue.wait("both consumers to start", lambda: queue.ready() == 2)
    queue.run("enqueue", f"block:{release}")
    queue.wait("a consumer to start the job", lambda: len(queue.log()) == 1)
    [(_, _, task_id, victim)] = queue.log()
    [survivor] = set(consumers) - {victim}

    consumers[victim].send_signal(signal.SIGKILL)
    consumers[victim].wait(timeout=DEADLINE)
    release.touch()
    inflight = f"huey.redis.{queue.name}.inflight"
    lease = json.loads(queue.client.hget(inflight, task_id))
    queue.wait("the lease to run out", lambda: time.time() > lease["until"])
    queue.run("enqueue", "reap")

    queue.wait("the job to end", lambda: bool(_ends(queue.log(), "block_until")))
    job = [(event, pid) for event, _, tid, pid in queue.log() if tid == task_id]
    assert job == [("start", victim), ("start", survivor), ("complete", survivor)]
    assert queue.client.hlen(inflight) == 0
    assert consumers[survivor].poll() is None


@pytest.mark.parametrize("queue", [1], indirect=True)
def test_a_consumer_killed_mid_job_leaves_the_job_to_the_next_consumer_started(
    queue: Queue, tmp_path: Path
) -> None:
    release = tmp_path / "release"
    first = queue.consumer()
    queue.run("enqueue", f"block:{release}")
    queue.wait("the first consumer to start the job", lambda: len(queue.log()) == 1)
    [(event, name, task_id, pid)] = queue.log()
    assert (event, pid) == ("start", first.pid) and "block_until" in name

    first.send_signal(signal.SIGKILL)  # mid-job: no shutdown, no signal handler runs
    first.wait(timeout=DEADLINE)
    release.touch()
    # Nothing is left on the queue (huey took the message with BRPOP); the lease remembers it.
    inflight = f"huey.redis.{queue.name}.inflight"
    assert queue.client.hlen(inflight) == 1
    lease = json.loads(queue.client.hget(inflight, task_id))
    queue.wait("the lease to run out", lambda: time.time() > lease["until"])

    second = queue.consumer()  # e.g. the supervisor's restart; it requeues leases run out
    queue.wait("the job to end", lambda: bool(_ends(queue.log(), "block_until")))
    log = queue.log()
    assert [row[0] for row in log if row[2] == task_id] == ["start", "start", "complete"]
    assert log[-1][3] == second.pid
    assert queue.client.hlen(inflight) == 0
