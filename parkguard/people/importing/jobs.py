"""The life of an import batch: upload, check (inline or as a job), confirm, merge, cancel.

Small files are checked in the request; larger ones by a huey job (`people.tasks`), with
progress kept on the batch. Nothing touches the ledger until `person_import_confirm`.

Whoever works on a running batch holds its lease (`lease_until`), renewed by a heartbeat
between chunks of rows, where it also looks for a cancel and stops. A batch whose lease ran
out lost its worker: `person_import_recover` queues its check once more or fails it, and
sends an unfinished merge (all-or-nothing, so nothing was written) back to READY. The
periodic task runs it with `person_import_purge`, which drops the uploads and staged rows
of finished batches; pages and the API run it for the batch they show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, User
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone

from parkguard.orgs.access import Scope, require
from parkguard.orgs.models import Enterprise
from parkguard.people import sheets
from parkguard.people.choices import IMPORT_RUNNING, ImportStatus
from parkguard.people.exporting import error_workbook
from parkguard.people.identity import payload_cipher
from parkguard.people.importing import messages, staging
from parkguard.people.importing.checker import Checked, LedgerRowChecker
from parkguard.people.importing.messages import APPLY_FAILED, NOT_READY
from parkguard.people.importing.staging import ImportStopped
from parkguard.people.models import PersonImport, PersonImportRow
from parkguard.people.sheets import SheetError

# Files with more data rows than this, or more bytes to parse, are checked and merged by a
# background job; the request only scans them.
BACKGROUND_FROM_ROWS = 5000
BACKGROUND_FROM_BYTES = 16 * 1024 * 1024
# A queued check whose worker died is queued again until it has been queued this often.
MAX_ATTEMPTS = 2
FINISHED = (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.CANCELLED, ImportStatus.INVALID)


def _lease(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(seconds=settings.IMPORT_LEASE_SECONDS)


sheet_limits = sheets.sheet_limits  # one definition of the limits (people.sheets)


def _heartbeat(batch_id: int) -> Callable[[int, int], None]:
    """Between chunks of a check: progress, a renewed lease, and the cancel check."""

    def beat(done: int, total: int) -> None:
        now = timezone.now()
        alive = PersonImport.objects.filter(
            pk=batch_id, status=ImportStatus.VALIDATING, cancel_requested=False
        ).update(processed_rows=done, total_rows=total, heartbeat_at=now, lease_until=_lease(now))
        if not alive:  # cancelled, or recovered by someone who took this worker for dead
            raise ImportStopped

    return beat


def person_import_check(
    *, batch: PersonImport, data: bytes, kind: str, today: dt.date, scanned: bool = False
) -> None:
    """Check a file and stage its rows; the batch ends INVALID (with every error) or READY.

    `scanned`: this very request has just passed `data` through `sheets.sheet_scan`. A job
    never says so: it scans the file again before parsing it. A cancel seen between chunks
    stops the check with nothing staged (the batch ends CANCELLED).
    """
    now = timezone.now()
    claimed = PersonImport.objects.filter(
        pk=batch.pk, status=ImportStatus.QUEUED, cancel_requested=False
    ).update(status=ImportStatus.VALIDATING, heartbeat_at=now, lease_until=_lease(now))
    if not claimed:  # cancelled while queued, or another worker has it
        return
    beat = _heartbeat(batch.pk)
    error_book = b""
    read = sheets.sheet_parse if scanned else sheets.sheet_rows
    try:
        try:
            rows = read(data=data, kind=kind, limits=sheet_limits())
        except SheetError as exc:
            checked = Checked(errors=[{"row": 0, "column": "", "message": exc.message}])
        else:
            beat(0, max(len(rows) - 1, 0))
            checker = LedgerRowChecker(enterprise=batch.enterprise, today=today)
            checked = checker.check(rows, progress=beat)
            if checked.errors:
                book = error_workbook(
                    rows=rows,
                    errors=checked.errors,
                    positions=checked.positions,
                    header_at=checked.header_at,
                )
                error_book = payload_cipher().encrypt(book)
            del rows
        beat(checked.total, checked.total)
        with transaction.atomic():
            if not checked.errors:
                staging.stage(batch, checked.staged)
            now = timezone.now()
            saved = PersonImport.objects.filter(
                pk=batch.pk, status=ImportStatus.VALIDATING, cancel_requested=False
            ).update(
                status=ImportStatus.INVALID if checked.errors else ImportStatus.READY,
                total_rows=checked.total,
                processed_rows=checked.total,
                errors=checked.errors,
                changes=checked.changes,
                error_book=error_book,
                create_count=checked.create,
                update_count=checked.update,
                unchanged_count=checked.unchanged,
                payload=b"",
                heartbeat_at=now,
                lease_until=None,
                finished_at=now if checked.errors else None,
            )
            if not saved:
                raise ImportStopped  # rolls the staged rows back
    except ImportStopped:
        _stopped(batch.pk)


def _stopped(batch_id: int) -> None:
    """A worker stopped on a cancel: the batch ends CANCELLED with nothing kept."""
    now = timezone.now()
    with transaction.atomic():
        cancelled = PersonImport.objects.filter(
            pk=batch_id, cancel_requested=True, status__in=IMPORT_RUNNING
        ).update(
            status=ImportStatus.CANCELLED,
            message=messages.CANCELLED,
            payload=b"",
            lease_until=None,
            finished_at=now,
        )
        if cancelled:
            PersonImportRow.objects.filter(batch_id=batch_id).delete()


def person_import_start(
    *,
    scope: Scope,
    enterprise: Enterprise,
    actor: User | None,
    filename: str,
    data: bytes,
    today: dt.date,
) -> PersonImport:
    """Accept an upload. Raises SheetError, before parsing, for a file over a limit or not a table.

    Small files are checked at once; larger ones go to a background job (progress is kept on
    the batch). Either way nothing touches the ledger until `person_import_confirm`.
    """
    require(scope, "import", enterprise)
    info = sheets.sheet_precheck(data=data, filename=filename, limits=sheet_limits())
    kind = info.kind
    now = timezone.now()
    if info.rows - 1 < BACKGROUND_FROM_ROWS and info.inflated < BACKGROUND_FROM_BYTES:
        batch = PersonImport.objects.create(
            enterprise=enterprise, created_by=actor, filename=filename[:200]
        )
        person_import_check(batch=batch, data=data, kind=kind, today=today, scanned=True)
    else:
        # The upload waits for the worker in the database, encrypted like the ID numbers it holds.
        batch = PersonImport.objects.create(
            enterprise=enterprise,
            created_by=actor,
            filename=filename[:200],
            payload=payload_cipher().encrypt(data),
            total_rows=max(info.rows - 1, 0),
            attempts=1,
            lease_until=_lease(now),  # the queue must hand it to a worker within the lease
        )
        _enqueue_check(batch_id=batch.pk, kind=kind, today=today)
    batch.refresh_from_db()
    return batch


def _enqueue_check(*, batch_id: int, kind: str, today: dt.date) -> None:
    from parkguard.people.tasks import person_import_check_task

    transaction.on_commit(lambda: person_import_check_task(batch_id, kind, today.isoformat()))


def person_import_check_job(*, batch_id: int, kind: str, today: dt.date) -> None:
    """The background half of `person_import_start`."""
    batch = (
        PersonImport.objects.select_related("enterprise__jurisdiction").filter(pk=batch_id).first()
    )
    if batch is None or batch.status != ImportStatus.QUEUED or batch.cancel_requested:
        return
    data = payload_cipher().decrypt(bytes(batch.payload))
    try:
        person_import_check(batch=batch, data=data, kind=kind, today=today)
    except Exception:
        PersonImport.objects.filter(pk=batch_id, status__in=IMPORT_RUNNING).update(
            status=ImportStatus.FAILED,
            message=messages.CHECK_FAILED,
            payload=b"",
            lease_until=None,
            finished_at=timezone.now(),
        )
        PersonImportRow.objects.filter(batch_id=batch_id).delete()
        raise


def person_import_confirm(
    *, scope: Scope, batch: PersonImport, actor: AbstractBaseUser, today: dt.date
) -> PersonImport:
    """Confirm a READY import: merge it now, or in the background if it is large."""
    require(scope, "import", batch)
    now = timezone.now()
    claimed = PersonImport.objects.filter(
        pk=batch.pk, status=ImportStatus.READY, cancel_requested=False
    ).update(
        status=ImportStatus.APPLYING,
        processed_rows=0,
        message="",
        heartbeat_at=now,
        lease_until=_lease(now),
    )
    if not claimed:  # another request confirmed it first, or it has errors
        raise SheetError(NOT_READY)
    if batch.create_count + batch.update_count < BACKGROUND_FROM_ROWS:
        person_import_apply(batch_id=batch.pk, actor_id=actor.pk, today=today)
    else:
        from parkguard.people.tasks import person_import_apply_task

        person_import_apply_task(batch.pk, actor.pk, today.isoformat())
    batch.refresh_from_db()
    return batch


def person_import_apply(*, batch_id: int, actor_id: int | None, today: dt.date) -> None:
    """Merge the staged rows into the ledger in one transaction; any failure writes nothing."""
    try:
        staging.merge(batch_id=batch_id, actor_id=actor_id, today=today)
    except ImportStopped:
        _stopped(batch_id)
    except Exception as exc:
        message = exc.message if isinstance(exc, SheetError) else APPLY_FAILED
        with transaction.atomic():
            PersonImport.objects.filter(pk=batch_id, status=ImportStatus.APPLYING).update(
                status=ImportStatus.FAILED,
                message=message,
                payload=b"",
                lease_until=None,
                finished_at=timezone.now(),
            )
            PersonImportRow.objects.filter(batch_id=batch_id).delete()
        if not isinstance(exc, SheetError):
            raise


def person_import_cancel(*, scope: Scope, batch: PersonImport) -> str:
    """Cancel an import for real; returns what to tell the user. The ledger is never touched.

    Pending (queued, checked): cancelled at once, upload and staged rows dropped. Being
    checked: flagged; the worker stops at its next chunk (or the recovery ends it). Waiting
    for its merge: flagged; the merge refuses to start. Being merged (its row is locked):
    refused, since the merge is all-or-nothing and already under way.
    """
    require(scope, "import", batch)
    try:
        return _cancel(batch_id=batch.pk, now=timezone.now())
    except DatabaseError:  # locked by a running merge (PostgreSQL), or SQLite busy with it
        return messages.CANCEL_TOO_LATE


def _cancel(*, batch_id: int, now: dt.datetime) -> str:
    with transaction.atomic():
        pending = PersonImport.objects.filter(
            pk=batch_id,
            status__in=[ImportStatus.QUEUED, ImportStatus.READY, ImportStatus.INVALID],
        ).update(
            status=ImportStatus.CANCELLED,
            message=messages.CANCELLED,
            cancel_requested=True,
            payload=b"",
            lease_until=None,
            finished_at=now,
        )
        if pending:
            PersonImportRow.objects.filter(batch_id=batch_id).delete()
            return messages.CANCELLED
    flagged = PersonImport.objects.filter(pk=batch_id, status=ImportStatus.VALIDATING).update(
        cancel_requested=True
    )
    if flagged:
        return messages.CANCEL_REQUESTED
    with transaction.atomic():
        # A merge holds this row until it commits; do not wait for it (PostgreSQL).
        waiting = (
            PersonImport.objects.select_for_update(nowait=True)
            .filter(pk=batch_id, status=ImportStatus.APPLYING)
            .values_list("pk", flat=True)
            .first()
        )
        if waiting is not None:
            PersonImport.objects.filter(pk=batch_id).update(cancel_requested=True)
            return messages.CANCEL_REQUESTED
    return messages.CANCEL_NOT_PENDING


def person_import_recover(*, now: dt.datetime, batch_id: int | None = None) -> int:
    """Recover or fail running batches whose lease ran out; returns how many it handled.

    A lost check is queued again while its upload is still held (up to MAX_ATTEMPTS), else
    FAILED; a lost merge goes back to READY (it is one transaction: nothing was written);
    a cancelled one ends CANCELLED. Rows a live merge holds locked are skipped (PostgreSQL);
    every update is conditional on the state read, so a worker that finishes meanwhile wins.
    """
    expired = PersonImport.objects.filter(status__in=IMPORT_RUNNING).filter(
        Q(lease_until__lt=now)
        | Q(
            lease_until__isnull=True,
            created_at__lt=now - dt.timedelta(seconds=settings.IMPORT_LEASE_SECONDS),
        )
    )
    if batch_id is not None:
        expired = expired.filter(pk=batch_id)
    handled = 0
    with transaction.atomic():
        found = list(
            expired.select_for_update(skip_locked=True).values_list(
                "pk", "status", "cancel_requested", "attempts", "filename"
            )
        )
        for pk, status, cancel, attempts, filename in found:
            same = PersonImport.objects.filter(pk=pk, status=status)
            if cancel:
                done = same.update(
                    status=ImportStatus.CANCELLED,
                    message=messages.CANCELLED,
                    payload=b"",
                    lease_until=None,
                    finished_at=now,
                )
                PersonImportRow.objects.filter(batch_id=pk).delete()
            elif status == ImportStatus.APPLYING:
                done = same.update(
                    status=ImportStatus.READY, message=messages.APPLY_STALLED, lease_until=None
                )
            elif attempts < MAX_ATTEMPTS and same.exclude(payload=b"").exists():
                done = same.update(
                    status=ImportStatus.QUEUED,
                    message=messages.CHECK_REQUEUED,
                    attempts=F("attempts") + 1,
                    processed_rows=0,
                    lease_until=_lease(now),
                )
                if done:
                    kind = sheets.sheet_kind(filename)
                    _enqueue_check(batch_id=pk, kind=kind, today=timezone.localdate(now))
            else:
                done = same.update(
                    status=ImportStatus.FAILED,
                    message=messages.CHECK_STALLED,
                    payload=b"",
                    lease_until=None,
                    finished_at=now,
                )
                PersonImportRow.objects.filter(batch_id=pk).delete()
            handled += done
    return handled


def person_import_refresh(*, batch: PersonImport, now: dt.datetime) -> PersonImport:
    """The batch as a page shows it: recovered first if its worker's lease ran out."""
    lapsed = batch.lease_until is None or batch.lease_until < now
    if batch.status not in IMPORT_RUNNING or not lapsed:
        return batch
    try:
        recovered = person_import_recover(now=now, batch_id=batch.pk)
    except DatabaseError:  # SQLite busy with a long merge: show the batch as it stands
        return batch
    if recovered:
        batch.refresh_from_db()
    return batch


def person_import_purge(*, now: dt.datetime) -> tuple[int, int]:
    """Drop the uploads and staged rows of finished batches; returns (uploads, rows) dropped.

    A checked import left unconfirmed for IMPORT_READY_HOURS is cancelled first.
    """
    stale = now - dt.timedelta(hours=settings.IMPORT_READY_HOURS)
    PersonImport.objects.filter(status=ImportStatus.READY).filter(
        Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, created_at__lt=stale)
    ).update(
        status=ImportStatus.CANCELLED,
        message=messages.READY_EXPIRED.format(hours=settings.IMPORT_READY_HOURS),
        finished_at=now,
    )
    uploads = (
        PersonImport.objects.filter(status__in=FINISHED).exclude(payload=b"").update(payload=b"")
    )
    # The marked-up error workbook holds the file's rows: kept as long as a preview is.
    PersonImport.objects.filter(finished_at__lt=stale).exclude(error_book=b"").update(
        error_book=b""
    )
    rows, _ = PersonImportRow.objects.filter(batch__status__in=FINISHED).delete()
    return uploads, rows
