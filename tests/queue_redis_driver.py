"""Runs beside tests/test_queue_redis.py: a huey consumer (`consume`) or a producer (`enqueue`)
on the project's real huey (Redis, from HUEY_REDIS_URL), with two test-only jobs registered.

Every attempt a consumer starts or finishes is pushed to the Redis list QUEUE_TEST_LOG as
"<event> <task name> <task id> <pid>", which is what the test counts.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parkguard.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from huey import signals  # noqa: E402
from huey.contrib.djhuey import HUEY, task  # noqa: E402

from parkguard.notify.tasks import queue_lease_reap_task, reminders_tick_task  # noqa: E402
from parkguard.sampling.tasks import result_import_task  # noqa: E402

LOG = os.environ["QUEUE_TEST_LOG"]


def _log(event: str, name: str, task_id: str) -> None:
    HUEY.storage.conn.rpush(LOG, f"{event} {name} {task_id} {os.getpid()}")


@task(name="queue_test.record")
def record(key: str) -> str:
    return key


@task(name="queue_test.block_until")
def block_until(path: str) -> str:
    """Holds its consumer until the file appears: the moment the test kills it."""
    while not Path(path).exists():
        time.sleep(0.05)
    return path


@HUEY.on_startup()
def _ready() -> None:
    """After the lease's own start-up hook (registered on import of notify.tasks)."""
    _log("ready", "-", "-")


@HUEY.signal(signals.SIGNAL_EXECUTING)
def _executing(signal: str, t: Any, *args: Any) -> None:
    _log("start", t.name, t.id)


@HUEY.signal(signals.SIGNAL_COMPLETE, signals.SIGNAL_ERROR)
def _ended(signal: str, t: Any, *args: Any) -> None:
    _log(signal, t.name, t.id)


def prepare() -> int:
    """A fresh database (tables straight from the models, fast) with a lab file queued as a
    large one would be; prints the batch id."""
    from django.apps import apps
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.utils import timezone

    from parkguard.notify.models import ParkReminderConfig
    from parkguard.orgs.models import Enterprise, Jurisdiction
    from parkguard.people.identity import payload_cipher
    from parkguard.sampling.choices import ImportState
    from parkguard.sampling.models import Lab, ResultImport

    settings.MIGRATION_MODULES = {a.label: None for a in apps.get_app_configs()}
    call_command("migrate", run_syncdb=True, verbosity=0)
    park = Jurisdiction.objects.create(name="队列园区", kind="park")
    enterprise = Enterprise.objects.create(
        jurisdiction=park,
        name="队列企业",
        credit_code="91000000000000000Q",
        legal_representative="甲",
        industry="制造",
    )
    lab = Lab.objects.create(jurisdiction=park, name="队列检测中心", mapping={})
    # The reminder clock is due (from midnight); the park has nobody to remind.
    ParkReminderConfig.objects.create(
        jurisdiction=park, declare_remind_at=dt.time(0, 0), updated_at=timezone.now()
    )
    admin = User.objects.create_superuser("queue-admin", password=None)
    body = "条码号,检测结果,采样时间\nZZ1,阴性,2022-11-16 08:30\n".encode()
    batch = ResultImport.objects.create(
        lab=lab,
        enterprise=enterprise,
        filename="r.csv",
        dry_run=False,
        state=ImportState.QUEUED,
        rows_total=1,
        created_by=admin,
        created_at=timezone.now(),
        data=payload_cipher().encrypt(body),
    )
    print(batch.pk, admin.pk, flush=True)
    return batch.pk


def state(batch_id: int) -> None:
    """The lab file's state and how many reminder runs the park has."""
    from parkguard.notify.models import ReminderRun
    from parkguard.sampling.models import ResultImport

    lab = ResultImport.objects.get(pk=batch_id)
    print(lab.state, lab.rows_done, ReminderRun.objects.count(), flush=True)


def main(argv: list[str]) -> None:
    if argv[0] == "prepare":
        prepare()
    elif argv[0] == "state":
        state(int(argv[1]))
    elif argv[0] == "consume":
        call_command("run_huey", "--workers=1", "--no-periodic", "--delay=0.05", "--max-delay=0.2")
    elif argv[0] == "enqueue":
        for job in argv[1:]:
            kind, _, arg = job.partition(":")
            if kind == "record":
                record(arg)
            elif kind == "block":
                block_until(arg)
            elif kind == "reap":
                queue_lease_reap_task()
            elif kind == "reminders":
                reminders_tick_task()
            elif kind == "lab":
                batch_id, _, actor_id = arg.partition(",")
                result_import_task(int(batch_id), int(actor_id))
            print(kind, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
