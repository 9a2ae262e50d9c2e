"""The life of an import batch: upload, check (inline or as a job), confirm, merge, cancel.

Small files are checked in the request; larger ones by a huey job (`people.tasks`), with
progress kept on the batch. Nothing touches the ledger until `person_import_confirm`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, User
from django.db import transaction
from django.utils import timezone

from parkguard.orgs.models import Enterprise
from parkguard.people import sheets
from parkguard.people.choices import ImportStatus
from parkguard.people.identity import payload_cipher
from parkguard.people.importing import staging
from parkguard.people.importing.checker import Checked, LedgerRowChecker
from parkguard.people.importing.messages import APPLY_FAILED, NOT_READY
from parkguard.people.models import PersonImport, PersonImportRow
from parkguard.people.sheets import SheetError

# Files with more data rows than this, or more bytes to parse, are checked and merged by a
# background job; the request only scans them.
BACKGROUND_FROM_ROWS = 5000
BACKGROUND_FROM_BYTES = 16 * 1024 * 1024


def sheet_limits() -> sheets.SheetLimits:
    """What an upload may cost, from settings (IMPORT_MAX_*)."""
    return sheets.SheetLimits(
        max_bytes=settings.IMPORT_MAX_BYTES,
        max_rows=settings.IMPORT_MAX_ROWS,
        max_inflated=settings.IMPORT_MAX_INFLATED_BYTES,
    )


def _progress_saver(batch_id: int) -> Callable[[int, int], None]:
    def save(done: int, total: int) -> None:
        PersonImport.objects.filter(pk=batch_id).update(processed_rows=done, total_rows=total)

    return save


def person_import_check(
    *, batch: PersonImport, data: bytes, kind: str, today: dt.date, scanned: bool = False
) -> None:
    """Check a file and stage its rows; the batch ends INVALID (with every error) or READY.

    `scanned`: this very request has just passed `data` through `sheets.sheet_scan`. A job
    never says so: it scans the file again before parsing it.
    """
    PersonImport.objects.filter(pk=batch.pk).update(status=ImportStatus.VALIDATING)
    read = sheets.sheet_parse if scanned else sheets.sheet_rows
    try:
        rows = read(data=data, kind=kind, limits=sheet_limits())
    except SheetError as exc:
        checked = Checked(errors=[{"row": 0, "column": "", "message": exc.message}])
    else:
        checker = LedgerRowChecker(enterprise=batch.enterprise, today=today)
        checked = checker.check(rows, progress=_progress_saver(batch.pk))
        del rows
    with transaction.atomic():
        if not checked.errors:
            staging.stage(batch, checked.staged)
        batch.status = ImportStatus.INVALID if checked.errors else ImportStatus.READY
        batch.total_rows = checked.total
        batch.processed_rows = checked.total
        batch.errors = checked.errors
        batch.create_count = checked.create
        batch.update_count = checked.update
        batch.unchanged_count = checked.unchanged
        batch.payload = b""
        batch.save()


def person_import_start(
    *,
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
    info = sheets.sheet_precheck(data=data, filename=filename, limits=sheet_limits())
    kind = info.kind
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
        )
        from parkguard.people.tasks import person_import_check_task

        transaction.on_commit(lambda: person_import_check_task(batch.pk, kind, today.isoformat()))
    batch.refresh_from_db()
    return batch


def person_import_check_job(*, batch_id: int, kind: str, today: dt.date) -> None:
    """The background half of `person_import_start`."""
    batch = PersonImport.objects.select_related("enterprise__jurisdiction").get(pk=batch_id)
    if batch.status != ImportStatus.QUEUED:
        return
    data = payload_cipher().decrypt(bytes(batch.payload))
    try:
        person_import_check(batch=batch, data=data, kind=kind, today=today)
    except Exception:
        PersonImport.objects.filter(pk=batch_id).update(
            status=ImportStatus.FAILED, message=APPLY_FAILED, payload=b""
        )
        raise


def person_import_confirm(
    *, batch: PersonImport, actor: AbstractBaseUser, today: dt.date
) -> PersonImport:
    """Confirm a READY import: merge it now, or in the background if it is large."""
    claimed = PersonImport.objects.filter(pk=batch.pk, status=ImportStatus.READY).update(
        status=ImportStatus.APPLYING, processed_rows=0
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
        counts = staging.merge(batch_id=batch_id, actor_id=actor_id, today=today)
    except Exception as exc:
        message = exc.message if isinstance(exc, SheetError) else APPLY_FAILED
        PersonImport.objects.filter(pk=batch_id).update(
            status=ImportStatus.FAILED, message=message, finished_at=timezone.now()
        )
        if not isinstance(exc, SheetError):
            raise
        return
    PersonImport.objects.filter(pk=batch_id).update(
        status=ImportStatus.DONE,
        finished_at=timezone.now(),
        processed_rows=counts[0] + counts[1],
    )


@transaction.atomic
def person_import_cancel(*, batch: PersonImport) -> None:
    """Drop a pending import and its staged rows; the ledger is untouched."""
    if batch.status in (ImportStatus.READY, ImportStatus.INVALID, ImportStatus.QUEUED):
        PersonImportRow.objects.filter(batch=batch).delete()
        PersonImport.objects.filter(pk=batch.pk).update(
            status=ImportStatus.CANCELLED, payload=b"", finished_at=timezone.now()
        )
