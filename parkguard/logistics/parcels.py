"""Parcels and takeaway (Z-5.3d): the central store logs arrivals, disinfects packaging, and
hands over to the addressee who shows the pick-up code on their phone."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from parkguard.logistics.choices import ParcelKind
from parkguard.logistics.models import Parcel
from parkguard.notify.choices import Kind
from parkguard.notify.services import notify_send
from parkguard.orgs.access import Scope, require
from parkguard.orgs.models import Enterprise, Membership
from parkguard.people.models import Person

PARCEL_KIND_UNKNOWN = "请选择类别：邮件、快递或外卖"
PARCEL_ADDRESSEE_FOREIGN = "收件人须为本企业人员"
PARCEL_NOT_DISINFECTED = "外包装消毒后才能取件"
PARCEL_CODE_UNKNOWN = "取件码不正确，或该件已被取走"


@transaction.atomic
def parcel_log(
    *,
    scope: Scope,
    enterprise: Enterprise,
    addressee: Person,
    kind: str,
    note: str = "",
    disinfected: bool,
    at: dt.datetime,
    by: User | None,
) -> Parcel:
    """An arrival at the central store; the code is what the addressee shows at pick-up."""
    require(scope, "keep_parcels", enterprise)
    errors = {}
    if kind not in ParcelKind.values:
        errors["kind"] = PARCEL_KIND_UNKNOWN
    if addressee.enterprise_id != enterprise.pk:
        errors["addressee"] = PARCEL_ADDRESSEE_FOREIGN
    if errors:
        raise ValidationError(errors)
    digits = settings.PARCEL_CODE_DIGITS
    code = "".join(secrets.choice("0123456789") for _ in range(digits))
    parcel = Parcel.objects.create(
        enterprise=enterprise,
        addressee=addressee,
        kind=kind,
        note=(note or "").strip()[:100],
        arrived_at=at,
        disinfected_at=at if disinfected else None,
        code=code,
        logged_by=by,
    )
    notify_send(
        user_ids=Membership.objects.filter(person=addressee).values_list("user_id", flat=True),
        kind=Kind.PARCEL,
        title=f"您有一件{parcel.get_kind_display()}待取",
        body=f"请到{enterprise.name}统一存放点取件，出示取件码 {code}。",
        link=reverse("logistics_parcels_mine"),
        at=at,
    )
    return parcel


@transaction.atomic
def parcel_disinfect(*, scope: Scope, parcel: Parcel, at: dt.datetime) -> Parcel:
    require(scope, "keep_parcels", parcel)
    if parcel.disinfected_at is None:
        parcel.disinfected_at = at
        parcel.save(update_fields=["disinfected_at"])
    return parcel


@transaction.atomic
def parcel_hand_over(*, scope: Scope, enterprise: Enterprise, code: str, at: dt.datetime) -> Parcel:
    """The addressee shows the code; the store hands the parcel over without contact."""
    require(scope, "keep_parcels", enterprise)
    parcel = (
        Parcel.objects.select_for_update()
        .filter(enterprise=enterprise, code=(code or "").strip(), picked_up_at__isnull=True)
        .first()
    )
    if parcel is None:
        raise ValidationError({"code": PARCEL_CODE_UNKNOWN})
    if parcel.disinfected_at is None:
        raise ValidationError({"code": PARCEL_NOT_DISINFECTED})
    parcel.picked_up_at = at
    parcel.save(update_fields=["picked_up_at"])
    return parcel
