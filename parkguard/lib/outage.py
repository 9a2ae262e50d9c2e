"""When the database is away: 503 with Retry-After, and health checks that tell why.

- `OutageMiddleware.process_exception` answers a view's OperationalError/InterfaceError
  (the database refused the connection, or dropped it) with 503: a Chinese page for
  browsers, `{"detail": …}` for the API (whose own handler does the same inside the API);
- `server_error` (handler500) does the same for failures outside views (a session saved
  after the view) and gives every other 500 a Chinese page, or the API's JSON shape;
- `/healthz` is liveness (the process answers; no database), `/healthz?ready` readiness
  (one `SELECT 1`).
Nothing is cached about the outage: the next request tries the database again, so the
site recovers by itself when the database is back.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from http import HTTPStatus

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from parkguard.lib.api_failures import DATABASE_UNAVAILABLE, RETRY_AFTER_SECONDS

SERVER_ERROR = "服务器内部错误，已记录；请稍后重试"
OUTAGES = (OperationalError, InterfaceError)

logger = logging.getLogger("parkguard.outage")


def _page(status: int, title: str, message: str, *, retry: bool) -> str:
    context = {
        "title": title,
        "message": message,
        "retry_after": RETRY_AFTER_SECONDS if retry else None,
    }
    return render_to_string("errors/page.html", context)


def unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After, in the caller's language."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": DATABASE_UNAVAILABLE}, status=503)
    else:
        body = _page(503, "系统暂时无法使用（503）", DATABASE_UNAVAILABLE, retry=True)
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class OutageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OUTAGES):
            logger.error(
                "database unavailable: %s %s (%s)", request.method, request.path, exception
            )
            return unavailable(request)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an outage is a 503; anything else a Chinese 500 without details."""
    if isinstance(sys.exc_info()[1], OUTAGES):
        return unavailable(request)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": SERVER_ERROR}, status=500)
    return HttpResponse(_page(500, "服务器出错（500）", SERVER_ERROR, retry=False), status=500)


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process is up; touches no database, so an outage restarts nothing.

    With `?ready`, readiness: the database answers a query (503 with Retry-After if not).
    """
    if "ready" not in request.GET:
        return JsonResponse({"status": "ok"})
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except OUTAGES as exc:
        logger.warning("readiness: database unavailable (%s)", exc)
        response = JsonResponse(
            {"status": "unavailable", "detail": DATABASE_UNAVAILABLE}, status=503
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return JsonResponse({"status": "ready"})


CSRF_FAILED = (
    "页面已过期或表单来源无法确认（CSRF 校验失败），为安全起见未执行任何操作。"
    "请返回上一页、刷新后重新提交；如仍失败，请重新登录。"
)
NOT_FOUND_PAGE = "没有找到这个页面，或您没有查看它的权限。"


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a Chinese 403 with a way back; the reason is not shown (English)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": CSRF_FAILED}, status=403)
    body = _page(HTTPStatus.FORBIDDEN, "请求已过期（403）", CSRF_FAILED, retry=False)
    return HttpResponse(body, status=403)
