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
