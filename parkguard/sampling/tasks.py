"""Background jobs of testing (huey): a large lab file's import."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from parkguard.sampling import jobs


@db_task()
def result_import_task(batch_id: int, actor_id: int | None) -> None:
    jobs.result_import_job(batch_id=batch_id, actor_id=actor_id)
