"""How an API call authenticates, and the caller's scope that every endpoint reads.

This module imports no app: `root` hands each authenticator the function that resolves a
session or a bearer token to a `Scope` (`orgs.access`), so apps can import it freely.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from parkguard.lib.rate_window import window_over

if TYPE_CHECKING:
    from parkguard.orgs.access import Scope

UNAUTHENTICATED = "未登录，或设备令牌无效、已吊销"
TOKEN_RATE_LIMITED = "本设备令牌请求过于频繁，请稍后再试"
TOKEN_RATE_WINDOW_SECONDS = 60


class SessionScope(SessionAuth):
    """A logged-in browser session; unsafe methods also need the CSRF token."""

    def __init__(self, resolve: Callable[[HttpRequest], Any]) -> None:
        super().__init__()
        self._resolve = resolve

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return self._resolve(request) if request.user.is_authenticated else None


class DeviceToken(HttpBearer):
    """`Authorization: Bearer pg_…` for a gate device or lab system.

    Each token may make `API_TOKEN_REQUESTS_PER_MINUTE` calls a minute (429 in Chinese after
    that), counted in the cache per token and minute; `exempt` paths (the gate check, which
    keeps its own per-device limit on its hot path) are not counted here."""

    def __init__(self, resolve: Callable[[str], Any], exempt: Callable[[], set[str]]) -> None:
        super().__init__()
        self._resolve = resolve
        self._exempt = exempt

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        caller = self._resolve(token)
        token_id = getattr(caller, "token_id", None)
        if (
            token_id is not None
            and request.path not in self._exempt()
            and token_over_limit(int(token_id), time.time())
        ):
            raise HttpError(429, TOKEN_RATE_LIMITED)
        return caller


def token_over_limit(token_id: int, now: float) -> bool:
    """Count one call of `token_id` in this minute; whether it is over the limit."""
    return window_over(
        key=f"api-token:{token_id}",
        limit=settings.API_TOKEN_REQUESTS_PER_MINUTE,
        window_seconds=TOKEN_RATE_WINDOW_SECONDS,
        at=dt.datetime.fromtimestamp(now, tz=dt.UTC),
    )


def scope(request: HttpRequest) -> Scope:
    """The caller's scope, whichever way they authenticated (set by the authenticators)."""
    return request.auth  # type: ignore[attr-defined]
