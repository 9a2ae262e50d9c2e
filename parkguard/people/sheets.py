"""Reading uploaded spreadsheets safely, and writing cells that cannot turn into formulas.

Limits are checked before anything is parsed: the byte size, and the row count from the
worksheet's declared dimension (.xlsx) or its line count (.csv).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

NOT_SPREADSHEET = "文件不是可识别的表格：请上传 Excel（.xlsx）或 CSV 文件"
TOO_LARGE = "文件大小超过上限 {limit}，请拆分后分批导入"
TOO_MANY_ROWS = "数据行数超过上限 {limit} 行，请拆分后分批导入"
ENCODING_UNKNOWN = "无法识别 CSV 文件的文字编码：请另存为 UTF-8 或 GBK 编码后重新上传"
EMPTY = "文件中没有数据"

# A compressed .xlsx may expand this many times its size; beyond that it is refused (zip bomb).
_MAX_EXPANSION = 40
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"')


class SheetError(ValueError):
    """A file refused as a whole; `message` is the Chinese text shown to the uploader."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _size_label(limit: int) -> str:
    return f"{limit / 1024 / 1024:.0f} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


def sheet_kind(filename: str) -> str:
    name = filename.lower()
    if name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith(".csv"):
        return "csv"
    raise SheetError(NOT_SPREADSHEET)


@dataclass(frozen=True)
class SheetInfo:
    kind: str  # "xlsx" or "csv"
    rows: int  # rows as declared by the file (or a safe estimate), header included


def sheet_size_check(*, size: int, max_bytes: int) -> None:
    """Refuse an upload by its declared size, before reading it."""
    if size > max_bytes:
        raise SheetError(TOO_LARGE.format(limit=_size_label(max_bytes)))


def sheet_precheck(*, data: bytes, filename: str, max_bytes: int, max_rows: int) -> SheetInfo:
    """Refuse a file over the limits or of the wrong kind without parsing it."""
    sheet_size_check(size=len(data), max_bytes=max_bytes)
    kind = sheet_kind(filename)
    if not data:
        raise SheetError(EMPTY)
    rows = _xlsx_declared_rows(data, max_bytes) if kind == "xlsx" else _csv_line_count(data)
    if rows is None:  # no declared size: estimate from the bytes, then check after reading
        rows = len(data) // 40
    elif rows - 1 > max_rows:
        raise SheetError(TOO_MANY_ROWS.format(limit=max_rows))
    return SheetInfo(kind=kind, rows=rows)


def _xlsx_declared_rows(data: bytes, max_bytes: int) -> int | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise SheetError(NOT_SPREADSHEET) from None
    if "xl/workbook.xml" not in names:
        raise SheetError(NOT_SPREADSHEET)
    if sum(info.file_size for info in archive.infolist()) > max_bytes * _MAX_EXPANSION:
        raise SheetError(TOO_LARGE.format(limit=_size_label(max_bytes)))
    sheets = sorted(
        (n for n in names if n.startswith("xl/worksheets/sheet") and n.endswith(".xml")),
        key=lambda n: int(re.sub(r"\D", "", n) or 0),
    )
    if not sheets:
        raise SheetError(NOT_SPREADSHEET)
    try:
        with archive.open(sheets[0]) as stream:
            head = stream.read(4096)
    except (zipfile.BadZipFile, OSError, EOFError):
        raise SheetError(NOT_SPREADSHEET) from None
    found = _DIMENSION.search(head)
    if found is None:
        return None
    return int(found.group(1)) if found.group(1) else 1


def _csv_line_count(data: bytes) -> int:
    if b"\x00" in data[:8192]:
        raise SheetError(NOT_SPREADSHEET)
    # Quoted cells may hold line breaks, so this can only overcount: a safe bound.
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def sheet_rows(*, data: bytes, kind: str) -> list[list[Any]]:
    """Every row of the first worksheet, as typed values; list index + 1 is the row number."""
    if kind == "csv":
        return _csv_rows(data)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError, IndexError):
        raise SheetError(NOT_SPREADSHEET) from None
    return [list(row) for row in rows]


def _csv_rows(data: bytes) -> list[list[Any]]:
    text = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise SheetError(ENCODING_UNKNOWN)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""), dialect)]
    except csv.Error:
        raise SheetError(NOT_SPREADSHEET) from None


# A cell beginning with one of these would run as a formula when opened in a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell_safe(value: object) -> str:
    """Text for a cell of an export: a leading formula character is neutralised with `'`."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
