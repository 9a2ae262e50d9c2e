"""Builders of ledger spreadsheets for import tests."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

import xlsxwriter
from stdnum.cn import ric

from parkguard.people.columns import COLUMNS

HEADERS = [c.header + ("*" if c.required else "") for c in COLUMNS]


def person_id(n: int, *, region: str = "450222") -> str:
    """A distinct valid ID number for each n (up to 1000 per birth day)."""
    born = dt.date(1990, 1, 1) + dt.timedelta(days=n // 1000)
    body = f"{region}{born:%Y%m%d}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def row(n: int, **overrides: object) -> list[object]:
    values: dict[str, object] = {
        "name": f"员工{n}",
        "id_number": person_id(n),
        "phone": f"139{n:08d}",
        "category": "正式员工",
        "post": "操作工",
        "shift": "白班",
        "vaccination_doses": "3",
        "joined_on": "2021-03-01",
    }
    values.update(overrides)
    return [values.get(c.key, "") for c in COLUMNS]


def xlsx(rows: Sequence[Sequence[object]], *, headers: Sequence[str] = HEADERS) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("人员台账")
    sheet.write_row(0, 0, list(headers))
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values):
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            elif value is not None:
                sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def csv(
    rows: Sequence[Sequence[object]],
    *,
    encoding: str = "utf-8-sig",
    headers: Sequence[str] = HEADERS,
) -> bytes:
    import csv as csv_module

    out = io.StringIO()
    writer = csv_module.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


# Decompression bombs (issue 8, item 1): a tiny .xlsx whose sheet inflates to hundreds of MB.
_CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
    b'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
    b'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
    b'worksheet+xml"/></Types>'
)
_ROOT_RELS = (
    b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    b'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    b"</Relationships>"
)
_WORKBOOK = (
    b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
    b'2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    b'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    b"</Relationships>"
)
_SHEET_HEAD = (
    b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
    b'2006/main">'
)


def _deflate_repeated(head: bytes, unit: bytes, times: int, tail: bytes) -> bytes:
    """Raw deflate of head + unit * times + tail without building it: after a full flush the
    compressor starts afresh, so every 1 MB block of units compresses to the same bytes."""
    import zlib

    block = unit * max(1, (1024 * 1024) // len(unit))
    blocks, rest = divmod(times * len(unit), len(block))
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    out = [compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)]
    if blocks:
        once = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
        again = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
        out += [once, *([again] * (blocks - 1))]
    out.append(compressor.compress(block[:rest] + tail) + compressor.flush())
    return b"".join(out)


def _zip(members: list[tuple[str, bytes, int]]) -> bytes:
    """A zip of (name, raw deflate, declared size): the headers lie about sizes and CRCs on
    purpose, as an attacker's would; ParkGuard must not rely on them."""
    import struct

    local, central = io.BytesIO(), io.BytesIO()
    for name, deflated, declared in members:
        encoded = name.encode()
        offset = local.tell()
        fields = (20, 0, 8, 0, 0, 0, len(deflated), declared, len(encoded), 0)
        local.write(struct.pack("<4s5HI2I2H", b"PK\x03\x04", *fields) + encoded + deflated)
        central.write(
            struct.pack("<4s6HI2I5H2I", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, offset) + encoded
        )
    directory = central.getvalue()
    end = struct.pack(
        "<4s4H2IH",
        b"PK\x05\x06",
        0,
        0,
        len(members),
        len(members),
        len(directory),
        local.tell(),
        0,
    )
    return local.getvalue() + directory + end


def bomb(*, unit: bytes, times: int, dimension: str | None = "A1:R3", head: bytes = b"") -> bytes:
    """An .xlsx whose sheet is `unit` repeated `times` times (inflated), declared as tiny."""
    import zlib

    declared = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
    sheet = _deflate_repeated(
        _SHEET_HEAD + declared + b"<sheetData>" + head, unit, times, b"</sheetData></worksheet>"
    )
    plain = [
        ("[Content_Types].xml", _CONTENT_TYPES),
        ("_rels/.rels", _ROOT_RELS),
        ("xl/workbook.xml", _WORKBOOK),
        ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
    ]
    members = []
    for name, content in plain:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        members.append((name, compressor.compress(content) + compressor.flush(), len(content)))
    members.append(("xl/worksheets/sheet1.xml", sheet, 4096))
    return _zip(members)
