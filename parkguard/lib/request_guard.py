"""Refuse malformed or oversized requests before any view, form or query sees them.

What this turns into a clear 4xx (each a 500 before, issue 8 §6):
- a body over the limit (JSON API: `API_MAX_BODY_BYTES`; other non-file bodies:
  `DATA_UPLOAD_MAX_MEMORY_SIZE`; multipart uploads: `IMPORT_MAX_BYTES` plus room for the
  form) → 413, judged on Content-Length before the body is read;
- multipart without a boundary, or a multipart body Django cannot parse → 400;
- a NUL character in the path, the query string or any form or JSON text → 422
  (PostgreSQL refuses NUL in text, and no field of ParkGuard needs one).
The API answers in its JSON error shape, pages with a Chinese page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string

BODY_TOO_LARGE = "请求内容过大（上限 {limit}）；导入请使用 Excel/CSV 文件上传"
MULTIPART_INVALID = "上传的表单格式不正确（multipart 缺少或弄错了 boundary），请重新选择文件上传"
NUL_REFUSED = "内容中含有不允许的空字符（NUL），请删除后重试"
FORM_ROOM = 1024 * 1024  # the form fields and multipart framing around an uploaded file

Handler = Callable[[HttpRequest], HttpResponse]


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def refused(request: HttpRequest, status: int, message: str) -> HttpResponse:
    """A 4xx in the caller's language: the API's `{"detail": [...]}` or a Chinese page."""
    if _is_api(request):
        return JsonResponse({"detail": [{"loc": ["body"], "msg": message}]}, status=status)
    body = render_to_string("errors/page.html", {"title": "请求未能处理", "message": message})
    return HttpResponse(body, status=status)


def _body_limit(request: HttpRequest, multipart: bool) -> int:
    if multipart:
        return int(settings.IMPORT_MAX_BYTES) + FORM_ROOM
    if _is_api(request):
        return int(settings.API_MAX_BODY_BYTES)
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def _has_nul(text: str) -> bool:
    return "\x00" in text or "%00" in text


class RequestGuardMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self._check(request) or self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        if _has_nul(request.path) or _has_nul(request.META.get("QUERY_STRING", "")):
            return refused(request, 422, NUL_REFUSED)
        content_type = request.META.get("CONTENT_TYPE", "")
        multipart = content_type.lower().startswith("multipart/")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = _body_limit(request, multipart)
        if length > limit:
            return refused(request, 413, BODY_TOO_LARGE.format(limit=_size(limit)))
        if not length:
            return None
        if multipart:
            if "boundary=" not in content_type.lower():
                return refused(request, 400, MULTIPART_INVALID)
            try:
                fields = request.POST  # parsed once; CSRF and the view reuse it
            except MultiPartParserError:
                return refused(request, 400, MULTIPART_INVALID)
            if any("\x00" in value for _, values in fields.lists() for value in values):
                return refused(request, 422, NUL_REFUSED)
            return None
        body = request.body
        # Raw NUL, a form's %00, or JSON's \u0000 escape.
        if b"\x00" in body or b"%00" in body or b"\\u0000" in body:
            return refused(request, 422, NUL_REFUSED)
        return None
