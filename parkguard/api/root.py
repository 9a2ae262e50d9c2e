"""The NinjaAPI at /api/v1/: session auth for the browser, device tokens for gates and labs.

Only the URLconf imports this module; it mounts every app's router.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
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


def _token_scope(token: str) -> Scope | None:
    row = api_token_authenticate(token=token, at=timezone.now())
    return None if row is None else scope_for_token(row)


@functools.cache
def _own_limit_paths() -> set[str]:
    """Paths with their own per-device limit, not counted by the token limit: the gate check."""
    return {reverse("api:gate_check")}


api = NinjaAPI(
    title="ParkGuard API",
    version="1",
    description=(
        "园区疫情防控管理平台 JSON 接口。浏览器使用登录会话；门岗设备与检测机构使用设备令牌。"
    ),
    auth=[DeviceToken(_token_scope, _own_limit_paths), SessionScope(scope_of)],
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


# The hot paths (docs/gate.md, "Round five"): Django tries URL patterns in order, and these sat
# near the end of some 175; they are tried first. Resolution is unchanged: at start-up
# `hot_first` proves no pattern before them matches their route.
HOT_ROUTES = ("gate/check", "health/declarations")


def hot_first(patterns: Sequence[Any], routes: Sequence[str]) -> list[Any]:
    """`patterns` with those whose route is one of `routes` moved to the front, or
    ImproperlyConfigured if one is missing or an earlier pattern would have taken its path."""
    by_route = {str(p.pattern): p for p in patterns}
    missing = [r for r in routes if r not in by_route]
    if missing:
        raise ImproperlyConfigured(f"api: hot routes not found: {missing}")
    hot = [by_route[r] for r in routes]
    for pattern in hot:
        route = str(pattern.pattern)
        for earlier in patterns[: list(patterns).index(pattern)]:
            if earlier.resolve(route) is not None:
                raise ImproperlyConfigured(f"api: {earlier.pattern} also matches {route}")
    return [*hot, *(p for p in patterns if p not in hot)]


def api_urls() -> tuple[list[Any], str, str]:
    """`api.urls` with the hot routes first (for `path("api/v1/", ...)`)."""
    patterns, app_name, namespace = api.urls
    return hot_first(patterns, HOT_ROUTES), app_name, namespace
