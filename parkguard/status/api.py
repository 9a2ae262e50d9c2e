"""JSON API of manual status overrides: propose, list, approve or refuse (session only)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from parkguard.api.auth import SessionScope, scope
from parkguard.lib.api_datetimes import LocalDateTime
from parkguard.lib.api_errors import DB_ID_MAX, FieldErrors, field_errors
from parkguard.lib.free_text import FreeText
from parkguard.orgs.access import get_visible_or_404, scope_of
from parkguard.people.models import Person
from parkguard.status import overrides, selectors
from parkguard.status.choices import OverrideAction, OverrideState
from parkguard.status.models import StatusHold, StatusOverride

router = Router(tags=["入场状态"])
SESSION = SessionScope(scope_of)
LIST_MAX = 200


class OverrideIn(Schema):
    person_id: int = Field(ge=1, le=DB_ID_MAX, description="人员编号")
    action: OverrideAction = Field(description="hold 人工限制进入 / release 解除一项限制")
    hold_id: int | None = Field(default=None, ge=1, le=DB_ID_MAX, description="要解除的限制")
    reason: str = Field(max_length=300, description="理由（复核人与审计可见）")


class OverrideDecisionIn(Schema):
    approve: bool = Field(description="true 批准并生效 / false 驳回")
    note: str = Field(default="", max_length=300, description="复核意见")


class OverrideOut(Schema):
    id: int
    person_id: int
    action: OverrideAction
    hold_id: int | None
    reason: FreeText
    state: OverrideState
    requested_at: LocalDateTime
    decided_at: LocalDateTime | None


def _out(o: StatusOverride) -> dict[str, Any]:
    return {
        "id": o.pk,
        "person_id": o.person_id,
        "action": o.action,
        "hold_id": o.hold_id,
        "reason": o.reason,
        "state": o.state,
        "requested_at": o.requested_at,
        "decided_at": o.decided_at,
    }


@router.get(
    "/status/enterprises/{enterprise_id}/overrides",
    response=list[OverrideOut],
    auth=SESSION,
    summary="本企业的人工更正（待复核在前）",
)
def override_list(request: HttpRequest, enterprise_id: int) -> Any:
    caller = scope(request)
    enterprise = selectors.enterprise_for_overrides(scope=caller, enterprise_id=enterprise_id)
    found = selectors.overrides_of(scope=caller, enterprise=enterprise).order_by(
        "-state", "-requested_at", "-id"
    )
    return [_out(o) for o in found[:LIST_MAX]]


@router.post(
    "/status/overrides",
    response={201: OverrideOut, 422: FieldErrors},
    auth=SESSION,
    summary="提出人工更正（须另一人复核后生效）",
)
def override_request(request: HttpRequest, payload: OverrideIn) -> Any:
    caller = scope(request)
    person = get_visible_or_404(caller, Person, pk=payload.person_id)
    hold = None
    if payload.hold_id is not None:
        hold = get_visible_or_404(caller, StatusHold, pk=payload.hold_id, person=person)
    try:
        found = overrides.status_override_request(
            scope=caller,
            person=person,
            action=payload.action,
            reason=payload.reason,
            hold=hold,
            by=request.user,  # type: ignore[arg-type]
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return Status(201, _out(found))


@router.post(
    "/status/overrides/{override_id}/decision",
    response={200: OverrideOut, 422: FieldErrors},
    auth=SESSION,
    summary="复核人工更正：批准（立即生效）或驳回；不能复核自己提出的",
)
def override_decide(request: HttpRequest, override_id: int, payload: OverrideDecisionIn) -> Any:
    caller = scope(request)
    found = get_visible_or_404(
        caller, StatusOverride.objects.select_related("person"), pk=override_id
    )
    try:
        decided = overrides.status_override_decide(
            scope=caller,
            override=found,
            approve=payload.approve,
            note=payload.note,
            by=request.user,  # type: ignore[arg-type]
            at=timezone.now(),
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return Status(200, _out(decided))
