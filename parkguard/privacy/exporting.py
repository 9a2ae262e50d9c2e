"""The person's own record as a workbook: one sheet per kind of record, Chinese headings."""

from __future__ import annotations

import datetime as dt
import io

from parkguard.lib import xlsx
from parkguard.lib.xlsx import cell_safe
from parkguard.privacy.selectors import Section


def record_workbook(*, name: str, sections: list[Section], at: dt.datetime) -> bytes:
    buffer = io.BytesIO()
    book = xlsx.workbook(buffer, in_memory=True)
    bold = book.add_format({"bold": True})
    cover = book.add_worksheet("说明")
    cover.set_column(0, 0, 60)
    lines = [
        f"{name} 的个人信息（ParkGuard 所存全部记录）",
        f"导出时间 {at:%Y-%m-%d %H:%M}",
        "身份证号、手机号以脱敏形式显示；照片等文件不随表导出。",
        "如发现错误，可在“我的信息”页提出更正申请。",
    ]
    for row, line in enumerate(lines):
        cover.write_string(row, 0, cell_safe(line), bold if row == 0 else None)
    used: set[str] = {"说明"}
    for section in sections:
        title = section.title.replace("/", "、")[:28] or "记录"
        while title in used:
            title = f"{title[:26]}_{len(used)}"
        used.add(title)
        sheet = book.add_worksheet(title)
        offset = 0
        if section.note:
            sheet.write_string(0, 0, cell_safe(xlsx.free_text(section.note)))
            offset = 1
        for col, head in enumerate(section.headers):
            sheet.write_string(offset, col, cell_safe(head), bold)
            sheet.set_column(col, col, 16)
        for r, values in enumerate(section.rows, start=offset + 1):
            for col, value in enumerate(values):
                # Records others wrote about the person as well as their own: all masked,
                # as the cover says.
                sheet.write_string(r, col, cell_safe(xlsx.free_text(value)))
    book.close()
    return buffer.getvalue()
