"""Facts the engine works on: a person, an enterprise, an event, what was recorded.

These are pydantic models so that the JSON API can use them as its request schema
(django-ninja speaks pydantic 2); the descriptions are the field help shown to users.
They are frozen: the engine never changes its input.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from parkguard.policy.schema import EventKind, Origin, PersonKind, StaffCategory, TestKind


class Facts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# A value of a fact a pack declares (its type is checked against the declaration).
FactValue = bool | int | str | list[str]
RISK_HELP = (
    "风险等级，用规则包的风险用语（默认 low 低、medium 中、high 高；"
    "也可以是封控区、管控区、防范区等）"
)


class Stay(Facts):
    """A place the person stayed in or passed through before arriving."""

    region: str = Field(description="地区名称，如“某市某区某街道”")
    risk: str | None = Field(None, description=f"该地（地点本身）的{RISK_HELP}；不填为无风险等级")
    county_risk: str | None = Field(
        None, description="该地所在区县内的最高风险等级（不填则同 risk）"
    )
    city_risk: str | None = Field(None, description="该地所在地市内的最高风险等级（不填则同区县）")
    province_risk: str | None = Field(
        None, description="该地所在省份内的最高风险等级（不填则同地市）"
    )
    first_day: date = Field(description="在该地的第一天")
    last_day: date = Field(description="在该地的最后一天（离开当天）")
    transit: bool = Field(False, description="仅途经，未停留")


class Sample(Facts):
    """One sample (a nucleic-acid test) with its result."""

    sampled_at: datetime = Field(description="采样时间")
    kind: TestKind = Field("nat", description="检测种类：nat 核酸、antigen 抗原")
    result: Literal["negative", "positive", "pending"] = Field(
        "negative", description="结果：negative 阴性、positive 阳性、pending 待出"
    )


class PersonFacts(Facts):
    """Who the person is and where they come from; the input of a plan or a gate check."""

    kind: PersonKind = Field(
        description="人员类别：employee 员工、visitor 来访人员、truck_crew 货车司乘"
    )
    staff_category: StaffCategory | None = Field(
        None,
        description=(
            "员工类别：regular 正式员工、intern 实习、client_dispatched 客户派驻、"
            "labour_dispatch 劳务派遣、outsourced 第三方外包、temporary 临时进入"
        ),
    )
    returnee: bool = Field(False, description="是否为外出（差旅、返乡）后返岗的员工")
    origin: Origin = Field(
        "local",
        description=(
            "从哪里来（相对于规则包的辖区）：local 本地、out_of_county 区县外、"
            "out_of_prefecture 地市外、out_of_province 省外、abroad 境外"
        ),
    )
    stays: tuple[Stay, ...] = Field((), description="到达前的旅居史（含途经）")
    key_population: tuple[str, ...] = Field(
        (),
        description=(
            "重点人群类型，如 cold_chain 冷链、port 口岸、quarantine_site 隔离场所、"
            "transport 交通运输"
        ),
    )
    roles: tuple[str, ...] = Field(
        (), description="岗位标签，如 security 保安、cleaner 保洁、canteen 食堂"
    )
    certificates: tuple[Sample, ...] = Field((), description="到达前已有的核酸检测结果")
    departed_at: datetime | None = Field(None, description="离开风险地区（或离境）的时间")
    symptoms: tuple[str, ...] = Field((), description="现有症状（中文名称，如“发热”）")
    temperature_abnormal: bool = Field(False, description="体温检测异常")
    work_start_at: datetime | None = Field(None, description="开始上岗（开工）的时间")
    hired_on: date | None = Field(None, description="入职日期")
    symptom_onset_at: datetime | None = Field(None, description="出现症状的时间")
    first_positive_at: datetime | None = Field(None, description="首次检测阳性的采样时间")
    ordered_at: datetime | None = Field(None, description="接到指令（通知、管控要求）的时间")
    facts: dict[str, FactValue] = Field(
        default_factory=dict,
        description="规则包声明的其他事实（如岗位类别、健康码颜色），键为事实名",
    )


class EnterpriseFacts(Facts):
    """The enterprise the person goes to or that holds the event."""

    headcount: int = Field(0, ge=0, description="员工人数")
    frequent_movement: bool = Field(False, description="人员进出频繁")
    has_observation_point: bool = Field(False, description="已设立防疫隔离观察点")
    essential: bool = Field(False, description="属于保障公共事业运行、疫情防控、群众生活必需的企业")
    area_risk: str | None = Field(None, description=f"企业所在区域的管控状态或{RISK_HELP}")
    facts: dict[str, FactValue] = Field(
        default_factory=dict, description="规则包声明的企业事实（如行业、标签），键为事实名"
    )


class EventFacts(Facts):
    """A gathering, business event, trip or resumption of work that may need approval."""

    kind: EventKind = Field(
        description=(
            "类型：business_event 商务活动、gathering 聚集性活动、private_gathering 家庭私人聚会、"
            "trip 外出、resumption 复工复产"
        )
    )
    starts_at: datetime = Field(description="开始时间（外出为出发时间）")
    headcount: int = Field(0, ge=0, description="人数")
    participants_origin: Origin = Field("local", description="参与人员中最远的来源")
    destination: Origin | None = Field(None, description="外出目的地（相对于辖区）")
    destination_risk: str | None = Field(None, description="外出目的地的风险等级")
    online: bool = Field(False, description="线上举办")


class NoticeRecord(Facts):
    """A declaration, filing or report that was made, by the key of its obligation."""

    obligation: str = Field(description="义务编号（计划中的 key）")
    at: datetime = Field(description="完成时间")


class DocumentRecord(Facts):
    """A document (application, proof, commitment letter) submitted and perhaps approved."""

    obligation: str = Field(description="义务编号（计划中的 key）")
    submitted_at: datetime = Field(description="提交时间")
    approved_at: datetime | None = Field(None, description="审核通过时间")


class Records(Facts):
    """What was recorded after a plan was made: tests, notices, documents, symptoms."""

    tests: tuple[Sample, ...] = Field((), description="核酸、抗原检测记录（含到达前的）")
    notices: tuple[NoticeRecord, ...] = Field((), description="申报、报备、报告记录")
    documents: tuple[DocumentRecord, ...] = Field((), description="提交（及审核）的材料")
    symptoms_gone_at: datetime | None = Field(None, description="症状消失的时间")


class CaseChoice(Facts):
    """An officer's choice for one case within the pack's bounds, with the reason."""

    value: int | str = Field(description="选择的值（天数，或选项名）")
    by: str = Field(min_length=1, description="决定人")
    reason: str = Field(min_length=1, description="理由")


ParamValue = int | float | bool | str


class PlanRequest(Facts):
    """Everything a plan needs, as one JSON body."""

    pack: str = Field(description="规则包 id")
    version: int | None = Field(None, description="版本；不填则用到达日生效的版本")
    person: PersonFacts
    arrived_at: datetime = Field(description="到达时间")
    enterprise: EnterpriseFacts | None = None
    params: dict[str, ParamValue] = Field(default_factory=dict, description="园区设定的参数")
    choices: dict[str, CaseChoice] = Field(
        default_factory=dict, description="逐案选择（如缩短隔离天数），须写明决定人和理由"
    )
