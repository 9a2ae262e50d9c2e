"""The job consumer killed during an import (issue 18, Tests: faults): a lab import run by a
huey consumer on Redis is killed (SIGKILL) inside its write transaction; nothing of the file is
written, the queue's lease puts the job back, the import's own lease fails the batch so the
job put back writes nothing either, and the file imported again by the other consumer writes
every row once, with the status rows as the records say (`status_rebuild`).

The world is tests/import_kill_driver.py's (LAB_PEOPLE pending tubes) on a database the
consumers share (a SQLite file, or a scratch database on DATABASE_URL's PostgreSQL); the
consumers are tests/queue_redis_driver.py's; the stop is the `lab_import_write` fault point
(parkguard/lib/fault_points.py). Nothing is timed: every wait is for a file, a log entry or a
lease deadline, bounded by DEADLINE. Skipped, saying why, when Redis is not reachable.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from parkguard.sampling.jobs import INTERRUPTED
from tests._procs import Queue, arm, ends, redis_client, run_json, scratch_database

DRIVER = str(Path(__file__).with_name("queue_import_kill_driver.py"))
DEADLINE = 30.0  # seconds any one wait may take
IMPORT_LEASE = 120  # PARKGUARD_IMPORT_LEASE_SECONDS of the consumers
QUEUE_LEASE = 1  # HUEY_LEASE_SECONDS: run out as soon as the killed job is looked at


class World(Queue):
    """Two consumers (tests/_procs.py's `Queue`) on a shared database with fault points armed.

    The queue lease is shorter than the import lease here, the reverse of the order the system
    check `parkguard.E001` demands: the consumers start through `call_command` (no system
    checks), and the test runs the import's recovery itself before the queue lease is looked
    at, which is the order the check keeps in production."""

    def __init__(self, client: Any, tmp: Path, database_url: str) -> None:
        super().__init__(
            client, tmp / "var", lease_seconds=QUEUE_LEASE, driver=DRIVER, deadline=DEADLINE
        )
        self.faults = tmp / "faults"
        self.faults.mkdir()
        self.env["DATABASE_URL"] = database_url
        self.env["PARKGUARD_FAULT_POINTS_DIR"] = str(self.faults)
        self.env["PARKGUARD_IMPORT_LEASE_SECONDS"] = str(IMPORT_LEASE)
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    def call(self, *args: str) -> Any:
        return run_json(self.driver, self.env, *args)

    def arm(self, point: str) -> Path:
        return arm(self.faults, point)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    client = redis_client()  # skips when Redis is unreachable
    with scratch_database(tmp_path, "qkill") as url:
        w = World(client, tmp_path, url)
        try:
            yield w
        finally:
            w.close()


def _lab_jobs(world: World) -> list[tuple[str, str, int]]:
    return [(e, tid, pid) for e, name, tid, pid in world.log() if "result_import_task" in name]


def test_a_consumer_killed_mid_lab_import_writes_nothing_and_the_file_imports_once(
    world: World,
) -> None:
    data = world.call("prepare")
    count, batch = len(data["barcodes"]), data["batch"]
    before = world.call("state")
    assert (before["pending"], before["pending_statuses"], before["negative"]) == (count, count, 0)
    assert before["differences"] == []

    reached = world.arm("lab_import_write")
    consumers = {p.pid: p for p in (world.consumer(), world.consumer())}
    world.wait("both consumers to start", lambda: world.ready() == 2)
    world.run("enqueue", f"lab:{batch},{data['actor']}")
    world.wait(
        "a consumer to reach the fault point",
        lambda: reached.exists() and bool(reached.read_text()),
    )
    victim = int(reached.read_text())
    assert victim in consumers  # the consumer process itself (one worker thread)
    [(event, task_id, pid)] = _lab_jobs(world)
    assert (event, pid) == ("start", victim)
    [survivor] = set(consumers) - {victim}
    consumers[victim].send_signal(signal.SIGKILL)  # mid-transaction, no handler runs
    consumers[victim].wait(timeout=DEADLINE)

    # Nothing of the file: every tube pending, every status as it was; the batch still running.
    killed = world.call("state")
    for key in ("tubes", "pending", "negative", "pending_statuses", "negative_statuses"):
        assert killed[key] == before[key], key
    assert killed["imports"][-1]["state"] == "running"
    # huey took the message off Redis; only the lease remembers the job.
    inflight = f"huey.redis.{world.name}.inflight"
    lease = json.loads(world.client.hget(inflight, task_id))

    # The import's own lease (run as if it had run out): failed, with the Chinese reason.
    assert world.call("recover", str(IMPORT_LEASE + 1))["lab"] == 1
    [failed] = [b for b in world.call("state")["imports"] if b["pk"] == batch]
    assert (failed["state"], failed["written"]) == ("failed", 0)
    assert failed["errors"] == [{"row": 0, "column": "", "message": INTERRUPTED}]

    # The queue's lease puts the job back; the surviving consumer runs it, and it writes nothing
    # (a lab import runs only from QUEUED, and the failed batch's upload is gone).
    world.wait("the queue lease to run out", lambda: time.time() > lease["until"])
    world.run("enqueue", "reap")
    world.wait("the job put back to end", lambda: bool(ends(world.log(), "result_import_task")))
    assert [(e, p) for e, tid, p in _lab_jobs(world) if tid == task_id] == [
        ("start", victim),
        ("start", survivor),
        ("complete", survivor),
    ]
    assert world.client.hlen(inflight) == 0
    again = world.call("state")
    assert (again["pending"], again["negative"]) == (count, 0)
    assert [b["state"] for b in again["imports"] if b["pk"] == batch] == ["failed"]

    # The file imported again: the other consumer writes every row, once.
    second = world.call("queue", json.dumps(data))
    world.run("enqueue", f"lab:{second},{data['actor']}")
    world.wait("the re-import to end", lambda: len(ends(world.log(), "result_import_task")) == 2)
    assert {p for e, _, p in _lab_jobs(world)[3:]} == {survivor}
    done = world.call("state")
    [redone] = [b for b in done["imports"] if b["pk"] == second]
    assert (redone["state"], redone["written"], redone["errors"]) == ("done", count, [])
    assert (done["tubes"], done["barcodes_twice"]) == (count, 0)
    assert (done["pending"], done["negative"]) == (0, count)
    assert (done["pending_statuses"], done["negative_statuses"]) == (0, count)
    assert done["differences"] == []
    assert consumers[survivor].poll() is None
