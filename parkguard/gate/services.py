"""Writes of the gate: gates, passes, and the check itself (Z-5.2e, Z-5.2d, J-1.5a, L-3.1).

`gate_check` is the one path of every check, from the kiosk, a device or a place code: it reads
the person's status row once, asks the rule engine (`policy.entry`), records the temperature
through the health service, and logs the answer with its reasons and pack versions. Every
refusal before the decision (a bad code, a revoked pass, another enterprise's person, a bad
temperature) is logged too, with its reason constant.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import time
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from parkguard.audit.services import audit_record
from parkguard.gate import selectors, tokens
from parkguard.gate.choices import CodeSource, Direction, Method, Place, Refusal, VisitorKind
from parkguard.gate.models import AccessCheck, Gate, PrintedPass, TemporaryPass, TokenUse
from parkguard.health.choices import CodeColour, ReadingSource
from parkguard.health.rules import HealthRules, health_rules
from parkguard.health.services import (
    reading_new,
    reading_opens_alert,
    reading_write,
    temperature_parse,
)
from parkguard.lib import hot_sql, xlsx
from parkguard.lib.durability import commit_relaxed
from parkguard.notify.privacy import name_mask
from parkguard.orgs.access import Scope, require
from parkguard.orgs.models import ApiToken, Enterprise, Jurisdiction
from parkguard.people.choices import EmploymentStatus
from parkguard.people.models import Person
from parkguard.policy import PolicyInputError
from parkguard.policy.entry import (
    GateFacts,
    Hold,
    StatusSnapshot,
    entry_decide_all,
    has_entry_checks,
    hold_citation,
)
from parkguard.policy.results import Reason
from parkguard.rules.selectors import followed
from parkguard.status.models import PersonStatus
from parkguard.status.services import status_temperature_record, temperature_forward_statement

# Refusals before the decision: module constants that tests import.
TOKEN_EXPIRED = "通行码已过期，请在手机上刷新后重新出示"
TOKEN_FORGED = "通行码无效：不是本系统签发的通行码"
TOKEN_REPLAYED = "该通行码已在本出入口同方向使用过，请在手机上刷新后重新出示"
PASS_REVOKED = "该纸质通行证已作废"
PASS_UNKNOWN = "未找到该通行证"
TEMPORARY_OUTSIDE = "临时通行证仅在 {start} 至 {end} 有效"
TEMPORARY_REVOKED = "该临时通行证已作废"
PERSON_LEFT = "此人已离职，不得进入"
PERSON_UNKNOWN = "未找到此人"
OTHER_ENTERPRISE = "非本企业人员，不得从本企业出入口通行"
OTHER_PARK = "非本园区企业人员，不得从本园区出入口通行"
UNREADABLE = "无法识别的二维码，请改用人工核验"
PARAMS_MISSING = "园区规则包参数未设置完整，无法判定：{detail}"
# Other input errors (field-level).
NAME_REQUIRED = "请填写名称"
PLACE_UNKNOWN = "请选择场所类型"
COLOUR_UNKNOWN = "健康码颜色应为 green、yellow 或 red"
DIRECTION_UNKNOWN = "方向应为 in（进）或 out（出）"
CHECKED_AT_RANGE = "查验时间不能早于 {minutes} 分钟前，也不能晚于现在"
PASS_ALREADY_REVOKED = "该通行证已作废"
PERSON_NOT_ACTIVE = "只能为在岗人员签发通行证"
WINDOW_ORDER = "有效止应晚于有效起"
KIND_UNKNOWN = "请选择来访人员或货车司乘"
MANUAL_NEEDS_PERSON = "人工核验须选定人员并确认"
STEP_UNKNOWN = "不认识的查验步骤：{steps}"

STEPS = ("mask", "disinfect_person", "register")
# Parks × places × days kept in the pack cache before it is emptied (memory bound).
PACKS_CACHE_MAX = 1000
# Clock drift of a device or tablet that is tolerated for `checked_at` (not policy).
CLOCK_DRIFT = dt.timedelta(minutes=2)


def _citation_json(reason: Reason) -> dict[str, Any] | None:
    return dataclasses.asdict(reason.citation) if reason.citation is not None else None


@transaction.atomic
def gate_create(
    *,
    scope: Scope,
    park: Jurisdiction,
    enterprise: Enterprise | None,
    name: str,
    place: str,
    route_areas: Iterable[str] = (),
    closed_loop: bool = False,
    at: dt.datetime,
    by: User | None,
) -> Gate:
    """An entrance of an enterprise, or of the park (no enterprise)."""
    target = enterprise if enterprise is not None else park
    require(scope, "manage_gates", target)
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = NAME_REQUIRED
    if place not in Place.values:
        errors["place"] = PLACE_UNKNOWN
    if errors:
        raise ValidationError(errors)
    gate = Gate.objects.create(
        park=enterprise.jurisdiction if enterprise is not None else park,
        enterprise=enterprise,
        name=name.strip()[:50],
        place=place,
        place_code=tokens.serial_new(),
        route_areas=[a.strip()[:50] for a in route_areas if a.strip()],
        closed_loop=closed_loop,
        created_at=at,
    )
    audit_record(
        actor=by,
        action="gate.create",
        at=at,
        target=gate,
        enterprise_id=gate.enterprise_id,
        jurisdiction_id=gate.park_id,
    )
    return gate


@transaction.atomic
def gate_update(
    *,
    scope: Scope,
    gate: Gate,
    route_areas: Iterable[str],
    closed_loop: bool,
    active: bool,
    at: dt.datetime,
    by: User | None,
) -> Gate:
    """Z-5.2d: set the gate's route and whether a closed-loop period applies at it."""
    require(scope, "manage_gates", gate)
    gate.route_areas = [a.strip()[:50] for a in route_areas if a.strip()]
    gate.closed_loop, gate.active = closed_loop, active
    gate.save(update_fields=["route_areas", "closed_loop", "active"])
    audit_record(
        actor=by,
        action="gate.update",
        at=at,
        target=gate,
        enterprise_id=gate.enterprise_id,
        jurisdiction_id=gate.park_id,
        detail={"closed_loop": closed_loop, "active": active},
    )
    return gate


@transaction.atomic
def printed_pass_issue(
    *, scope: Scope, person: Person, at: dt.datetime, by: User | None
) -> PrintedPass:
    """A paper pass for a person without a phone (L-3.1); revocable by its serial."""
    require(scope, "manage_gates", person)
    if person.status == EmploymentStatus.LEFT:
        raise ValidationError({"person": PERSON_NOT_ACTIVE})
    issued = PrintedPass.objects.create(
        person=person, serial=tokens.serial_new(), issued_at=at, issued_by=by
    )
    audit_record(
        actor=by,
        action="gate.printed_pass.issue",
        at=at,
        target=issued,
        enterprise_id=person.enterprise_id,
    )
    return issued


@transaction.atomic
def printed_pass_revoke(
    *, scope: Scope, printed: PrintedPass, at: dt.datetime, by: User | None
) -> PrintedPass:
    require(scope, "manage_gates", printed)
    printed = PrintedPass.objects.select_for_update().get(pk=printed.pk)
    if printed.revoked_at is not None:
        raise ValidationError({"__all__": PASS_ALREADY_REVOKED})
    printed.revoked_at, printed.revoked_by = at, by
    printed.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=by,
        action="gate.printed_pass.revoke",
        at=at,
        target=printed,
        enterprise_id=printed.person.enterprise_id,
    )
    return printed


@transaction.atomic
def temporary_pass_issue(
    *,
    scope: Scope,
    enterprise: Enterprise,
    kind: str,
    name: str,
    valid_from: dt.datetime,
    valid_until: dt.datetime,
    id_tail: str = "",
    plate: str = "",
    negative_sampled_at: dt.datetime | None = None,
    source: str = "",
    at: dt.datetime,
    by: User | None,
) -> TemporaryPass:
    """A visitor's or truck crew's pass for one window; other apps name themselves in
    `source` (e.g. "visits.visit:12")."""
    require(scope, "manage_gates", enterprise)
    errors: dict[str, str] = {}
    if kind not in VisitorKind.values:
        errors["kind"] = KIND_UNKNOWN
    if not name.strip():
        errors["name"] = NAME_REQUIRED
    if valid_until <= valid_from:
        errors["valid_until"] = WINDOW_ORDER
    if errors:
        raise ValidationError(errors)
    issued = TemporaryPass.objects.create(
        enterprise=enterprise,
        kind=kind,
        name=name.strip()[:50],
        id_tail=id_tail.strip()[-4:],
        plate=plate.strip()[:12],
        negative_sampled_at=negative_sampled_at,
        valid_from=valid_from,
        valid_until=valid_until,
        serial=tokens.serial_new(),
        source=source[:80],
        issued_at=at,
        issued_by=by,
    )
    audit_record(
        actor=by,
        action="gate.temporary_pass.issue",
        at=at,
        target=issued,
        enterprise_id=enterprise.pk,
    )
    return issued


@transaction.atomic
def temporary_passes_revoke(
    *, enterprise: Enterprise, source: str, at: dt.datetime, by: User | None
) -> list[TemporaryPass]:
    """Revoke the live passes an app issued under `source` (its own row: a visit re-issued
    or cancelled). The issuing app's service asks its own permission for that row first,
    as `truck_crew_log` does for a truck's exit; each revocation is audited."""
    passes = list(
        TemporaryPass.objects.select_for_update()
        .filter(enterprise=enterprise, source=source[:80], revoked_at__isnull=True)
        .order_by("pk")
    )
    for revoked in passes:
        revoked.revoked_at = at
        revoked.save(update_fields=["revoked_at"])
        audit_record(
            actor=by,
            action="gate.temporary_pass.revoke",
            at=at,
            target=revoked,
            enterprise_id=enterprise.pk,
            detail={"source": revoked.source},
        )
    return passes


@dataclass(frozen=True)
class CheckAnswer:
    """What the kiosk or device is told, with the log row behind it."""

    check: AccessCheck
    allowed: bool
    reasons: tuple[dict[str, Any], ...]
    refusal: str
    name_masked: str = ""
    status_colour: str = ""


def _snapshot(row: PersonStatus | None) -> StatusSnapshot:
    """The entry decision's view of the person's status row (read once, with the person)."""
    if row is None:
        return StatusSnapshot()
    holds = tuple(
        Hold(
            kind=str(h.get("kind", "")),
            label=str(h.get("label", "")),
            reason=str(h.get("reason", "")),
            citation=hold_citation(h.get("citation")),
        )
        for h in row.holds
    )
    return StatusSnapshot(
        latest_negative_at=row.latest_negative_at,
        pending_results=row.pending_results,
        holds=holds,
        last_temperature=row.last_temperature,
        last_temperature_at=row.last_temperature_at,
    )


_PACKS: dict[tuple[int, str, dt.date], tuple[float, list[tuple[Any, dict[str, Any]]]]] = {}


def gate_packs(*, gate: Gate, on: dt.date) -> list[tuple[Any, dict[str, Any]]]:
    """The packs the gate's park follows on `on` that name entry checks for its place.

    Kept in the process for `GATE_PACKS_CACHE_SECONDS` (the gate's hot path): a new adoption
    or parameter reaches the gates within that time. The park row is read only on a miss."""
    place = gate.place
    key = (gate.park_id, place, on)
    now = time.monotonic()
    hit = _PACKS.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    found = [
        (f.pack, f.params)
        for f in followed(park=gate.park, on=on)
        if f.pack is not None and has_entry_checks(f.pack, place)
    ]
    if settings.GATE_PACKS_CACHE_SECONDS > 0:
        if len(_PACKS) > PACKS_CACHE_MAX:
            _PACKS.clear()
        _PACKS[key] = (now + settings.GATE_PACKS_CACHE_SECONDS, found)
    return found


_HEALTH: dict[tuple[int, dt.date], tuple[float, HealthRules]] = {}


def gate_health_rules(*, gate: Gate, on: dt.date) -> HealthRules:
    """The gate's park's health rules on `on` (the fever threshold of a temperature taken at
    the gate), kept in the process like `gate_packs` for `GATE_PACKS_CACHE_SECONDS`."""
    key = (gate.park_id, on)
    now = time.monotonic()
    hit = _HEALTH.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    found = health_rules(park=gate.park, on=on)
    if settings.GATE_PACKS_CACHE_SECONDS > 0:
        if len(_HEALTH) > PACKS_CACHE_MAX:
            _HEALTH.clear()
        _HEALTH[key] = (now + settings.GATE_PACKS_CACHE_SECONDS, found)
    return found


def _token_use_statement(
    *, gate: Gate, direction: str, digest: str, at: dt.datetime
) -> tuple[str, list[Any]]:
    """The record of a phone token's use at this gate in this direction: one
    `INSERT … ON CONFLICT DO NOTHING` on the unique constraint, which inserts nothing if the
    token was used there already (a replay); no savepoint, and a concurrent second use waits
    for the first and then inserts nothing."""
    table = TokenUse._meta.db_table
    fields = {f.name: f for f in TokenUse._meta.concrete_fields}
    columns = ", ".join(
        connection.ops.quote_name(str(fields[f].column))
        for f in ("gate", "direction", "digest", "expires_at")
    )
    value = fields["expires_at"].get_db_prep_value(at, connection)
    return (
        f"INSERT INTO {connection.ops.quote_name(table)} ({columns}) "
        "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
        [gate.pk, direction, digest, value],
    )


def _token_use_record(*, gate: Gate, direction: str, digest: str, at: dt.datetime) -> bool:
    """Record a phone token's use (`_token_use_statement`); False if it was a replay."""
    sql, params = _token_use_statement(gate=gate, direction=direction, digest=digest, at=at)
    with hot_sql.cursor() as cursor:
        cursor.execute(sql, params)
        return bool(cursor.rowcount == 1)


def gate_check(
    *,
    scope: Scope,
    gate: Gate,
    direction: str,
    code: str = "",
    person_id: int | None = None,
    temperature: object = None,
    code_colour: str | None = None,
    steps_done: Iterable[str] | None = None,
    checked_at: dt.datetime | None = None,
    at: dt.datetime,
    by: User | None = None,
    device: ApiToken | None = None,
) -> CheckAnswer:
    """One check at a gate: a scanned code (phone, printed or temporary pass) or, on the manual
    path, a person the guard confirmed (`person_id`). Raises ValidationError only for input
    that names no check (direction, colour, time); every other refusal is an answer, logged.

    Everything is read and decided first (outside any transaction, like PostgreSQL's READ
    COMMITTED would see it: the decision reads only the status row, the replay record is
    an atomic insert and the status row's temperature a conditional UPDATE); then the writes
    run in one short transaction whose commit does not wait for the disk (`commit_relaxed`,
    docs/gate.md "Durability"): a crash may lose the last moments of access-log rows, never
    corrupt them. On SQLite the write lock is held only for those writes."""
    require(scope, "gate_check", gate)
    errors: dict[str, str] = {}
    if direction not in Direction.values:
        errors["direction"] = DIRECTION_UNKNOWN
    if code_colour is not None and code_colour not in CodeColour.values:
        errors["code_colour"] = COLOUR_UNKNOWN
    steps = None if steps_done is None or device is not None else frozenset(steps_done)
    if steps is not None and not steps <= frozenset(STEPS):
        errors["steps"] = STEP_UNKNOWN.format(steps="、".join(sorted(steps - frozenset(STEPS))))
    when = checked_at or at
    oldest = at - dt.timedelta(minutes=settings.GATE_OFFLINE_MAX_MINUTES)
    if not oldest <= when <= at + CLOCK_DRIFT:
        errors["checked_at"] = CHECKED_AT_RANGE.format(minutes=settings.GATE_OFFLINE_MAX_MINUTES)
    if errors:
        raise ValidationError(errors)
    log = AccessCheck(
        at=when,
        recorded_at=at,
        gate=gate,
        park_id=gate.park_id,
        enterprise_id=gate.enterprise_id,
        direction=direction,
        guard=by if device is None else None,
        device=device,
        code_colour=code_colour or "",
        code_source=(
            CodeSource.NONE
            if code_colour is None
            else CodeSource.DEVICE
            if device is not None
            else CodeSource.GUARD
        ),
        steps=sorted(steps) if steps is not None else [],
        queued=checked_at is not None and at - checked_at > CLOCK_DRIFT,
    )

    # The manual path's audit entry, written last: the audit chain's lock is taken after the
    # status row's (as a lab import does), never before it, so the two cannot deadlock.
    manual_audit: list[Person] = []

    def audit_manual() -> None:
        for confirmed in manual_audit:
            audit_record(
                actor=by,
                action="gate.manual_confirm",
                at=at,
                target=confirmed,
                enterprise_id=confirmed.enterprise_id,
                jurisdiction_id=gate.park_id,
                detail={"gate": gate.pk},
                subjects=[confirmed.pk],
            )

    def refused(refusal: str, text: str, method: str) -> CheckAnswer:
        """Log a refusal (inside the writes' transaction) and answer it."""
        log.method, log.allowed, log.refusal = method, False, refusal
        log.reasons = [{"text": text, "citation": None}]
        hot_sql.insert(log)
        audit_manual()
        return CheckAnswer(log, False, tuple(log.reasons), refusal)

    def refuse(refusal: str, text: str, method: str) -> CheckAnswer:
        with commit_relaxed():
            return refused(refusal, text, method)

    value: Decimal | None = None
    if temperature is not None and str(temperature).strip():
        try:
            value = temperature_parse(temperature)
        except ValidationError as exc:
            text = exc.message_dict["temperature"][0]
            return refuse(Refusal.BAD_TEMPERATURE, text, Method.UNREADABLE)
    log.temperature = value

    # Who is it?
    temporary: TemporaryPass | None = None
    read: tokens.Read | None = None
    if person_id is not None and not code:
        method = Method.MANUAL
        if device is not None or by is None:
            raise ValidationError({"person_id": MANUAL_NEEDS_PERSON})
    else:
        read = tokens.code_read(code, at=when)
        if read.kind == "unreadable":
            return refuse(Refusal.UNREADABLE, UNREADABLE, Method.UNREADABLE)
        if read.kind == "forged":
            return refuse(Refusal.FORGED, TOKEN_FORGED, Method.PHONE_PASS)
        if read.kind == "expired":
            return refuse(Refusal.EXPIRED, TOKEN_EXPIRED, Method.PHONE_PASS)
        if read.kind == "printed":
            method = Method.PRINTED_PASS
            printed = (
                PrintedPass.objects.filter(serial=read.serial)
                .only("person_id", "revoked_at")
                .first()
            )
            if printed is None:
                return refuse(Refusal.FORGED, PASS_UNKNOWN, method)
            if printed.revoked_at is not None and printed.revoked_at <= when:
                log.person_id = printed.person_id
                return refuse(Refusal.REVOKED, PASS_REVOKED, method)
            person_id = printed.person_id
        elif read.kind == "temporary":
            method = Method.TEMPORARY_PASS
            temporary = TemporaryPass.objects.filter(serial=read.serial).first()
            if temporary is None:
                return refuse(Refusal.FORGED, PASS_UNKNOWN, method)
            log.temporary_pass = temporary
            if temporary.revoked_at is not None:
                return refuse(Refusal.REVOKED, TEMPORARY_REVOKED, method)
            if not temporary.valid_from <= when < temporary.valid_until:
                text = TEMPORARY_OUTSIDE.format(
                    start=timezone.localtime(temporary.valid_from).strftime("%m-%d %H:%M"),
                    end=timezone.localtime(temporary.valid_until).strftime("%m-%d %H:%M"),
                )
                return refuse(Refusal.OUTSIDE_WINDOW, text, method)
            if gate.enterprise_id is not None and temporary.enterprise_id != gate.enterprise_id:
                return refuse(Refusal.OTHER_ENTERPRISE, OTHER_ENTERPRISE, method)
        else:
            method = Method.PHONE_PASS
            person_id = read.person_id
    log.method = method

    name = ""
    person: Person | None = None
    may_record = False
    if temporary is not None:
        name = temporary.name
        snapshot = StatusSnapshot(latest_negative_at=temporary.negative_sampled_at)
        person_kind = temporary.kind
    else:
        # The person, their enterprise's park and whether this caller may record their
        # temperature, in one pre-written read; the status row is read on its own below.
        found = selectors.person_for_check(scope=scope, person_id=person_id or 0)
        if found is None:
            return refuse(Refusal.FORGED, PERSON_UNKNOWN, method)
        person = found.person
        may_record = found.may_record_temperature
        log.person = person
        name = person.name
        if gate.enterprise_id is not None and person.enterprise_id != gate.enterprise_id:
            return refuse(Refusal.OTHER_ENTERPRISE, OTHER_ENTERPRISE, method)
        if gate.enterprise_id is None and found.park_id != gate.park_id:
            return refuse(Refusal.OTHER_ENTERPRISE, OTHER_PARK, method)
        if person.status == EmploymentStatus.LEFT:
            return refuse(Refusal.PERSON_LEFT, PERSON_LEFT, method)
        snapshot = _snapshot(found.status)
        person_kind = "employee"
        if method == Method.MANUAL:
            # The manual path (name + ID tail, confirmed by the guard) is audited.
            manual_audit.append(person)

    on_route = True
    if gate.closed_loop and person is not None:
        areas = set(gate.route_areas)
        on_route = bool(areas & {person.dormitory, person.workshop} - {""})
    facts = GateFacts(
        at=when,
        place=gate.place,
        direction=direction,  # type: ignore[arg-type]
        person_kind=person_kind,  # type: ignore[arg-type]
        code_colour=code_colour,
        temperature=value,
        steps_done=steps,
        closed_loop=gate.closed_loop,
        on_route=on_route,
    )
    packs = gate_packs(gate=gate, on=timezone.localdate(when))
    try:
        decision = entry_decide_all(packs=packs, status=snapshot, facts=facts)
    except PolicyInputError as exc:
        return refuse(Refusal.DECISION, PARAMS_MISSING.format(detail=exc), method)
    log.packs = [list(p) for p in decision.packs]
    log.reasons = [{"text": r.text, "citation": _citation_json(r)} for r in decision.reasons]
    log.allowed = decision.allowed
    log.refusal = "" if decision.allowed else Refusal.DECISION
    digest = ""
    if decision.allowed and read is not None and read.kind == "phone":
        assert read.expires_at is not None
        digest = tokens.digest(code.strip())
    rules: HealthRules | None = None
    if value is not None and temporary is None and person is not None and may_record:
        rules = gate_health_rules(gate=gate, on=timezone.localdate(when))

    source = ReadingSource.GATE if gate.place == Place.PLANT_GATE else ReadingSource.OFFICE
    # The writes, and only they, in one short transaction.
    with commit_relaxed():
        if hot_sql.chains() and (
            rules is None or value is None or not reading_opens_alert(rules, value)
        ):
            # PostgreSQL: the token's use, the log row, the reading and the status row's
            # temperature in one statement (docs/gate.md, "Round five"), the same rows as the
            # path below; a fever takes that path (its alert and hold).
            reading = None
            update = None
            if rules is not None:
                assert value is not None and person is not None
                reading = reading_new(
                    person=person,
                    value=value,
                    source=source,
                    place=gate.name,
                    taken_at=when,
                    by=by,
                    device=device,
                )
                update = temperature_forward_statement(
                    pk=person.pk, value=value, taken_at=when, at=at
                )
            guard = None
            if digest:
                assert read is not None and read.expires_at is not None
                guard = _token_use_statement(
                    gate=gate, direction=direction, digest=digest, at=read.expires_at
                )
            writes: list[Model] = [log] if reading is None else [log, reading]
            fresh, moved = hot_sql.insert_chain(writes, guard=guard, update=update)
            if not fresh:
                return refused(Refusal.REPLAYED, TOKEN_REPLAYED, method)
            if update is not None and not moved:
                assert value is not None and person is not None
                # No status row yet, or a newer reading on it: the general path.
                status_temperature_record(readings={person.pk: (value, when)}, at=at)
            audit_manual()
            return _answer(log, decision.allowed, name)
        if digest:
            assert read is not None and read.expires_at is not None
            if not _token_use_record(
                gate=gate, direction=direction, digest=digest, at=read.expires_at
            ):
                return refused(Refusal.REPLAYED, TOKEN_REPLAYED, method)
        hot_sql.insert(log)
        if rules is not None:
            assert value is not None and person is not None
            # Through the health service (its write half: the permission was asked with the
            # person's read, the value parsed at the top): the reading is kept with its
            # source, and a fever opens the alert and the hold there (B-2.2b).
            reading_write(
                person=person,
                value=value,
                source=source,
                place=gate.name,
                taken_at=when,
                at=at,
                by=by,
                device=device,
                rules=rules,
            )
        audit_manual()
    return _answer(log, decision.allowed, name)


def _answer(log: AccessCheck, allowed: bool, name: str) -> CheckAnswer:
    colour = "green" if allowed else "red"
    return CheckAnswer(log, allowed, tuple(log.reasons), log.refusal, name_mask(name), colour)


@transaction.atomic
def place_code_register(
    *, scope: Scope, gate: Gate, person: Person, direction: str, at: dt.datetime, by: User
) -> AccessCheck:
    """J-1.5a: an employee scanned the place-code poster and registers in or out."""
    require(scope, "show_pass", person)
    if direction not in Direction.values:
        raise ValidationError({"direction": DIRECTION_UNKNOWN})
    if gate.enterprise_id is not None and gate.enterprise_id != person.enterprise_id:
        raise ValidationError({"__all__": OTHER_ENTERPRISE})
    if gate.enterprise_id is None and person.enterprise.jurisdiction_id != gate.park_id:
        raise ValidationError({"__all__": OTHER_PARK})
    if person.status == EmploymentStatus.LEFT:
        raise ValidationError({"__all__": PERSON_LEFT})
    return AccessCheck.objects.create(
        at=at,
        recorded_at=at,
        gate=gate,
        park_id=gate.park_id,
        enterprise_id=gate.enterprise_id,
        direction=direction,
        method=Method.PLACE_CODE,
        person=person,
        guard=None,
        allowed=True,
        reasons=[],
    )


def token_uses_purge(*, at: dt.datetime) -> int:
    """Drop replay records of tokens that have expired anyway."""
    deleted, _ = TokenUse.objects.filter(expires_at__lt=at).delete()
    return deleted


def access_log_export(
    *,
    scope: Scope,
    enterprise: Enterprise,
    rows: Iterable[AccessCheck],
    on: dt.date,
    at: dt.datetime,
    by: User | None,
) -> bytes:
    """The day's access log as .xlsx, names and ID numbers masked; audited."""
    require(scope, "export", enterprise)
    rows = list(rows)  # walked twice: the sheet, then the people it listed (audited)
    buffer = io.BytesIO()
    book = xlsx.workbook(buffer, **{"in_memory": True})
    sheet = book.add_worksheet("出入记录")
    head = [
        "查验时间",
        "出入口",
        "方向",
        "方式",
        "人员",
        "证件号",
        "结果",
        "原因",
        "规则包",
        "体温",
        "查验人",
    ]
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, head, bold)
    count = 0
    for count, row in enumerate(rows, start=1):
        person = row.person
        who = row.guard.get_full_name() or row.guard.username if row.guard else ""
        sheet.write_row(
            count,
            0,
            [
                timezone.localtime(row.at).strftime("%Y-%m-%d %H:%M:%S"),
                row.gate.name,
                row.get_direction_display(),
                row.get_method_display(),
                name_mask(person.name)
                if person
                else (name_mask(row.temporary_pass.name) if row.temporary_pass else ""),
                person.id_masked if person else "",
                "放行" if row.allowed else "拒绝",
                xlsx.free_text("；".join(r["text"] for r in row.reasons)),
                "、".join(f"{p[0]} v{p[1]}" for p in row.packs),
                str(row.temperature) if row.temperature is not None else "",
                who or (row.device.name if row.device else ""),
            ],
        )
    book.close()
    audit_record(
        actor=by,
        action="gate.access_log.export",
        at=at,
        target=enterprise,
        enterprise_id=enterprise.pk,
        detail={"on": on.isoformat(), "rows": count, "masked": True},
        subjects=[row.person_id for row in rows if row.person_id is not None],
    )
    return buffer.getvalue()


@transaction.atomic
def truck_crew_log(
    *,
    scope: Scope,
    enterprise: Enterprise,
    plate: str,
    crew: Iterable[tuple[str, str, Decimal | None, dt.datetime | None]],
    direction: str,
    source: str,
    note: str,
    valid_until: dt.datetime,
    at: dt.datetime,
    by: User | None,
) -> list[AccessCheck]:
    """A truck's entry or exit in the access log, one row per crew member (name, ID tail,
    temperature, latest negative), so tracing and the log's export see trucks (J-1.3).

    Going in, each crew member gets a truck-crew temporary pass named by `source` (which the
    freight app chooses, e.g. "logistics.truck:12"); going out, the same passes are logged and
    closed. The row goes to the enterprise's first active plant gate, else the park's; with
    no gate at all nothing is logged (an empty list)."""
    require(scope, "gate_trucks", enterprise)
    gate = (
        Gate.objects.filter(enterprise=enterprise, place=Place.PLANT_GATE, active=True)
        .order_by("pk")
        .first()
        or Gate.objects.filter(
            park_id=enterprise.jurisdiction_id,
            enterprise__isnull=True,
            place=Place.PLANT_GATE,
            active=True,
        )
        .order_by("pk")
        .first()
    )
    if gate is None:
        return []
    if direction == Direction.IN:
        passes = [
            TemporaryPass.objects.create(
                enterprise=enterprise,
                kind=VisitorKind.TRUCK_CREW,
                name=name.strip()[:50],
                id_tail=tail[-4:],
                plate=plate[:12],
                negative_sampled_at=negative,
                valid_from=at,
                valid_until=max(valid_until, at + dt.timedelta(minutes=1)),
                serial=tokens.serial_new(),
                source=source[:80],
                issued_at=at,
                issued_by=by,
            )
            for name, tail, _temp, negative in crew
        ]
        temperatures = [temp for _name, _tail, temp, _neg in crew]
    else:
        passes = list(
            TemporaryPass.objects.filter(
                enterprise=enterprise, source=source[:80], revoked_at__isnull=True
            ).order_by("pk")
        )
        temperatures = [None] * len(passes)
        TemporaryPass.objects.filter(pk__in=[p.pk for p in passes]).update(valid_until=at)
    rows = [
        AccessCheck(
            at=at,
            recorded_at=at,
            gate=gate,
            park_id=gate.park_id,
            enterprise_id=enterprise.pk,
            direction=direction,
            method=Method.TEMPORARY_PASS,
            temporary_pass=issued,
            guard=by,
            allowed=True,
            reasons=[{"text": note, "citation": None}],
            temperature=temp,
        )
        for issued, temp in zip(passes, temperatures, strict=True)
    ]
    AccessCheck.objects.bulk_create(rows)
    return rows
