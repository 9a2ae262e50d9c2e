"""A job taken from Redis is not lost when its consumer dies mid-job.

huey on Redis takes a message off the queue with BRPOP: once a consumer holds it, nothing in
Redis remembers it, so a consumer killed (SIGKILL, OOM, power) mid-job loses the job. Here
every job a consumer starts is written to a Redis hash (``<queue>.inflight``: task id → the
serialised message and a lease deadline) and removed when the attempt ends (done, failed,
retry scheduled, cancelled, revoked, expired, locked). A consumer that starts, and every
consumer once a minute, puts back on the queue each job whose lease has run out; ``HDEL``
decides which consumer does it, so a dead job is requeued once, not once per consumer.

The lease (``HUEY_LEASE_SECONDS``) must be longer than any job runs: a job still running past
it would be started a second time. Jobs that write keep their own guard too: each starts with
one conditional claim (a lab import QUEUED → RUNNING, a staff import's check QUEUED →
VALIDATING, its merge of an APPLYING batch), so a job started twice runs once.

The order of the leases (``lease_order_check``, a system check): an import's own lease
(``IMPORT_LEASE_SECONDS``, renewed by its worker's heartbeat) plus one run of the minutely
import recovery must end before the queue's lease. So when a consumer dies mid-import, the
import's recovery decides first (a lab import failed, a check queued again or failed, a merge
back to "ready" to be confirmed again), and the job the queue then puts back claims nothing.
With the order reversed, a merge put back would find its batch still APPLYING and merge it
without the second confirmation. A consumer killed between taking a message and starting it (a
few instructions) still loses that one message. On SQLite huey commits the dequeue the same
way; the lease applies to Redis only.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from django.conf import settings
from django.core import checks
from huey import signals
from huey.storage import RedisStorage

logger = logging.getLogger(__name__)

# The import recoveries (people and sampling housekeeping tasks) run once a minute.
RECOVERY_PERIOD_SECONDS = 60

_ENDED = (
    signals.SIGNAL_COMPLETE,
    signals.SIGNAL_ERROR,
    signals.SIGNAL_RETRYING,
    signals.SIGNAL_CANCELED,
    signals.SIGNAL_REVOKED,
    signals.SIGNAL_EXPIRED,
    signals.SIGNAL_LOCKED,
)


def _key(huey: Any) -> str:
    return f"{huey.storage.queue_key}.inflight"


def requeue_expired(huey: Any, *, now: float | None = None) -> int:
    """Put back on the queue every job whose lease ran out; returns how many."""
    if not isinstance(huey.storage, RedisStorage):
        return 0
    conn = huey.storage.conn
    key = _key(huey)
    now = time.time() if now is None else now
    requeued = 0
    for task_id, raw in conn.hgetall(key).items():
        entry = json.loads(raw)
        if entry["until"] > now:
            continue
        if conn.hdel(key, task_id):  # only the consumer that removes it requeues it
            huey.storage.enqueue(bytes.fromhex(entry["message"]))
            requeued += 1
            logger.warning("job %s lost its consumer; requeued", task_id.decode())
    return requeued


def install(huey: Any, *, lease_seconds: int) -> None:
    """Track the jobs this consumer runs, and reap dead consumers' jobs when it starts."""
    if not isinstance(huey.storage, RedisStorage):
        return

    def executing(signal: str, task: Any, *args: Any) -> None:
        entry = {
            "until": time.time() + lease_seconds,
            "message": huey.serialize_task(task).hex(),
        }
        huey.storage.conn.hset(_key(huey), task.id, json.dumps(entry))

    def ended(signal: str, task: Any, *args: Any) -> None:
        huey.storage.conn.hdel(_key(huey), task.id)

    huey.signal(signals.SIGNAL_EXECUTING)(executing)
    huey.signal(*_ENDED)(ended)
    huey.on_startup("queue_lease_reap")(lambda: requeue_expired(huey))


def lease_order_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """System check: the queue's lease outlasts an import's lease plus one recovery run."""
    queue = settings.HUEY_LEASE_SECONDS
    floor = settings.IMPORT_LEASE_SECONDS + RECOVERY_PERIOD_SECONDS
    if queue > floor:
        return []
    import_lease = settings.IMPORT_LEASE_SECONDS
    return [
        checks.Error(
            f"HUEY_LEASE_SECONDS（{queue} 秒）必须长于 PARKGUARD_IMPORT_LEASE_SECONDS"
            f"（{import_lease} 秒）加一次导入恢复的间隔（{RECOVERY_PERIOD_SECONDS} 秒），"
            f"即至少 {floor + 1} 秒：否则消费者中断后，任务队列会先于导入自己的恢复把任务放回",
            hint="The queue lease must exceed the import lease plus one recovery period "
            "(docs/security.md, Faults).",
            id="parkguard.E001",
        )
    ]
