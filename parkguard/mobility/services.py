"""Writes of mobility: the risk-area register, trips, return declarations and their plans.

Every service checks the caller's right first (`orgs.access.require`), validates everything
before writing anything (a field-level Chinese error, nothing saved), and takes `at`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from parkguard.audit.services import audit_record
from parkguard.duties.choices import DutyKind
from parkguard.duties.services import DutySpec, duties_replace, duty_evidence_record
from parkguard.mobility import rules
from parkguard.mobility.choices import (
    TRIP_OPEN,
    EvidenceKind,
    IsolationKind,
    PlanState,
    PointKind,
    TestResult,
    Transport,
    TripPurpose,
    TripStatus,
)
from parkguard.mobility.divisions import UNKNOWN_DIVISION, division_full_name, division_get
from parkguard.mobility.models import (
    IsolationRecord,
    ObservationPoint,
    PlanEvidence,
    ReturnDeclaration,
    ReturnPlan,
    RiskArea,
    Trip,
    TripStop,
)
from parkguard.mobility.stored import plan_from_json, plan_keys
from parkguard.notify.choices import Kind
from parkguard.notify.services import notify_send
from parkguard.orgs.access import Scope, require
from parkguard.orgs.choices import Role
from parkguard.orgs.models import Jurisdiction, Membership
from parkguard.people.choices import EmploymentStatus
from parkguard.people.models import Person
from parkguard.people.sheets import SheetError, sheet_kind, sheet_limits, sheet_rows
from parkguard.policy import Plan, PolicyInputError, evaluate_plan, to_jsonable
from parkguard.policy.declarations import vocabulary
from parkguard.policy.facts import DocumentRecord, NoticeRecord, Records, Sample
from parkguard.policy.schema import AnyOf, ChoiceRef, Phases
from parkguard.rules.registry import registry
from parkguard.status.models import StatusHold
from parkguard.status.services import status_hold_clear, status_hold_open

# --- messages (tests import them) ---------------------------------------------------------
LEVEL_UNKNOWN = "风险等级不在本园区采用的规则包的用语中：{words}"
DATES_REVERSED = "截止日期不能早于起始日期"
SOURCE_REQUIRED = "请填写来源（发布机关、文件或公告）"
IMPORT_HEADER = "表头不符：第一行须为 行政区划代码、街道/社区、风险等级、起始日期、截止日期、来源"
IMPORT_ROW = "第 {row} 行 {field}：{message}"
IMPORT_EMPTY = "文件中没有风险区域"
DATE_INVALID = "日期格式不正确（应为 2022-11-15）"
EDIT_REASON_REQUIRED = "请填写修改理由（记入该条的变更历史）"
EDIT_REASON_LONG = "修改理由不能超过 {limit} 字"
EDIT_UNCHANGED = "没有修改任何内容"
DESTINATION_REQUIRED = "请至少填写一个目的地"
TRIP_DATES_REVERSED = "预计返回日期不能早于出发日期"
STOP_DATES = "目的地的日期须在出发与返回日期之间，且离开日期不早于到达日期、按先后顺序排列"
TRIP_LEFT = "出发日期已过，只能修改尚未出发的行程的出发日期"
TRIP_CLOSED = "该行程已结束或已取消，不能再修改"
TRIP_REFUSED = "该行程未获批准，不能修改；如仍需出行，请重新报备"
TRIP_UNCHANGED = "行程没有变化"
PURPOSE_INVALID = "请选择事由：因公或因私"
TRIP_CHANGED_SINCE = "本人已修改该行程，请查看修改后的行程再审批"
TRIP_FORBIDDEN = "按规定不得前往：{text}"
NOT_PENDING = "该行程不在待审批状态"
REFUSAL_REASON = "不批准时请填写理由"
PERSON_NOT_ACTIVE = "该人员不在职，不能报备出行或申报返岗"
RETURN_BEFORE_TRIP = "抵达时间早于该次出行的出发日期"
ARRIVAL_TOO_LATE = "抵达时间不能晚于现在起 {days} 天"
STAYS_REQUIRED = "请至少填写一个旅居地点"
STAYS_ORDER = (
    "旅居地点的日期顺序不合理：每处的离开日期不能早于到达日期，"
    "后一处不能早于前一处，且都不能晚于抵达日期"
)
CERT_RESULT = "核酸证明的结果须为阴性、阳性或待出结果"
CERT_AFTER_ARRIVAL = "核酸证明的采样时间不能晚于抵达时间"
RETURN_FORBIDDEN = "按规定暂不能接收返岗：{text}"
PLAN_FAILED = "无法按规则包计算计划：{message}"
EVIDENCE_UNKNOWN = "计划中没有这一项"
EVIDENCE_FUTURE = "完成时间不能晚于现在"
HOLD_KIND = "plan"
WAIT_PREFIX = "须待"
ISOLATION_UNTIL = "{label}至{end:%Y-%m-%d %H:%M}，期间不得进入厂区"
REASON_REQUIRED = "请填写变更理由"
SHORTEN_BEYOND = "缩短超出规则包允许的范围：最早只能到 {end:%Y-%m-%d %H:%M}"
RELEASE_EARLY = "未到结束时间，不能解除；如确需提前，请先在规则包允许的范围内缩短"
ALREADY_RELEASED = "该记录已解除"
END_BEFORE_START = "结束时间不能早于开始时间"
POINT_NAME = "请填写名称"
NO_OBSERVATION_POINT = (
    "本企业尚未设立防疫隔离观察点：按规定不得接收来自疫情较重地区的返岗员工（B-2.4）"
)
CAPACITY_INVALID = "容量须为正整数"
CLOSED = "该返岗申报已解除"


def _errors(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _entries(park: Jurisdiction) -> list[rules.Entry]:
    return [
        rules.Entry(code, level, start, end)
        for code, level, start, end in RiskArea.objects.filter(jurisdiction=park).values_list(
            "division_code", "level", "effective_from", "effective_to"
        )
    ]


# --- the risk-area register (park staff) ----------------------------------------------------
@dataclass(frozen=True)
class RiskAreaIn:
    division_code: str
    place: str
    level: str
    effective_from: dt.date | None
    effective_to: dt.date | None
    source: str


def _risk_area_check(park: Jurisdiction, row: RiskAreaIn, on: dt.date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if division_get(row.division_code) is None:
        _add(errors, "division_code", UNKNOWN_DIVISION)
    words = rules.risk_words(park)
    if rules.risk_word_read(row.level, words) not in words:
        shown = "、".join(rules.risk_word_label(w) for w in words)
        _add(errors, "level", LEVEL_UNKNOWN.format(words=shown or "（无）"))
    if row.effective_from is None:
        _add(errors, "effective_from", DATE_INVALID)
    elif row.effective_to is not None and row.effective_to < row.effective_from:
        _add(errors, "effective_to", DATES_REVERSED)
    if not row.source.strip():
        _add(errors, "source", SOURCE_REQUIRED)
    return errors


@transaction.atomic
def risk_area_save(
    *,
    scope: Scope,
    park: Jurisdiction,
    row: RiskAreaIn,
    area: RiskArea | None = None,
    by: User | None,
    at: dt.datetime,
) -> RiskArea:
    """Add an entry to the park's register, or change one (its history keeps the old values)."""
    require(scope, "manage_risk_areas", area or park)
    _errors(_risk_area_check(park, row, at.date()))
    assert row.effective_from is not None
    area = area or RiskArea(jurisdiction=park, created_at=at)
    area.division_code = row.division_code.strip()
    area.division_name = division_full_name(area.division_code)
    area.place = row.place.strip()
    area.level = rules.risk_word_read(row.level, rules.risk_words(park))
    area.effective_from = row.effective_from
    area.effective_to = row.effective_to
    area.source = row.source.strip()
    area._history_user = by  # type: ignore[attr-defined]
    area._history_date = at  # type: ignore[attr-defined]
    area.save()
    return area


# What an edit may change: the place (its division) stays, a different place is a new entry.
RISK_AREA_EDITABLE = ("place", "level", "effective_from", "effective_to", "source")
# As long as the history's `history_change_reason` column (django-simple-history) holds.
EDIT_REASON_MAX: int = RiskArea.history.model._meta.get_field("history_change_reason").max_length


@dataclass(frozen=True)
class RiskAreaEdit:
    place: str
    level: str
    effective_from: dt.date | None
    effective_to: dt.date | None
    source: str


@transaction.atomic
def risk_area_edit(
    *,
    scope: Scope,
    area: RiskArea,
    edit: RiskAreaEdit,
    reason: str,
    by: User | None,
    at: dt.datetime,
) -> RiskArea:
    """Change an entry of the register (ending it early is the common case), with a reason.

    Validated as an add is (field-level errors, nothing saved); the previous values stay in
    the entry's history with who, when and why (issue 12 §1). Open plans do not follow: the
    park previews and confirms a risk-area change for that (`impact`)."""
    require(scope, "manage_risk_areas", area)
    park = area.jurisdiction
    row = RiskAreaIn(
        area.division_code,
        edit.place,
        edit.level,
        edit.effective_from,
        edit.effective_to,
        edit.source,
    )
    errors = _risk_area_check(park, row, at.date())
    reason = reason.strip()
    if not reason:
        _add(errors, "reason", EDIT_REASON_REQUIRED)
    elif len(reason) > EDIT_REASON_MAX:
        _add(errors, "reason", EDIT_REASON_LONG.format(limit=EDIT_REASON_MAX))
    _errors(errors)
    new: dict[str, Any] = {
        "place": edit.place.strip(),
        "level": rules.risk_word_read(edit.level, rules.risk_words(park)),
        "effective_from": edit.effective_from,
        "effective_to": edit.effective_to,
        "source": edit.source.strip(),
    }
    changed = {
        field: [_plain(getattr(area, field)), _plain(value)]
        for field, value in new.items()
        if getattr(area, field) != value
    }
    if not changed:
        raise ValidationError({"__all__": [EDIT_UNCHANGED]})
    for field, value in new.items():
        setattr(area, field, value)
    area._history_user = by  # type: ignore[attr-defined]
    area._history_date = at  # type: ignore[attr-defined]
    area._change_reason = reason  # type: ignore[attr-defined]
    area.save()
    audit_record(
        actor=by,
        action="mobility.risk_area_edit",
        at=at,
        target=area,
        jurisdiction_id=park.pk,
        reason=reason,
        detail={"division_code": area.division_code, "changed": changed},
    )
    return area


def _plain(value: object) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


@transaction.atomic
def risk_area_delete(*, scope: Scope, area: RiskArea, by: User | None) -> None:
    require(scope, "manage_risk_areas", area)
    area._history_user = by  # type: ignore[attr-defined]
    area.delete()


IMPORT_COLUMNS = ("行政区划代码", "街道/社区", "风险等级", "起始日期", "截止日期", "来源")
_FIELD_NAMES = dict(
    zip(
        ("division_code", "place", "level", "effective_from", "effective_to", "source"),
        IMPORT_COLUMNS,
        strict=True,
    )
)


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.replace("/", "-"))
    except ValueError:
        raise ValueError(DATE_INVALID) from None


def _cell(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value if value is not None else "").strip()


@transaction.atomic
def risk_area_import(
    *,
    scope: Scope,
    park: Jurisdiction,
    data: bytes,
    filename: str,
    by: User | None,
    at: dt.datetime,
) -> int:
    """Import a register from .xlsx/.csv: every row valid, or nothing written (row-level errors)."""
    require(scope, "manage_risk_areas", park)
    limits = sheet_limits()
    try:
        rows = sheet_rows(data=data, kind=sheet_kind(filename), limits=limits)
    except SheetError as exc:
        raise ValidationError({"file": [exc.message]}) from None
    rows = [r for r in rows if any(_cell(c) for c in r)]
    if not rows or tuple(_cell(c) for c in rows[0][: len(IMPORT_COLUMNS)]) != IMPORT_COLUMNS:
        raise ValidationError({"file": [IMPORT_HEADER]})
    if len(rows) == 1:
        raise ValidationError({"file": [IMPORT_EMPTY]})
    messages: list[str] = []
    parsed: list[RiskAreaIn] = []
    for number, raw in enumerate(rows[1:], start=2):
        cells = [*raw, *([""] * len(IMPORT_COLUMNS))][: len(IMPORT_COLUMNS)]
        code, place, level, start, end, source = cells
        dates: dict[str, dt.date | None] = {}
        row_errors: dict[str, list[str]] = {}
        for field, value in (("effective_from", start), ("effective_to", end)):
            try:
                dates[field] = _date(value)
            except ValueError as exc:
                dates[field] = None
                _add(row_errors, field, str(exc))
        row = RiskAreaIn(
            division_code=_cell(code),
            place=_cell(place),
            level=_cell(level),
            effective_from=dates["effective_from"],
            effective_to=dates["effective_to"],
            source=_cell(source),
        )
        for field, msgs in _risk_area_check(park, row, at.date()).items():
            if field == "effective_from" and "effective_from" in row_errors:
                continue
            row_errors.setdefault(field, []).extend(msgs)
        for field, msgs in row_errors.items():
            messages += [
                IMPORT_ROW.format(row=number, field=_FIELD_NAMES[field], message=m) for m in msgs
            ]
        parsed.append(row)
    if messages:
        raise ValidationError({"file": messages})
    for row in parsed:
        risk_area_save(scope=scope, park=park, row=row, by=by, at=at)
    audit_record(
        actor=by,
        action="mobility.risk_area_import",
        at=at,
        jurisdiction_id=park.pk,
        detail={"rows": len(parsed)},
    )
    return len(parsed)


# --- trips (J-1.1, H-4.3) -------------------------------------------------------------------
@dataclass(frozen=True)
class StopIn:
    division_code: str
    first_day: dt.date
    last_day: dt.date


def _stops_check(
    stops: Sequence[StopIn], departs_on: dt.date, returns_on: dt.date
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if returns_on < departs_on:
        _add(errors, "returns_on", TRIP_DATES_REVERSED)
    if not stops:
        _add(errors, "stops", DESTINATION_REQUIRED)
    previous = departs_on
    for stop in stops:
        if division_get(stop.division_code) is None:
            _add(errors, "stops", UNKNOWN_DIVISION)
            continue
        if not (previous <= stop.first_day <= stop.last_day <= returns_on):
            _add(errors, "stops", STOP_DATES)
        previous = max(previous, stop.first_day)
    return {k: sorted(set(v), key=v.index) for k, v in errors.items()}


def _leaders(trip: Trip) -> list[int]:
    return list(
        Membership.objects.filter(
            enterprise_id=trip.enterprise_id, role=Role.ENTERPRISE_ADMIN
        ).values_list("user_id", flat=True)
    )


def _route(
    *, park: Jurisdiction, departs_on: dt.date, stops: Sequence[StopIn], at: dt.datetime
) -> tuple[dict[str, Any], str]:
    """The engine's route for the trip; raises a field error for a prohibited destination."""
    departs = dt.datetime.combine(departs_on, dt.time.min, tzinfo=at.tzinfo)
    try:
        routes = rules.trip_routes(
            park=park,
            codes=[s.division_code for s in stops],
            departs=departs,
            entries=_entries(park),
        )
    except ValueError as exc:
        raise ValidationError({"stops": [str(exc)]}) from None
    forbidden = [text for r in routes for text in r.prohibitions]
    if forbidden:
        raise ValidationError({"stops": [TRIP_FORBIDDEN.format(text="；".join(forbidden))]})
    approver = next((a for r in routes for a in r.approvers), "")
    return {"packs": [r.data for r in routes]}, approver


def _ask_leaders(
    trip: Trip, stops: Sequence[StopIn], *, title: str, verb: str, at: dt.datetime
) -> None:
    """The enterprise's leaders are asked (again) to approve the trip as it now stands."""
    notify_send(
        user_ids=_leaders(trip),
        kind=Kind.GENERAL,
        title=title,
        body=f"{trip.person.name} {verb} {trip.departs_on:%m月%d日} 出发前往"
        f"{'、'.join(division_full_name(s.division_code) for s in stops)}，请审批。",
        link=f"/mobility/trips/{trip.pk}/",
        at=at,
    )


def _stops_write(trip: Trip, stops: Sequence[StopIn]) -> None:
    trip.stops.all().delete()
    # A trip read with its stops prefetched would otherwise show the old ones.
    getattr(trip, "_prefetched_objects_cache", {}).pop("stops", None)
    for n, stop in enumerate(stops, start=1):
        TripStop.objects.create(
            trip=trip,
            order=n,
            division_code=stop.division_code,
            division_name=division_full_name(stop.division_code),
            first_day=stop.first_day,
            last_day=stop.last_day,
        )


@transaction.atomic
def trip_file(
    *,
    scope: Scope,
    person: Person,
    purpose: str,
    departs_on: dt.date,
    returns_on: dt.date,
    stops: Sequence[StopIn],
    note: str = "",
    by: User | None,
    at: dt.datetime,
) -> Trip:
    """File a trip before leaving (J-1.1); a pack's approval (H-4.3) makes it wait for a leader."""
    require(scope, "file_trip", person)
    errors = _stops_check(stops, departs_on, returns_on)
    if purpose not in TripPurpose.values:
        _add(errors, "purpose", PURPOSE_INVALID)
    if person.status != EmploymentStatus.ACTIVE:
        _add(errors, "__all__", PERSON_NOT_ACTIVE)
    if departs_on < _local(at).date():  # the site's day, not UTC's (before 08:00 in China)
        _add(errors, "departs_on", TRIP_LEFT)
    _errors(errors)
    trip = Trip(
        person=person,
        enterprise=person.enterprise,
        purpose=purpose,
        departs_on=departs_on,
        returns_on=returns_on,
        note=note.strip(),
        filed_at=at,
    )
    trip.route, trip.approver = _route(
        park=person.enterprise.jurisdiction, departs_on=departs_on, stops=stops, at=at
    )
    trip.status = TripStatus.PENDING if trip.approver else TripStatus.FILED
    trip._history_user = by  # type: ignore[attr-defined]
    trip.save()
    _stops_write(trip, stops)
    if trip.approver:
        _ask_leaders(trip, stops, title="出行报备待审批", verb="报备", at=at)
    return trip


def _itinerary(trip: Trip) -> dict[str, Any]:
    """The trip's itinerary as it stands, as kept in `Trip.previous`."""
    return {
        "purpose": trip.purpose,
        "departs_on": trip.departs_on.isoformat(),
        "returns_on": trip.returns_on.isoformat(),
        "stops": [
            {
                "division_code": s.division_code,
                "division_name": s.division_name,
                "first_day": s.first_day.isoformat(),
                "last_day": s.last_day.isoformat(),
            }
            for s in trip.stops.all()
        ],
        "note": trip.note,
    }


def _where_and_when(
    departs_on: dt.date, returns_on: dt.date, stops: Sequence[StopIn]
) -> tuple[Any, ...]:
    """What a leader's approval was given for: the dates and the destinations (H-4.3)."""
    return departs_on, returns_on, [(s.division_code, s.first_day, s.last_day) for s in stops]


def _name(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


@transaction.atomic
def trip_update(
    *,
    scope: Scope,
    trip: Trip,
    purpose: str,
    departs_on: dt.date,
    returns_on: dt.date,
    stops: Sequence[StopIn],
    note: str = "",
    by: User | None,
    at: dt.datetime,
) -> Trip:
    """The traveller updates the itinerary (J-1.1: 动态掌握行程轨迹); the previous one, with
    the status and decision it had, is kept in `Trip.previous`.

    Approval follows the itinerary (H-4.3): an approval was given for destinations and dates,
    so changing either sends the trip back to the leader (待审批, the leaders are asked again);
    a change that makes approval needed does too; one that makes it unneeded files the trip
    without it. A change of purpose or note alone keeps the decision. A trip returned from,
    cancelled or refused cannot be changed, nor the departure date of a trip already left."""
    require(scope, "update_trip", trip)
    # Read the status under a lock: a leader deciding at the same moment waits for us.
    status = Trip.objects.select_for_update().values_list("status", flat=True).get(pk=trip.pk)
    if status == TripStatus.REFUSED:
        raise ValidationError({"__all__": [TRIP_REFUSED]})
    if status not in TRIP_OPEN:
        raise ValidationError({"__all__": [TRIP_CLOSED]})
    errors = _stops_check(stops, departs_on, returns_on)
    if purpose not in TripPurpose.values:
        _add(errors, "purpose", PURPOSE_INVALID)
    if trip.person.status != EmploymentStatus.ACTIVE:
        _add(errors, "__all__", PERSON_NOT_ACTIVE)
    if departs_on != trip.departs_on and min(departs_on, trip.departs_on) < _local(at).date():
        _add(errors, "departs_on", TRIP_LEFT)
    _errors(errors)
    current = [StopIn(s.division_code, s.first_day, s.last_day) for s in trip.stops.all()]
    moved = _where_and_when(departs_on, returns_on, stops) != _where_and_when(
        trip.departs_on, trip.returns_on, current
    )
    if not moved and (purpose, note.strip()) == (trip.purpose, trip.note):
        raise ValidationError({"__all__": [TRIP_UNCHANGED]})
    route, approver = _route(
        park=trip.enterprise.jurisdiction, departs_on=departs_on, stops=stops, at=at
    )
    if not approver:
        new_status = TripStatus.FILED
    elif status == TripStatus.APPROVED and not moved:
        new_status = TripStatus.APPROVED
    else:
        new_status = TripStatus.PENDING
    trip.previous = [
        *trip.previous,
        {
            **_itinerary(trip),
            "status": status,
            "approver": trip.approver,
            "decided_by": _name(trip.decided_by),
            "decided_at": trip.decided_at.isoformat() if trip.decided_at else "",
            "decision_note": trip.decision_note,
            "changed_at": at.isoformat(),
            "changed_by": _name(by),
        },
    ]
    if new_status != TripStatus.APPROVED:
        # The decision was for the old itinerary; it stays in `previous`.
        trip.decided_by, trip.decided_at, trip.decision_note = None, None, ""
    asked_again = new_status == TripStatus.PENDING and (status != TripStatus.PENDING or moved)
    trip.status = new_status
    trip.purpose = purpose
    trip.departs_on = departs_on
    trip.returns_on = returns_on
    trip.note = note.strip()
    trip.route = route
    trip.approver = approver
    trip._history_user = by  # type: ignore[attr-defined]
    trip.save()
    _stops_write(trip, stops)
    if asked_again:
        _ask_leaders(trip, stops, title="出行行程已修改，待审批", verb="修改行程为", at=at)
    return trip


@transaction.atomic
def trip_decide(
    *,
    scope: Scope,
    trip: Trip,
    approve: bool,
    note: str,
    revision: int | None = None,
    by: User | None,
    at: dt.datetime,
) -> Trip:
    """An enterprise leader approves or refuses a trip (H-4.3); the employee is told.

    `revision` is how many updates the itinerary the leader read had (`len(Trip.previous)`):
    if the traveller changed it since, the decision is refused, so no one approves an
    itinerary they did not see. None: not checked."""
    require(scope, "approve_trip", trip)
    status, previous = (
        Trip.objects.select_for_update().values_list("status", "previous").get(pk=trip.pk)
    )
    if status != TripStatus.PENDING:
        raise ValidationError({"__all__": [NOT_PENDING]})
    if revision is not None and revision != len(previous):
        raise ValidationError({"__all__": [TRIP_CHANGED_SINCE]})
    if not approve and not note.strip():
        raise ValidationError({"note": [REFUSAL_REASON]})
    trip.status = TripStatus.APPROVED if approve else TripStatus.REFUSED
    trip.decided_by = by
    trip.decided_at = at
    trip.decision_note = note.strip()
    trip._history_user = by  # type: ignore[attr-defined]
    trip.save()
    employees = Membership.objects.filter(person_id=trip.person_id).values_list(
        "user_id", flat=True
    )
    notify_send(
        user_ids=list(employees),
        kind=Kind.GENERAL,
        title="出行报备已批准" if approve else "出行报备未获批准",
        body=f"{trip.departs_on:%m月%d日} 的出行{trip.get_status_display()}。{trip.decision_note}",
        link="/mobility/me/",
        at=at,
    )
    return trip


@transaction.atomic
def trip_cancel(*, scope: Scope, trip: Trip, by: User | None, at: dt.datetime) -> Trip:
    require(scope, "file_trip", trip)
    if trip.status not in TRIP_OPEN:
        raise ValidationError({"__all__": [TRIP_CLOSED]})
    trip.status = TripStatus.CANCELLED
    trip._history_user = by  # type: ignore[attr-defined]
    trip.save()
    return trip


# --- return declarations and plans (J-1.1, H-4.4, B-2.2c, B-2.4) -----------------------------
@dataclass(frozen=True)
class StayDeclared:
    division_code: str
    first_day: dt.date
    last_day: dt.date
    transit: bool = False


def _return_check(
    *,
    trip: Trip | None,
    arrived_at: dt.datetime,
    stays: Sequence[StayDeclared],
    certificates: Sequence[tuple[dt.datetime, str]],
    transport: str,
    at: dt.datetime,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    ahead = settings.MOBILITY_ARRIVAL_AHEAD_DAYS
    if arrived_at > at + dt.timedelta(days=ahead):
        _add(errors, "arrived_at", ARRIVAL_TOO_LATE.format(days=ahead))
    if trip is not None and arrived_at.date() < trip.departs_on:
        _add(errors, "arrived_at", RETURN_BEFORE_TRIP)
    if transport not in Transport.values:
        _add(errors, "transport", Transport.OTHER.label)
    if not stays:
        _add(errors, "stays", STAYS_REQUIRED)
    previous: dt.date | None = None
    for stay in stays:
        if division_get(stay.division_code) is None:
            _add(errors, "stays", UNKNOWN_DIVISION)
            continue
        late = stay.last_day > arrived_at.date() or stay.first_day > stay.last_day
        if late or (previous is not None and stay.first_day < previous):
            _add(errors, "stays", STAYS_ORDER)
        previous = stay.last_day
    for sampled_at, result in certificates:
        if result not in TestResult.values:
            _add(errors, "certificates", CERT_RESULT)
        if sampled_at > arrived_at:
            _add(errors, "certificates", CERT_AFTER_ARRIVAL)
    return {k: sorted(set(v), key=v.index) for k, v in errors.items()}


def _headcount(person: Person) -> int:
    return Person.objects.filter(
        enterprise_id=person.enterprise_id, status=EmploymentStatus.ACTIVE
    ).count()


def _compute(declaration: ReturnDeclaration, *, observation_point: bool) -> list[rules.PackPlan]:
    person = declaration.person
    stays = [
        rules.StayIn(
            code=s["division_code"],
            name=s["division_name"],
            first_day=dt.date.fromisoformat(s["first_day"]),
            last_day=dt.date.fromisoformat(s["last_day"]),
            transit=bool(s.get("transit")),
        )
        for s in declaration.stays
    ]
    certs = [
        (dt.datetime.fromisoformat(c["sampled_at"]), c["result"]) for c in declaration.certificates
    ]
    park = declaration.enterprise.jurisdiction
    return rules.return_plans(
        park=park,
        category=person.category,
        stays=stays,
        certificates=certs,
        arrived_at=declaration.arrived_at,
        entries=_entries(park),
        enterprise=rules.enterprise_facts(
            declaration.enterprise,
            headcount=_headcount(person),
            observation_point=observation_point,
        ),
    )


def plan_index(plan: Plan) -> dict[str, list[str | None]]:
    """The obligations of a plan by key: title and due time (what a change is compared on)."""
    return {f"{plan.pack_id}:{o.key}": [o.title, utc_iso(o.due_at)] for o in plan.obligations}


def utc_iso(value: dt.datetime | None) -> str | None:
    """A moment as UTC ISO text: one instant, one spelling (compared as text)."""
    return value.astimezone(dt.UTC).isoformat() if value is not None else None


def _plan_row(
    declaration: ReturnDeclaration, found: rules.PackPlan, at: dt.datetime, reason: str
) -> ReturnPlan:
    row = plan_row_new(declaration.pk, found, at, reason)
    row.save(force_insert=True)
    return row


def plan_row_new(
    declaration_id: int, found: rules.PackPlan, at: dt.datetime, reason: str
) -> ReturnPlan:
    """The stored row of one computed plan, not yet saved (the confirm writes them in bulk)."""
    plan = found.plan
    blocking = any(p.blocks_entry for p in plan.phases) or any(
        o.blocks_entry != "none" for o in plan.obligations
    )
    return ReturnPlan(
        declaration_id=declaration_id,
        pack_id=plan.pack_id,
        version=plan.version,
        document_number=plan.document_number,
        plan=to_jsonable(plan),
        index=plan_index(plan),
        earliest_entry=plan.earliest_entry,
        blocks_entry=blocking,
        state=PlanState.OPEN,
        computed_at=at,
        reason=reason,
    )


def _source(declaration: ReturnDeclaration) -> str:
    return return_source(declaration.pk)


def return_source(declaration_id: int) -> str:
    """What a return's duties and holds name as their source."""
    return f"mobility.return:{declaration_id}"


def _duty_kind(ob: dict[str, Any]) -> str | None:
    """The duty an obligation becomes (what evidence satisfies it); None: not a duty."""
    if ob["kind"] in {"test", "certificate", "pre_departure_test"}:
        return DutyKind.ANTIGEN if ob.get("test_kind") == "antigen" else DutyKind.NUCLEIC_ACID
    if ob["kind"] == "notify":
        return DutyKind.COMMUNITY_REPORT if "社区" in ob["title"] else DutyKind.DECLARATION
    if ob["kind"] == "document":
        return DutyKind.DOCUMENT
    return None


def _duty_specs(declaration: ReturnDeclaration) -> list[DutySpec]:
    """The open plans' obligations as duties: each with its window and citation."""
    return duty_specs_of(
        stays=declaration.stays,
        declared_at=declaration.declared_at,
        arrived_at=declaration.arrived_at,
        plans=[row.plan for row in declaration.plans.filter(state=PlanState.OPEN)],
    )


def duty_specs_of(
    *,
    stays: Sequence[Mapping[str, Any]],
    declared_at: dt.datetime,
    arrived_at: dt.datetime,
    plans: Sequence[Mapping[str, Any]],
) -> list[DutySpec]:
    """The obligations of stored plans (their JSON) as duties, for a return declared at
    `declared_at` with these stays."""
    specs = []
    tick = dt.timedelta.resolution
    # A report or declaration may be made any time from the start of the journey: from its
    # first day's local midnight (the site's, as the engine's days: a moment read back from
    # the database is in UTC, and UTC's midnight would be eight hours late).
    first = min(dt.date.fromisoformat(st["first_day"]) for st in stays)
    opened = min(
        declared_at,
        dt.datetime.combine(first, dt.time.min, tzinfo=timezone.get_default_timezone()),
    )
    for plan in plans:
        for ob in plan["obligations"]:
            kind = _duty_kind(ob)
            due = ob.get("due_at")
            if kind is None or not due:
                continue
            due_by = dt.datetime.fromisoformat(due)
            if ob["kind"] != "test":
                due_by += tick  # a certificate or report at the deadline itself counts
            start = ob.get("window_start")
            due_from = dt.datetime.fromisoformat(start) if start else opened
            specs.append(
                DutySpec(
                    kind=kind,
                    due_from=min(due_from, due_by - tick),
                    due_by=due_by,
                    citation=ob["citation"],
                    label=ob["title"][:100],
                )
            )
    return specs


def _duties_store(declaration: ReturnDeclaration, at: dt.datetime) -> None:
    """The plans become the person's duties; what was already done satisfies them."""
    source = _source(declaration)
    duties_replace(
        person_id=declaration.person_id, source=source, items=_duty_specs(declaration), at=at
    )
    pid = declaration.person_id
    for cert in declaration.certificates:
        if cert["result"] == TestResult.NEGATIVE:
            when = dt.datetime.fromisoformat(cert["sampled_at"])
            duty_evidence_record(
                kind=DutyKind.NUCLEIC_ACID, evidence={pid: when}, at=at, reference=source
            )
    for ev in declaration.evidence.all():
        for kind in _evidence_kinds(declaration, ev):
            duty_evidence_record(
                kind=kind, evidence={pid: ev.at}, at=at, reference=f"mobility.evidence:{ev.pk}"
            )


def _evidence_kinds(declaration: ReturnDeclaration, ev: PlanEvidence) -> list[str]:
    if ev.kind == EvidenceKind.TEST:
        return [DutyKind.NUCLEIC_ACID]
    return evidence_kinds_in(ev, [row.plan for row in declaration.plans.all()])


def evidence_kinds_in(ev: PlanEvidence, plans: Sequence[Mapping[str, Any]]) -> list[str]:
    """The duty kinds a piece of evidence satisfies, by the obligation it names in `plans`."""
    if ev.kind == EvidenceKind.TEST:
        return [DutyKind.NUCLEIC_ACID]
    obligations = [ob for plan in plans for ob in plan["obligations"] if ob["key"] == ev.obligation]
    return [k for ob in obligations if (k := _duty_kind(ob)) is not None]


def observation_point_of(enterprise_id: int) -> bool:
    """Does the enterprise keep an isolation observation point (B-2.4)?"""
    return ObservationPoint.objects.filter(
        enterprise_id=enterprise_id, kind=PointKind.OBSERVATION
    ).exists()


@transaction.atomic
def return_declare(
    *,
    scope: Scope,
    person: Person,
    arrived_at: dt.datetime,
    stays: Sequence[StayDeclared],
    transport: str,
    certificates: Sequence[tuple[dt.datetime, str]] = (),
    trip: Trip | None = None,
    by: User | None,
    at: dt.datetime,
) -> ReturnDeclaration:
    """Declare a return: the engine's plans under the packs in force are stored with their pack
    versions and citations, and a status hold keeps plant entry closed until they allow it."""
    require(scope, "file_trip", person)
    if trip is not None and trip.person_id != person.pk:
        trip = None
    errors = _return_check(
        trip=trip,
        arrived_at=arrived_at,
        stays=stays,
        certificates=certificates,
        transport=transport,
        at=at,
    )
    if person.status != EmploymentStatus.ACTIVE:
        _add(errors, "__all__", PERSON_NOT_ACTIVE)
    _errors(errors)
    declaration = ReturnDeclaration.objects.create(
        person=person,
        enterprise=person.enterprise,
        trip=trip,
        arrived_at=arrived_at,
        transport=transport,
        stays=[
            {
                "division_code": s.division_code,
                "division_name": division_full_name(s.division_code),
                "first_day": s.first_day.isoformat(),
                "last_day": s.last_day.isoformat(),
                "transit": s.transit,
            }
            for s in stays
        ],
        certificates=[{"sampled_at": t.isoformat(), "result": r} for t, r in certificates],
        declared_at=at,
        declared_by=by,
    )
    try:
        found = _compute(declaration, observation_point=observation_point_of(person.enterprise_id))
    except PolicyInputError as exc:
        raise ValidationError({"__all__": [PLAN_FAILED.format(message=exc.message)]}) from None
    except ValueError as exc:
        raise ValidationError({"__all__": [str(exc)]}) from None
    refused = [p.text for f in found for p in f.plan.prohibitions if p.action == "no_return"]
    if refused:
        raise ValidationError({"__all__": [RETURN_FORBIDDEN.format(text="；".join(refused))]})
    for f in found:
        _plan_row(declaration, f, at, "返岗申报")
    _isolations_open(declaration)
    _duties_store(declaration, at)
    if trip is not None and trip.status in TRIP_OPEN:
        trip.status = TripStatus.RETURNED
        trip._history_user = by  # type: ignore[attr-defined]
        trip.save()
    return_status_refresh(declaration=declaration, at=at)
    return declaration


def plan_records(declaration: ReturnDeclaration) -> Records:
    """What was done for the plans: certificates held, tests, reports, documents."""
    return plan_records_of(declaration.certificates, declaration.evidence.all())


def plan_records_of(
    certificates: Sequence[Mapping[str, Any]], evidence: Iterable[PlanEvidence]
) -> Records:
    tests = [
        Sample(sampled_at=dt.datetime.fromisoformat(c["sampled_at"]), result=c["result"])
        for c in certificates
    ]
    notices = []
    documents = []
    for ev in evidence:
        if ev.kind == EvidenceKind.TEST:
            tests.append(Sample(sampled_at=ev.at, result=ev.result or "pending"))
        elif ev.kind == EvidenceKind.NOTICE:
            notices.append(NoticeRecord(obligation=ev.obligation, at=ev.at))
        else:
            documents.append(DocumentRecord(obligation=ev.obligation, submitted_at=ev.at))
    return Records(tests=tuple(tests), notices=tuple(notices), documents=tuple(documents))


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    allowed_from: dt.datetime | None
    reasons: tuple[str, ...]
    statuses: tuple[Any, ...]  # (ReturnPlan, PlanStatus)
    citation: Mapping[str, Any]


def return_verdict(*, declaration: ReturnDeclaration, at: dt.datetime) -> Verdict:
    """Evaluate the open plans of a return at `at` against what was recorded."""
    return verdict_of(
        plans=[
            (row, plan_from_json(row.plan))
            for row in declaration.plans.filter(state=PlanState.OPEN)
        ],
        records=plan_records(declaration),
        isolations=list(declaration.isolations.filter(blocks_entry=True)),
        at=at,
    )


def verdict_of(
    *,
    plans: Sequence[tuple[Any, Plan]],
    records: Records,
    isolations: Sequence[IsolationRecord],
    at: dt.datetime,
) -> Verdict:
    """The verdict on open plans (each with its row), given the records and the return's
    entry-blocking isolation records (in the model's order: the latest start first)."""
    statuses = []
    reasons: list[str] = []
    allowed_from: dt.datetime | None = at
    citation: dict[str, Any] = {}
    for row, plan in plans:
        status = evaluate_plan(plan=plan, records=records, at=at)
        statuses.append((row, status))
        if not status.entry.allowed:
            reasons += [r.text for r in status.entry.reasons]
            first = next((r.citation for r in status.entry.reasons if r.citation), None)
            if first is not None and not citation:
                citation = to_jsonable(first)
        if status.entry.allowed_from is None:
            allowed_from = None
        elif allowed_from is not None:
            allowed_from = max(allowed_from, status.entry.allowed_from)
    if isolations:
        # The records' ends (extended or shortened within bounds) decide, not the plan's.
        reasons = [r for r in reasons if not r.startswith(WAIT_PREFIX)]
        for record in isolations:
            if record.released_at is None and record.ends_at > at:
                reasons.insert(
                    0, ISOLATION_UNTIL.format(label=record.label, end=_local(record.ends_at))
                )
                if allowed_from is not None:
                    allowed_from = max(allowed_from, record.ends_at)
    allowed = not reasons
    return Verdict(
        allowed, allowed_from if not allowed else at, tuple(reasons), tuple(statuses), citation
    )


def return_status_refresh(*, declaration: ReturnDeclaration, at: dt.datetime) -> Verdict:
    """Open the plan hold while the plans keep the person out; clear it (and close the
    declaration) once they allow entry."""
    verdict = return_verdict(declaration=declaration, at=at)
    source = _source(declaration)
    if verdict.allowed:
        status_hold_clear(person_ids=[declaration.person_id], kind=HOLD_KIND, source=source, at=at)
        if declaration.closed_at is None:
            declaration.closed_at = at
            declaration.save(update_fields=["closed_at"])
    else:
        reason = verdict.reasons[0][:300]
        stale = StatusHold.objects.filter(
            person_id=declaration.person_id, kind=HOLD_KIND, source=source, cleared_at__isnull=True
        ).exclude(reason=reason)
        if stale.exists():  # the reason changed (an extension, a test done): say the new one
            status_hold_clear(
                person_ids=[declaration.person_id], kind=HOLD_KIND, source=source, at=at
            )
        status_hold_open(
            person_ids=[declaration.person_id],
            kind=HOLD_KIND,
            reason=reason,
            citation=verdict.citation,
            source=source,
            at=at,
        )
    return verdict


@transaction.atomic
def plan_evidence_record(
    *,
    scope: Scope,
    declaration: ReturnDeclaration,
    kind: str,
    obligation: str,
    done_at: dt.datetime,
    result: str = "",
    by: User | None,
    at: dt.datetime,
) -> PlanEvidence:
    """Record a report made, a test taken or a document handed in for the plan; re-evaluate."""
    require(scope, "file_trip", declaration)
    errors: dict[str, list[str]] = {}
    if kind not in EvidenceKind.values:
        _add(errors, "kind", EVIDENCE_UNKNOWN)
    if kind != EvidenceKind.TEST and obligation not in plan_keys(declaration):
        _add(errors, "obligation", EVIDENCE_UNKNOWN)
    if kind == EvidenceKind.TEST and result not in TestResult.values:
        _add(errors, "result", CERT_RESULT)
    if done_at > at:
        _add(errors, "done_at", EVIDENCE_FUTURE)
    _errors(errors)
    row = PlanEvidence.objects.create(
        declaration=declaration,
        kind=kind,
        obligation=obligation if kind != EvidenceKind.TEST else "",
        at=done_at,
        result=result if kind == EvidenceKind.TEST else "",
        recorded_by=by,
        recorded_at=at,
    )
    for kind_ in _evidence_kinds(declaration, row):
        duty_evidence_record(
            kind=kind_,
            evidence={declaration.person_id: row.at},
            at=at,
            reference=f"mobility.evidence:{row.pk}",
        )
    return_status_refresh(declaration=declaration, at=at)
    return row


def return_plans_refresh(*, at: dt.datetime, enterprise_id: int | None = None) -> int:
    """Time passing: every open return is evaluated again (an isolation ending at midnight
    opens the gate, an arrival makes "须待……之后" true). Returns how many were looked at."""
    open_returns = ReturnDeclaration.objects.filter(closed_at__isnull=True).select_related(
        "enterprise"
    )
    if enterprise_id is not None:
        open_returns = open_returns.filter(enterprise_id=enterprise_id)
    count = 0
    for declaration in open_returns.iterator():
        with transaction.atomic():
            return_status_refresh(declaration=declaration, at=at)
        count += 1
    return count


# --- isolation and observation records (B-2.2c, J-1.1, J-1.2.x) ---------------------------
def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value)


def _all_measures(measures: Sequence[Any]) -> list[Any]:
    """Measures with those inside any_of options (a per-case choice of isolation)."""
    out: list[Any] = []
    for measure in measures:
        out.append(measure)
        if isinstance(measure, AnyOf):
            for option in measure.options:
                out += _all_measures(option.measures)
    return out


def _phase_minimum(pack_id: str, version: int, rule_id: str, kind: str) -> int | None:
    """The fewest days the pack allows for this phase (a per-case choice's minimum)."""
    try:
        pack = registry().get(pack_id, version)
    except PolicyInputError:
        return None
    choices = vocabulary(pack).choices
    for bound in pack.rules:
        if bound.rule.id != rule_id:
            continue
        for measure in _all_measures(bound.rule.measures):
            if not isinstance(measure, Phases):
                continue
            for phase in measure.phases:
                if phase.kind == kind and isinstance(phase.days, ChoiceRef):
                    spec = choices.get(phase.days.name)
                    return spec.minimum if spec is not None else None
    return None


def _isolations_open(declaration: ReturnDeclaration) -> None:
    """Each isolation or observation phase of the plans becomes a record to keep and change
    (once: a phase of a kind already on record, not released, keeps its record)."""
    held = set(
        declaration.isolations.filter(released_at__isnull=True).values_list("kind", flat=True)
    )
    IsolationRecord.objects.bulk_create(
        isolations_new(
            declaration_id=declaration.pk,
            person_id=declaration.person_id,
            enterprise_id=declaration.enterprise_id,
            plans=[
                (row.pack_id, row.version, row.plan)
                for row in declaration.plans.filter(state=PlanState.OPEN)
            ],
            held=held,
        )
    )


def isolations_new(
    *,
    declaration_id: int,
    person_id: int,
    enterprise_id: int,
    plans: Sequence[tuple[str, int, Mapping[str, Any]]],
    held: set[str],
    minimum: Any = None,
) -> list[IsolationRecord]:
    """The records (not saved) of the plans' isolation phases whose kind is not `held`.
    `minimum` is `_phase_minimum` or a cached stand-in for it."""
    minimum = minimum or _phase_minimum
    out: list[IsolationRecord] = []
    for pack_id, version, plan in plans:
        for phase in plan["phases"]:
            if phase["kind"] not in IsolationKind.values or not phase.get("end_at"):
                continue
            if phase["kind"] in held:
                continue
            held.add(phase["kind"])
            start = dt.datetime.fromisoformat(phase["start_at"])
            end = dt.datetime.fromisoformat(phase["end_at"])
            citation = phase["citation"]
            days = minimum(pack_id, version, citation["rule_id"], phase["kind"])
            earliest = None
            if days is not None:
                first = dt.date.fromisoformat(phase["first_day"])
                earliest = dt.datetime.combine(
                    first + dt.timedelta(days=days), dt.time.min, tzinfo=start.tzinfo
                )
            out.append(
                IsolationRecord(
                    declaration_id=declaration_id,
                    person_id=person_id,
                    enterprise_id=enterprise_id,
                    kind=phase["kind"],
                    label=phase["label"][:50],
                    starts_at=start,
                    ends_at=end,
                    planned_end=end,
                    earliest_end=earliest,
                    blocks_entry=phase["blocks_entry"],
                    citation=citation,
                )
            )
    return out


@transaction.atomic
def isolation_change(
    *,
    scope: Scope,
    record: IsolationRecord,
    ends_at: dt.datetime,
    reason: str,
    by: User | None,
    at: dt.datetime,
) -> IsolationRecord:
    """Extend or shorten an isolation (shortening only down to the pack's bound), with a
    reason; the previous end is kept in the record."""
    require(scope, "manage_health", record)
    errors: dict[str, list[str]] = {}
    if record.released_at is not None:
        _add(errors, "__all__", ALREADY_RELEASED)
    if not reason.strip():
        _add(errors, "reason", REASON_REQUIRED)
    if ends_at <= record.starts_at:
        _add(errors, "ends_at", END_BEFORE_START)
    floor = record.earliest_end or record.planned_end
    if ends_at < floor:
        _add(errors, "ends_at", SHORTEN_BEYOND.format(end=_local(floor)))
    _errors(errors)
    record.previous = [
        *record.previous,
        {
            "ends_at": record.ends_at.isoformat(),
            "reason": reason.strip(),
            "by": by.get_full_name() or by.username if by else "",
            "at": at.isoformat(),
        },
    ]
    previous_end = record.ends_at
    record.ends_at = ends_at
    record.save(update_fields=["previous", "ends_at"])
    # An isolation's end decides when the gate opens (issue 18 §2): every change is audited.
    audit_record(
        actor=by,
        action="mobility.isolation_extend"
        if ends_at > previous_end
        else "mobility.isolation_shorten",
        at=at,
        target=record,
        enterprise_id=record.enterprise_id,
        reason=reason.strip(),
        detail={
            "kind": record.kind,
            "from": timezone.localtime(previous_end).isoformat(),
            "to": timezone.localtime(ends_at).isoformat(),
        },
        subjects=[record.person_id],
    )
    if record.declaration is not None:
        record.declaration.closed_at = None
        record.declaration.save(update_fields=["closed_at"])
        return_status_refresh(declaration=record.declaration, at=at)
    return record


@transaction.atomic
def isolation_release(
    *, scope: Scope, record: IsolationRecord, note: str, by: User | None, at: dt.datetime
) -> IsolationRecord:
    """Release at or after the end (解除隔离); the gate follows the plan's other items."""
    require(scope, "manage_health", record)
    if record.released_at is not None:
        raise ValidationError({"__all__": [ALREADY_RELEASED]})
    if at < record.ends_at:
        raise ValidationError({"__all__": [RELEASE_EARLY]})
    record.released_at = at
    record.release_note = note.strip()[:200]
    record.save(update_fields=["released_at", "release_note"])
    audit_record(
        actor=by,
        action="mobility.isolation_release",
        at=at,
        target=record,
        enterprise_id=record.enterprise_id,
        reason=record.release_note,
        detail={"kind": record.kind},
        subjects=[record.person_id],
    )
    if record.declaration is not None:
        return_status_refresh(declaration=record.declaration, at=at)
    return record


@transaction.atomic
def observation_point_save(
    *,
    scope: Scope,
    enterprise: Any,
    kind: str,
    name: str,
    capacity: int,
    at: dt.datetime,
) -> ObservationPoint:
    """An enterprise sets up an observation point (B-2.4) or a buffer zone (J-1.2.5)."""
    require(scope, "change", enterprise)
    errors: dict[str, list[str]] = {}
    if kind not in PointKind.values:
        _add(errors, "kind", POINT_NAME)
    if not name.strip():
        _add(errors, "name", POINT_NAME)
    if capacity < 1:
        _add(errors, "capacity", CAPACITY_INVALID)
    _errors(errors)
    return ObservationPoint.objects.create(
        enterprise=enterprise, kind=kind, name=name.strip(), capacity=capacity, created_at=at
    )


def isolation_record_open(
    *,
    person: Person,
    kind: str,
    label: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    citation: dict[str, Any],
) -> IsolationRecord:
    """An isolation phase decided outside a return declaration (a confirmed contact's, by
    `response`, which has checked its own action): kept, changed and released like the others."""
    return IsolationRecord.objects.create(
        person=person,
        enterprise_id=person.enterprise_id,
        kind=kind,
        label=label[:50],
        starts_at=starts_at,
        ends_at=ends_at,
        planned_end=ends_at,
        blocks_entry=True,
        citation=citation,
    )
