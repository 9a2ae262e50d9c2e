"""The rectification ledger as an Excel sheet in the layout of a government ledger (Z-6):
a merged title, the park and the date of making, bordered columns, a signature line."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any, NamedTuple

from parkguard.lib import xlsx
from parkguard.oversight.assessment import FIGURES
from parkguard.oversight.models import Rectification

TITLE = "疫情防控突出问题整改台账"
HEADERS = (
    ("序号", 6),
    ("企业名称", 24),
    ("督查日期", 12),
    ("督查员", 10),
    ("存在问题", 40),
    ("依据", 30),
    ("整改责任人", 12),
    ("整改期限", 12),
    ("整改情况", 36),
    ("状态", 10),
    ("销号日期", 12),
    ("备注", 20),
)
FONT = "仿宋"


class _Formats(NamedTuple):
    title: xlsx.Format
    sub: xlsx.Format
    head: xlsx.Format
    cell: xlsx.Format
    center: xlsx.Format


def _official_formats(book: xlsx.SafeWorkbook) -> _Formats:
    """The formats of a government ledger: a 小标宋 title, 仿宋 body, 黑体 bordered headers."""
    return _Formats(
        title=book.add_format(
            {"bold": True, "font_size": 18, "font_name": "方正小标宋简体", "align": "center"}
        ),
        sub=book.add_format({"font_name": FONT, "font_size": 11}),
        head=book.add_format(
            {
                "bold": True,
                "font_name": "黑体",
                "border": 1,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
                "bg_color": "#F2F2F2",
            }
        ),
        cell=book.add_format(
            {"font_name": FONT, "border": 1, "valign": "vcenter", "text_wrap": True}
        ),
        center=book.add_format(
            {"font_name": FONT, "border": 1, "align": "center", "valign": "vcenter"}
        ),
    )


def _official_close(
    book: xlsx.SafeWorkbook,
    sheet: xlsx.Worksheet,
    out: io.BytesIO,
    *,
    row: int,
    last: int,
    signer: str,
    style: xlsx.Format,
) -> bytes:
    """The signature line under the table, A4 landscape one page wide, headers repeated."""
    sheet.merge_range(
        row + 1, 0, row + 1, last, f"{signer}：            审核人：            ", style
    )
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(2)
    book.close()
    return out.getvalue()


def _basis(item: Rectification) -> str:
    c = item.finding.citation or {}
    if c.get("document_number"):
        return f"{c['document_number']} {c.get('clause', '')}"
    return str(c.get("clause", ""))


def _remarks(item: Rectification, today: dt.date) -> str:
    notes = []
    if item.status != "closed" and item.deadline < today:
        notes.append("已逾期")
    if item.refusals:
        notes.append(f"退回 {item.refusals} 次")
    if item.reported_at and item.report_deadline:
        notes.append(f"已上报，限 {item.report_deadline:%Y-%m-%d} 前整改")
    return "；".join(notes)


def ledger_xlsx(
    *, park_name: str, rows: Iterable[Rectification], replies: dict[int, str], today: dt.date
) -> bytes:
    """The workbook bytes; `replies` maps an item to its latest reply text."""
    out = io.BytesIO()
    book = xlsx.workbook(out, **{"in_memory": True})
    sheet = book.add_worksheet("整改台账")
    last = len(HEADERS) - 1
    title, sub, head, cell, center = _official_formats(book)
    sheet.merge_range(0, 0, 0, last, TITLE, title)
    sheet.merge_range(1, 0, 1, last // 2, f"填报单位：{park_name}", sub)
    sheet.merge_range(1, last // 2 + 1, 1, last, f"填报日期：{today:%Y年%m月%d日}", sub)
    for col, (name, width) in enumerate(HEADERS):
        sheet.set_column(col, col, width)
        sheet.write(2, col, name, head)
    sheet.freeze_panes(3, 0)
    row = 3
    for number, item in enumerate(rows, start=1):
        inspection = item.finding.inspection
        inspector = inspection.inspector if inspection else None
        if inspection is not None:
            found_on, found_by = (
                inspection.planned_on,
                ((inspector.get_full_name() or inspector.username) if inspector else ""),
            )
        else:  # a drill's gap the park put on the ledger
            found_on, found_by = item.created_at.date(), "应急演练"
        values = (
            (number, center),
            (item.enterprise.name, cell),
            (found_on.strftime("%Y-%m-%d"), center),
            (found_by, center),
            (xlsx.free_text(item.finding.description), cell),
            (_basis(item), cell),
            (item.owner_name, center),
            (item.deadline.strftime("%Y-%m-%d"), center),
            (xlsx.free_text(replies.get(item.pk, "")), cell),
            (item.get_status_display(), center),
            (item.closed_at.strftime("%Y-%m-%d") if item.closed_at else "", center),
            (_remarks(item, today), cell),
        )
        for col, (value, style) in enumerate(values):
            sheet.write(row, col, value, style)
        row += 1
    return _official_close(book, sheet, out, row=row, last=last, signer="填报人", style=sub)


ASSESSMENT_TITLE = "包企干部年度考核情况表"


def assessment_xlsx(*, park_name: str, year: int, records: Iterable[Any], today: dt.date) -> bytes:
    """Cadres' annual assessment (Z-6): one row per cadre, a column per figure (each headed by
    the clause it serves), the on-time rate, the readiness trend and the reference grade."""
    out = io.BytesIO()
    book = xlsx.workbook(out, **{"in_memory": True})
    sheet = book.add_worksheet(f"{year}年度")
    title, sub, head, cell, _center = _official_formats(book)
    headers = (
        ["序号", "包企干部", "包联企业名单"]
        + [f"{f.label}（{f.requirement}）" for f in FIGURES]
        + ["按期销号率", "无疫工厂评分（各月均值）", "参考等次", "说明"]
    )
    last = len(headers) - 1
    sheet.merge_range(0, 0, 0, last, f"{park_name}{year}年度{ASSESSMENT_TITLE}", title)
    sheet.merge_range(1, 0, 1, last, f"制表日期：{today:%Y年%m月%d日}", sub)
    for col, name in enumerate(headers):
        sheet.set_column(col, col, 10 if col else 6)
        sheet.write(2, col, name, head)
    sheet.set_column(2, 2, 30)
    row = 3
    for number, r in enumerate(records, start=1):
        trend = "、".join(f"{m}月 {v}%" for m, v in enumerate(r.trend, start=1) if v is not None)
        values: list[object] = [number, r.name, "、".join(e.name for e in r.enterprises)]
        values += [f.value for f in r.figures]
        values += [
            "—" if r.on_time_percent is None else f"{r.on_time_percent}%",
            trend or "无记录",
            r.grade.label if r.grade else "—",
            xlsx.free_text("；".join(r.grade.reasons) if r.grade else r.note),
        ]
        for col, value in enumerate(values):
            sheet.write(row, col, value, cell)
        row += 1
    return _official_close(book, sheet, out, row=row, last=last, signer="制表人", style=sub)
