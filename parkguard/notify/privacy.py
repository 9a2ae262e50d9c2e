"""What a group chat may see: no ID numbers, no phone numbers, masked names.

Callers write group texts with `name_mask`; `group_safe` is the net under them, applied to
every outbound webhook text, so a careless caller still cannot post an ID number or a phone.
"""

from __future__ import annotations

import re

# An 18-digit resident ID number (last character may be X), not inside a longer digit run.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
# A mainland mobile number, with optional +86 and the usual separators.
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")


def name_mask(name: str) -> str:
    """`张三` → `张*`, `欧阳娜娜` → `欧***`: the surname alone, as notices posted in groups do."""
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def group_safe(text: str) -> str:
    """Mask any ID number or mobile number left in a text bound for a group chat."""
    text = _ID_NUMBER.sub(lambda m: f"{m.group()[:4]}**********{m.group()[-4:]}", text)
    return _MOBILE.sub("1**********", text)
