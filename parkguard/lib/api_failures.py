"""What the JSON API answers when the database refuses or is away: never the error's text.

A database error's message can hold a whole row (PostgreSQL's "Failing row contains (…)"
repeats phone, address and birth date), so the client gets a fixed Chinese message and the
log gets the exception, masked by `parkguard.lib.logmask`.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from parkguard.lib.api_errors import DATA_REFUSED

DATABASE_UNAVAILABLE = "数据库暂时不可用，请稍后重试"
RETRY_AFTER_SECONDS = 30

logger = logging.getLogger("parkguard.api")


def failure_handlers_install(api: NinjaAPI) -> None:
    """Register the API's answers to database failures (422 for refused data, 503 when away)."""

    @api.exception_handler(DatabaseError)
    def _refused(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API %s %s: database refused the data", request.method, request.path)
        body = {"detail": [{"loc": ["body"], "msg": DATA_REFUSED}]}
        return api.create_response(request, body, status=422)

    @api.exception_handler(OperationalError)
    @api.exception_handler(InterfaceError)
    def _unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.error("API %s %s: database unavailable (%s)", request.method, request.path, exc)
        response = api.create_response(request, {"detail": DATABASE_UNAVAILABLE}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
