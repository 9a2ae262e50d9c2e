"""Columns of the staff ledger spreadsheet, shared by the template, the import and the export."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    width: int = 12
    hint: str = ""


# The order of the import template. A header matches with or without its trailing "*".
COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", required=True, width=10),
    Column(
        "id_number", "身份证号", required=True, width=22, hint="18位，末位可为X；本列为文本格式"
    ),
    Column("phone", "手机号", required=True, width=14, hint="11位中国大陆手机号"),
    Column("category", "人员类别", required=True, width=14),
    Column(
        "org_unit",
        "部门/车间/班组",
        width=22,
        hint=("从下拉列表选择完整路径，如 生产部/一车间/甲班；无重名时也可只写名称"),
    ),
    Column("post", "岗位", width=10),
    Column(
        "wide_contact",
        "社会接触面广的岗位",
        width=10,
        hint="是/否；留空时按岗位判断（保安、保洁、食堂等为是）",
    ),
    Column(
        "labour_agency", "劳务/外包单位", width=22, hint="劳务派遣、第三方外包、客户派驻人员必填"
    ),
    Column("workshop", "车间", width=10),
    Column("dormitory", "宿舍", width=14),
    Column("shift", "班次", width=8),
    Column("home_community", "居住社区", width=12, hint="从下拉列表选择村（社区）"),
    Column("home_grid", "所属网格", width=14, hint="须为所填社区下的网格（见“可选值”表）"),
    Column("home_address", "现住址", width=26),
    Column("vaccination_doses", "疫苗接种剂次", width=8, hint="0–9 的整数"),
    Column("status", "在岗状态", width=10, hint="在岗 / 停工/休假 / 已离职；留空为在岗"),
    Column("joined_on", "入职日期", width=12, hint="如 2022-03-01"),
    Column("left_on", "离职日期", width=12),
    Column(
        "row_key",
        "行键",
        width=14,
        hint="由导出的台账带出，用于修改后重新导入（无需完整身份证号）；新增人员留空，请勿修改",
    ),
)

BY_KEY = {c.key: c for c in COLUMNS}


def header_normalise(text: object) -> str:
    """A header cell as typed by people: spaces, a required-mark star, full-width brackets."""
    value = "".join(str(text or "").split()).rstrip("*＊").replace("（", "(").replace("）", ")")
    return value.replace("(必填)", "")


HEADER_KEYS = {header_normalise(c.header): c.key for c in COLUMNS}
# The exported workbook's headers, so an edited export reads back (issue 9 §3).
HEADER_KEYS.update(
    {
        header_normalise("部门/班组"): "org_unit",
        header_normalise("接触面广岗位"): "wide_contact",
        header_normalise("疫苗剂次"): "vaccination_doses",
    }
)
