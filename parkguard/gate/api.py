"""JSON API of the gate: `POST /api/v1/gate/check` for the kiosk (session) and for electronic
sentinels (device tokens scoped to their enterprise or park, rate-limited per device)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from parkguard.api.auth import SessionScope, scope
from parkguard.gate import selectors, services
from parkguard.lib.api_datetimes import LocalDateTime
from parkguard.lib.api_errors import DB_ID_MAX, FieldErrors, field_errors
from parkguard.lib.free_text import FreeText
from parkguard.lib.rate_window import window_over
from parkguard.orgs.access import NOT_FOUND, get_visible_or_404, scope_of
from parkguard.orgs.models import ApiToken
from parkguard.people.models import Person

router = Router(tags=["门岗查验"])

RATE_LIMITED = "本设备查验过于频繁，请稍后再试"
RATE_WINDOW_SECONDS = 60


class CheckIn(Schema):
    gate_id: int = Field(ge=1, le=DB_ID_MAX, description="出入口编号")
    direction: Literal["in", "out"] = Field(description="方向：in 进、out 出")
    code: str = Field(
        default="", max_length=200, description="扫到的码：手机通行码、纸质或临时通行证"
    )
    person_id: int | None = Field(
        default=None, ge=1, le=DB_ID_MAX, description="人工核验时门岗确认的人员编号（仅会话）"
    )
    # Text or number: "abc" is a logged refusal with the health app's Chinese message.
    temperature: str | float | None = Field(default=None, description="体温（℃）")
    code_colour: Literal["green", "yellow", "red"] | None = Field(
        default=None, description="健康码颜色（门岗所见或设备读取）"
    )
    steps: list[str] | None = Field(
        default=None,
        description="门岗确认的步骤：mask 戴口罩、disinfect_person 消毒、register 登记",
    )
    checked_at: LocalDateTime | None = Field(
        default=None, description="查验时间（断网补传时为原始时间），默认为现在"
    )


class ReasonOut(Schema):
    text: FreeText
    citation: dict[str, Any] | None


class CheckOut(Schema):
    id: int
    allowed: bool
    colour: Literal["green", "red"]
    refusal: str = Field(description="拒绝类型（放行为空）：expired、forged、replayed……")
    reasons: list[ReasonOut]
    packs: list[list[Any]] = Field(description="判定所依据的规则包及版本")
    name: str = Field(description="脱敏姓名（设备调用时为空）")
    queued: bool


class Detail(Schema):
    detail: str


def _rate_limited(token_id: int, at: dt.datetime) -> bool:
    return window_over(
        key=f"gate-check:{token_id}",
        limit=settings.GATE_DEVICE_CHECKS_PER_MINUTE,
        window_seconds=RATE_WINDOW_SECONDS,
        at=at,
    )


@router.post(
    "/gate/check",
    response={200: CheckOut, 404: Detail, 422: FieldErrors, 429: Detail},
    summary="门岗查验：放行或拒绝，附中文原因与依据",
    url_name="gate_check",
)
def check(request: HttpRequest, payload: CheckIn) -> Any:
    caller = scope(request)
    now = timezone.now()
    if caller.token_id is not None and _rate_limited(caller.token_id, now):
        return Status(429, {"detail": RATE_LIMITED})
    gate = selectors.gate_for_check(scope=caller, gate_id=payload.gate_id)
    device = ApiToken(pk=caller.token_id) if caller.token_id is not None else None
    try:
        answer = services.gate_check(
            scope=caller,
            gate=gate,
            direction=payload.direction,
            code=payload.code,
            person_id=payload.person_id if device is None else None,
            temperature=payload.temperature,
            code_colour=payload.code_colour,
            steps_done=payload.steps,
            checked_at=payload.checked_at,
            at=now,
            by=None if device is not None else request.user,  # type: ignore[arg-type]
            device=device,
        )
    except DjangoValidationError as exc:
        return field_errors(exc)
    return {
        "id": answer.check.pk,
        "allowed": answer.allowed,
        "colour": "green" if answer.allowed else "red",
        "refusal": answer.refusal,
        "reasons": list(answer.reasons),
        "packs": answer.check.packs,
        "name": "" if device is not None else answer.name_masked,
        "queued": answer.check.queued,
    }


class PassageOut(Schema):
    at: LocalDateTime
    gate: str
    direction: str
    allowed: bool
    method: str


@router.get(
    "/gate/people/{person_id}/passages",
    response={200: list[PassageOut], 404: Detail},
    auth=SessionScope(scope_of),
    summary="流调：某人在一段时间内经过的出入口（按人按时间索引）",
)
def passages(
    request: HttpRequest,
    person_id: int,
    start: LocalDateTime | None = None,
    end: LocalDateTime | None = None,
) -> Any:
    """Without `start`/`end`: the last day."""
    caller = scope(request)
    if not 1 <= person_id <= DB_ID_MAX:
        raise Http404(NOT_FOUND)
    person = get_visible_or_404(caller, Person, "read_access_log", pk=person_id)
    end = end or timezone.now()
    start = start or end - dt.timedelta(days=1)
    rows = selectors.contacts_at(scope=caller, person_id=person.pk, start=start, end=end)
    return [
        {
            "at": r.at,
            "gate": r.gate.name,
            "direction": r.direction,
            "allowed": r.allowed,
            "method": r.method,
        }
        for r in rows[: selectors.LOG_PAGE]
    ]
