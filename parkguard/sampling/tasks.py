"""Background jobs of testing (huey): a large lab file's import, and the minutely recovery of
imports whose worker died."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from parkguard.sampling import jobs


@db_task()
def result_import_task(batch_id: int, actor_id: int | None) -> None:
    jobs.result_import_job(batch_id=batch_id, actor_id=actor_id)


@db_periodic_task(crontab(minute="*"))
def result_import_housekeeping_task() -> None:
    jobs.result_import_recover(now=timezone.now())
