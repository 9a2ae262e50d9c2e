"""A login's sessions: recorded at login, listed to their owner, ended one by one or all at once.

Django keeps the session itself; `UserSession` only remembers which session keys belong to
which account, so "退出所有设备" can delete them. Sessions are ended by deleting Django's row,
which logs that browser out at its next request.
"""

from __future__ import annotations

import datetime as dt
import ipaddress

from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest

from parkguard.audit.services import audit_record
from parkguard.orgs.models import UserSession

BROWSER_LABEL_MAX = 120


def _network(address: str) -> str:
    """The network a login came from, not the host: 10.1.2.0/24, 2001:db8::/48."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def session_register(*, request: HttpRequest, user: User, at: dt.datetime) -> UserSession | None:
    """Remember the session just logged in (call after `login()` has cycled the key)."""
    key = request.session.session_key
    if not key:
        request.session.save()
        key = request.session.session_key
    if not key:
        return None
    UserSession.objects.filter(user=user).exclude(
        session_key__in=Session.objects.values("session_key")
    ).delete()  # sessions that expired or were flushed elsewhere
    row, _ = UserSession.objects.update_or_create(
        session_key=key,
        defaults={
            "user": user,
            "created_at": at,
            "address": _network(request.META.get("REMOTE_ADDR", "")),
            "browser": request.META.get("HTTP_USER_AGENT", "")[:BROWSER_LABEL_MAX],
        },
    )
    return row


def sessions_of(user: User) -> list[UserSession]:
    """The user's live sessions, newest first."""
    live = Session.objects.values("session_key")
    return list(UserSession.objects.filter(user=user, session_key__in=live))


@transaction.atomic
def session_end(*, user: User, session_id: int, at: dt.datetime) -> bool:
    """End one of the user's own sessions; another user's id ends nothing."""
    row = UserSession.objects.filter(user=user, pk=session_id).first()
    if row is None:
        return False
    Session.objects.filter(session_key=row.session_key).delete()
    row.delete()
    audit_record(actor=user, action="session_end", at=at)
    return True


@transaction.atomic
def sessions_end_all(*, user: User, at: dt.datetime, keep: str | None = None) -> int:
    """End every session of the user (but `keep`, the one asking, if given)."""
    rows = UserSession.objects.filter(user=user)
    if keep:
        rows = rows.exclude(session_key=keep)
    keys = list(rows.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    rows.delete()
    audit_record(actor=user, action="sessions_end_all", at=at, detail={"count": len(keys)})
    return len(keys)
