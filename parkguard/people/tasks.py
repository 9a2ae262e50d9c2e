"""Background jobs of the person ledger (huey): checking and merging large imports, and the
minutely housekeeping that recovers imports whose worker died and purges finished ones."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from parkguard.people.importing import jobs


@db_task()
def person_import_check_task(batch_id: int, kind: str, today: str) -> None:
    jobs.person_import_check_job(batch_id=batch_id, kind=kind, today=dt.date.fromisoformat(today))


@db_task()
def person_import_apply_task(batch_id: int, actor_id: int | None, today: str) -> None:
    jobs.person_import_apply(
        batch_id=batch_id, actor_id=actor_id, today=dt.date.fromisoformat(today)
    )


@db_periodic_task(crontab(minute="*"))
def person_import_housekeeping_task() -> None:
    now = timezone.now()
    jobs.person_import_recover(now=now)
    jobs.person_import_purge(now=now)
