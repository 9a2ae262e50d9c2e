"""Writes of the rules app: a park adopts or drops a pack, with its parameter values."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from parkguard.audit.services import audit_record
from parkguard.orgs.access import Scope, require
from parkguard.orgs.models import Jurisdiction
from parkguard.policy import PolicyInputError
from parkguard.policy.context import Params
from parkguard.rules.models import PackAdoption
from parkguard.rules.registry import registry
from parkguard.rules.selectors import PACK_NOT_FOUND

PACK_UNKNOWN = PACK_NOT_FOUND


def params_check(*, pack_id: str, on: datetime, params: dict[str, Any]) -> dict[str, Any]:
    """The park's parameter values, checked against the pack version in force (else the newest)."""
    try:
        versions = registry().versions(pack_id)
    except PolicyInputError:
        raise ValidationError({"pack_id": PACK_UNKNOWN}) from None
    pack = next((p for p in versions if registry().is_in_force(p, on.date())), versions[-1])
    try:
        Params(pack, params)
    except PolicyInputError as exc:
        field = exc.path.removeprefix("params.") or "params"
        raise ValidationError(
            {field: f"{exc.message}（{exc.detail}）" if exc.detail else exc.message}
        ) from None
    return params


@transaction.atomic
def pack_adopt(
    *,
    scope: Scope,
    park: Jurisdiction,
    pack_id: str,
    params: dict[str, Any],
    by: User,
    at: datetime,
) -> PackAdoption:
    """Follow a pack (or change its parameters); a park admin only; a bad value changes nothing."""
    require(scope, "adopt", park)
    params = params_check(pack_id=pack_id, on=at, params=params)
    adoption, _ = PackAdoption.objects.update_or_create(
        jurisdiction=park,
        pack_id=pack_id,
        defaults={"params": params, "adopted_by": by, "adopted_at": at},
    )
    audit_record(
        actor=by,
        action="pack_adopt",
        at=at,
        target=adoption,
        jurisdiction_id=park.pk,
        detail={"pack_id": pack_id, "params": params},
    )
    return adoption


@transaction.atomic
def pack_drop(*, scope: Scope, adoption: PackAdoption, by: User, at: datetime) -> None:
    """Stop following a pack; a park admin of the adopting park only."""
    require(scope, "adopt", adoption.jurisdiction)
    audit_record(
        actor=by,
        action="pack_drop",
        at=at,
        target=adoption,
        jurisdiction_id=adoption.jurisdiction_id,
        detail={"pack_id": adoption.pack_id},
    )
    adoption.delete()
