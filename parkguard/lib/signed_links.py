"""The token of a public link that needs no login: a visitor's fill-in link, a carrier's
declaration link, a transport pass's QR code.

A token is Django's signed value of a random nonce kept on the row (with a salt per kind of
link, so one kind's token cannot stand for another's). Replacing the nonce voids every token
issued for the row; expiry is the row's own date, or `max_age` where the row keeps none.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import signing


def link_sign(value: Any, *, salt: str) -> str:
    """The token for `value` (a nonce, or a small dict of an id and a nonce)."""
    return signing.dumps(value, salt=salt)


def link_read(token: str, *, salt: str, max_age: dt.timedelta | None = None) -> Any | None:
    """The value a token signs, or None when it is forged, of another kind, or (with
    `max_age`) older than that."""
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is one
        return None
