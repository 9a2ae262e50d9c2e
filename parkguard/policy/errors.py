"""Error messages of the policy package, as constants that tests import.

Every message is Chinese first; a short English fragment may follow in the detail.
A pack that fails to load raises `PackError` with one `PackIssue` per mistake, each
naming the file, the path inside it (``rules[3].measures[0].phases[1].test_days``) and
the line when known. Bad input at evaluation time (a missing park parameter, an unknown
pack) raises `PolicyInputError`.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- reading the file -------------------------------------------------------------------
ERR_FILE_UNREADABLE = "无法读取规则包文件"
ERR_YAML_SYNTAX = "YAML 语法错误"
# The traps of writing YAML in a text editor, each with its own message (docs §9).
ERR_YAML_TAB = "YAML 语法错误：不能用制表符（Tab）缩进，请改用空格（每级 2 个）"
ERR_YAML_COLON = (
    "YAML 语法错误：文字中有英文冒号加空格（: ），被当成了“键: 值”；"
    "请给整段文字加引号，或改用中文冒号“：”"
)
ERR_YAML_YES_NO = "是非只能写 true 或 false（yes、no、on、off、是、否 都不认）"
ERR_YAML_LEADING_ZERO = "数字不能以 0 开头（07 请写 7）；编号等文字请加引号"
ERR_YAML_DATE = "日期应写成 YYYY-MM-DD（如 2022-11-01：月、日不足两位要补 0，用短横线分隔）"
ERR_NOT_MAPPING = "规则包的顶层必须是“键: 值”映射"

# --- shape of the pack ------------------------------------------------------------------
ERR_UNKNOWN_KEY = "未知的键（可能拼写错误）"
ERR_MISSING_KEY = "缺少必填项"
ERR_MISSING_CITATION = "缺少出处：每条规则都必须写明 clause（通知的条款位置与原文）"
ERR_MISSING_REQUIREMENT = "缺少需求编号：每条规则都必须写明 requirement（如 J-1.2.2）"
ERR_WRONG_TYPE = "类型错误"
ERR_BAD_CHOICE = "取值不在允许范围内"
ERR_UNKNOWN_MEASURE = "未知的措施类型"
ERR_EMPTY = "不能为空"
ERR_NEGATIVE_NUMBER = "数值不能为负数"
ERR_ZERO_NUMBER = "数值必须大于 0"
ERR_BAD_ID = "标识格式错误：只能使用小写字母、数字、连字符和点，且以字母或数字开头"
ERR_REQUIREMENT_FORMAT = "需求编号格式错误，应形如 J-1.2.2 或 H-4.3b"
ERR_REQUIREMENT_KEY = "需求编号的字母与规则包的 requirement_key 不一致"
ERR_REQUIREMENT_KEY_FORMAT = "requirement_key 应为大写字母开头的短代号，如 J"
ERR_TIME_FORMAT = '时间格式应为 "HH:MM"（请加引号）'
ERR_DATE_ORDER = "结束日期早于开始日期"
ERR_TEST_DAY_OUTSIDE_PHASE = "检测日超出所在阶段的天数范围"
ERR_TEST_DAY_BEFORE_ARRIVAL = "检测日不能早于到达当日"
ERR_DAYS_NOT_ASCENDING = "日序必须按升序排列且不重复"
ERR_WITHIN_EXACTLY_ONE = "within_hours 与 within_days 必须且只能填写一个"
ERR_STEP_TIMING = "每个时限步骤必须且只能填写 within_minutes、immediately、daily_by 中的一个"
ERR_ANY_OF_OPTIONS = "any_of 至少需要两个选项"
ERR_ANY_OF_MEASURE = "any_of 的选项里只能使用到达类措施（检测、证明、申报报告、材料、隔离阶段）"
ERR_SHARE_RANGE = "抽检比例必须大于 0 且不超过 1"
ERR_SLOTS_COUNT = "时段（slots）数量与每日次数（times_per_day）不一致"
ERR_HEADCOUNT_RANGE = "人数下限大于上限，条件永远不成立"
ERR_RISK_TEST_EXACTLY_ONE = "stayed 中 risk_in 与 risk_at_least 必须且只能填写一个"
ERR_FACT_TEST_EXACTLY_ONE = (
    "事实条件必须且只能写一种判断：值、in 列表、at_least/at_most、within_days 或 present"
)
ERR_EVIDENCE_EMPTY = "结束条件至少要写 negative_test_from_day 或 symptom_free_days 之一"
ERR_PHASE_NEEDS_END = "阶段必须写明 days（天数）或 until（结束条件）"
ERR_PHASE_DAYS_AND_UNTIL = "阶段的 days 与 until 不能同时填写"
ERR_CONDITIONAL_PHASE_NOT_LAST = "只有最后一个阶段可以提前结束（end_early）或按条件结束（until）"
ERR_WINDOW_ORDER = "检测窗口的结束日（to_day）早于开始日（from_day）"
ERR_FACT_VALUES_MISSING = "choice / choices 类型的事实必须列出 values（可选值及其中文名）"
ERR_FACT_VALUES_UNEXPECTED = "只有 choice / choices 类型的事实才能写 values"
ERR_CHOICE_DEFAULT_RANGE = "选择项的默认值不在 minimum..maximum 范围内"
ERR_CHOICE_NOT_HERE = "这里不能用 {choice: …}：逐案选择只能用于天数、小时数等计数"

# --- references between parts of a pack and between packs ------------------------------
ERR_DUPLICATE_RULE_ID = "规则 id 重复"
ERR_OVERRIDE_WITHOUT_FLAG = "规则 id 与所继承规则包中的规则相同；如需替换，请写 override: true"
ERR_OVERRIDE_NOTHING = "写了 override: true，但所继承的规则包中没有同 id 的规则"
ERR_EXTENDS_MISSING = "继承（extends）的规则包或版本不存在"
ERR_EXTENDS_CYCLE = "规则包的继承（extends）关系成环"
ERR_DUPLICATE_VERSION = "同一规则包的同一版本出现在两个文件中"
ERR_OVERLAPPING_VERSIONS = "同一规则包的两个已发布版本生效日期重叠"
ERR_VERSION_ORDER = "同一规则包的新版本生效日期早于旧版本"
ERR_PARAM_UNDECLARED = "引用了未在 parameters 中声明的参数"
ERR_PARAM_TYPE = "参数类型与此处用途不符"
ERR_PARAM_DEFAULT_TYPE = "参数默认值与声明的类型不符"
ERR_RISK_UNDECLARED = "风险等级不在规则包的 risk_levels 中"
ERR_FACT_UNDECLARED = "引用了未在 facts 中声明的事实"
ERR_FACT_SUBJECT = (
    "事实的主体不符：person_facts 只能用 subject: person 的事实，"
    "enterprise_facts 只能用 subject: enterprise 的事实"
)
ERR_FACT_VALUE_UNDECLARED = "事实取值不在该事实声明的 values 中"
ERR_FACT_TEST_TYPE = "这种判断与事实的类型不符"
ERR_CHOICE_UNDECLARED = "引用了未在 choices 中声明的选择项"
ERR_CHOICE_TYPE = "选择项类型与此处用途不符"
ERR_CHOICE_OPTION_DEFAULT = "option 选择项的默认值不是该 any_of 的选项名（label）"
ERR_ANY_OF_PHASES_NEED_CHOICE = "any_of 的选项含隔离阶段时，必须写 choice（逐案选择哪一项）"
ERR_PROMPTLY_UNDEFINED = (
    "写了 promptly: true（及时），但规则包没有写 promptly_hours（及时是指多少小时内）"
)
ERR_PROMPTLY_WITH_HOURS = "promptly: true 时不要再写 hours；时限由 promptly_hours 决定"
ERR_COVERAGE_UNREACHABLE = "按此间隔和抽检比例，无法在 full_coverage_days 天内覆盖全员"
ERR_SIZE_UNDECLARED = "引用了未在 enterprise_sizes 中声明的企业规模"
ERR_PUBLISHED_CHANGED = "已发布的规则包内容被修改；已发布的版本不可修改，请另存为新版本"

# --- evaluation time --------------------------------------------------------------------
ERR_PARAM_MISSING = "园区未设定该参数，规则包也没有默认值"
ERR_PARAM_UNKNOWN = "规则包没有声明这个参数"
ERR_PARAM_VALUE_TYPE = "参数值的类型与声明不符"
ERR_PARAM_VALUE_RANGE = "参数值超出允许范围"
ERR_UNKNOWN_PACK = "没有这个规则包"
ERR_UNKNOWN_VERSION = "规则包没有这个版本"
ERR_NOT_IN_FORCE = "该日期没有生效的规则包版本"
ERR_REQUEST_DATES = "每日报送时限需要 start 和 end（起止日期）"
ERR_REQUEST_MOMENT = "封控、疫情处置时限需要 at（指令下达或发现疫情的时间）"
ERR_RISK_UNKNOWN = "风险等级不是本规则包使用的等级"
ERR_FACT_UNKNOWN = "规则包没有声明这个事实"
ERR_FACT_VALUE = "事实的取值与规则包的声明不符"
ERR_CHOICE_UNKNOWN = "规则包没有声明这个逐案选择项"
ERR_CHOICE_RANGE = "逐案选择的值超出规则包允许的范围"
ERR_CHOICE_REASON = "逐案选择必须写明理由和决定人"
ERR_CHOICE_OPTION = "逐案选择的选项不是该措施的选项之一"


@dataclass(frozen=True, slots=True)
class PackIssue:
    """One mistake in one pack file."""

    file: str
    path: str
    message: str
    detail: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        text = f"{where}: {self.path or '(文件)'}: {self.message}"
        return f"{text}（{self.detail}）" if self.detail else text


class PackError(Exception):
    """A pack (or a set of packs) that must not be loaded."""

    def __init__(self, issues: list[PackIssue]) -> None:
        self.issues = tuple(issues)
        super().__init__("\n".join(str(issue) for issue in issues))


class PolicyInputError(ValueError):
    """Input the engine cannot work with: an unknown pack, a missing park parameter..."""

    def __init__(self, message: str, *, path: str = "", detail: str = "") -> None:
        self.message = message
        self.path = path
        self.detail = detail
        text = f"{path}: {message}" if path else message
        super().__init__(f"{text}（{detail}）" if detail else text)
