"""How an API call authenticates, and the caller's scope that every endpoint reads.

This module imports no app: `root` hands each authenticator the function that resolves a
session or a bearer token to a `Scope` (`orgs.access`), so apps can import it freely.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

if TYPE_CHECKING:
    from parkguard.orgs.access import Scope

UNAUTHENTICATED = "未登录，或设备令牌无效、已吊销"


class SessionScope(SessionAuth):
    """A logged-in browser session; unsafe methods also need the CSRF token."""

    def __init__(self, resolve: Callable[[HttpRequest], Any]) -> None:
        super().__init__()
        self._resolve = resolve

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return self._resolve(request) if request.user.is_authenticated else None


class DeviceToken(HttpBearer):
    """`Authorization: Bearer pg_…` for a gate device or lab system."""

    def __init__(self, resolve: Callable[[str], Any]) -> None:
        super().__init__()
        self._resolve = resolve

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return self._resolve(token)


def scope(request: HttpRequest) -> Scope:
    """The caller's scope, whichever way they authenticated (set by the authenticators)."""
    return request.auth  # type: ignore[attr-defined]
