"""Facts the engine works on: a person, an enterprise, an event, what was recorded.

These are pydantic models so that the JSON API can use them as its request schema
(django-ninja speaks pydantic 2); the descriptions are the field help shown to users.
They are frozen: the engine never changes its input.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from parkguard.policy.schema import EventKind, Origin, PersonKind, RiskLevel, StaffCategory


class Facts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Stay(Facts):
    """A place the person stayed in or passed through before arriving."""

    region: str = Field(description="地区名称，如“某市某区某街道”")
    risk: RiskLevel = Field("low", description="该地的风险等级：low 低、medium 中、high 高")
    county_risk: RiskLevel | None = Field(
        None, description="该地所在区县内的最高风险等级（不填则同 risk）"
    )
    first_day: date = Field(description="在该地的第一天")
    last_day: date = Field(description="在该地的最后一天（离开当天）")
    transit: bool = Field(False, description="仅途经，未停留")


class Sample(Facts):
    """One sample (a nucleic-acid test) with its result."""

    sampled_at: datetime = Field(description="采样时间")
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


class EnterpriseFacts(Facts):
    """The enterprise the person goes to or that holds the event."""

    headcount: int = Field(0, ge=0, description="员工人数")
    frequent_movement: bool = Field(False, description="人员进出频繁")
    has_observation_point: bool = Field(False, description="已设立防疫隔离观察点")
    essential: bool = Field(False, description="属于保障公共事业运行、疫情防控、群众生活必需的企业")


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
    destination_risk: RiskLevel | None = Field(None, description="外出目的地的风险等级")
    online: bool = Field(False, description="线上举办")


class NoticeRecord(Facts):
    """A declaration, filing or report that was made, by the key of its obligation."""

    obligation: str = Field(description="义务编号（计划中的 key）")
    at: datetime = Field(description="完成时间")


class Records(Facts):
    """What was recorded after a plan was made: tests and notices."""

    tests: tuple[Sample, ...] = Field((), description="核酸检测记录（含到达前的）")
    notices: tuple[NoticeRecord, ...] = Field((), description="申报、报备、报告记录")


ParamValue = int | float | bool | str


class PlanRequest(Facts):
    """Everything a plan needs, as one JSON body."""

    pack: str = Field(description="规则包 id")
    version: int | None = Field(None, description="版本；不填则用到达日生效的版本")
    person: PersonFacts
    arrived_at: datetime = Field(description="到达时间")
    enterprise: EnterpriseFacts | None = None
    params: dict[str, ParamValue] = Field(default_factory=dict, description="园区设定的参数")
