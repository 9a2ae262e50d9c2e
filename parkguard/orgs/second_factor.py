"""The second factor: a TOTP code after the password, for the accounts that can do most harm.

Who must pass it is decided in `orgs.access.second_factor_required` (park and enterprise
admins, anyone who may reveal an ID number). django-otp keeps the device and checks codes
(with its throttling and its refusal to take the same code twice); this module enrols,
verifies, resets, and keeps unverified sessions of those accounts on the verify page.

Enrolment writes nothing until the first code is right: the new secret waits in the
session, so opening the page or typing a wrong code leaves no half-made device.
"""

from __future__ import annotations

import datetime as dt
from base64 import b32encode
from binascii import unhexlify
from collections.abc import Callable
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from parkguard.audit.services import audit_record
from parkguard.orgs.access import scope_of, second_factor_required

SESSION_SECRET = "parkguard_totp_secret"
DEVICE_NAME = "手机验证器"
# RFC 6238 defaults, which every authenticator app reads: 30-second steps, 6 digits.
STEP_SECONDS = 30
DIGITS = 6
SECRET_BYTES = 20

CODE_WRONG = "验证码不正确或已使用过，请输入验证器上当前显示的 6 位数字"
CODE_THROTTLED = "验证码错误次数过多，请稍候再试"
NEEDED = "需要先完成两步验证（验证器应用中的 6 位验证码）"

# Pages an account that still owes its second factor may open.
OPEN_ROUTES = {"second_factor_setup", "second_factor_verify", "logout", "login", "healthz"}


def device_of(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def enrolment_secret(request: HttpRequest) -> str:
    """The secret being enrolled in this session (made on first sight, hex)."""
    secret = request.session.get(SESSION_SECRET)
    if not secret:
        secret = random_hex(SECRET_BYTES)
        request.session[SESSION_SECRET] = secret
    return str(secret)


def provisioning_uri(*, user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app scans (Key Uri Format)."""
    issuer = settings.OTP_TOTP_ISSUER
    label = quote(f"{issuer}:{user.get_username()}")
    params = urlencode(
        {
            "secret": b32encode(unhexlify(secret)).decode(),
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": STEP_SECONDS,
        }
    )
    return f"otpauth://totp/{label}?{params}&issuer={quote(issuer)}"


def qr_svg(uri: str) -> str:
    return str(segno.make(uri, error="m").svg_inline(scale=4, border=2))


def readable_secret(secret: str) -> str:
    """The base32 secret in groups of four, for typing into an app by hand."""
    text = b32encode(unhexlify(secret)).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _code(value: str) -> int | None:
    digits = value.strip().replace(" ", "")
    return int(digits) if digits.isdigit() and len(digits) == DIGITS else None


@transaction.atomic
def second_factor_enrol(
    *, request: HttpRequest, user: User, code: str, at: dt.datetime
) -> TOTPDevice | None:
    """Confirm the session's secret with a first code; the device is written only then."""
    secret = request.session.get(SESSION_SECRET)
    token = _code(code)
    if not secret or token is None:
        return None
    totp = TOTP(unhexlify(secret), STEP_SECONDS, 0, DIGITS, 0)
    totp.time = at.timestamp()
    if not totp.verify(token, tolerance=1):
        return None
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(
        user=user,
        name=DEVICE_NAME,
        key=secret,
        step=STEP_SECONDS,
        digits=DIGITS,
        confirmed=True,
        last_t=totp.t(),
    )
    del request.session[SESSION_SECRET]
    otp_login(request, device)
    audit_record(actor=user, action="second_factor_enrol", at=at)
    return device


def second_factor_verify(*, request: HttpRequest, user: User, code: str, at: dt.datetime) -> str:
    """Check a code against the user's device; "" on success, else the message to show."""
    device = device_of(user)
    if device is None:
        return NEEDED
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        return CODE_THROTTLED
    token = _code(code)
    if token is None or not device.verify_token(token):
        audit_record(actor=user, action="second_factor_failed", at=at)
        return CODE_WRONG
    otp_login(request, device)
    audit_record(actor=user, action="second_factor_pass", at=at)
    return ""


class SecondFactorMiddleware:
    """Keep an account that owes its second factor on the enrol or verify page.

    Pages redirect there (keeping `next`); the JSON API answers 403 with the reason. Off
    unless `SECOND_FACTOR_REQUIRED` (always on in production).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: object, args: object, kwargs: object
    ) -> HttpResponse | None:
        user = request.user
        if not settings.SECOND_FACTOR_REQUIRED or not user.is_authenticated:
            return None
        if user.is_verified():  # type: ignore[attr-defined]
            return None
        match = request.resolver_match
        if match is not None and match.url_name in OPEN_ROUTES and not match.namespace:
            return None
        if request.path.startswith(settings.STATIC_URL):
            return None
        if not second_factor_required(scope_of(request)):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": NEEDED}, status=403)
        route = "second_factor_verify" if device_of(user) else "second_factor_setup"
        return redirect(f"{reverse(route)}?{urlencode({'next': request.get_full_path()})}")
