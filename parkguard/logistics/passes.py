"""Transport passes (Z-5.3c, L-3.5): apply, decide, revoke, and verify a pass's QR code at
the gate without trusting anything but its signature and the stored state."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import segno
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from parkguard.lib.signed_links import link_read, link_sign
from parkguard.logistics.choices import PassState
from parkguard.logistics.models import TransportPass
from parkguard.logistics.services import _plate
from parkguard.orgs.access import NOT_ALLOWED, Scope, require, visible
from parkguard.orgs.models import Enterprise

PASS_SALT = "parkguard.logistics.pass"
PASS_ROUTE_REQUIRED = "请填写通行路线"
PASS_PURPOSE_REQUIRED = "请填写运输的物资"
PASS_DATES_REQUIRED = "请填写有效期"
PASS_DATES_ORDER = "有效期至不能早于有效期起"
PASS_PAST = "有效期至不能早于今天"
PASS_NOT_PENDING = "该通行证不是待审批状态"
PASS_NOT_APPROVED = "只能吊销已批准的通行证"
PASS_NOTE_REQUIRED = "不予批准或吊销时请填写原因"
VERIFY_BAD = "二维码无效：不是本平台签发的通行证"
VERIFY_PENDING = "通行证尚未批准"
VERIFY_REFUSED = "通行证未获批准"
VERIFY_REVOKED = "通行证已吊销"
VERIFY_NOT_YET = "通行证尚未生效（{start} 起）"
VERIFY_EXPIRED = "通行证已过期（至 {end}）"
VERIFY_OK = "有效"


@transaction.atomic
def pass_apply(
    *,
    scope: Scope,
    enterprise: Enterprise,
    plate: str,
    route: str,
    purpose: str,
    valid_from: dt.date | None,
    valid_until: dt.date | None,
    at: dt.datetime,
    by: User | None,
) -> TransportPass:
    require(scope, "manage_trucks", enterprise)
    errors: dict[str, str] = {}
    try:
        plate = _plate(plate)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    route, purpose = (route or "").strip(), (purpose or "").strip()
    if not route:
        errors["route"] = PASS_ROUTE_REQUIRED
    if not purpose:
        errors["purpose"] = PASS_PURPOSE_REQUIRED
    if valid_from is None or valid_until is None:
        errors["valid_until"] = PASS_DATES_REQUIRED
    elif valid_until < valid_from:
        errors["valid_until"] = PASS_DATES_ORDER
    elif valid_until < timezone.localdate(at):
        errors["valid_until"] = PASS_PAST
    if errors or valid_from is None or valid_until is None:
        raise ValidationError(errors)
    return TransportPass.objects.create(
        enterprise=enterprise,
        plate=plate,
        route=route[:300],
        purpose=purpose[:200],
        valid_from=valid_from,
        valid_until=valid_until,
        state=PassState.APPLIED,
        nonce=secrets.token_hex(16),
        applied_at=at,
        applied_by=by,
    )


@transaction.atomic
def pass_decide(
    *,
    scope: Scope,
    transport_pass: TransportPass,
    approve: bool,
    note: str,
    at: dt.datetime,
    by: User | None,
) -> TransportPass:
    """The park approves (L-3.5 快速办理) or refuses with a reason."""
    require(scope, "approve_passes", transport_pass)
    row = TransportPass.objects.select_for_update().get(pk=transport_pass.pk)
    if row.state != PassState.APPLIED:
        raise ValidationError({"pass": PASS_NOT_PENDING})
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": PASS_NOTE_REQUIRED})
    row.state = PassState.APPROVED if approve else PassState.REFUSED
    row.decided_at, row.decided_by, row.decision_note = at, by, note[:200]
    row.save(update_fields=["state", "decided_at", "decided_by", "decision_note"])
    return row


@transaction.atomic
def pass_revoke(
    *, scope: Scope, transport_pass: TransportPass, note: str, at: dt.datetime, by: User | None
) -> TransportPass:
    require(scope, "approve_passes", transport_pass)
    row = TransportPass.objects.select_for_update().get(pk=transport_pass.pk)
    if row.state != PassState.APPROVED:
        raise ValidationError({"pass": PASS_NOT_APPROVED})
    if not (note or "").strip():
        raise ValidationError({"note": PASS_NOTE_REQUIRED})
    row.state, row.decided_at, row.decided_by = PassState.REVOKED, at, by
    row.decision_note = note.strip()[:200]
    row.save(update_fields=["state", "decided_at", "decided_by", "decision_note"])
    return row


def pass_token(transport_pass: TransportPass) -> str:
    return link_sign(transport_pass.nonce, salt=PASS_SALT)


def pass_qr_svg(transport_pass: TransportPass) -> str:
    return str(segno.make(pass_token(transport_pass), error="m").svg_inline(scale=4, border=2))


@dataclass(frozen=True)
class Verdict:
    valid: bool
    reason: str
    plate: str = ""
    enterprise: str = ""
    valid_until: dt.date | None = None


def pass_verifier_require(*, scope: Scope) -> None:
    """Only a gate (guards, officers, park staff, gate devices) may verify passes."""
    if not visible(scope, Enterprise, "verify_passes").exists():
        raise PermissionDenied(NOT_ALLOWED)


def pass_verify(*, scope: Scope, token: str, at: dt.datetime) -> Verdict:
    """What the gate shows for a scanned pass: valid or why not, the plate and the holder."""
    pass_verifier_require(scope=scope)
    nonce = link_read((token or "").strip(), salt=PASS_SALT)
    if nonce is None:
        return Verdict(False, VERIFY_BAD)
    row = TransportPass.objects.select_related("enterprise").filter(nonce=str(nonce)).first()
    if row is None:
        return Verdict(False, VERIFY_BAD)
    today = timezone.localdate(at)
    reason = VERIFY_OK
    if row.state == PassState.APPLIED:
        reason = VERIFY_PENDING
    elif row.state == PassState.REFUSED:
        reason = VERIFY_REFUSED
    elif row.state == PassState.REVOKED:
        reason = VERIFY_REVOKED
    elif today < row.valid_from:
        reason = VERIFY_NOT_YET.format(start=row.valid_from)
    elif today > row.valid_until:
        reason = VERIFY_EXPIRED.format(end=row.valid_until)
    return Verdict(reason == VERIFY_OK, reason, row.plate, row.enterprise.name, row.valid_until)
