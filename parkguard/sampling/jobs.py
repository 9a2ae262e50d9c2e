"""Lab files in the background: a large file is queued, read and merged by a huey task, and
its page polls the progress (rows read) until it is done, like the staff-ledger import."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from parkguard.orgs.access import Scope, require, scope_for_user
from parkguard.orgs.models import Enterprise
from parkguard.people import sheets
from parkguard.people.identity import payload_cipher
from parkguard.people.importing.jobs import BACKGROUND_FROM_ROWS, sheet_limits
from parkguard.sampling import importing, labfile
from parkguard.sampling.choices import ImportState
from parkguard.sampling.models import Lab, ResultImport

INTERRUPTED = (
    "导入中断：处理进程在写入完成前停止，没有写入任何结果（全部或全无）。请重新导入该文件。"
)


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
        # The queue must hand a background import to a worker within the lease.
        lease_until=importing.lease(timezone.now()),
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
    if not result_import_claim(batch.pk):  # another worker has it, or it has ended
        batch.refresh_from_db()
        return batch
    try:
        layout, rows = importing.file_layout(
            data=data, filename=batch.filename, lab=batch.lab, limits=limits or sheet_limits()
        )

        def progress(done: int) -> None:
            ResultImport.objects.filter(pk=batch.pk, state=ImportState.RUNNING).update(
                rows_done=done, lease_until=importing.lease(timezone.now())
            )

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
            lease_until=None,
        )
        batch.refresh_from_db()
    return batch


def result_import_claim(batch_id: int) -> bool:
    """Take a queued import for this worker: one conditional UPDATE, QUEUED → RUNNING with a
    fresh lease. True: it is this worker's. False: another worker claimed it first, or it has
    ended (done, failed by the recovery, cancelled); the caller then does nothing at all.

    A check followed by a separate write would let two workers both see QUEUED (a job the
    queue's lease put back while the first still ran) and both import the file."""
    return bool(
        ResultImport.objects.filter(pk=batch_id, state=ImportState.QUEUED).update(
            state=ImportState.RUNNING, lease_until=importing.lease(timezone.now())
        )
    )


def result_import_job(*, batch_id: int, actor_id: int | None) -> None:
    """The queued import, run by the task with its uploader's scope (checked again).

    Whoever claims it (`result_import_claim`) runs it; a second run of the same job (put
    back by the queue's lease, or delivered twice) claims nothing and writes nothing."""
    batch = ResultImport.objects.select_related("lab", "enterprise").get(pk=batch_id)
    if batch.state != ImportState.QUEUED or batch.data is None:
        return  # a cheap early exit; the claim in `_run` is what decides
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    if actor is None:
        ResultImport.objects.filter(pk=batch.pk, state=ImportState.QUEUED).update(
            state=ImportState.FAILED, data=None, lease_until=None
        )
        return
    _run(
        scope=scope_for_user(actor),
        batch=batch,
        data=payload_cipher().decrypt(bytes(batch.data)),
        at=timezone.now(),
        by=actor,
    )


def result_import_recover(*, now: dt.datetime, batch_id: int | None = None) -> int:
    """Fail the imports whose worker died (queued or running, lease run out); returns how many.

    The write is one transaction, so a dead worker wrote nothing: the import is marked failed
    with a Chinese reason and its upload and scratch tables are dropped; the file can simply be
    imported again. A live write renewed the lease as it began and holds the row (PostgreSQL:
    skipped here) or the write lock (SQLite) to its commit.
    """
    lapsed = Q(lease_until__lt=now) | Q(
        lease_until__isnull=True,
        created_at__lt=now - dt.timedelta(seconds=settings.IMPORT_LEASE_SECONDS),
    )
    running = ResultImport.objects.filter(state__in=[ImportState.QUEUED, ImportState.RUNNING])
    if batch_id is not None:
        running = running.filter(pk=batch_id)
    with transaction.atomic():
        found = list(
            running.filter(lapsed).select_for_update(skip_locked=True).values_list("pk", flat=True)
        )
        failed = (
            running.filter(lapsed, pk__in=found).update(
                state=ImportState.FAILED,
                errors=[{"row": 0, "column": "", "message": INTERRUPTED}],
                finished_at=now,
                data=None,
                lease_until=None,
            )
            if found
            else 0
        )
    for pk in found:
        importing.stage_drop(pk)
    return failed


def result_import_refresh(*, batch: ResultImport, now: dt.datetime) -> ResultImport:
    """The import as its page shows it: failed first if its worker's lease ran out."""
    lapsed = batch.lease_until is None or batch.lease_until < now
    if batch.state not in (ImportState.QUEUED, ImportState.RUNNING) or not lapsed:
        return batch
    try:
        recovered = result_import_recover(now=now, batch_id=batch.pk)
    except DatabaseError:  # SQLite busy with a long write: show the import as it stands
        return batch
    if recovered:
        batch.refresh_from_db()
    return batch
