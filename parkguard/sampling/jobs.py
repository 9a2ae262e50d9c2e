"""Lab files in the background: a large file is queued, read and merged by a huey task, and
its page polls the progress (rows read) until it is done, like the staff-ledger import."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.utils import timezone

from parkguard.orgs.access import Scope, require, scope_for_user
from parkguard.orgs.models import Enterprise
from parkguard.people import sheets
from parkguard.people.identity import payload_cipher
from parkguard.people.importing.jobs import BACKGROUND_FROM_ROWS, sheet_limits
from parkguard.sampling import importing, labfile
from parkguard.sampling.choices import ImportState
from parkguard.sampling.models import Lab, ResultImport


def _estimate(data: bytes, filename: str) -> int:
    """Rows the file will have, for the progress bar (an upper bound for a .csv)."""
    return data.count(b"\n") if filename.lower().endswith(".csv") else 0


def result_file_import(
    *,
    scope: Scope,
    lab: Lab,
    enterprise: Enterprise,
    data: bytes,
    filename: str,
    dry_run: bool,
    at: dt.datetime,
    by: User | None,
    limits: sheets.SheetLimits | None = None,
) -> ResultImport:
    """Import (or dry-run) a lab file: inline when small, in the background when large."""
    require(scope, "import_results", enterprise)
    batch = ResultImport.objects.create(
        lab=lab,
        enterprise=enterprise,
        filename=filename[:200],
        dry_run=dry_run,
        state=ImportState.QUEUED,
        rows_total=_estimate(data, filename),
        created_by=by,
        created_at=at,
    )
    if batch.rows_total >= BACKGROUND_FROM_ROWS:
        # Lab files name people (and may hold ID numbers): encrypted while they wait.
        ResultImport.objects.filter(pk=batch.pk).update(data=payload_cipher().encrypt(data))
        from parkguard.sampling.tasks import result_import_task

        result_import_task(batch.pk, by.pk if by else None)
        batch.refresh_from_db()
        return batch
    return _run(scope=scope, batch=batch, data=data, at=at, by=by, limits=limits)


def _run(
    *,
    scope: Scope,
    batch: ResultImport,
    data: bytes,
    at: dt.datetime,
    by: User | None,
    limits: sheets.SheetLimits | None = None,
) -> ResultImport:
    try:
        layout, rows = importing.file_layout(
            data=data, filename=batch.filename, lab=batch.lab, limits=limits or sheet_limits()
        )
        ResultImport.objects.filter(pk=batch.pk).update(state=ImportState.RUNNING)

        def progress(done: int) -> None:
            ResultImport.objects.filter(pk=batch.pk).update(rows_done=done)

        batch, _ = importing.results_import(
            scope=scope,
            lab=batch.lab,
            enterprise=batch.enterprise,
            layout=layout,
            rows=rows,
            dry_run=batch.dry_run,
            at=at,
            by=by,
            batch=batch,
            progress=progress,
        )
    except labfile.FileRefused as refused:
        ResultImport.objects.filter(pk=batch.pk).update(
            state=ImportState.INVALID,
            errors=[{"row": 0, "column": "", "message": refused.message}],
            finished_at=at,
            data=None,
        )
        batch.refresh_from_db()
    return batch


def result_import_job(*, batch_id: int, actor_id: int | None) -> None:
    """The queued import, run by the task with its uploader's scope (checked again)."""
    batch = ResultImport.objects.select_related("lab", "enterprise").get(pk=batch_id)
    if batch.state != ImportState.QUEUED or batch.data is None:
        return
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    if actor is None:
        ResultImport.objects.filter(pk=batch.pk).update(state=ImportState.FAILED, data=None)
        return
    _run(
        scope=scope_for_user(actor),
        batch=batch,
        data=payload_cipher().decrypt(bytes(batch.data)),
        at=timezone.now(),
        by=actor,
    )
