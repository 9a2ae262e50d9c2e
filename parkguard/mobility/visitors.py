"""Visitors (J-1.2.1–J-1.2.5): registered by a host, filled in by the visitor through a signed,
expiring, rate-limited link (no login), planned by the engine, filed with the community and
the park where a pack asks the enterprise to file them, placed in a buffer zone where the
pack's closed loop applies."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from parkguard.audit.services import audit_record
from parkguard.gate import tokens
from parkguard.gate.choices import VisitorKind
from parkguard.gate.models import TemporaryPass
from parkguard.gate.services import temporary_pass_issue, temporary_passes_revoke
from parkguard.lib.signed_links import link_read, link_sign
from parkguard.mobility import rules
from parkguard.mobility.choices import PointKind, TestResult, VisitorState
from parkguard.mobility.divisions import UNKNOWN_DIVISION, division_full_name, division_get
from parkguard.mobility.models import ObservationPoint, Visitor
from parkguard.mobility.services import (
    ARRIVAL_TOO_LATE,
    CERT_AFTER_ARRIVAL,
    CERT_RESULT,
    STAYS_ORDER,
    STAYS_REQUIRED,
    StayDeclared,
    _entries,
    _headcount,
    utc_iso,
)
from parkguard.notify.choices import Kind
from parkguard.notify.services import notify_send
from parkguard.orgs.access import Scope, require
from parkguard.orgs.choices import Role
from parkguard.orgs.models import Jurisdiction, Membership
from parkguard.people.models import Person
from parkguard.policy import PolicyInputError, to_jsonable
from parkguard.policy.schema import ClosedLoop, Notify
from parkguard.rules.registry import registry

VISITOR_NO_HOST = "请选择接待人（本企业在职员工）"
PURPOSE_REQUIRED = "请填写来访事由"
NAME_REQUIRED = "请填写姓名"
PHONE_INVALID = "请填写11位手机号"
ALREADY_FILLED = "已填写，如需修改请联系接待人"
LINK_INVALID = "链接无效或已过期，请联系接待人重新发送"
LINK_BUSY = "访问过于频繁，请稍后再试"
BUFFER_FULL = "过渡缓冲区已满或尚未设立，请接待人联系企业防疫专员安排"
PASS_NOT_FILLED = "来访人员尚未填写本人信息，还没有防控计划，暂不能签发通行证"
PASS_CANCELLED = "该来访已取消，不能签发通行证"
PASS_ENTRY_FORBIDDEN = "按防控计划，该来访人员暂不能进厂，不能签发通行证"
DEPARTS_REQUIRED = "请填写预计离开时间"
DEPARTS_BEFORE_ENTRY = "离开时间应晚于通行证的起始时间（{start}）"
DEPARTS_TOO_LATE = "离开时间不能晚于通行证起始后 {days} 天，更长的停留请到期后重新签发"
VISIT_ALREADY_CANCELLED = "该来访已取消"
PASS_REVOKED_BY_POLICY = (
    "原临时通行证与新的要求不符，已作废；如仍来访，请按新的最早进厂时间重新签发。"
)
SALT = "parkguard.mobility.visitor"
PHONE_DIGITS = 11


class LinkBusy(Exception):
    """The link was used too often in the current window (a 429)."""


def _check_arrival(errors: dict[str, list[str]], arrives_at: dt.datetime, at: dt.datetime) -> None:
    ahead = settings.MOBILITY_ARRIVAL_AHEAD_DAYS
    if arrives_at > at + dt.timedelta(days=ahead):
        errors.setdefault("arrives_at", []).append(ARRIVAL_TOO_LATE.format(days=ahead))


@transaction.atomic
def visitor_register(
    *,
    scope: Scope,
    host: Person | None,
    purpose: str,
    origin_code: str,
    arrives_at: dt.datetime,
    by: User | None,
    at: dt.datetime,
) -> Visitor:
    """A host registers a visitor before arrival; the link to send is `visitor_link()`."""
    if host is None:
        raise ValidationError({"host": [VISITOR_NO_HOST]})
    require(scope, "manage_visitors", host)
    errors: dict[str, list[str]] = {}
    if division_get(origin_code) is None:
        errors.setdefault("origin_code", []).append(UNKNOWN_DIVISION)
    if not purpose.strip():
        errors.setdefault("purpose", []).append(PURPOSE_REQUIRED)
    _check_arrival(errors, arrives_at, at)
    if errors:
        raise ValidationError(errors)
    return Visitor.objects.create(
        enterprise_id=host.enterprise_id,
        host=host,
        purpose=purpose.strip(),
        origin_code=origin_code,
        origin_name=division_full_name(origin_code),
        arrives_at=arrives_at,
        state=VisitorState.REGISTERED,
        link_nonce=secrets.token_hex(16),
        created_by=by,
        created_at=at,
    )


def visitor_link(visitor: Visitor) -> str:
    """The signed token of the visitor's fill-in link (it expires; a new nonce voids it)."""
    return link_sign({"v": visitor.pk, "n": visitor.link_nonce}, salt=SALT)


@transaction.atomic
def visitor_from_token(*, token: str, at: dt.datetime) -> Visitor | None:
    """The visitor a link names, or None (forged, expired, voided); counts the use and raises
    `LinkBusy` beyond the per-window limit."""
    data = link_read(
        token, salt=SALT, max_age=dt.timedelta(hours=settings.MOBILITY_VISITOR_LINK_HOURS)
    )
    if data is None:
        return None
    try:
        pk, nonce = int(data["v"]), str(data["n"])
    except (KeyError, TypeError, ValueError):
        return None
    visitor = (
        Visitor.objects.select_for_update()
        .select_related("enterprise__jurisdiction", "host")
        .filter(pk=pk, link_nonce=nonce)
        .exclude(state=VisitorState.CANCELLED)
        .first()
    )
    if visitor is None:
        return None
    window = dt.timedelta(minutes=settings.MOBILITY_VISITOR_LINK_WINDOW_MINUTES)
    if visitor.link_window_start is None or at - visitor.link_window_start >= window:
        visitor.link_window_start, visitor.link_uses = at, 0
    visitor.link_uses += 1
    visitor.save(update_fields=["link_window_start", "link_uses"])
    if visitor.link_uses > settings.MOBILITY_VISITOR_LINK_USES:
        raise LinkBusy
    return visitor


def _rules_have(found: Sequence[rules.PackPlan], measure: Callable[[object], bool]) -> bool:
    """Does a rule the plans used carry a measure of this kind?"""
    for f in found:
        for citation in f.plan.rules:
            pack = registry().get(citation.pack_id, citation.version)
            for bound in pack.rules:
                if bound.rule.id == citation.rule_id and any(
                    measure(m) for m in bound.rule.measures
                ):
                    return True
    return False


def _enterprise_files(m: object) -> bool:
    """The enterprise itself files (J-1.2.3 企业……报备)."""
    return isinstance(m, Notify) and m.who == "enterprise"


def _closed_loop(m: object) -> bool:
    """A closed-loop area (J-1.2.5 过渡缓冲区)."""
    return isinstance(m, ClosedLoop)


def _buffer_for(visitor: Visitor, at: dt.datetime) -> ObservationPoint | None:
    """The first buffer zone of the enterprise with room (visitors not yet released count)."""
    for point in ObservationPoint.objects.filter(
        enterprise_id=visitor.enterprise_id, kind=PointKind.BUFFER
    ).order_by("pk"):
        held = (
            Visitor.objects.filter(buffer=point)
            .exclude(pk=visitor.pk)
            .filter(Q(earliest_entry__isnull=True) | Q(earliest_entry__gt=at))
            .count()
        )
        if held < point.capacity:
            return point
    return None


@transaction.atomic
def visitor_fill(
    *,
    visitor: Visitor,
    name: str,
    phone: str,
    stays: Sequence[StayDeclared],
    certificates: Sequence[tuple[dt.datetime, str]],
    at: dt.datetime,
) -> Visitor:
    """The visitor's own details (through the link): the engine decides the category and the
    plan; a filing reaches the community and the park; a buffer zone is assigned."""
    errors: dict[str, list[str]] = {}
    if visitor.state != VisitorState.REGISTERED:
        errors.setdefault("__all__", []).append(ALREADY_FILLED)
    if not name.strip():
        errors.setdefault("name", []).append(NAME_REQUIRED)
    digits = phone.strip()
    if len(digits) != PHONE_DIGITS or not digits.isascii() or not digits.isdigit():
        errors.setdefault("phone", []).append(PHONE_INVALID)
    if not stays:
        errors.setdefault("stays", []).append(STAYS_REQUIRED)
    previous: dt.date | None = None
    for stay in stays:
        if division_get(stay.division_code) is None:
            errors.setdefault("stays", []).append(UNKNOWN_DIVISION)
            continue
        bad = stay.first_day > stay.last_day or stay.last_day > visitor.arrives_at.date()
        if bad or (previous is not None and stay.first_day < previous):
            errors.setdefault("stays", []).append(STAYS_ORDER)
        previous = stay.last_day
    for sampled_at, result in certificates:
        if result not in TestResult.values:
            errors.setdefault("certificates", []).append(CERT_RESULT)
        if sampled_at > visitor.arrives_at:
            errors.setdefault("certificates", []).append(CERT_AFTER_ARRIVAL)
    if errors:
        raise ValidationError({k: sorted(set(v), key=v.index) for k, v in errors.items()})
    park = visitor.enterprise.jurisdiction
    stay_in = [
        rules.StayIn(
            s.division_code, division_full_name(s.division_code), s.first_day, s.last_day, s.transit
        )
        for s in stays
    ]
    try:
        found = rules.return_plans(
            park=park,
            category="",
            stays=stay_in,
            certificates=certificates,
            arrived_at=visitor.arrives_at,
            entries=_entries(park),
            enterprise=rules.EnterpriseFacts(headcount=_headcount(visitor.host)),
            kind="visitor",
        )
    except (PolicyInputError, ValueError) as exc:
        raise ValidationError({"__all__": [getattr(exc, "message", str(exc))]}) from None
    visitor.name = name.strip()
    visitor.phone = digits
    visitor.stays = [
        {
            "division_code": s.code,
            "division_name": s.name,
            "first_day": s.first_day.isoformat(),
            "last_day": s.last_day.isoformat(),
            "transit": s.transit,
        }
        for s in stay_in
    ]
    visitor.certificates = [{"sampled_at": t.isoformat(), "result": r} for t, r in certificates]
    for name_, value in _decided(found, visitor.arrives_at).items():
        setattr(visitor, name_, value)
    visitor.buffer = _buffer_for(visitor, at) if visitor.buffer_needed else None
    visitor.state = VisitorState.FILLED
    visitor.filled_at = at
    visitor.save()
    _tell(visitor, at)
    return visitor


def _decided(found: Sequence[rules.PackPlan], arrives_at: dt.datetime) -> dict[str, Any]:
    """What the engine's plans decide for a visit: the fields `DECIDED` of the visitor."""
    entries = [f.plan.earliest_entry for f in found]
    known = [e for e in entries if e is not None]
    return {
        "plans": [to_jsonable(f.plan) for f in found],
        "category": "；".join(dict.fromkeys(c.requirement for f in found for c in f.plan.rules))[
            :200
        ],
        # None: a plan that allows no entry (until a condition is met).
        "earliest_entry": None if len(known) < len(entries) else max(known, default=arrives_at),
        "filed": _rules_have(found, _enterprise_files),
        "buffer_needed": _rules_have(found, _closed_loop),
    }


def _host_and_officers(visitor: Visitor) -> set[int]:
    """The logins told about a visit: its host's and the enterprise's officers and admins."""
    users = set(
        Membership.objects.filter(
            enterprise_id=visitor.enterprise_id,
            role__in=[Role.EPIDEMIC_OFFICER, Role.ENTERPRISE_ADMIN],
        ).values_list("user_id", flat=True)
    )
    users |= set(Membership.objects.filter(person=visitor.host).values_list("user_id", flat=True))
    return users


def _tell(visitor: Visitor, at: dt.datetime) -> None:
    """The host and officers hear of the filled form; a filing reaches the community liaison
    and the park's staff (J-1.2.3)."""
    users = _host_and_officers(visitor)
    when = timezone.localtime(visitor.arrives_at)
    body = f"来访人员已填写信息，预计 {when:%m月%d日 %H:%M} 从{visitor.origin_name}抵达。"
    if visitor.buffer_needed and visitor.buffer is None:
        body += BUFFER_FULL
    notify_send(
        user_ids=users,
        kind=Kind.GENERAL,
        title="来访人员已填写",
        body=body,
        link=f"/mobility/visitors/{visitor.pk}/",
        at=at,
    )
    if visitor.filed:
        _file(visitor, when, at)


def _file(visitor: Visitor, when: dt.datetime, at: dt.datetime) -> None:
    """J-1.2.3: the filing reaches the community liaison and the park's staff."""
    enterprise = visitor.enterprise
    filed_to = set(
        Membership.objects.filter(
            Q(role=Role.COMMUNITY_LIAISON, jurisdiction_id=enterprise.community_id)
            | Q(
                role__in=[Role.PARK_ADMIN, Role.PARK_CADRE],
                jurisdiction_id=enterprise.jurisdiction_id,
            )
        ).values_list("user_id", flat=True)
    )
    notify_send(
        user_ids=filed_to,
        kind=Kind.GENERAL,
        title=f"来访人员报备：{enterprise.name}",
        body=f"{visitor.origin_name}来访人员，预计 {when:%m月%d日 %H:%M} 抵达。",
        link="/mobility/community/",
        at=at,
    )


def _pass_source(visitor: Visitor) -> str:
    """How the visit names itself on the gate's temporary passes."""
    return f"mobility.visitor:{visitor.pk}"


def _latest_negative(visitor: Visitor) -> dt.datetime | None:
    """The latest negative sample among the certificates the visitor declared."""
    taken = [
        dt.datetime.fromisoformat(c["sampled_at"])
        for c in visitor.certificates
        if c.get("result") == TestResult.NEGATIVE
    ]
    return max(taken, default=None)


@transaction.atomic
def visitor_pass_issue(
    *,
    scope: Scope,
    visitor: Visitor,
    departs_at: dt.datetime | None,
    at: dt.datetime,
    by: User | None,
) -> TemporaryPass:
    """The officer issues the visitor's gate pass from the visitor board (J-1.2, issue 13 §1):
    valid from the earliest entry the visitor's plan allows (or now, if that has passed) until
    the departure the officer enters, at most `MOBILITY_VISITOR_PASS_DAYS` later; the
    latest negative sample the visitor declared goes on the pass for the gate's check. A
    re-issue revokes the pass issued before. Refused, with nothing saved, while the visitor
    has no plan, the plan forbids entry, or the visit is cancelled."""
    require(scope, "issue_visitor_pass", visitor)
    visitor = Visitor.objects.select_for_update().select_related("enterprise").get(pk=visitor.pk)
    if visitor.state == VisitorState.CANCELLED:
        raise ValidationError({"__all__": [PASS_CANCELLED]})
    if visitor.state != VisitorState.FILLED:
        raise ValidationError({"__all__": [PASS_NOT_FILLED]})
    if visitor.earliest_entry is None:
        raise ValidationError({"__all__": [PASS_ENTRY_FORBIDDEN]})
    start = max(visitor.earliest_entry, at)
    if departs_at is None:
        raise ValidationError({"departs_at": [DEPARTS_REQUIRED]})
    if departs_at <= start:
        when = timezone.localtime(start).strftime("%m-%d %H:%M")
        raise ValidationError({"departs_at": [DEPARTS_BEFORE_ENTRY.format(start=when)]})
    days = settings.MOBILITY_VISITOR_PASS_DAYS
    if departs_at > start + dt.timedelta(days=days):
        raise ValidationError({"departs_at": [DEPARTS_TOO_LATE.format(days=days)]})
    previous = temporary_passes_revoke(
        enterprise=visitor.enterprise, source=_pass_source(visitor), at=at, by=by
    )
    issued = temporary_pass_issue(
        scope=scope,
        enterprise=visitor.enterprise,
        kind=VisitorKind.VISITOR,
        name=visitor.name,
        valid_from=start,
        valid_until=departs_at,
        negative_sampled_at=_latest_negative(visitor),
        source=_pass_source(visitor),
        at=at,
        by=by,
    )
    visitor.temporary_pass = issued
    visitor.save(update_fields=["temporary_pass"])
    audit_record(
        actor=by,
        action="mobility.visitor.pass_issue",
        at=at,
        target=visitor,
        enterprise_id=visitor.enterprise_id,
        detail={
            "pass": issued.pk,
            "valid_from": start.isoformat(),
            "valid_until": departs_at.isoformat(),
            "revoked": [p.pk for p in previous],
        },
    )
    return issued


@transaction.atomic
def visitor_cancel(*, scope: Scope, visitor: Visitor, at: dt.datetime, by: User | None) -> Visitor:
    """The host or an officer cancels the visit: its link stops working and its gate pass is
    revoked (the gate then refuses it)."""
    require(scope, "manage_visitors", visitor.host)
    visitor = Visitor.objects.select_for_update().select_related("enterprise").get(pk=visitor.pk)
    if visitor.state == VisitorState.CANCELLED:
        raise ValidationError({"__all__": [VISIT_ALREADY_CANCELLED]})
    revoked = temporary_passes_revoke(
        enterprise=visitor.enterprise, source=_pass_source(visitor), at=at, by=by
    )
    visitor.state = VisitorState.CANCELLED
    visitor.cancelled_at = at
    visitor.link_nonce = secrets.token_hex(16)
    visitor.save(update_fields=["state", "cancelled_at", "link_nonce"])
    audit_record(
        actor=by,
        action="mobility.visitor.cancel",
        at=at,
        target=visitor,
        enterprise_id=visitor.enterprise_id,
        detail={"revoked": [p.pk for p in revoked]},
    )
    return visitor


def visitor_pass(visitor: Visitor) -> TemporaryPass | None:
    """The visit's live gate pass (issued, not revoked), if any."""
    issued = visitor.temporary_pass
    if issued is None or issued.revoked_at is not None:
        return None
    return issued


def visitor_view(visitor: Visitor) -> dict[str, Any]:
    """What the visitor's own page shows: what to do and by when, with the clauses."""
    items = []
    for plan in visitor.plans:
        for ob in plan["obligations"]:
            items.append(
                {
                    "title": ob["title"],
                    "due_at": ob.get("due_at"),
                    "why": f"{ob['citation']['document_number']} {ob['citation']['clause']}",
                }
            )
    issued = visitor_pass(visitor)
    return {
        "earliest_entry": visitor.earliest_entry,
        "pass": None
        if issued is None
        else {
            "code": tokens.temporary_code(issued.serial),
            "valid_from": issued.valid_from,
            "valid_until": issued.valid_until,
        },
        "items": items,
        "notes": [n["text"] for p in visitor.plans for n in p["notes"]],
        "buffer": visitor.buffer.name if visitor.buffer else "",
    }


# --- when policy changes (issue 12 §6) --------------------------------------------------------
@dataclass
class VisitorImpact:
    """A visit whose plan changes under a new policy, and what the change does to it."""

    visitor: Visitor
    decided: dict[str, Any]
    appear: list[str] = field(default_factory=list)
    move: list[tuple[str, str, str]] = field(default_factory=list)
    disappear: list[str] = field(default_factory=list)
    # The live gate pass no longer fits the plan (entry now later, or not allowed).
    pass_revoked: bool = False

    @property
    def entry_before(self) -> dt.datetime | None:
        return self.visitor.earliest_entry

    @property
    def entry_after(self) -> dt.datetime | None:
        entry: dt.datetime | None = self.decided["earliest_entry"]
        return entry

    @property
    def entry_changed(self) -> bool:
        return self.entry_before != self.entry_after


def _obligations(plans: Sequence[dict[str, Any]]) -> dict[str, tuple[str, str]]:
    """Each stored plan's obligations by pack and key: (title, due), as the JSON holds them."""
    return {
        f"{p['pack_id']}:{ob['key']}": (ob["title"], ob.get("due_at") or "")
        for p in plans
        for ob in p["obligations"]
    }


def _open_visits(park: Jurisdiction, at: dt.datetime) -> Any:
    """Visits whose plan still matters: filled in, not cancelled, arriving within the
    recompute window or holding a gate pass that is still valid."""
    since = at - dt.timedelta(days=settings.MOBILITY_RECOMPUTE_DAYS)
    live = Q(temporary_pass__valid_until__gt=at, temporary_pass__revoked_at__isnull=True)
    return (
        Visitor.objects.filter(enterprise__jurisdiction=park, state=VisitorState.FILLED)
        .filter(Q(arrives_at__gte=since) | live)
        .select_related("enterprise", "temporary_pass", "buffer")
        .order_by("pk")
    )


def visitors_impact(
    *,
    park: Jurisdiction,
    policy: rules.ParkPolicy,
    entries: Sequence[rules.Entry],
    headcounts: dict[int, int],
    at: dt.datetime,
) -> list[VisitorImpact]:
    """Every open visit of the park planned again under `policy`, compared with its stored
    plan obligation by obligation; only the visits that change are returned. Writes nothing."""
    found: list[VisitorImpact] = []
    for visitor in _open_visits(park, at):
        stays = [
            rules.StayIn(
                s["division_code"],
                s["division_name"],
                dt.date.fromisoformat(s["first_day"]),
                dt.date.fromisoformat(s["last_day"]),
                bool(s.get("transit")),
            )
            for s in visitor.stays
        ]
        certificates = [
            (dt.datetime.fromisoformat(c["sampled_at"]), c["result"]) for c in visitor.certificates
        ]
        plans = rules.plans_under(
            policy,
            category="",
            stays=stays,
            certificates=certificates,
            arrived_at=visitor.arrives_at,
            entries=entries,
            enterprise=rules.EnterpriseFacts(headcount=headcounts.get(visitor.enterprise_id, 0)),
            kind="visitor",
        )
        decided = _decided(plans, visitor.arrives_at)
        before, after = _obligations(visitor.plans), _obligations(decided["plans"])
        row = VisitorImpact(
            visitor=visitor,
            decided=decided,
            appear=[after[k][0] for k in after if k not in before],
            move=[
                (after[k][0], before[k][1], after[k][1])
                for k in after
                if k in before and before[k][1] != after[k][1]
            ],
            disappear=[before[k][0] for k in before if k not in after],
        )
        same = all(
            getattr(visitor, k) == decided[k]
            for k in ("category", "earliest_entry", "filed", "buffer_needed")
        )
        if same and not (row.appear or row.move or row.disappear):
            continue
        issued = visitor_pass(visitor)
        entry = row.entry_after
        row.pass_revoked = issued is not None and (entry is None or entry > issued.valid_from)
        found.append(row)
    return found


def visitors_recompute(
    *, changed: Sequence[VisitorImpact], reason: str, at: dt.datetime, by: User | None
) -> None:
    """Store the new plans of the visits `visitors_impact` found changed: the old plan is kept
    in `superseded_plans`, a gate pass the new plan no longer allows is revoked, a buffer zone
    is found or given back, a new filing reaches the community and the park, and the host and
    the officers are told. Runs inside the policy change's transaction."""
    for row in changed:
        visitor = Visitor.objects.select_for_update().get(pk=row.visitor.pk)
        was_filed = visitor.filed
        visitor.superseded_plans = [
            *visitor.superseded_plans,
            {
                "at": at.isoformat(),
                "reason": reason,
                "plans": visitor.plans,
                "category": visitor.category,
                "earliest_entry": utc_iso(visitor.earliest_entry),
            },
        ]
        for name, value in row.decided.items():
            setattr(visitor, name, value)
        if not visitor.buffer_needed:
            visitor.buffer = None
        elif visitor.buffer is None:
            visitor.buffer = _buffer_for(visitor, at)
        revoked: list[TemporaryPass] = []
        if row.pass_revoked:
            revoked = temporary_passes_revoke(
                enterprise=row.visitor.enterprise, source=_pass_source(visitor), at=at, by=by
            )
            visitor.temporary_pass = None
        visitor.save(update_fields=[*row.decided, "buffer", "temporary_pass", "superseded_plans"])
        audit_record(
            actor=by,
            action="mobility.visitor.recompute",
            at=at,
            target=visitor,
            enterprise_id=visitor.enterprise_id,
            detail={
                "reason": reason,
                "entry_before": utc_iso(row.entry_before),
                "entry_after": utc_iso(row.entry_after),
                "revoked": [p.pk for p in revoked],
            },
        )
        visitor.enterprise = row.visitor.enterprise
        _tell_recomputed(visitor, row, reason, at)
        if visitor.filed and not was_filed:
            _file(visitor, timezone.localtime(visitor.arrives_at), at)


def _tell_recomputed(visitor: Visitor, row: VisitorImpact, reason: str, at: dt.datetime) -> None:
    """The host and the enterprise's officers hear what the change did to the visit."""
    users = _host_and_officers(visitor)
    entry = row.entry_after
    body = f"{reason}。{visitor.origin_name}来访人员的防控要求已更新，" + (
        f"最早进厂 {timezone.localtime(entry):%m月%d日 %H:%M}。"
        if entry is not None
        else "按新的要求暂不能进厂。"
    )
    if row.pass_revoked:
        body += PASS_REVOKED_BY_POLICY
    if visitor.buffer_needed and visitor.buffer is None:
        body += BUFFER_FULL
    notify_send(
        user_ids=users,
        kind=Kind.GENERAL,
        title="防控要求调整：来访计划已更新",
        body=body,
        link=f"/mobility/visitors/{visitor.pk}/",
        at=at,
    )
