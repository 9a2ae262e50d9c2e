"""The one way an export workbook is made (issue 18 §6): no cell can become a formula.

Text typed by anyone (a name, a note, a cell of an uploaded sheet echoed in an error
report) can reach an export; opened in Excel or WPS, a cell beginning with `=`, `+`, `-` or
`@` would run as a formula (`=HYPERLINK(…)`, `=cmd|…`). Every export builds its workbook
with `workbook()` (a CSV with `csv_bytes()`): its sheets neutralise every text cell
(`cell_safe`: a leading `'`), write strings as text rather than guessing formulas, numbers
or links, refuse formulas, and neutralise comments. `tests/test_export_formulas.py` keeps
every export here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import IO, Any

import xlsxwriter
from xlsxwriter.format import Format as Format  # re-exported: exports type their formats
from xlsxwriter.worksheet import Worksheet as Worksheet

from parkguard.lib.free_text import free_text_mask

# A cell beginning with one of these would run as a formula when opened in a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class FreeTextCell(str):
    """Text one user typed that others read (`free_text(note)`): masked when written."""


def free_text(value: object) -> FreeTextCell:
    """`value` (a note, a reason, a description; None is empty) as a free-text cell: every
    sheet and CSV of an export writes it with its ID and mobile numbers masked."""
    return FreeTextCell("" if value is None else value)


def cell_safe(value: object) -> str:
    """Text for a cell of an export: a leading formula character is neutralised with `'`;
    a free-text cell (`free_text`) has its ID and mobile numbers masked first."""
    text = "" if value is None else str(value)
    if isinstance(value, FreeTextCell):
        text = free_text_mask(text)
    return "'" + text if text.startswith(FORMULA_START) else text


class SafeWorksheet(Worksheet):
    """A worksheet whose every string is neutralised and which writes no formula."""

    def _write_string(self, row: int, col: int, string: str, *args: Any) -> Any:
        return super()._write_string(row, col, cell_safe(string), *args)

    def _write_formula(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("导出的表格不写公式")

    def _write_array_formula(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("导出的表格不写公式")

    def write_comment(self, row: int, col: int, comment: str, *args: Any) -> Any:
        return super().write_comment(row, col, cell_safe(comment), *args)


class SafeWorkbook(xlsxwriter.Workbook):
    worksheet_class = SafeWorksheet


def workbook(out: IO[bytes] | str, **options: Any) -> SafeWorkbook:
    """An xlsxwriter workbook for an export (`in_memory` and `constant_memory` as usual)."""
    options.update(strings_to_formulas=False, strings_to_urls=False, strings_to_numbers=False)
    return SafeWorkbook(out, options)


def csv_bytes(head: Iterable[object], rows: Iterable[Iterable[object]]) -> bytes:
    """An export as CSV: UTF-8 with a byte-order mark (Excel and WPS then read the Chinese),
    every cell neutralised like a sheet's (a CSV cell beginning with `=` runs as a formula
    just the same)."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([cell_safe(c) for c in head])
    for row in rows:
        writer.writerow([cell_safe(c) for c in row])
    return ("\ufeff" + text.getvalue()).encode("utf-8")
