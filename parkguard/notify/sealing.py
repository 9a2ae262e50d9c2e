"""Webhook URLs and secrets at rest: encrypted with the ID-number keys, shown only as hints.

A robot's URL holds its access token (DingTalk), key (WeCom) or hook id (Feishu): whoever
has it can post to the group, so it is as secret as the signing secret.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from parkguard.people.identity import payload_cipher


def seal(text: str) -> str:
    return payload_cipher().encrypt(text.encode()).decode() if text else ""


def unseal(token: str) -> str:
    return payload_cipher().decrypt(token.encode()).decode() if token else ""


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
