"""The codes a gate reads: rotating phone pass tokens, printed and temporary pass serials.

A phone token is `pg1.<person>.<window>.<signature>`: the person's internal number (no name,
no ID number), the rotation window it was issued in, and an HMAC-SHA256 signature with
`PARKGUARD_TOKEN_KEY`. It rotates every `GATE_PASS_ROTATE_SECONDS` and is valid for
`GATE_PASS_TTL_SECONDS` from the start of its window, so a screenshot soon stops working.
Printed passes read `pgp1.<serial>`, temporary passes `pgt1.<serial>`: random serials that are
looked up (and can be revoked).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Literal

from django.conf import settings

PHONE = "pg1"
PRINTED = "pgp1"
TEMPORARY = "pgt1"
SERIAL_BYTES = 12
SIGNATURE_CHARS = 22  # 128 bits of the HMAC, base64url
BASE = 36


def _sign(body: str) -> str:
    mac = hmac.new(settings.GATE_TOKEN_KEY.encode(), body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode()[:SIGNATURE_CHARS]


def _b36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, BASE)
        out = digits[rest] + out
        if not number:
            return out


def _window(at: dt.datetime) -> int:
    return int(at.timestamp()) // settings.GATE_PASS_ROTATE_SECONDS


def phone_token(*, person_id: int, at: dt.datetime) -> str:
    body = f"{PHONE}.{_b36(person_id)}.{_b36(_window(at))}"
    return f"{body}.{_sign(body)}"


def phone_token_expires(*, at: dt.datetime) -> dt.datetime:
    start = _window(at) * settings.GATE_PASS_ROTATE_SECONDS
    return dt.datetime.fromtimestamp(start + settings.GATE_PASS_TTL_SECONDS, tz=dt.UTC)


def seconds_to_rotation(*, at: dt.datetime) -> int:
    rotate = settings.GATE_PASS_ROTATE_SECONDS
    return rotate - int(at.timestamp()) % rotate


def serial_new() -> str:
    return secrets.token_urlsafe(SERIAL_BYTES)


def temporary_code(serial: str) -> str:
    """What a temporary pass's QR code reads (the gate looks the serial up)."""
    return f"{TEMPORARY}.{serial}"


def digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


@dataclass(frozen=True)
class Read:
    """What a scanned code names, before any database lookup."""

    kind: Literal["phone", "printed", "temporary", "forged", "expired", "unreadable"]
    person_id: int | None = None
    serial: str = ""
    expires_at: dt.datetime | None = None


def code_read(code: str, *, at: dt.datetime) -> Read:
    """Parse and verify a scanned code at `at`; never raises."""
    code = code.strip()
    head, _, rest = code.partition(".")
    if head == PRINTED and rest:
        return Read("printed", serial=rest)
    if head == TEMPORARY and rest:
        return Read("temporary", serial=rest)
    if head != PHONE:
        return Read("unreadable")
    parts = code.split(".")
    if len(parts) != len(("pg1", "person", "window", "signature")):
        return Read("forged")
    body = ".".join(parts[:-1])
    if not hmac.compare_digest(_sign(body), parts[-1]):
        return Read("forged")
    try:
        person_id, window = int(parts[1], BASE), int(parts[2], BASE)
    except ValueError:
        return Read("forged")
    start = window * settings.GATE_PASS_ROTATE_SECONDS
    expires = dt.datetime.fromtimestamp(start + settings.GATE_PASS_TTL_SECONDS, tz=dt.UTC)
    # A token from a window that has not begun is no token this system issued.
    if at.timestamp() < start - settings.GATE_PASS_ROTATE_SECONDS:
        return Read("forged")
    if at >= expires:
        return Read("expired", person_id=person_id, expires_at=expires)
    return Read("phone", person_id=person_id, expires_at=expires)
