"""Background jobs of the person ledger (huey): checking and merging large imports."""

from __future__ import annotations

import datetime as dt

from huey.contrib.djhuey import db_task

from parkguard.people.importing import jobs


@db_task()
def person_import_check_task(batch_id: int, kind: str, today: str) -> None:
    jobs.person_import_check_job(batch_id=batch_id, kind=kind, today=dt.date.fromisoformat(today))


@db_task()
def person_import_apply_task(batch_id: int, actor_id: int | None, today: str) -> None:
    jobs.person_import_apply(
        batch_id=batch_id, actor_id=actor_id, today=dt.date.fromisoformat(today)
    )
