"""Reading one cell of a ledger spreadsheet: text, dates, yes/no, and how an error echoes it."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from parkguard.people.columns import BY_KEY
from parkguard.people.identity import id_mask, phone_mask

TRUE = frozenset({"是", "y", "yes", "true", "1", "√", "✓"})
FALSE = frozenset({"否", "n", "no", "false", "0", "", "×"})

# A run of digits, perhaps broken by spaces or hyphens, perhaps ending in an X: what an ID
# number or a phone looks like however it was typed (full-width digits included).
_DIGIT_RUN = re.compile(r"\d(?:[\s\-－]*\d)*(?:[\s\-－]*[XxＸｘ])?")
_SHOWN_MAX = 50
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _mask_run(match: re.Match[str]) -> str:
    digits = unicodedata.normalize("NFKC", "".join(match.group().split())).replace("-", "")
    digits = digits.upper()
    count = sum(ch.isdigit() for ch in digits)
    if count < 7:
        return match.group()
    if count >= 15:  # 15/17/18-digit ID numbers, with or without their check character
        return id_mask(digits)
    if count == 11:
        return phone_mask(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def shown(value: str) -> str:
    """A cell value as an error message may echo it: ID- and phone-like digits masked.

    Error lists are stored and shown (`PersonImport.errors`, the preview page, the API), so
    an ID number typed into the wrong column must never reach them in clear.
    """
    text = _DIGIT_RUN.sub(_mask_run, value)
    return text if len(text) <= _SHOWN_MAX else text[: _SHOWN_MAX - 1] + "…"


def error(row: int, key: str, message: str) -> dict[str, Any]:
    """One entry of `PersonImport.errors`: row number, column header, message."""
    column = BY_KEY[key].header if key in BY_KEY else ""
    return {"row": row, "column": column, "message": message}


def cell_text(value: Any) -> str:
    """A cell as trimmed text; a whole float loses its `.0`, a date reads as ISO."""
    if isinstance(value, str):
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def cell_date(value: Any) -> dt.date | None:
    """A date cell: a real date, an Excel serial number, or text such as 2022-3-1 / 2022年3月1日.

    Raises ValueError (or OverflowError) for anything else.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValueError
    text = str(value).strip()
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        return dt.date.fromisoformat(text)
    if text.isdigit() and len(text) == 8:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    for sep in ("年", "月", "/", ".", "日"):
        text = text.replace(sep, "-")
    parts = [p for p in text.split(" ")[0].split("-") if p]
    if len(parts) != 3:
        raise ValueError
    return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))


def choices_by_text(choices: Sequence[tuple[str, str]]) -> dict[str, str]:
    """A choice found by its stored value or its Chinese label."""
    found: dict[str, str] = {}
    for value, label in choices:
        found[value] = value
        found[str(label)] = value
    return found
