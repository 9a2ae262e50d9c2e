"""Row keys: an exported ledger row names its person without a clear ID number (issue 9 §3).

A key is `r1.` + base64(HMAC-SHA256(key, "enterprise:person")[:12]) + `.` + the two ids in
base 36: opaque to a reader (no ID digit in it), unforgeable without the server's HMAC key,
and stable for as long as the person stays in the ledger. An edited export re-imports by it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from django.conf import settings

_PREFIX = "r1"
_MAC_BYTES = 12
_INFO = b"parkguard ledger row key v1:"
_BASE = 36


def _mac(enterprise_id: int, person_id: int) -> str:
    key = hashlib.sha256(_INFO + settings.ID_HMAC_KEY.encode()).digest()
    digest = hmac.new(key, f"{enterprise_id}:{person_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:_MAC_BYTES]).decode().rstrip("=")


def _b36(value: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        value, rest = divmod(value, _BASE)
        out = digits[rest] + out
        if not value:
            return out


def row_key(*, enterprise_id: int, person_id: int) -> str:
    ids = f"{_b36(enterprise_id)}-{_b36(person_id)}"
    return f"{_PREFIX}.{ids}.{_mac(enterprise_id, person_id)}"


def row_key_read(text: str) -> tuple[int, int] | None:
    """(enterprise id, person id) of a genuine key, None for anything else."""
    parts = text.strip().split(".")
    if len(parts) != len((_PREFIX, "ids", "mac")) or parts[0] != _PREFIX:
        return None
    ids = parts[1].split("-")
    if len(ids) != len(("enterprise", "person")):
        return None
    try:
        enterprise_id, person_id = (int(part, _BASE) for part in ids)
    except ValueError:
        return None
    if not hmac.compare_digest(parts[2], _mac(enterprise_id, person_id)):
        return None
    return enterprise_id, person_id
