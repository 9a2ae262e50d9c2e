"""The freight ledgers as Excel sheets, in the layout inspectors ask for (J-1.3 登记台账,
Z-5.3c, Z-5.3d): trucks with their crews, transport passes, parcels and takeaway. Names, ID
numbers and phones are masked, and so are those typed into routes, notes and decisions
(`free_text`); pick-up codes never leave the store. Written by the supplies
ledger's `workbook()`, so no cell can turn into a formula. Each export is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.utils import timezone

from parkguard.audit.services import audit_record
from parkguard.lib.xlsx import free_text
from parkguard.logistics.models import Parcel, TransportPass, TruckDeclaration
from parkguard.logistics.services import dwell_minutes
from parkguard.notify.privacy import name_mask
from parkguard.orgs.access import Scope, require
from parkguard.orgs.models import Enterprise
from parkguard.people.identity import phone_mask
from parkguard.supplies.exporting import Cell, Sheet, when, who, workbook

TRUCK_HEADER = [
    "车牌号",
    "申报方",
    "计划抵达",
    "行驶路线",
    "近7天旅居史",
    "申报时间",
    "状态",
    "查验三码",
    "车辆消杀",
    "货物消杀",
    "装卸区",
    "装卸人员",
    "入园时间",
    "离园时间",
    "在园分钟",
    "查验人",
]
CREW_HEADER = ["车牌号", "姓名", "身份证号", "电话", "核酸采样时间", "核酸阴性", "疫苗剂次", "体温"]
PASS_HEADER = [
    "车牌号",
    "通行路线",
    "运输物资",
    "有效期起",
    "有效期至",
    "状态",
    "申请时间",
    "申请人",
    "审批时间",
    "审批人",
    "审批意见",
]
PARCEL_HEADER = ["到达时间", "类别", "收件人", "说明", "外包装消毒时间", "取件时间", "登记人"]


def _yes(value: bool) -> str:
    return "是" if value else "否"


def _audit(
    what: str, *, enterprise: Enterprise, rows: int, at: dt.datetime, by: User | None
) -> None:
    audit_record(
        actor=by,
        action=f"logistics.{what}.export",
        at=at,
        target=enterprise,
        enterprise_id=enterprise.pk,
        jurisdiction_id=enterprise.jurisdiction_id,
        detail={"rows": rows, "masked": True},
    )


def trucks_xlsx(
    *,
    scope: Scope,
    enterprise: Enterprise,
    trucks: Iterable[TruckDeclaration],
    at: dt.datetime,
    by: User | None,
) -> bytes:
    """The truck register and its crews (J-1.3), masked; audited."""
    require(scope, "manage_trucks", enterprise)
    trucks = list(trucks)
    rows: list[list[Cell]] = []
    crew: list[list[Cell]] = []
    for t in trucks:
        minutes = dwell_minutes(t, at)
        rows.append(
            [
                t.plate,
                t.get_declared_by_display(),
                when(t.planned_arrival),
                free_text(t.route),
                free_text(t.travel_history),
                when(t.submitted_at),
                t.get_state_display(),
                _yes(t.codes_checked),
                _yes(t.truck_disinfected),
                _yes(t.goods_disinfected),
                t.loading_zone,
                free_text(t.loaders),
                when(t.entered_at),
                when(t.left_at),
                "" if minutes is None else minutes,
                who(t.checked_by),
            ]
        )
        for m in t.crew.all():
            crew.append(
                [
                    t.plate,
                    name_mask(m.name),
                    m.id_masked,
                    phone_mask(m.phone),
                    when(m.tested_at),
                    _yes(m.test_negative),
                    m.vaccine_doses,
                    "" if m.temperature is None else str(m.temperature),
                ]
            )
    title = f"{enterprise.name} 货车进出登记台账（{timezone.localdate(at)}）"
    body = workbook(
        [Sheet("货车", TRUCK_HEADER, rows, title=title), Sheet("司乘人员", CREW_HEADER, crew)]
    )
    _audit("trucks", enterprise=enterprise, rows=len(rows), at=at, by=by)
    return body


def passes_xlsx(
    *,
    scope: Scope,
    enterprise: Enterprise,
    passes: Iterable[TransportPass],
    at: dt.datetime,
    by: User | None,
) -> bytes:
    """The enterprise's transport passes (Z-5.3c, L-3.5) with their decisions."""
    require(scope, "manage_trucks", enterprise)
    rows = [
        [
            p.plate,
            free_text(p.route),
            free_text(p.purpose),
            p.valid_from.isoformat(),
            p.valid_until.isoformat(),
            p.get_state_display(),
            when(p.applied_at),
            who(p.applied_by),
            when(p.decided_at),
            who(p.decided_by),
            free_text(p.decision_note),
        ]
        for p in passes
    ]
    title = f"{enterprise.name} 运输通行证台账（{timezone.localdate(at)}）"
    body = workbook([Sheet("运输通行证", PASS_HEADER, rows, title=title)])
    _audit("passes", enterprise=enterprise, rows=len(rows), at=at, by=by)
    return body


def parcels_xlsx(
    *,
    scope: Scope,
    enterprise: Enterprise,
    parcels: Iterable[Parcel],
    at: dt.datetime,
    by: User | None,
) -> bytes:
    """The central store's parcels and takeaway (Z-5.3d): arrival, disinfection, pick-up;
    addressees masked, pick-up codes left out."""
    require(scope, "keep_parcels", enterprise)
    rows = [
        [
            when(p.arrived_at),
            p.get_kind_display(),
            name_mask(p.addressee.name),
            free_text(p.note),
            when(p.disinfected_at) or "未消毒",
            when(p.picked_up_at) or "未取件",
            who(p.logged_by),
        ]
        for p in parcels
    ]
    title = f"{enterprise.name} 快递外卖登记台账（{timezone.localdate(at)}）"
    body = workbook([Sheet("快递外卖", PARCEL_HEADER, rows, title=title)])
    _audit("parcels", enterprise=enterprise, rows=len(rows), at=at, by=by)
    return body
