"""Ledger workbooks: the import template and the roster handed to inspectors.

Every text cell goes through `cell_safe` and `write_string`, so nothing typed into the
ledger can become a formula in someone's spreadsheet. ID numbers and phones are masked
unless the caller passes `reveal=True` (an audited, reasoned export).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

from parkguard.lib import xlsx
from parkguard.lib.xlsx import cell_safe
from parkguard.orgs.models import Enterprise
from parkguard.orgs.selectors import enterprise_place_tree, unit_paths
from parkguard.people.choices import EmploymentStatus, StaffCategory
from parkguard.people.columns import BY_KEY, COLUMNS
from parkguard.people.identity import IdCipher, id_cipher
from parkguard.people.models import Person
from parkguard.people.rowkeys import row_key

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_ROWS = 5000  # rows pre-formatted as text in the template's ID and phone columns
OPTIONS_SHEET = "可选值"

EXPORT_HEADERS = (
    ("序号", 6),
    ("姓名", 10),
    ("性别", 6),
    ("身份证号", 22),
    ("手机号", 14),
    ("人员类别", 14),
    ("部门/班组", 18),
    ("岗位", 10),
    ("接触面广岗位", 8),
    ("劳务/外包单位", 20),
    ("车间", 10),
    ("宿舍", 14),
    ("班次", 8),
    ("居住社区", 12),
    ("所属网格", 14),
    ("现住址", 24),
    ("疫苗剂次", 8),
    ("在岗状态", 10),
    ("入职日期", 12),
    ("离职日期", 12),
    ("行键", 14),
)


def template_workbook(*, enterprise: Enterprise) -> bytes:
    """The import template: Chinese headers, ID and phone columns as text, drop-down lists."""
    buffer = io.BytesIO()
    book = xlsx.workbook(buffer, **{"in_memory": True})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    required = book.add_format(
        {"bold": True, "bg_color": "#FCE4D6", "border": 1, "font_color": "#C00000"}
    )
    text = book.add_format({"num_format": 49})  # the built-in "@" text format
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet = book.add_worksheet("人员台账")
    for col, column in enumerate(COLUMNS):
        label = column.header + ("*" if column.required else "")
        sheet.write_string(0, col, label, required if column.required else head)
        fmt = date if column.key in ("joined_on", "left_on") else text
        if column.key in ("id_number", "phone", "name", "category", "org_unit", "post"):
            fmt = text
        sheet.set_column(col, col, column.width, fmt)
        if column.hint:
            sheet.write_comment(0, col, column.hint)
    lists = {
        "category": [str(label) for _, label in StaffCategory.choices],
        "status": [str(label) for _, label in EmploymentStatus.choices],
        "wide_contact": ["是", "否"],
    }
    # The enterprise's own names: units as paths, the communities and grids it may use.
    units = sorted(unit_paths(enterprise_ids=[enterprise.pk]).values())
    tree = enterprise_place_tree(enterprise=enterprise)
    communities = [item.community.name for item in tree]
    grids = sorted({grid.name for item in tree for grid in item.grids})
    options = book.add_worksheet(OPTIONS_SHEET)
    named = {"org_unit": units, "home_community": communities, "home_grid": grids}
    for col, (key, values) in enumerate(named.items()):
        options.write_string(0, col, BY_KEY[key].header, head)
        options.set_column(col, col, 28)
        for row, value in enumerate(values, start=1):
            options.write_string(row, col, cell_safe(value))
    pairs_col = len(named) + 1
    options.write_string(0, pairs_col, "村（社区）", head)
    options.write_string(0, pairs_col + 1, "其下的网格", head)
    options.set_column(pairs_col, pairs_col, 16)
    options.set_column(pairs_col + 1, pairs_col + 1, 60)
    for row, item in enumerate(tree, start=1):
        options.write_string(row, pairs_col, cell_safe(item.community.name))
        options.write_string(row, pairs_col + 1, cell_safe("、".join(g.name for g in item.grids)))
    for col, column in enumerate(COLUMNS):
        if column.key in lists:
            sheet.data_validation(
                1,
                col,
                TEMPLATE_ROWS,
                col,
                {"validate": "list", "source": lists[column.key], "show_error": True},
            )
        elif named.get(column.key):
            letter = "ABC"[list(named).index(column.key)]
            count = len(named[column.key])
            sheet.data_validation(
                1,
                col,
                TEMPLATE_ROWS,
                col,
                {
                    "validate": "list",
                    "source": f"='{OPTIONS_SHEET}'!${letter}$2:${letter}${count + 1}",
                    "error_type": "warning",
                    "error_title": "不在名单中",
                    "error_message": "请从下拉列表中选择；名单缺少时请联系园区管理员添加。",
                },
            )
    sheet.freeze_panes(1, 2)
    notes = book.add_worksheet("填写说明")
    notes.set_column(0, 0, 22)
    notes.set_column(1, 1, 70)
    notes.write_string(0, 0, f"{enterprise.name} 人员台账导入模板", head)
    notes.write_string(1, 0, "说明")
    notes.write_string(
        1,
        1,
        "标 * 的列必填。每行一人；按身份证号识别：已有的人员会被更新，"
        "内容相同的行不作修改；任一行有错误时整份文件都不会写入。",
    )
    for row, column in enumerate(COLUMNS, start=3):
        notes.write_string(row, 0, column.header + ("（必填）" if column.required else ""))
        hint = column.hint
        if column.key in lists:
            hint = (hint + "；" if hint else "") + "可选：" + "、".join(lists[column.key])
        elif column.key in named:
            hint = (hint + "；" if hint else "") + f"从下拉列表选择（名单见“{OPTIONS_SHEET}”表）"
        notes.write_string(row, 1, cell_safe(hint))
    book.close()
    return buffer.getvalue()


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def ledger_workbook(
    *,
    enterprise: Enterprise,
    people: Iterable[Person],
    exported_at: dt.datetime,
    exported_by: str,
    reveal: bool = False,
) -> bytes:
    """The staff roster as inspectors expect it: title, export note, numbered rows, signatures."""
    cipher: IdCipher | None = id_cipher() if reveal else None
    paths = unit_paths(enterprise_ids=[enterprise.pk])
    buffer = io.BytesIO()
    book = xlsx.workbook(buffer, **{"in_memory": True, "constant_memory": True})
    title = book.add_format({"bold": True, "font_size": 16, "align": "center"})
    note = book.add_format({"font_size": 10, "font_color": "#555555"})
    head = book.add_format(
        {"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center", "text_wrap": True}
    )
    cell = book.add_format({"border": 1, "num_format": "@"})
    sheet = book.add_worksheet("人员台账")
    last_col = len(EXPORT_HEADERS) - 1
    sheet.merge_range(
        0, 0, 0, last_col, cell_safe(f"{enterprise.name} 员工花名册（防疫台账）"), title
    )
    masking = "身份证号、手机号为完整号码（已登记查看事由）" if reveal else "身份证号、手机号已脱敏"
    sheet.merge_range(
        1,
        0,
        1,
        last_col,
        cell_safe(
            f"统一社会信用代码：{enterprise.credit_code}　导出时间：{exported_at:%Y-%m-%d %H:%M}"
            f"　导出人：{exported_by}　{masking}"
        ),
        note,
    )
    for col, (label, width) in enumerate(EXPORT_HEADERS):
        sheet.write_string(2, col, label, head)
        sheet.set_column(col, col, width)
    row = 3
    for index, p in enumerate(people, start=1):
        id_value = cipher.decrypt(p.id_encrypted) if cipher else p.id_masked
        values = (
            str(index),
            p.name,
            p.get_gender_display(),
            id_value,
            p.phone if reveal else p.phone_masked,
            p.get_category_display(),
            paths.get(p.org_unit_id, "") if p.org_unit_id else "",
            p.post,
            "是" if p.wide_contact else "否",
            p.labour_agency,
            p.workshop,
            p.dormitory,
            p.shift,
            p.home_community.name if p.home_community else "",
            p.home_grid.name if p.home_grid else "",
            p.home_address,
            str(p.vaccination_doses),
            p.get_status_display(),
            _date(p.joined_on),
            _date(p.left_on),
            row_key(enterprise_id=enterprise.pk, person_id=p.pk),
        )
        for col, value in enumerate(values):
            sheet.write_string(row, col, cell_safe(value), cell)
        row += 1
    # Footer lines sit in the 序号 column only, so an edited export re-imports cleanly.
    sheet.write_string(row + 1, 0, f"合计：{row - 3} 人")
    sheet.write_string(row + 2, 0, "填表人：　　　　联系电话：　　　　企业负责人（签字）：")
    sheet.write_string(
        row + 3, 0, "修改后可直接重新导入：按“行键”列识别人员，无需完整身份证号；新增人员行键留空。"
    )
    # Print setup for inspectors: landscape A4, one page wide, headers on every page.
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(2)
    sheet.freeze_panes(3, 2)
    sheet.autofilter(2, 0, max(row - 1, 2), last_col)
    book.close()
    return buffer.getvalue()


ROSTER_HEADERS = (
    ("序号", 6),
    ("企业", 24),
    ("姓名", 10),
    ("身份证号", 22),
    ("手机号", 14),
    ("网格", 14),
    ("部门/班组", 22),
    ("岗位", 10),
    ("在岗状态", 10),
)


def roster_workbook(*, roster: Any, exported_at: dt.datetime, exported_by: str) -> bytes:
    """A community's roster (liaison), always masked: enterprise, name, masked numbers, grid."""
    buffer = io.BytesIO()
    book = xlsx.workbook(buffer, **{"in_memory": True, "constant_memory": True})
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    cell = book.add_format({"border": 1, "num_format": "@"})
    sheet = book.add_worksheet("社区花名册")
    sheet.write_string(0, 0, cell_safe(f"{roster.community.name} 居住的企业员工花名册"), title)
    sheet.write_string(
        1,
        0,
        cell_safe(
            f"导出时间：{exported_at:%Y-%m-%d %H:%M}　导出人：{exported_by}　身份证号、手机号已脱敏"
        ),
    )
    for col, (label, width) in enumerate(ROSTER_HEADERS):
        sheet.write_string(2, col, label, head)
        sheet.set_column(col, col, width)
    people = [p for group in roster.groups for p in group.people]
    paths = unit_paths(enterprise_ids={p.enterprise_id for p in people})
    for index, p in enumerate(people, start=1):
        values = (
            str(index),
            p.enterprise.name,
            p.name,
            p.id_masked,
            p.phone_masked,
            p.home_grid.name if p.home_grid else "",
            paths.get(p.org_unit_id, "") if p.org_unit_id else "",
            p.post,
            p.get_status_display(),
        )
        for col, value in enumerate(values):
            sheet.write_string(index + 2, col, cell_safe(value), cell)
    sheet.write_string(len(people) + 4, 0, f"合计：{len(people)} 人")
    book.close()
    return buffer.getvalue()


ERROR_FILL = "#FFC7CE"


def error_workbook(
    *,
    rows: list[list[Any]],
    errors: list[dict[str, Any]],
    positions: dict[str, int],
    header_at: int,
) -> bytes:
    """The uploaded rows with each bad cell filled red and commented with its message.

    A row-level error (no column) marks the row's first cell. An "错误说明" column at the end
    lists every message of the row, so the file can be fixed and uploaded again.
    """
    by_header = {c.header: c.key for c in COLUMNS}
    marks: dict[tuple[int, int], list[str]] = {}
    per_row: dict[int, list[str]] = {}
    for err in errors:
        row_no = int(err.get("row") or 0)
        if row_no < 1:
            continue
        key = by_header.get(str(err.get("column") or ""))
        col = positions.get(key, 0) if key else 0
        marks.setdefault((row_no - 1, col), []).append(str(err["message"]))
        label = f"{err['column']}：" if err.get("column") else ""
        per_row.setdefault(row_no - 1, []).append(label + str(err["message"]))
    buffer = io.BytesIO()
    book = xlsx.workbook(buffer, **{"in_memory": True})
    bad = book.add_format({"bg_color": ERROR_FILL, "num_format": "@"})
    text = book.add_format({"num_format": "@"})
    sheet = book.add_worksheet("错误标注")
    width = max((len(r) for r in rows), default=0)
    for r, values in enumerate(rows):
        for c in range(width):
            value = values[c] if c < len(values) else ""
            shown_value = "" if value is None else cell_safe(_text(value))
            sheet.write_string(r, c, shown_value, bad if (r, c) in marks else text)
            if (r, c) in marks:
                sheet.write_comment(r, c, "；".join(marks[(r, c)]))
        if r in per_row:
            sheet.write_string(r, width, cell_safe("；".join(per_row[r])), bad)
    if 0 <= header_at < len(rows) and header_at not in per_row:
        sheet.write_string(header_at, width, "错误说明")
    sheet.set_column(width, width, 60)
    book.close()
    return buffer.getvalue()


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
