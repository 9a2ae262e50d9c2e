"""The daily report and the county roll-up as Excel sheets; every text cell passes through
`cell_safe`, so a name beginning with "=" is never run as a formula; notes, remarks and
reasons go in as `free_text`, masked."""

from __future__ import annotations

import io

from django.utils import timezone

from parkguard.lib import xlsx
from parkguard.lib.xlsx import cell_safe, free_text
from parkguard.reporting.models import DailyReport, DailyReportRow
from parkguard.reporting.selectors import Rollup

ROW_HEADER = [
    "企业", "状态", "在岗人数", "已健康申报", "健康异常", "应检人数", "已检人数", "阳性人数",
    "处置中事件", "当日新发事件", "当日预约货车", "在园货车", "当日离园货车", "不足的防护物资",
    "生产经营正常", "其他情况", "更正说明",
]  # fmt: skip
ROLLUP_HEADER = [
    "镇街/园区", "企业数", "报送状态", "截止时间", "报送时间", "签发人", "逾期原因", "零报告",
    "在岗人数", "健康异常", "阳性人数", "处置中事件", "在园货车", "不足的防护物资",
    "生产不正常企业",
]  # fmt: skip


def _time(value: object) -> str:
    return "" if value is None else timezone.localtime(value).strftime("%Y-%m-%d %H:%M")  # type: ignore[arg-type]


def report_xlsx(*, report: DailyReport, rows: list[DailyReportRow]) -> bytes:
    out = io.BytesIO()
    book = xlsx.workbook(out, in_memory=True)
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("每日报告")
    unit = report.jurisdiction
    sheet.write(0, 0, cell_safe(f"{unit.name} 每日报告（{report.on.isoformat()}）"), bold)
    state = report.get_state_display() + ("（逾期）" if report.late else "")
    sheet.write(
        1,
        0,
        cell_safe(
            f"状态：{state}；截止：{_time(report.due_at)}；报送：{_time(report.submitted_at)}；"
            f"签发人：{report.signer_name}{'；零报告' if report.zero else ''}"
        ),
    )
    sheet.write_row(2, 0, ROW_HEADER, bold)
    for n, row in enumerate(rows, start=3):
        notes = "；".join(f"{x.get('source', '')}：{x.get('text', '')}" for x in row.notes)
        sheet.write_row(
            n,
            0,
            [
                cell_safe(row.enterprise.name),
                row.get_status_display(),
                row.headcount,
                row.declared,
                row.abnormal,
                row.test_due,
                row.test_done,
                row.positives,
                row.open_incidents,
                row.new_incidents,
                row.trucks_expected,
                row.trucks_inside,
                row.trucks_left,
                row.low_stock_items,
                "是" if row.production_normal else "否",
                free_text(notes),
                free_text(row.correction_note),
            ],
        )
    if report.remarks:
        sheet.write(len(rows) + 4, 0, free_text(f"其他需要报告的情况：{report.remarks}"))
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, len(ROW_HEADER) - 1, 12)
    book.close()
    return out.getvalue()


def rollup_xlsx(*, rollup: Rollup) -> bytes:
    out = io.BytesIO()
    book = xlsx.workbook(out, in_memory=True)
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("汇总")
    sheet.write(
        0, 0, cell_safe(f"{rollup.root.name} 每日报告汇总（{rollup.on.isoformat()}）"), bold
    )
    sheet.write_row(1, 0, ROLLUP_HEADER, bold)
    for n, line in enumerate(rollup.lines, start=2):
        r = line.report
        t = line.totals
        sheet.write_row(
            n,
            0,
            [
                cell_safe(line.unit.name),
                line.enterprises,
                line.state_label,
                _time(line.due_at),
                _time(r.submitted_at if r else None),
                cell_safe(r.signer_name if r else ""),
                free_text(r.late_reason if r else ""),
                "是" if r is not None and r.zero else "",
                t.get("headcount", ""),
                t.get("abnormal", ""),
                t.get("positives", ""),
                t.get("open_incidents", ""),
                t.get("trucks_inside", ""),
                t.get("low_stock_items", ""),
                t.get("not_normal", ""),
            ],
        )
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, len(ROLLUP_HEADER) - 1, 12)
    book.close()
    return out.getvalue()
