"""Every engine function as one JSON request → one JSON result, for the shells and the API.

`run(command, body, registry)` validates ``body`` with the request model of the command
(pydantic: the same schema the JSON API publishes), picks the pack version (the one asked
for, else the one in force on the relevant date), calls the engine and returns plain JSON
data in which every item carries its citation. Pure: no Django, no clock.

Commands: plan, evaluate, route, schedule, deadlines, gate, zone, diff.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from parkguard.policy import errors as E
from parkguard.policy.arrival import evaluate_plan, plan_arrival
from parkguard.policy.deadlines import (
    incident_deadlines,
    lockdown_deadlines,
    report_deadlines,
    zone_for,
)
from parkguard.policy.diff import diff_packs
from parkguard.policy.events import event_route
from parkguard.policy.facts import (
    EnterpriseFacts,
    EventFacts,
    Facts,
    ParamValue,
    PersonFacts,
    PlanRequest,
    Records,
)
from parkguard.policy.gate import entry_checks
from parkguard.policy.pack import Pack
from parkguard.policy.registry import Registry
from parkguard.policy.results import to_jsonable
from parkguard.policy.schedules import routine_schedule


class PackChoice(Facts):
    pack: str = Field(description="规则包 id")
    version: int | None = Field(None, description="版本；不填则用相关日期生效的版本")
    params: dict[str, ParamValue] = Field(default_factory=dict, description="园区设定的参数")


class EvaluateRequest(PlanRequest):
    """A plan and its status at ``at`` given what was recorded."""

    records: Records = Field(default_factory=Records, description="已记录的检测、申报、材料")
    at: datetime = Field(description="评估时刻")


class RouteRequest(PackChoice):
    event: EventFacts
    enterprise: EnterpriseFacts | None = None
    organiser: PersonFacts | None = None


class ScheduleRequest(PackChoice):
    start: date = Field(description="起始日期（含）")
    end: date = Field(description="结束日期（含）")
    activities: tuple[Literal["test", "temperature", "disinfection"], ...] = Field(
        ("test", "temperature", "disinfection"),
        description="test 检测、temperature 测温、disinfection 消杀",
    )
    anchor: date | None = Field(None, description="检测周期的起算日（园区固定，默认 start）")
    person: PersonFacts | None = None
    enterprise: EnterpriseFacts | None = None


class DeadlinesRequest(PackChoice):
    kind: Literal["lockdown", "incident", "report"] = Field(
        description="lockdown 封控指令后、incident 发现疫情后、report 每日报送"
    )
    at: datetime | None = Field(None, description="指令下达或发现疫情的时间（lockdown、incident）")
    start: date | None = Field(None, description="每日报送的起始日期（report）")
    end: date | None = Field(None, description="每日报送的结束日期（report）")


class GateRequest(PackChoice):
    person: PersonFacts
    place: str = Field(description="地点，如 plant_gate 厂区出入口")
    at: datetime = Field(description="查验时间")
    enterprise: EnterpriseFacts | None = None


class ZoneRequest(PackChoice):
    person: PersonFacts
    at: datetime = Field(description="判断时间")


class DiffRequest(Facts):
    pack: str = Field(description="规则包 id")
    old: int = Field(description="旧版本")
    new: int = Field(description="新版本")


REQUESTS: dict[str, type[Facts]] = {
    "plan": PlanRequest,
    "evaluate": EvaluateRequest,
    "route": RouteRequest,
    "schedule": ScheduleRequest,
    "deadlines": DeadlinesRequest,
    "gate": GateRequest,
    "zone": ZoneRequest,
    "diff": DiffRequest,
}
COMMAND_HELP = {
    "plan": "到达人员的防控计划",
    "evaluate": "计划完成情况与能否进厂",
    "route": "活动、外出、复工的审批路线",
    "schedule": "日常检测、测温、消杀排程",
    "deadlines": "封控、疫情处置与每日报送时限",
    "gate": "门岗查验项目",
    "zone": "人员所属分区",
    "diff": "两个版本之间的逐条差异",
}


def _pack(registry: Registry, pack_id: str, version: int | None, on: date) -> Pack:
    return registry.get(pack_id, version) if version is not None else registry.in_force(pack_id, on)


def _plan(r: PlanRequest, registry: Registry) -> Any:
    pack = _pack(registry, r.pack, r.version, r.arrived_at.date())
    return plan_arrival(
        pack=pack,
        person=r.person,
        arrived_at=r.arrived_at,
        enterprise=r.enterprise,
        params=r.params,
        choices=r.choices,
    )


def _evaluate(r: EvaluateRequest, registry: Registry) -> Any:
    plan = _plan(r, registry)
    return {"plan": plan, "status": evaluate_plan(plan=plan, records=r.records, at=r.at)}


def _route(r: RouteRequest, registry: Registry) -> Any:
    pack = _pack(registry, r.pack, r.version, r.event.starts_at.date())
    return event_route(
        pack=pack, event=r.event, enterprise=r.enterprise, organiser=r.organiser, params=r.params
    )


def _schedule(r: ScheduleRequest, registry: Registry) -> Any:
    pack = _pack(registry, r.pack, r.version, r.start)
    return routine_schedule(
        pack=pack,
        start=r.start,
        end=r.end,
        activities=r.activities,
        anchor=r.anchor,
        person=r.person,
        enterprise=r.enterprise,
        params=r.params,
    )


def _deadlines(r: DeadlinesRequest, registry: Registry) -> Any:
    if r.kind == "report":
        if r.start is None or r.end is None:
            raise E.PolicyInputError(E.ERR_REQUEST_DATES, path="start")
        pack = _pack(registry, r.pack, r.version, r.start)
        return report_deadlines(pack=pack, start=r.start, end=r.end, params=r.params)
    if r.at is None:
        raise E.PolicyInputError(E.ERR_REQUEST_MOMENT, path="at")
    pack = _pack(registry, r.pack, r.version, r.at.date())
    if r.kind == "lockdown":
        return lockdown_deadlines(pack=pack, ordered_at=r.at, params=r.params)
    return incident_deadlines(pack=pack, found_at=r.at, params=r.params)


def _gate(r: GateRequest, registry: Registry) -> Any:
    pack = _pack(registry, r.pack, r.version, r.at.date())
    return entry_checks(
        pack=pack,
        person=r.person,
        place=r.place,
        at=r.at,
        enterprise=r.enterprise,
        params=r.params,
    )


def _zone(r: ZoneRequest, registry: Registry) -> Any:
    pack = _pack(registry, r.pack, r.version, r.at.date())
    return {"zone": zone_for(pack=pack, person=r.person, at=r.at, params=r.params)}


def _diff(r: DiffRequest, registry: Registry) -> Any:
    return diff_packs(registry.get(r.pack, r.old), registry.get(r.pack, r.new))


_RUN: Mapping[str, Callable[[Any, Registry], Any]] = {
    "plan": lambda r, reg: {"plan": _plan(r, reg)},
    "evaluate": _evaluate,
    "route": _route,
    "schedule": lambda r, reg: {"items": _schedule(r, reg)},
    "deadlines": lambda r, reg: {"deadlines": _deadlines(r, reg)},
    "gate": _gate,
    "zone": _zone,
    "diff": lambda r, reg: {"changes": _diff(r, reg)},
}


def parse(command: str, body: object) -> Facts:
    """The request model of the command, validated (raises pydantic ValidationError)."""
    return REQUESTS[command].model_validate(body)


def run_request(command: str, request: Facts, registry: Registry) -> dict[str, Any]:
    """The engine's answer as JSON data (raises PolicyInputError on bad input)."""
    return to_jsonable(_RUN[command](request, registry))


def run(command: str, body: object, registry: Registry) -> dict[str, Any]:
    return run_request(command, parse(command, body), registry)
