"""Writes of trucks: links, declarations (no account), the register, gate checks, entry and
exit, dwell alerts. Refused input changes nothing (a ValidationError per field)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from parkguard.gate.choices import Direction
from parkguard.gate.services import truck_crew_log
from parkguard.health.services import temperature_parse
from parkguard.lib.signed_links import link_read, link_sign
from parkguard.logistics.choices import DeclaredBy, TruckState, VehicleKind
from parkguard.logistics.models import (
    CrewMember,
    DeclarationLink,
    Driver,
    TruckDeclaration,
    Vehicle,
)
from parkguard.logistics.rules import truck_rules
from parkguard.notify.choices import Kind
from parkguard.notify.services import notify_send
from parkguard.orgs.access import Scope, require
from parkguard.orgs.choices import ENTERPRISE_EDITORS, Role
from parkguard.orgs.models import Enterprise, Membership
from parkguard.people.identity import IdentityError, id_encrypt, id_parse, phone_parse

LINK_SALT = "parkguard.logistics.declare"
LINK_INVALID = "申报链接无效或已过期，请向收货企业索取新的链接"
LINK_BUSY = "该链接近期提交过多，请稍后再试或联系收货企业"
PLATE_INVALID = "请填写正确的车牌号，如 渝A12345"
ARRIVAL_REQUIRED = "请填写计划抵达时间"
ROUTE_REQUIRED = "请填写行驶路线"
HISTORY_REQUIRED = "请填写近7天旅居史（途经城市）"
DECLARATION_LATE = "须在抵达前 {hours} 小时申报（{basis}）：本次计划 {arrival} 抵达，已过申报时限"
CREW_REQUIRED = "请至少填写一名司乘人员"
CREW_NAME_REQUIRED = "请填写第 {n} 位司乘人员的姓名"
CREW_TEST_MISSING = "第 {n} 位司乘人员须持抵达前 {hours} 小时内的核酸检测阴性结果（{basis}）"
DOSES_INVALID = "疫苗剂次应为 0 到 {high} 之间的整数"
NOT_DECLARED = "该货车不在待入园状态（{state}）"
CHECKS_INCOMPLETE = "入园前须完成：{missing}"
ZONE_REQUIRED = "请指定装卸区"
TEMPERATURE_MISSING = "请为每位司乘人员测温"
PLATE_UNKNOWN_AT_EXIT = "车牌号 {plate} 没有在园装卸的记录，无法登记离园"
VEHICLE_TAKEN = "该车牌已登记"
DRIVER_TAKEN = "该驾驶员已登记"
TRUCK_IN_NOTE = "货车 {plate} 司乘入园：已测温、查验三码、车辆与货物消杀，装卸区 {zone}"
TRUCK_OUT_NOTE = "货车 {plate} 司乘离园，在园 {minutes} 分钟"
DWELL_TITLE = "货车停留超时：{plate}"


def link_token(link: DeclarationLink) -> str:
    return link_sign(link.nonce, salt=LINK_SALT)


@transaction.atomic
def declaration_link_create(
    *, scope: Scope, enterprise: Enterprise, label: str, at: dt.datetime, by: User | None
) -> tuple[DeclarationLink, str]:
    """A link to send a carrier: signed, valid for `TRUCK_LINK_HOURS`; returns it and its token."""
    require(scope, "manage_trucks", enterprise)
    link = DeclarationLink.objects.create(
        enterprise=enterprise,
        nonce=secrets.token_hex(16),
        label=(label or "").strip()[:60],
        created_at=at,
        expires_at=at + dt.timedelta(hours=settings.TRUCK_LINK_HOURS),
        created_by=by,
    )
    return link, link_token(link)


def declaration_link_resolve(*, token: str, at: dt.datetime) -> DeclarationLink:
    """The link a token names, if its signature holds and it is neither expired nor revoked."""
    nonce = link_read(token, salt=LINK_SALT)
    if nonce is None:
        raise ValidationError({"link": LINK_INVALID})
    link = (
        DeclarationLink.objects.select_related("enterprise__jurisdiction")
        .filter(nonce=str(nonce), revoked_at__isnull=True, expires_at__gt=at)
        .first()
    )
    if link is None:
        raise ValidationError({"link": LINK_INVALID})
    return link


@dataclass(frozen=True)
class CrewIn:
    name: str
    id_number: str
    phone: str
    tested_at: dt.datetime | None
    test_negative: bool
    vaccine_doses: object = 0


def _plate(raw: str) -> str:
    plate = "".join((raw or "").split()).upper()
    if not settings.TRUCK_PLATE_MIN <= len(plate) <= settings.TRUCK_PLATE_MAX or not (
        "\u4e00" <= plate[0] <= "\u9fff"
    ):
        raise ValidationError({"plate": PLATE_INVALID})
    return plate


def _declaration(
    *,
    enterprise: Enterprise,
    declared_by: str,
    link: DeclarationLink | None,
    plate: str,
    planned_arrival: dt.datetime | None,
    route: str,
    travel_history: str,
    crew: list[CrewIn],
    at: dt.datetime,
) -> TruckDeclaration:
    errors: dict[str, str] = {}
    try:
        plate = _plate(plate)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    route, travel_history = (route or "").strip(), (travel_history or "").strip()
    if not route:
        errors["route"] = ROUTE_REQUIRED
    if not travel_history:
        errors["travel_history"] = HISTORY_REQUIRED
    rules = truck_rules(park=enterprise.jurisdiction, on=timezone.localdate(at))
    if planned_arrival is None:
        errors["planned_arrival"] = ARRIVAL_REQUIRED
    elif rules.declare_hours and at > planned_arrival - dt.timedelta(hours=rules.declare_hours):
        errors["planned_arrival"] = DECLARATION_LATE.format(
            hours=rules.declare_hours,
            basis=rules.declare_basis,
            arrival=timezone.localtime(planned_arrival).strftime("%m-%d %H:%M"),
        )
    if not crew:
        errors["crew"] = CREW_REQUIRED
    rows = []
    for n, member in enumerate(crew, start=1):
        name = (member.name or "").strip()
        if not name:
            errors.setdefault("crew", CREW_NAME_REQUIRED.format(n=n))
            continue
        try:
            number = id_parse(member.id_number, today=timezone.localdate(at))
            phone = phone_parse(member.phone)
        except IdentityError as exc:
            errors.setdefault("crew", f"第 {n} 位司乘人员：{exc.message}")
            continue
        if rules.test_hours and planned_arrival is not None:
            earliest = planned_arrival - dt.timedelta(hours=rules.test_hours)
            tested = member.tested_at
            if not member.test_negative or tested is None or not earliest <= tested <= at:
                errors.setdefault(
                    "crew",
                    CREW_TEST_MISSING.format(n=n, hours=rules.test_hours, basis=rules.test_basis),
                )
        try:
            doses = int(str(member.vaccine_doses or 0))
        except ValueError:
            doses = -1
        if not 0 <= doses <= settings.TRUCK_MAX_VACCINE_DOSES:
            errors.setdefault("crew", DOSES_INVALID.format(high=settings.TRUCK_MAX_VACCINE_DOSES))
        rows.append((name, number, phone, member, doses))
    if errors or planned_arrival is None:
        raise ValidationError(errors)
    truck = TruckDeclaration.objects.create(
        enterprise=enterprise,
        link=link,
        declared_by=declared_by,
        plate=plate,
        planned_arrival=planned_arrival,
        route=route[:300],
        travel_history=travel_history[:300],
        submitted_at=at,
        rules=rules.as_json(),
    )
    CrewMember.objects.bulk_create(
        CrewMember(
            declaration=truck,
            name=name[:50],
            id_digest=number.digest,
            id_cipher=id_encrypt(number.value),
            id_masked=number.masked,
            phone=phone,
            tested_at=member.tested_at,
            test_negative=member.test_negative,
            vaccine_doses=doses,
        )
        for name, number, phone, member, doses in rows
    )
    return truck


@transaction.atomic
def truck_declare_by_link(
    *,
    token: str,
    plate: str,
    planned_arrival: dt.datetime | None,
    route: str,
    travel_history: str,
    crew: list[CrewIn],
    at: dt.datetime,
) -> TruckDeclaration:
    """The carrier declares through the enterprise's link (J-1.3 提前24小时自主申报)."""
    link = declaration_link_resolve(token=token, at=at)
    # Rate limit per link, kept in the database (no process holds state).
    window = at - dt.timedelta(seconds=settings.TRUCK_LINK_RATE_WINDOW_SECONDS)
    recent = TruckDeclaration.objects.filter(link=link, submitted_at__gt=window).count()
    if recent >= settings.TRUCK_LINK_RATE_LIMIT:
        raise ValidationError({"link": LINK_BUSY})
    return _declaration(
        enterprise=link.enterprise,
        declared_by=DeclaredBy.CARRIER,
        link=link,
        plate=plate,
        planned_arrival=planned_arrival,
        route=route,
        travel_history=travel_history,
        crew=crew,
        at=at,
    )


@transaction.atomic
def truck_declare(
    *,
    scope: Scope,
    enterprise: Enterprise,
    plate: str,
    planned_arrival: dt.datetime | None,
    route: str,
    travel_history: str,
    crew: list[CrewIn],
    at: dt.datetime,
) -> TruckDeclaration:
    """The receiving enterprise declares for the carrier."""
    require(scope, "manage_trucks", enterprise)
    return _declaration(
        enterprise=enterprise,
        declared_by=DeclaredBy.ENTERPRISE,
        link=None,
        plate=plate,
        planned_arrival=planned_arrival,
        route=route,
        travel_history=travel_history,
        crew=crew,
        at=at,
    )


@transaction.atomic
def vehicle_register(
    *, scope: Scope, enterprise: Enterprise, plate: str, kind: str, note: str = ""
) -> Vehicle:
    require(scope, "manage_trucks", enterprise)
    plate = _plate(plate)
    if kind not in VehicleKind.values:
        kind = VehicleKind.OWN
    try:
        with transaction.atomic():
            return Vehicle.objects.create(
                enterprise=enterprise, plate=plate, kind=kind, note=(note or "")[:100]
            )
    except IntegrityError:
        raise ValidationError({"plate": VEHICLE_TAKEN}) from None


@transaction.atomic
def driver_register(
    *, scope: Scope, enterprise: Enterprise, name: str, id_number: str, phone: str, today: dt.date
) -> Driver:
    require(scope, "manage_trucks", enterprise)
    errors = {}
    if not (name or "").strip():
        errors["name"] = CREW_NAME_REQUIRED.format(n=1)
    try:
        number = id_parse(id_number, today=today)
    except IdentityError as exc:
        errors["id_number"] = exc.message
    try:
        clean_phone = phone_parse(phone)
    except IdentityError as exc:
        errors["phone"] = exc.message
    if errors:
        raise ValidationError(errors)
    if Driver.objects.filter(enterprise=enterprise, id_digest=number.digest).exists():
        raise ValidationError({"id_number": DRIVER_TAKEN})
    return Driver.objects.create(
        enterprise=enterprise,
        name=name.strip()[:50],
        id_digest=number.digest,
        id_cipher=id_encrypt(number.value),
        id_masked=number.masked,
        phone=clean_phone,
    )


@transaction.atomic
def truck_enter(
    *,
    scope: Scope,
    truck: TruckDeclaration,
    temperatures: Mapping[int, object],
    codes_checked: bool,
    truck_disinfected: bool,
    goods_disinfected: bool,
    loading_zone: str,
    loaders: str,
    at: dt.datetime,
    by: User | None,
) -> TruckDeclaration:
    """J-1.3 入厂前: crew temperatures, the three codes, truck and goods disinfected (H-4.1b),
    a loading zone and its loaders; then the truck enters and its dwell timer starts."""
    require(scope, "gate_trucks", truck)
    truck = TruckDeclaration.objects.select_for_update().get(pk=truck.pk)
    if truck.state != TruckState.DECLARED:
        raise ValidationError({"truck": NOT_DECLARED.format(state=truck.get_state_display())})
    errors: dict[str, str] = {}
    crew = list(truck.crew.all())
    readings: dict[int, Decimal] = {}
    for member in crew:
        value = temperatures.get(member.pk)
        if value in (None, ""):
            errors["temperature"] = TEMPERATURE_MISSING
            continue
        try:
            readings[member.pk] = temperature_parse(value, field="temperature")
        except ValidationError as exc:
            errors["temperature"] = exc.message_dict["temperature"][0]
    missing = [
        label
        for done, label in (
            (codes_checked, "查验三码"),
            (truck_disinfected, "车辆消杀"),
            (goods_disinfected, "货物消杀"),
        )
        if not done
    ]
    if missing:
        errors["checks"] = CHECKS_INCOMPLETE.format(missing="、".join(missing))
    if not (loading_zone or "").strip():
        errors["loading_zone"] = ZONE_REQUIRED
    if errors:
        raise ValidationError(errors)
    for member in crew:
        member.temperature = readings[member.pk]
    CrewMember.objects.bulk_update(crew, ["temperature"])
    truck.codes_checked = truck.truck_disinfected = truck.goods_disinfected = True
    truck.loading_zone, truck.loaders = loading_zone.strip()[:60], (loaders or "").strip()[:200]
    truck.state, truck.entered_at, truck.checked_by = TruckState.INSIDE, at, by
    truck.save()
    # The gate's access log sees the truck: one row per crew member (tracing, exports).
    truck_crew_log(
        scope=scope,
        enterprise=truck.enterprise,
        plate=truck.plate,
        crew=[(m.name, m.id_masked[-4:], m.temperature, m.tested_at) for m in crew],
        direction=Direction.IN,
        source=f"logistics.truck:{truck.pk}",
        note=TRUCK_IN_NOTE.format(plate=truck.plate, zone=truck.loading_zone),
        valid_until=at + dt.timedelta(hours=24),
        at=at,
        by=by,
    )
    return truck


@transaction.atomic
def truck_exit(
    *, scope: Scope, enterprise: Enterprise, plate: str, at: dt.datetime
) -> TruckDeclaration:
    """The exit of the truck with this plate now inside (Z-5.3a 即走)."""
    clean = "".join((plate or "").split()).upper()
    truck = (
        TruckDeclaration.objects.select_for_update()
        .filter(enterprise=enterprise, plate=clean, state=TruckState.INSIDE)
        .first()
    )
    if truck is None:
        require(scope, "gate_trucks", enterprise)
        raise ValidationError({"plate": PLATE_UNKNOWN_AT_EXIT.format(plate=clean or "—")})
    require(scope, "gate_trucks", truck)
    truck.state, truck.left_at = TruckState.LEFT, at
    truck.save(update_fields=["state", "left_at"])
    truck_crew_log(
        scope=scope,
        enterprise=enterprise,
        plate=truck.plate,
        crew=[],
        direction=Direction.OUT,
        source=f"logistics.truck:{truck.pk}",
        note=TRUCK_OUT_NOTE.format(plate=truck.plate, minutes=dwell_minutes(truck, at)),
        valid_until=at,
        at=at,
        by=None,
    )
    return truck


def dwell_minutes(truck: TruckDeclaration, at: dt.datetime) -> int | None:
    if truck.entered_at is None:
        return None
    end = truck.left_at or at
    return int((end - truck.entered_at).total_seconds() // 60)


@transaction.atomic
def dwell_alerts_send(*, at: dt.datetime) -> int:
    """Trucks inside longer than the limit: one alert each to the enterprise's officers and
    guards (Z-5.3a 即停即卸即装即走). Run every minute by a periodic task."""
    sent = 0
    inside = TruckDeclaration.objects.select_related("enterprise__jurisdiction").filter(
        state=TruckState.INSIDE, dwell_alerted_at__isnull=True
    )
    for truck in inside:
        limit = truck_rules(
            park=truck.enterprise.jurisdiction, on=timezone.localdate(at)
        ).dwell_minutes
        stayed = dwell_minutes(truck, at)
        if limit is None or stayed is None or stayed <= limit:
            continue
        users = Membership.objects.filter(
            enterprise=truck.enterprise, role__in=ENTERPRISE_EDITORS | {Role.GATE_GUARD}
        ).values_list("user_id", flat=True)
        notify_send(
            user_ids=users,
            enterprise=truck.enterprise,
            kind=Kind.TRUCK,
            title=DWELL_TITLE.format(plate=truck.plate),
            body=f"{truck.plate} 在{truck.loading_zone}已停留 {stayed} 分钟，超过 {limit} 分钟。",
            link=reverse("logistics_truck", args=[truck.pk]),
            at=at,
        )
        truck.dwell_alerted_at = at
        truck.save(update_fields=["dwell_alerted_at"])
        sent += 1
    return sent


def crew_from_rows(rows: list[dict[str, Any]]) -> list[CrewIn]:
    return [
        CrewIn(
            name=str(r.get("name") or ""),
            id_number=str(r.get("id_number") or ""),
            phone=str(r.get("phone") or ""),
            tested_at=r.get("tested_at"),
            test_negative=bool(r.get("test_negative")),
            vaccine_doses=r.get("vaccine_doses") or 0,
        )
        for r in rows
        if any(str(r.get(k) or "").strip() for k in ("name", "id_number", "phone"))
    ]
