"""Template context: the unread count shown in the navigation (one count on a partial index)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from parkguard.notify.selectors import inbox_unread_count
from parkguard.orgs.access import scope_of


def inbox(request: HttpRequest) -> dict[str, Any]:
    if not request.user.is_authenticated:
        return {}
    return {"inbox_unread": inbox_unread_count(scope=scope_of(request))}
