"""Login with lockout: too many failures lock the account for a while, and both are audited."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from parkguard.audit.services import audit_record
from parkguard.lib.rate_window import window_over
from parkguard.lib.redact import login_label
from parkguard.lib.request_guard import refused
from parkguard.orgs.models import LoginThrottle

LOGIN_INVALID = "用户名或密码不正确"
LOGIN_LOCKED = "登录失败次数过多，账号已暂时锁定，请{minutes}分钟后再试"
LOGIN_INACTIVE = "该账号已停用，请联系本单位管理员"
CREDENTIAL_POSTS_LIMITED = "提交过于频繁，请一分钟后再试"


# Failures are counted per login name and, so that one address cannot try many names, per
# client address too; both rows live in LoginThrottle, the address under this prefix.
ADDRESS_KEY = "@addr:"


def _keys(username: str, address: str) -> list[tuple[str, int]]:
    keys = [(username, settings.LOGIN_MAX_FAILURES)]
    if address:
        keys.append((f"{ADDRESS_KEY}{address}"[:150], settings.LOGIN_MAX_FAILURES_PER_ADDRESS))
    return keys


def login_locked(username: str, address: str = "") -> bool:
    now = timezone.now()
    keys = [key for key, _ in _keys(username, address)]
    return LoginThrottle.objects.filter(username__in=keys, locked_until__gt=now).exists()


@transaction.atomic
def login_failure_record(username: str, address: str = "") -> None:
    now = timezone.now()
    window = timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
    for key, limit in _keys(username, address):
        row, _ = LoginThrottle.objects.select_for_update().get_or_create(username=key)
        if row.first_failure_at is None or now - row.first_failure_at > window:
            row.failures, row.first_failure_at = 0, now
        row.failures += 1
        if row.failures >= limit:
            row.locked_until = now + window
        row.save()
    audit_record(
        actor=None, action="login_failed", at=now, detail={"username": login_label(username)[:150]}
    )


def client_address(request: HttpRequest | None) -> str:
    """The address failures are counted under (REMOTE_ADDR: set a trusted proxy to pass it)."""
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))


def login_success_record(username: str) -> None:
    LoginThrottle.objects.filter(username=username).delete()


class LoginForm(AuthenticationForm):
    error_messages = {"invalid_login": LOGIN_INVALID, "inactive": LOGIN_INACTIVE}

    username = forms.CharField(label="用户名", max_length=150)
    password = forms.CharField(label="密码", strip=False, widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        username = (self.cleaned_data.get("username") or "").strip()
        address = client_address(self.request)
        if username and login_locked(username, address):
            raise forms.ValidationError(
                LOGIN_LOCKED.format(minutes=settings.LOGIN_LOCK_MINUTES), code="locked"
            )
        try:
            return super().clean()
        except forms.ValidationError:
            # Only a wrong password counts. A right one refused afterwards (a non-staff
            # user at /admin/login/) must not lock the account out of the main site.
            if username and self.get_user() is None:
                login_failure_record(username, address)
            if username and account_switched_off(username, self.cleaned_data.get("password")):
                raise forms.ValidationError(LOGIN_INACTIVE, code="inactive") from None
            raise


def account_switched_off(username: str, password: str | None) -> bool:
    """Is this a deactivated account, and did the caller prove they own it?

    Only the right password earns the message "switched off"; anyone else gets the usual
    "wrong name or password", so the message reveals no more than the password already does.
    The attempt still counts towards the lockout.
    """
    user = User.objects.filter(username=username, is_active=False).first()
    return bool(user and password and user.check_password(password))


class AdminLoginForm(LoginForm, AdminAuthenticationForm):
    """The back-office login: the same lockout and audit, and staff only."""

    error_messages = {
        **LoginForm.error_messages,
        "invalid_login": LOGIN_INVALID,
    }


def credential_posts_limited(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Refuse a client address's POSTs beyond `CREDENTIAL_POSTS_PER_MINUTE` with a 429,
    before the form hashes a password; GETs (the page itself) are never counted."""

    @functools.wraps(view)
    def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        limit = settings.CREDENTIAL_POSTS_PER_MINUTE
        if (
            request.method == "POST"
            and limit > 0
            and window_over(
                key=f"credential-posts:{client_address(request)}",
                limit=limit,
                window_seconds=60,
                at=timezone.now(),
            )
        ):
            return refused(request, 429, CREDENTIAL_POSTS_LIMITED)
        return view(request, *args, **kwargs)

    return limited
