"""The supplies ledger as an Excel sheet, in the layout an inspector reads (H-4.1 管理台账):
stock and cover per item, then every move."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone

from parkguard.lib import xlsx
from parkguard.supplies.models import StockMove
from parkguard.supplies.selectors import Ledger

STOCK_HEADER = ["类别", "名称", "单位", "库存", "日均用量", "可保障天数", "最早到期日", "状态"]
MOVES_HEADER = ["时间", "物资", "类型", "数量", "领用部门", "到期日", "结存", "说明", "经办人"]


def ledger_xlsx(*, ledger: Ledger, moves: list[StockMove], at: dt.datetime) -> bytes:
    out = io.BytesIO()
    book = xlsx.workbook(out, **{"in_memory": True})
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("库存")
    minimum = ledger.minimum
    sheet.write(0, 0, f"{ledger.enterprise.name} 防护物资台账（{timezone.localdate(at)}）", bold)
    sheet.write(
        1, 0, f"最低保障 {minimum.days} 天：{minimum.basis}" if minimum else "园区未设最低保障天数"
    )
    sheet.write_row(2, 0, STOCK_HEADER, bold)
    for n, row in enumerate(ledger.rows, start=3):
        item = row.item
        state = "不足" if row.low else ("已过期" if row.expired else "正常")
        sheet.write_row(
            n,
            0,
            [
                item.get_kind_display(),
                item.name,
                item.unit,
                item.on_hand,
                str(row.rate),
                "" if row.cover is None else str(row.cover),
                "" if item.expires_on is None else item.expires_on.isoformat(),
                state,
            ],
        )
    sheet.set_column(0, len(STOCK_HEADER) - 1, 14)
    log = book.add_worksheet("出入库记录")
    log.write_row(0, 0, MOVES_HEADER, bold)
    for n, move in enumerate(moves, start=1):
        log.write_row(
            n,
            0,
            [
                timezone.localtime(move.at).strftime("%Y-%m-%d %H:%M"),
                move.item.name,
                move.get_kind_display(),
                move.quantity,
                move.org_unit.name if move.org_unit else "",
                "" if move.expires_on is None else move.expires_on.isoformat(),
                move.balance,
                move.note,
                (move.by.get_full_name() or move.by.username) if move.by else "",
            ],
        )
    log.set_column(0, len(MOVES_HEADER) - 1, 14)
    book.close()
    return out.getvalue()
