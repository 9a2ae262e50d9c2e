"""The production queue for real (issue 18, Tests): huey on Redis with two consumer processes.

A lab import (sampling's `result_import_task`, on a database the consumers share) and the
reminder clock (notify's `reminders_tick_task`) each run exactly once among two consumers; a
consumer killed (SIGKILL) in the middle of a job leaves the job leased in Redis, and the other
consumer's lease sweep, or the next consumer to start, requeues it and runs it to the end
(parkguard/lib/queue_lease.py). The consumers' world is tests/_procs.py's `Queue`.

Every run uses its own huey name and log key, so runs on one Redis do not meet, and deletes
its keys at the end. Skipped, saying why, when Redis is not reachable.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests._procs import DEADLINE, Queue, ends, redis_client

DRIVER = str(Path(__file__).with_name("queue_redis_driver.py"))


@pytest.fixture
def queue(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Queue]:
    # A short lease only where a consumer is killed; elsewhere longer than any job here.
    q = Queue(
        redis_client(),
        tmp_path / "var",
        lease_seconds=getattr(request, "param", 60),
        driver=DRIVER,
        deadline=DEADLINE,
    )
    try:
        yield q
    finally:
        q.close()


def test_a_lab_import_and_a_reminder_each_run_once_among_two_consumers(queue: Queue) -> None:
    batch_id, admin_id = queue.run("prepare").split()
    first, second = queue.consumer(), queue.consumer()
    records = [f"record:r{i}" for i in range(20)]
    queue.run("enqueue", f"lab:{batch_id},{admin_id}", "reminders", *records)

    queue.wait("every job to end", lambda: len(ends(queue.log(), "")) == 22)
    log = queue.log()
    starts = [row for row in log if row[0] == "start"]
    # Each job was started once, by one consumer, and ended once, without an error.
    assert len(starts) == len({row[2] for row in starts}) == 22
    assert {row[0] for row in ends(log, "")} == {"complete"}
    assert len(ends(log, "result_import_task")) == len(ends(log, "reminders_tick_task")) == 1
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

    queue.wait("the job to end", lambda: bool(ends(queue.log(), "block_until")))
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
    queue.wait("the job to end", lambda: bool(ends(queue.log(), "block_until")))
    log = queue.log()
    assert [row[0] for row in log if row[2] == task_id] == ["start", "start", "complete"]
    assert log[-1][3] == second.pid
    assert queue.client.hlen(inflight) == 0
