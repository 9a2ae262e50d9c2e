"""Reading uploaded spreadsheets safely, and writing cells that cannot turn into formulas.

Nothing an upload declares about itself is trusted: not the zip headers' sizes, not the
worksheet's `<dimension>`. Before a parser sees an .xlsx, `sheet_scan` inflates every part
itself, as a stream, counting the bytes it really gets and stopping at the first limit;
on the way it counts the worksheet's rows and the cell references that decide how large
a grid the parser will build. A .csv is read row by row and stops at the row limit.
Both the web request and the background job call `sheet_rows`, which always scans first.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from python_calamine import CalamineError, CalamineWorkbook

from parkguard.lib.uploads import UPLOAD_EMPTY, Upload, UploadRefused, upload_read

NOT_SPREADSHEET = "文件不是可识别的表格：请上传 Excel（.xlsx）或 CSV 文件"
TOO_LARGE = "文件大小超过上限 {limit}，请拆分后分批导入"
TOO_INFLATED = "文件解压后的内容超过上限 {limit}，请拆分后分批导入"
TOO_MANY_ROWS = "数据行数超过上限 {limit} 行，请拆分后分批导入"
TOO_MANY_COLUMNS = "表格超过 {limit} 列：请使用导入模板，删除多余的列后重新上传"
TOO_SPARSE = (
    "表格中空行过多（只有 {rows} 行内容，却延伸到第 {height} 行）：请删除多余的空行后重新上传"
)
UNUSUAL_LAYOUT = "表格的内部结构无法安全读取：请用 Excel 或 WPS 打开后另存为 .xlsx 再上传"
ENCODING_UNKNOWN = "无法识别 CSV 文件的文字编码：请另存为 UTF-8 或 GBK 编码后重新上传"
EMPTY = "文件中没有数据"

# Rows above the header that a sheet may have (a title, notes); the checker looks this far.
HEADER_SEARCH_ROWS = 20
# Columns a ledger sheet may use: the template has 18; a few more for the enterprise's notes.
MAX_COLUMNS = 32
# A sheet may reach this far past twice its rows (blank lines) before it is "too sparse".
_SPARSE_SLACK = 100
_CHUNK = 64 * 1024
# No tag starts in a run longer than this: Excel's longest cell (32,767 characters) is far
# shorter, so such a run is a bomb or garbage, and scanning it would only cost memory.
_MAX_RUN = 1024 * 1024
# A grid part is rows and cells: past its first megabytes, at most this much per row or cell
# (a cell's longest text is about 100 KB, the common one tens of bytes).
_FREE_BYTES = 4 * 1024 * 1024
_BYTES_PER_TAG = 4 * 1024
_MAX_PARTS = 1000
_MAX_CENTRAL_DIRECTORY = 1024 * 1024
_REF = re.compile(rb' r="([A-Z]*)(\d*)"')
# Tabs and line breaks inside a tag count as the spaces they are to an XML parser.
_SPACES = bytes.maketrans(b"\t\r\n", b"   ")


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
class SheetLimits:
    """What an upload may cost (settings IMPORT_MAX_BYTES, _ROWS, _INFLATED_BYTES)."""

    max_bytes: int
    max_rows: int  # data rows, the header not counted
    max_inflated: int  # bytes of all the parts of an .xlsx once inflated


@dataclass(frozen=True)
class SheetInfo:
    kind: str  # "xlsx" or "csv"
    rows: int  # at most this many rows will be parsed, header included (not a declared size)
    inflated: int  # bytes the parser will read: the inflated parts (.xlsx) or the file (.csv)


def sheet_limits() -> SheetLimits:
    """What an upload may cost, from settings (IMPORT_MAX_BYTES, _ROWS, _INFLATED_BYTES)."""
    return SheetLimits(
        max_bytes=settings.IMPORT_MAX_BYTES,
        max_rows=settings.IMPORT_MAX_ROWS,
        max_inflated=settings.IMPORT_MAX_INFLATED_BYTES,
    )


def sheet_upload(upload: Upload, *, limits: SheetLimits | None = None) -> bytes:
    """An uploaded spreadsheet's bytes, through the one upload chokepoint (issue 18 §6).

    Every .xlsx/.csv upload of every app is read here: the kind from its name, the size by
    `lib.uploads.upload_read` (declared, then counted), then rows and decompressed size by
    `sheet_scan`, all before any parser sees it. SheetError with the Chinese message.
    (Background jobs scan the stored bytes again through `sheet_rows`.)
    """
    limits = limits or sheet_limits()
    kind = sheet_kind(str(getattr(upload, "name", "") or ""))
    try:
        data = upload_read(upload, max_bytes=limits.max_bytes)
    except UploadRefused as refused:
        if refused.message == UPLOAD_EMPTY:
            raise SheetError(EMPTY) from None
        raise SheetError(TOO_LARGE.format(limit=_size_label(limits.max_bytes))) from None
    sheet_scan(data=data, kind=kind, limits=limits)
    return data


def sheet_size_check(*, size: int, max_bytes: int) -> None:
    """Refuse an upload by its declared size, before reading it."""
    if size > max_bytes:
        raise SheetError(TOO_LARGE.format(limit=_size_label(max_bytes)))


def sheet_precheck(*, data: bytes, filename: str, limits: SheetLimits) -> SheetInfo:
    """Refuse a file over the limits or of the wrong kind before any parser sees it."""
    return sheet_scan(data=data, kind=sheet_kind(filename), limits=limits)


def sheet_scan(*, data: bytes, kind: str, limits: SheetLimits) -> SheetInfo:
    """Measure a file by reading it (never by what it declares); raises SheetError at a limit."""
    sheet_size_check(size=len(data), max_bytes=limits.max_bytes)
    if not data:
        raise SheetError(EMPTY)
    if kind == "xlsx":
        return _xlsx_scan(data, limits)
    if b"\x00" in data[:8192]:
        raise SheetError(NOT_SPREADSHEET)
    # Quoted cells may hold line breaks, so this can only overcount: a safe bound.
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if lines - 1 > limits.max_rows:
        raise SheetError(TOO_MANY_ROWS.format(limit=limits.max_rows))
    return SheetInfo(kind="csv", rows=lines, inflated=len(data))


def _central_directory_check(data: bytes) -> None:
    """Refuse an archive whose table of contents alone would cost memory to read."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65535))
    if end < 0 or len(data) < end + 22:
        raise SheetError(NOT_SPREADSHEET)
    entries, size = struct.unpack("<HI", data[end + 10 : end + 16])
    if entries > _MAX_PARTS or size > _MAX_CENTRAL_DIRECTORY:  # also Zip64's 0xFFFF… markers
        raise SheetError(UNUSUAL_LAYOUT)


def _inflate(data: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A zip member's content in chunks, inflated here: the headers' sizes are not used.

    The deflate stream is read from its local header to wherever it really ends, so the
    count is at least what any other reader of the archive would get.
    """
    offset = info.header_offset
    header = data[offset : offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04" or info.flag_bits & 0x1:
        raise SheetError(NOT_SPREADSHEET)
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    position = offset + 30 + name_length + extra_length
    if info.compress_type == zipfile.ZIP_STORED:
        stop = min(len(data), position + info.compress_size)
        for start in range(position, stop, _CHUNK):
            yield data[start : min(stop, start + _CHUNK)]
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise SheetError(NOT_SPREADSHEET)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    pending = b""
    try:
        while not inflater.eof:
            if not pending:
                if position >= len(data):
                    break
                pending = data[position : position + _CHUNK]
                position += _CHUNK
            out = inflater.decompress(pending, _CHUNK)
            pending = inflater.unconsumed_tail
            if out:
                yield out
    except zlib.error:
        raise SheetError(NOT_SPREADSHEET) from None


class _PartScan:
    """Counts, in one XML part, what decides the size of the grid a parser builds.

    The grid spans the largest row and column any cell names (`r="AB123"`); cells and rows
    that name none are placed after the previous one. So every `<c ` and `<row ` must begin
    with a plain `r="…"` (as Excel, WPS, LibreOffice and the common libraries write them),
    none may be bare or carry a namespace prefix, and the largest reference must stay
    within the limits. Anything else is refused rather than guessed at.
    """

    def __init__(self, *, limits: SheetLimits) -> None:
        self.limit = limits.max_rows
        self.max_height = limits.max_rows + 1 + HEADER_SEARCH_ROWS
        self.carry = b""
        self.rows = self.tags = self.ref_tags = self.refs = self.odd = self.bytes = 0
        self.height = 0
        self.width = 0

    def feed(self, chunk: bytes) -> None:
        buffer = self.carry + chunk if self.carry else chunk
        cut = buffer.rfind(b"<")
        if cut <= 0:
            if len(buffer) > _MAX_RUN:
                raise SheetError(UNUSUAL_LAYOUT)
            self.carry = buffer
            return
        self.carry = buffer[cut:]  # a tag is never split between two counts
        self._count(buffer[:cut])

    def close(self) -> None:
        if self.carry:
            self._count(self.carry)
            self.carry = b""
        if self.odd or not (self.tags == self.ref_tags == self.refs):
            raise SheetError(UNUSUAL_LAYOUT)
        if self.height > 2 * self.rows + _SPARSE_SLACK:
            raise SheetError(TOO_SPARSE.format(rows=self.rows, height=self.height))

    def _count(self, raw: bytes) -> None:
        body = raw.translate(_SPACES)
        rows = body.count(b"<row ")
        self.rows += rows
        self.tags += rows + body.count(b"<c ")
        self.ref_tags += body.count(b'<row r="') + body.count(b'<c r="')
        # Bare and prefixed rows and cells would be placed where nothing here counts them.
        self.odd += body.count(b"<row>") + body.count(b"<c>") + body.count(b":row")
        self.odd += body.count(b":c ") + body.count(b":c>")
        if self.rows - 1 > self.limit:  # the row limit, applied while reading
            raise SheetError(TOO_MANY_ROWS.format(limit=self.limit))
        if self.tags - self.rows > (self.rows + 1) * MAX_COLUMNS:  # a row of endless cells
            raise SheetError(TOO_MANY_COLUMNS.format(limit=MAX_COLUMNS))
        self.bytes += len(raw)
        if self.bytes > _FREE_BYTES + self.tags * _BYTES_PER_TAG:  # filler, not a grid
            raise SheetError(UNUSUAL_LAYOUT)
        refs = _REF.findall(body)
        if not refs:
            return
        self.refs += len(refs)
        letters, digits = zip(*refs, strict=True)
        longest = max(map(len, digits))
        if longest > len(str(self.max_height)):  # also keeps int() off a thousand-digit run
            raise SheetError(TOO_MANY_ROWS.format(limit=self.limit))
        if longest >= len(str(self.height)):
            self.height = max(self.height, max(map(int, filter(None, digits)), default=0))
        if max(map(len, letters)) > 1:
            wide = {word for word in letters if len(word) > 1}
            self.width = max(self.width, *(_column_number(word) for word in wide))
        if self.height > self.max_height:
            raise SheetError(TOO_MANY_ROWS.format(limit=self.limit))
        if self.width > MAX_COLUMNS:
            raise SheetError(TOO_MANY_COLUMNS.format(limit=MAX_COLUMNS))


def _column_number(letters: bytes) -> int:
    number = 0
    for code in letters[:4]:  # four letters already pass any limit
        number = number * 26 + code - 64
    return number


_WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
_RELATIONSHIP = re.compile(rb"<Relationship\b[^>]*>")
_ATTRIBUTE = re.compile(rb'(\w+)="([^"]*)"')


def _sheet_parts(rels: bytes) -> set[str]:
    """The parts the workbook's relationships name as sheets: what a reader parses as grids."""
    found = set()
    for tag in _RELATIONSHIP.findall(rels):
        attributes = dict(_ATTRIBUTE.findall(tag))
        if attributes.get(b"Type", b"").endswith(b"sheet"):
            target = attributes.get(b"Target", b"").decode("utf-8", "replace")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            found.add(posixpath.normpath(path))
    return found


def _xlsx_scan(data: bytes, limits: SheetLimits) -> SheetInfo:
    _central_directory_check(data)
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise SheetError(NOT_SPREADSHEET) from None
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        raise SheetError(NOT_SPREADSHEET)
    over = SheetError(TOO_INFLATED.format(limit=_size_label(limits.max_inflated)))
    left = limits.max_inflated
    # The workbook's relationships first: they say which parts are sheets.
    infos.sort(key=lambda info: info.filename != _WORKBOOK_RELS)
    grids = {n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")}
    rows = 0
    for info in infos:
        part = _PartScan(limits=limits) if info.filename in grids else None
        kept: list[bytes] | None = [] if info.filename == _WORKBOOK_RELS else None
        for chunk in _inflate(data, info):
            left -= len(chunk)
            if left < 0:
                raise over
            if part is not None:
                part.feed(chunk)
            elif kept is not None:
                kept.append(chunk)
                if len(kept) * _CHUNK > _MAX_RUN:  # a real one is a few hundred bytes
                    raise SheetError(UNUSUAL_LAYOUT)
        if part is not None:
            part.close()
            rows = max(rows, part.height, part.rows)
        elif kept is not None:
            grids |= _sheet_parts(b"".join(kept))
    return SheetInfo(kind="xlsx", rows=rows, inflated=limits.max_inflated - left)


def sheet_rows(*, data: bytes, kind: str, limits: SheetLimits) -> list[list[Any]]:
    """Every row of the first worksheet, as typed values; list index + 1 is the row number.

    The file is scanned first (`sheet_scan`), so no parser ever meets a bomb.
    """
    sheet_scan(data=data, kind=kind, limits=limits)
    return sheet_parse(data=data, kind=kind, limits=limits)


def sheet_parse(*, data: bytes, kind: str, limits: SheetLimits) -> list[list[Any]]:
    """`sheet_rows` for data this process has just passed through `sheet_scan` itself."""
    if kind == "csv":
        return _csv_rows(data, max_rows=limits.max_rows + 1, limit=limits.max_rows)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError, IndexError):
        raise SheetError(NOT_SPREADSHEET) from None
    if len(rows) > limits.max_rows + 1 + HEADER_SEARCH_ROWS:  # the scan's bound, re-checked
        raise SheetError(TOO_MANY_ROWS.format(limit=limits.max_rows))
    # calamine hands back a fresh list of lists: no copy needed (100,000 rows).
    return rows if isinstance(rows, list) else [list(row) for row in rows]


def _csv_rows(data: bytes, *, max_rows: int, limit: int) -> list[list[Any]]:
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
    rows: list[list[Any]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), dialect):
            rows.append(row)
            if len(rows) > max_rows:  # stop reading at the limit, not after the whole file
                raise SheetError(TOO_MANY_ROWS.format(limit=limit))
    except csv.Error:
        raise SheetError(NOT_SPREADSHEET) from None
    return rows
