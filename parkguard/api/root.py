"""The NinjaAPI at /api/v1/: session auth for the browser, device tokens for gates and labs.

Only the URLconf imports this module; it mounts every app's router.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from parkguard.api.auth import UNAUTHENTICATED, DeviceToken, SessionScope
from parkguard.command.api import router as command_router
from parkguard.continuity.api import router as continuity_router
from parkguard.duties.api import router as duties_router
from parkguard.gate.api import router as gate_router
from parkguard.health.api import router as health_router
from parkguard.lib.api_errors import translate
from parkguard.lib.api_failures import failure_handlers_install
from parkguard.lib.rate_window import window_over
from parkguard.logistics.api import gate_router as logistics_gate_router
from parkguard.logistics.api import router as logistics_router
from parkguard.mobility.api import router as mobility_router
from parkguard.notify.api import router as notify_router
from parkguard.orgs.access import NOT_FOUND, Scope, scope_for_token, scope_of
from parkguard.orgs.api import accounts_router
from parkguard.orgs.api import router as orgs_router
from parkguard.orgs.services import api_token_authenticate
from parkguard.oversight.api import router as oversight_router
from parkguard.overview.api import router as overview_router
from parkguard.people.api import logins_router
from parkguard.people.api import router as people_router
from parkguard.reporting.api import router as reporting_router
from parkguard.response.api import router as response_router
from parkguard.rules.api import router as rules_router
from parkguard.sampling.api import router as sampling_router
from parkguard.status.api import router as status_router
from parkguard.supplies.api import router as supplies_router

FORBIDDEN = "无权执行此操作"
BAD_JSON = "请求体不是合法的 JSON"
DEVICE_RATE_LIMITED = "本设备调用过于频繁，请稍后再试"
DEVICE_RATE_WINDOW_SECONDS = 60


def _token_scope(token: str) -> Scope | None:
    """The scope of a live device token; every call of one token counts towards its limit
    (issue 18 §3: the device API is rate-limited on every endpoint, not only the gate check)."""
    now = timezone.now()
    row = api_token_authenticate(token=token, at=now)
    if row is None:
        return None
    limit = settings.DEVICE_CALLS_PER_MINUTE
    if limit > 0 and window_over(
        key=f"device-api:{row.pk}", limit=limit, window_seconds=DEVICE_RATE_WINDOW_SECONDS, at=now
    ):
        raise HttpError(HTTPStatus.TOO_MANY_REQUESTS, DEVICE_RATE_LIMITED)
    return scope_for_token(row)


api = NinjaAPI(
    title="ParkGuard API",
    version="1",
    description=(
        "园区疫情防控管理平台 JSON 接口。浏览器使用登录会话；门岗设备与检测机构使用设备令牌。"
    ),
    auth=[DeviceToken(_token_scope), SessionScope(scope_of)],
    docs_decorator=login_required,
    urls_namespace="api",
)


failure_handlers_install(api)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": UNAUTHENTICATED}, status=401)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": NOT_FOUND}, status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": FORBIDDEN}, status=403)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": translate(list(exc.errors))}, status=422)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message: Any = exc.message
    if exc.status_code == 403 and message == "CSRF check Failed":
        message = "CSRF 校验失败，请刷新页面后重试"
    elif exc.status_code == 400 and message == "Cannot parse request body":
        message = [{"loc": ["body"], "msg": BAD_JSON}]
    return api.create_response(request, {"detail": message}, status=exc.status_code)


api.add_router("/", orgs_router)
api.add_router("/", overview_router)
api.add_router("/", accounts_router)
api.add_router("/", people_router)
api.add_router("/", logins_router)
api.add_router("/", rules_router)
api.add_router("/", notify_router)
api.add_router("/", health_router)
api.add_router("/", mobility_router)
api.add_router("/", sampling_router)
api.add_router("/", status_router)
api.add_router("/", duties_router)
api.add_router("/", gate_router)
api.add_router("/", oversight_router)
api.add_router("/", response_router)
api.add_router("/", supplies_router)
api.add_router("/", reporting_router)
api.add_router("/", logistics_router)
api.add_router("/", logistics_gate_router)
api.add_router("/", continuity_router)
api.add_router("/", command_router)
