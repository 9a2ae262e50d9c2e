"""Every message a ledger import shows, in Chinese; tests import them by name."""

from __future__ import annotations

REQUIRED = "必填，不能为空"
ID_AS_NUMBER = "身份证号被存成了数字，末几位已丢失：请把该列设为文本格式后重新填写"
CATEGORY_UNKNOWN = "人员类别“{value}”不存在，可填：{choices}"
STATUS_UNKNOWN = "在岗状态“{value}”不存在，可填：{choices}"
DUPLICATE_IN_FILE = "身份证号与第 {row} 行重复"
UNIT_UNKNOWN = "组织架构中没有“{value}”，可填：{choices}"
UNIT_AMBIGUOUS = "“{value}”有重名，请写完整路径，如 生产部/一车间/甲班"
COMMUNITY_UNKNOWN = "没有名为“{value}”的村（社区），可填：{choices}"
COMMUNITY_AMBIGUOUS = "有多个名为“{value}”的村（社区），请联系园区管理员"
GRID_UNKNOWN = "“{community}”下没有名为“{value}”的网格，可填：{choices}"
GRID_NEEDS_COMMUNITY = "填写网格时须同时填写居住社区"
BOOL_INVALID = "应填“是”或“否”"
DOSES_INVALID = "应为 0 到 {max} 的整数"
DATE_INVALID = "日期格式不正确，应如 2022-03-01"
LEFT_BEFORE_JOINED = "离职日期早于入职日期"
AGENCY_REQUIRED = "按园区采用的规则包，该类人员须会同劳务派遣机构管理，请填写劳务/外包单位"
TOO_LONG = "不能超过 {max} 个字"
NO_HEADER = "找不到表头：请使用导入模板，第一行为列名"
MISSING_COLUMNS = "缺少必填列：{columns}"
NO_ROWS = "文件中没有数据行"
ROW_KEY_INVALID = "行键无效（被改动或不是本系统导出的）：请恢复原值，新增人员请留空"
ROW_KEY_OTHER_ENTERPRISE = (
    "该行的行键属于其他企业导出的台账，不能导入本企业："
    "请使用本企业导出的文件，或清空行键并填写完整身份证号"
)
ROW_KEY_UNKNOWN = "行键所指的人员已不在本企业台账中：请清空行键并填写完整身份证号"
ROW_KEY_ID_MISMATCH = "身份证号与行键所指的人员不一致：更正身份证号请在人员档案中操作"
ROW_KEY_REPEATED = "与第 {row} 行是同一人员"
NOT_READY = "该导入不是待确认状态，不能确认"
LEDGER_CHANGED = "预览之后台账发生了变化，请重新上传文件"
STAGE_LOST = "待导入的数据已失效（如服务器重启），台账未作任何修改，请重新上传文件"
APPLY_FAILED = "写入失败，台账未作任何修改，请重新上传或联系管理员"
CHECK_STALLED = "校验中断（处理进程已停止），台账未作任何修改，请重新上传文件"
CHECK_REQUEUED = "校验中断（处理进程已停止），已自动重新排队"
APPLY_STALLED = "写入中断（处理进程已停止），台账未作任何修改，可再次确认导入"
CANCELLED = "已取消，台账未作任何修改"
CANCEL_REQUESTED = "正在取消：处理进程将在下一批数据时停止，台账不会被修改"
CANCEL_TOO_LATE = "正在写入台账，无法取消：写入要么全部完成，要么不作任何修改"
CANCEL_NOT_PENDING = "该导入已结束，不能取消"
READY_EXPIRED = "超过 {hours} 小时未确认，已自动取消，台账未作任何修改"
CHECK_FAILED = "校验失败，台账未作任何修改，请重新上传或联系管理员"
# How many valid names an "unknown value" message lists before it points to the template.
CHOICES_SHOWN = 10
CHOICES_MORE = "{names} 等 {count} 项（完整名单见导入模板的“可选值”表）"
CHOICES_NONE = "（尚无：请园区管理员在“村（社区）与网格”页面添加，或在“组织架构”页面添加单元）"


def choices_hint(names: list[str]) -> str:
    """The valid names an error message lists: the first few, then where to find the rest."""
    if not names:
        return CHOICES_NONE
    if len(names) <= CHOICES_SHOWN:
        return "、".join(names)
    return CHOICES_MORE.format(names="、".join(names[:CHOICES_SHOWN]), count=len(names))
