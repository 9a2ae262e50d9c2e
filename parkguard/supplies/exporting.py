"""Ledgers as Excel sheets, in the layout an inspector reads (H-4.1 管理台账): the supplies
ledger (stock and cover per item, then every move) and the disinfection record.

`workbook()` is the one writer of these ledgers (supplies here, trucks, passes and parcels in
logistics): a title line, a basis line, a bold header, then the rows; every text cell goes
through `cell_safe` and `write_string`, so nothing typed into a record can become a formula
in an inspector's spreadsheet, and a note marked `free_text` is written masked."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone

from parkguard.lib import xlsx
from parkguard.lib.xlsx import cell_safe, free_text
from parkguard.supplies.models import DisinfectionTask, StockMove
from parkguard.supplies.selectors import Ledger

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STOCK_HEADER = ["类别", "名称", "单位", "库存", "日均用量", "可保障天数", "最早到期日", "状态"]
MOVES_HEADER = ["时间", "物资", "类型", "数量", "领用部门", "到期日", "结存", "说明", "经办人"]
DISINFECTION_HEADER = [
    "日期",
    "时段",
    "区域",
    "区域类别",
    "重点区域",
    "第几次",
    "负责人",
    "完成时间",
    "完成人",
    "说明",
    "照片",
    "依据",
]

Cell = str | int | float | None


@dataclass(frozen=True)
class Sheet:
    name: str
    header: Sequence[str]
    rows: Iterable[Sequence[Cell]]
    title: str = ""
    basis: str = ""


def workbook(sheets: Sequence[Sheet]) -> bytes:
    """The sheets as one .xlsx: numbers stay numbers, text is written as neutralised text."""
    out = io.BytesIO()
    book = xlsx.workbook(out, **{"in_memory": True})
    bold = book.add_format({"bold": True})
    for spec in sheets:
        sheet = book.add_worksheet(spec.name)
        n = 0
        for line in (spec.title, spec.basis):
            if line:
                sheet.write_string(n, 0, cell_safe(line), bold if n == 0 else None)
                n += 1
        for col, head in enumerate(spec.header):
            sheet.write_string(n, col, head, bold)
        for row in spec.rows:
            n += 1
            for col, value in enumerate(row):
                if isinstance(value, int | float) and not isinstance(value, bool):
                    sheet.write_number(n, col, value)
                else:
                    sheet.write_string(n, col, cell_safe(value))
        sheet.set_column(0, max(len(spec.header) - 1, 0), 14)
    book.close()
    return out.getvalue()


def when(value: dt.datetime | None) -> str:
    return "" if value is None else timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def who(user: object) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.username)  # type: ignore[attr-defined]


def ledger_xlsx(*, ledger: Ledger, moves: list[StockMove], at: dt.datetime) -> bytes:
    minimum = ledger.minimum
    stock = Sheet(
        "库存",
        STOCK_HEADER,
        [
            [
                row.item.get_kind_display(),
                row.item.name,
                row.item.unit,
                row.item.on_hand,
                str(row.rate),
                "" if row.cover is None else str(row.cover),
                "" if row.item.expires_on is None else row.item.expires_on.isoformat(),
                "不足" if row.low else ("已过期" if row.expired else "正常"),
            ]
            for row in ledger.rows
        ],
        title=f"{ledger.enterprise.name} 防护物资台账（{timezone.localdate(at)}）",
        basis=f"最低保障 {minimum.days} 天：{minimum.basis}" if minimum else "园区未设最低保障天数",
    )
    log = Sheet(
        "出入库记录",
        MOVES_HEADER,
        [
            [
                when(move.at),
                move.item.name,
                move.get_kind_display(),
                move.quantity,
                move.org_unit.name if move.org_unit else "",
                "" if move.expires_on is None else move.expires_on.isoformat(),
                move.balance,
                free_text(move.note),
                who(move.by),
            ]
            for move in moves
        ],
    )
    return workbook([stock, log])


def disinfection_xlsx(
    *, enterprise_name: str, tasks: Iterable[DisinfectionTask], start: dt.date, end: dt.date
) -> bytes:
    """The disinfection record (消杀记录台账, B-2.5, H-4.1) of the days from `start` to `end`."""
    rows = [
        [
            t.on.isoformat(),
            t.slot,
            t.area.name,
            t.area.kind,
            "是" if t.area.key_area else "",
            t.round,
            who(t.assignee),
            when(t.done_at) or "未完成",
            who(t.done_by),
            free_text(t.note),
            "有" if t.photo_type else "",
            " ".join(
                str(t.citation.get(k, "")) for k in ("document_number", "clause") if t.citation
            ),
        ]
        for t in tasks
    ]
    return workbook(
        [
            Sheet(
                "消杀记录",
                DISINFECTION_HEADER,
                rows,
                title=f"{enterprise_name} 消杀记录台账（{start} 至 {end}）",
            )
        ]
    )
