"""JSON API of duties: due-today and overdue lists (masked), coverage, the key-population
test ledger (Z-3.2) and the daily figures behind the dashboards' charts. Session only:
every answer is about people, and device tokens read no personal data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from parkguard.api.auth import SessionScope, scope
from parkguard.duties import selectors
from parkguard.lib.api_datetimes import LocalDateTime
from parkguard.orgs.access import scope_of
from parkguard.people.selectors import unit_and_below

router = Router(tags=["防疫任务"])
SESSION = SessionScope(scope_of)


class ListQuery(Schema):
    page: int = Field(1, ge=1, le=selectors.MAX_PAGE, description="页码")
    unit_id: int | None = Field(
        None, ge=1, le=selectors.MAX_ID - 1, description="部门/班组（含下级）"
    )


class DutyOut(Schema):
    id: int
    person_id: int
    name: str = Field(description="姓名（脱敏）")
    phone: str = Field(description="手机号（脱敏）")
    unit: str
    kind: str = Field(description="事项")
    label: str
    due_by: LocalDateTime


class DutyPageOut(Schema):
    page: int
    has_next: bool
    rows: list[DutyOut]


class CoverageOut(Schema):
    due: int = Field(description="本周期应做例行检测的人数")
    done: int = Field(description="其中已完成")
    share: float | None = Field(description="覆盖率（0–1），无应检人员为 null")
    overdue: int = Field(description="有逾期未完成任务的人数")
    due_today: int = Field(description="今日到期的人数")
    key_group: int = Field(description="应检人员中社会接触面广岗位的人数（J-1.5c）")
    latest_sample: LocalDateTime | None = Field(description="最近一次满足任务的采样时间")


class UnitCoverageOut(Schema):
    unit: str
    coverage: CoverageOut


class EnterpriseCoverageOut(Schema):
    total: CoverageOut
    units: list[UnitCoverageOut]


class LedgerRowOut(Schema):
    enterprise_id: int
    enterprise: str
    coverage: CoverageOut


class LedgerOut(Schema):
    place: str
    total: CoverageOut
    rows: list[LedgerRowOut]


class FigureOut(Schema):
    on: dt.date
    headcount: int
    declared: int
    declared_rate: float | None = Field(description="申报率（%）")
    test_due: int
    test_done: int
    coverage: float | None = Field(description="检测覆盖率（%）")
    overdue: int
    positives: int


def _coverage(c: selectors.Coverage) -> dict[str, Any]:
    return {
        "due": c.due,
        "done": c.done,
        "share": c.share,
        "overdue": c.overdue,
        "due_today": c.due_today,
        "key_group": c.key_group,
        "latest_sample": c.latest_sample,
    }


def _page(request: HttpRequest, enterprise_id: int, which: str, query: ListQuery) -> Any:
    caller = scope(request)
    enterprise = selectors.enterprise_for_duties(scope=caller, enterprise_id=enterprise_id)
    units = unit_and_below(enterprise, query.unit_id) if query.unit_id else None
    found = selectors.duty_list(
        scope=caller,
        enterprise=enterprise,
        which=which,
        at=timezone.now(),
        unit_ids=units,
        page=query.page,
    )
    return {"page": found.page, "has_next": found.has_next, "rows": found.rows}


@router.get(
    "/duties/enterprises/{enterprise_id}/due-today",
    response=DutyPageOut,
    auth=SESSION,
    summary="今日到期未完成的任务（按截止时间，分页）",
)
def due_today(request: HttpRequest, enterprise_id: int, query: Query[ListQuery]) -> Any:
    return _page(request, enterprise_id, selectors.TODAY, query)


@router.get(
    "/duties/enterprises/{enterprise_id}/overdue",
    response=DutyPageOut,
    auth=SESSION,
    summary="已逾期未完成的任务（按截止时间，分页）",
)
def overdue(request: HttpRequest, enterprise_id: int, query: Query[ListQuery]) -> Any:
    return _page(request, enterprise_id, selectors.OVERDUE, query)


@router.get(
    "/duties/enterprises/{enterprise_id}/coverage",
    response=EnterpriseCoverageOut,
    auth=SESSION,
    summary="企业本周期例行检测覆盖（合计与各部门，Z-5.2b）",
)
def coverage(request: HttpRequest, enterprise_id: int) -> Any:
    caller = scope(request)
    enterprise = selectors.enterprise_for_duties(scope=caller, enterprise_id=enterprise_id)
    total, units = selectors.enterprise_coverage(
        scope=caller, enterprise=enterprise, at=timezone.now()
    )
    return {
        "total": _coverage(total),
        "units": [{"unit": name, "coverage": _coverage(c)} for name, c in units],
    }


@router.get(
    "/duties/ledger/{jurisdiction_id}",
    response=LedgerOut,
    auth=SESSION,
    summary="重点人群核酸检测台账（园区，或社区居民部分，Z-3.2）",
)
def ledger(request: HttpRequest, jurisdiction_id: int) -> Any:
    caller = scope(request)
    place = selectors.ledger_place(scope=caller, jurisdiction_id=jurisdiction_id)
    total, rows = selectors.key_population_ledger(scope=caller, at=timezone.now(), place=place)
    return {
        "place": place.name,
        "total": _coverage(total),
        "rows": [
            {
                "enterprise_id": r.enterprise_id,
                "enterprise": r.enterprise,
                "coverage": _coverage(r.coverage),
            }
            for r in rows
        ],
    }


def _figures(trend: selectors.Trend) -> list[dict[str, Any]]:
    return [
        {
            "on": d.on,
            "headcount": d.headcount,
            "declared": d.declared,
            "declared_rate": d.declared_rate,
            "test_due": d.test_due,
            "test_done": d.test_done,
            "coverage": d.coverage,
            "overdue": d.overdue,
            "positives": d.positives,
        }
        for d in trend.days
    ]


@router.get(
    "/duties/enterprises/{enterprise_id}/figures",
    response=list[FigureOut],
    auth=SESSION,
    summary="企业近14日的每日防疫数据（申报率、检测覆盖率、逾期、阳性）",
)
def enterprise_figures(request: HttpRequest, enterprise_id: int) -> Any:
    caller = scope(request)
    enterprise = selectors.enterprise_for_duties(scope=caller, enterprise_id=enterprise_id)
    return _figures(
        selectors.figure_trend(scope=caller, end=timezone.localdate(), enterprise=enterprise)
    )


@router.get(
    "/duties/parks/{jurisdiction_id}/figures",
    response=list[FigureOut],
    auth=SESSION,
    summary="园区近14日的每日防疫数据（各企业合计）",
)
def park_figures(request: HttpRequest, jurisdiction_id: int) -> Any:
    caller = scope(request)
    park = selectors.park_for_figures(scope=caller, jurisdiction_id=jurisdiction_id)
    return _figures(selectors.figure_trend(scope=caller, end=timezone.localdate(), park=park))
