"""JSON API of the rule packs: list them, explain one, and every engine function (plan,
evaluate, route, schedule, deadlines, gate, zone, diff) for given facts, with citations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.responses import Status

from parkguard.api.auth import scope
from parkguard.lib.api_errors import FieldErrors
from parkguard.policy import Pack, PlanRequest, PolicyInputError, Records, explain
from parkguard.policy.requests import (
    DeadlinesRequest,
    EvaluateRequest,
    GateRequest,
    RouteRequest,
    ScheduleRequest,
    ZoneRequest,
)
from parkguard.rules import selectors
from parkguard.rules.registry import registry
from parkguard.rules.selectors import input_error

router = Router(tags=["规则包"])


class PackOut(Schema):
    id: str
    version: int
    title: str
    document_number: str
    issuer: str
    jurisdiction: str
    effective_from: dt.date
    effective_to: dt.date | None
    status: str
    day_numbering: str = Field(description="日序约定，如 arrival_day_is_1：到达当日为第1天")
    in_force_today: bool
    requirements: list[str] = Field(description="规则包引用的要求编号（REQUIREMENTS.md）")
    rule_count: int
    parameters: dict[str, Any] = Field(description="留给园区设定的参数及其说明")


class PackDetailOut(PackOut):
    explanation: list[str] = Field(description="逐条规则的中文说明与出处")


class PlanIn(PlanRequest):
    """The facts of a person's arrival; with `records` and `at`, the plan's status too."""

    records: Records | None = Field(None, description="已记录的检测与申报（用于评估计划完成情况）")
    at: dt.datetime | None = Field(None, description="评估时刻（与 records 一同提供）")


def _pack_out(pack: Pack, cls: type[PackOut] = PackOut, **extra: Any) -> Any:
    meta = pack.meta
    return cls(
        id=meta.id,
        version=meta.version,
        title=meta.title,
        document_number=meta.document_number,
        issuer=meta.issuer,
        jurisdiction=meta.jurisdiction,
        effective_from=meta.effective_from,
        effective_to=meta.effective_to,
        status=meta.status,
        day_numbering=meta.day_numbering,
        in_force_today=registry().is_in_force(pack, timezone.localdate()),
        requirements=list(pack.requirements()),
        rule_count=len(pack.rules),
        parameters={k: v.model_dump(exclude_none=True) for k, v in pack.parameters.items()},
        **extra,
    )


@router.get("/policy/packs", response=list[PackOut], summary="全部规则包（各版本）")
def pack_list(request: HttpRequest) -> list[PackOut]:
    return [_pack_out(p) for p in registry().packs()]


@router.get(
    "/policy/packs/{pack_id}",
    response={200: PackDetailOut, 404: FieldErrors},
    summary="规则包在某日生效的版本及逐条说明",
)
def pack_detail(request: HttpRequest, pack_id: str, on: dt.date | None = None) -> Any:
    try:
        pack = selectors.pack_for(pack_id=pack_id, version=None, on=on or timezone.localdate())
    except PolicyInputError as exc:
        return Status(404, {"detail": [{"loc": ["path", "pack_id"], "msg": input_error(exc)}]})
    return _pack_out(pack, PackDetailOut, explanation=explain(pack))


@router.post(
    "/policy/plan",
    response={200: dict[str, Any], 422: FieldErrors},
    summary="按规则包计算到达人员的防控计划（带出处）",
)
def plan(request: HttpRequest, payload: PlanIn) -> Any:
    """Facts in, plan out: obligations with due times, phases, test days, earliest entry.

    Every rule, obligation and phase carries its citation (pack, version, document number,
    requirement ID, clause). With `records` and `at`, `status` says what is done, due or
    overdue and whether the person may enter now.
    """
    facts = PlanRequest.model_validate(payload.model_dump(exclude={"records", "at"}))
    if not facts.params:
        # The caller's park's values for what the notice leaves to the locality.
        params = selectors.park_params(scope=scope(request), pack_id=facts.pack)
        facts = facts.model_copy(update={"params": params})
    try:
        return selectors.plan_preview(request=facts, records=payload.records, at=payload.at)
    except PolicyInputError as exc:
        loc = ["body", "payload", *[p for p in exc.path.split(".") if p]]
        return Status(422, {"detail": [{"loc": loc, "msg": input_error(exc)}]})


# --- every engine function (issue 10 §2) ------------------------------------------------
def _with_park_params(request: HttpRequest, payload: Any) -> Any:
    """The caller's park's parameter values when the body gives none."""
    if getattr(payload, "params", None) or not hasattr(payload, "pack"):
        return payload
    params = selectors.park_params(scope=scope(request), pack_id=payload.pack)
    return payload.model_copy(update={"params": params})


def _engine(request: HttpRequest, command: str, payload: Any) -> Any:
    try:
        return selectors.engine_run_request(
            command=command, request=_with_park_params(request, payload)
        )
    except PolicyInputError as exc:
        loc = ["body", "payload", *[p for p in exc.path.split(".") if p]]
        return Status(422, {"detail": [{"loc": loc, "msg": input_error(exc)}]})


_RESPONSES: dict[int, Any] = {200: dict[str, Any], 422: FieldErrors}


@router.post("/policy/evaluate", response=_RESPONSES, summary="计划完成情况与能否进厂（带出处）")
def evaluate(request: HttpRequest, payload: EvaluateRequest) -> Any:
    """A plan and, given the recorded tests, notices and documents, its status at `at`."""
    return _engine(request, "evaluate", payload)


@router.post("/policy/route", response=_RESPONSES, summary="活动、外出、复工的审批路线（带出处）")
def route(request: HttpRequest, payload: RouteRequest) -> Any:
    return _engine(request, "route", payload)


@router.post("/policy/schedule", response=_RESPONSES, summary="日常检测、测温、消杀排程（带出处）")
def schedule(request: HttpRequest, payload: ScheduleRequest) -> Any:
    return _engine(request, "schedule", payload)


@router.post(
    "/policy/deadlines", response=_RESPONSES, summary="封控、疫情处置与每日报送时限（带出处）"
)
def deadlines(request: HttpRequest, payload: DeadlinesRequest) -> Any:
    return _engine(request, "deadlines", payload)


@router.post("/policy/gate", response=_RESPONSES, summary="门岗查验项目（带出处）")
def gate(request: HttpRequest, payload: GateRequest) -> Any:
    return _engine(request, "gate", payload)


@router.post("/policy/zone", response=_RESPONSES, summary="人员所属分区（带出处）")
def zone(request: HttpRequest, payload: ZoneRequest) -> Any:
    return _engine(request, "zone", payload)


@router.get(
    "/policy/packs/{pack_id}/diff",
    response={200: dict[str, Any], 404: FieldErrors},
    summary="规则包两个版本之间的逐条差异（中文）",
)
def diff(request: HttpRequest, pack_id: str, old: int, new: int) -> Any:
    try:
        return selectors.engine_run(command="diff", body={"pack": pack_id, "old": old, "new": new})
    except PolicyInputError as exc:
        return Status(404, {"detail": [{"loc": ["path", "pack_id"], "msg": input_error(exc)}]})
