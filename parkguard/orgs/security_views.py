"""Pages of one's own account security: the second factor, and the sessions of this login."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from parkguard.orgs import second_factor, sessions
from parkguard.orgs.access import scope_of, second_factor_required
from parkguard.orgs.login import credential_posts_limited


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if ok and target.startswith("/") else "/"


@login_required
def account_security(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    return render(
        request,
        "orgs/account_security.html",
        {
            "sessions": sessions.sessions_of(user),
            "current_key": request.session.session_key,
            "device": second_factor.device_of(user),
            "required": second_factor_required(scope_of(request)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_setup(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    error = ""
    if request.method == "POST":
        device = second_factor.second_factor_enrol(
            request=request, user=user, code=request.POST.get("code", ""), at=timezone.now()
        )
        if device is not None:
            messages.success(request, "两步验证已启用：以后登录时需输入验证器上的验证码")
            return redirect(_next(request))
        error = second_factor.CODE_WRONG
    secret = second_factor.enrolment_secret(request)
    uri = second_factor.provisioning_uri(user=user, secret=secret)
    return render(
        request,
        "orgs/second_factor_setup.html",
        {
            "qr": second_factor.qr_svg(uri),
            "secret": second_factor.readable_secret(secret),
            "replacing": second_factor.device_of(user) is not None,
            "error": error,
            "next": _next(request),
        },
        status=422 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@credential_posts_limited
def second_factor_verify(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if second_factor.device_of(user) is None:
        return redirect("second_factor_setup")
    error = ""
    if request.method == "POST":
        error = second_factor.second_factor_verify(
            request=request, user=user, code=request.POST.get("code", ""), at=timezone.now()
        )
        if not error:
            return redirect(_next(request))
    return render(
        request,
        "orgs/second_factor_verify.html",
        {"error": error, "next": _next(request)},
        status=422 if error else 200,
    )


@login_required
@require_POST
def session_end(request: HttpRequest, session_id: int) -> HttpResponse:
    user = cast(User, request.user)
    if not sessions.session_end(user=user, session_id=session_id, at=timezone.now()):
        raise Http404
    messages.success(request, "已结束该会话：那台设备需重新登录")
    return redirect("account_security")


@login_required
@require_POST
def sessions_end_all(request: HttpRequest) -> HttpResponse:
    """Log out everywhere, this browser included."""
    user = cast(User, request.user)
    sessions.sessions_end_all(user=user, at=timezone.now())
    logout(request)
    return redirect("login")
