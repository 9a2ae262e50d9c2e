"""Bringing a ledger spreadsheet in: check every row, stage, preview, then merge at once.

The flow is upload → check (inline for small files, a huey job for large ones) → a
preview listing every bad row → confirm → one set-based merge. One bad row and nothing
is written; a row identical to the ledger is left alone, so re-importing a file changes
nothing; a changed row updates the person with the same ID number.

- `messages`: every Chinese message an import shows;
- `cells`: reading one cell (text, dates, yes/no) and masking what an error echoes;
- `checker`: `LedgerRowChecker`, the rows against one enterprise's ledger;
- `staging`: the staging table and the set-based merge;
- `jobs`: the batch's life (start, check job, confirm, apply, cancel, lease recovery, purge).
"""

from __future__ import annotations

from parkguard.people.importing.checker import Checked, LedgerRowChecker
from parkguard.people.importing.jobs import (
    person_import_apply,
    person_import_cancel,
    person_import_check,
    person_import_check_job,
    person_import_confirm,
    person_import_purge,
    person_import_recover,
    person_import_refresh,
    person_import_start,
)

__all__ = [
    "Checked",
    "LedgerRowChecker",
    "person_import_apply",
    "person_import_cancel",
    "person_import_check",
    "person_import_check_job",
    "person_import_confirm",
    "person_import_purge",
    "person_import_recover",
    "person_import_refresh",
    "person_import_start",
]
