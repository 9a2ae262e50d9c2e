"""Webhook URLs and secrets at rest: Fernet with the ID-number keys, shown only as hints.

A robot's URL holds its access token (DingTalk), key (WeCom) or hook id (Feishu): whoever
has it can post to the group, so it is as secret as the signing secret.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


def _cipher() -> MultiFernet:
    # The ID-number keys (PARKGUARD_ID_ENC_KEY, newest first), so rotation works the same way.
    # Built here rather than borrowed from people.identity, so that every app (people
    # included) may call notify without a cycle.
    return MultiFernet([Fernet(key.encode()) for key in settings.ID_ENC_KEYS])


def seal(text: str) -> str:
    return _cipher().encrypt(text.encode()).decode() if text else ""


def unseal(token: str) -> str:
    return _cipher().decrypt(token.encode()).decode() if token else ""


def _cut(value: str) -> str:
    return f"{value[:4]}…" if len(value) > 4 else "…"


def url_hint(url: str) -> str:
    """`https://oapi.dingtalk.com/robot/send?access_token=1a2b…`: enough to recognise it."""
    parts = urlsplit(url)
    path = parts.path
    segments = path.rstrip("/").split("/")
    if "hook" in segments[:-1]:  # Feishu: the last segment is the hook id
        segments[-1] = _cut(segments[-1])
        path = "/".join(segments)
    query = "&".join(f"{k}={_cut(v)}" for k, v in parse_qsl(parts.query))
    return f"{parts.scheme}://{parts.netloc}{path}" + (f"?{query}" if query else "")
