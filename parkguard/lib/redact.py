"""Keeping phone numbers out of logs and audit labels, where a login name may be one."""

from __future__ import annotations

import re

# A mainland mobile number, alone or with a +86 / 86 prefix.
_MOBILE = re.compile(r"^(?:\+?86)?(1\d{2})\d{4}(\d{4})$")


def login_label(username: str) -> str:
    """A login name fit for a log or an audit record: a phone number keeps 3 + 4 digits."""
    match = _MOBILE.match(username.strip())
    if match:
        return f"{match.group(1)}****{match.group(2)}"
    return username
