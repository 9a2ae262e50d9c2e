"""Parsing what a page or the API sends about a report: the day, and a row's corrections."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError

from parkguard.reporting.models import ROW_FIGURES, ROW_FLAGS

DATE_INVALID = "日期格式应为 YYYY-MM-DD，如 2022-11-15"


def day_parse(value: object, *, today: dt.date) -> dt.date:
    """The report day asked for: today when none is given; a clear error when malformed."""
    if value is None or value == "":
        return today
    if not isinstance(value, str):
        raise ValidationError({"on": DATE_INVALID})
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError({"on": DATE_INVALID}) from None


def row_values(data: Mapping[str, object]) -> dict[str, object]:
    """The corrections a row's form carries: each figure given, and the production flag (a
    checkbox, absent when unticked, so the form says it was shown with `production_shown`)."""
    values: dict[str, object] = {k: data[k] for k in ROW_FIGURES if k in data}
    if "production_shown" in data:
        values["production_normal"] = data.get("production_normal", "false") or "false"
    for flag in ROW_FLAGS:
        if flag in data and flag not in values:
            values[flag] = data[flag]
    return values
