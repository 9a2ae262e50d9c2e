"""The group robots' wire formats: request bodies, signing, and reading their replies.

Pure functions (no database, time passed in), so tests check them against a local fake server.

What each vendor documents, and what this module relies on (read through the project's
documentation search; the vendor pages and the mirrors quoting them are named):

- DingTalk custom robot (钉钉自定义机器人), "自定义机器人接入"
  (https://developers.dingtalk.com/document/robots/custom-robot-access, quoted with the
  vendor's Python sample in e.g. https://blog.csdn.net/weixin_38367535/article/details/123850940):
  POST JSON ``{"msgtype": "markdown", "markdown": {"title": ..., "text": ...}}`` (or ``"text"``
  with ``{"content": ...}``) to ``https://oapi.dingtalk.com/robot/send?access_token=…``. With
  加签, ``timestamp`` is the current time in milliseconds, the string to sign is
  ``timestamp + "\n" + secret``, signed with HmacSHA256 keyed by the secret, then Base64, then
  URL-encoded (``urllib.parse.quote_plus``), and both are appended as the ``timestamp`` and
  ``sign`` query parameters. The reply is ``{"errcode": 0, "errmsg": "ok"}``; any other errcode
  is a failure.
- WeCom group robot (企业微信群机器人), "群机器人配置说明"
  (https://work.weixin.qq.com/api/doc/90000/90136/91770): POST JSON
  ``{"msgtype": "markdown", "markdown": {"content": ...}}`` to
  ``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…``; the page warns that the URL is
  the credential. No signing. Reply ``{"errcode": 0, "errmsg": "ok"}``. The page gives 2048
  bytes for text content; the markdown limit (4096 bytes) was not in the excerpt read, so we
  cut at 4000 bytes to stay under either.
- Feishu custom bot (飞书自定义机器人), "自定义机器人使用指南"
  (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot, quoted in e.g.
  https://blog.csdn.net/zhanglili1993/article/details/136473704): POST JSON
  ``{"msg_type": "text", "content": {"text": ...}}`` to
  ``https://open.feishu.cn/open-apis/bot/v2/hook/…``. With 签名校验, ``timestamp`` is in
  seconds (within one hour of the server's clock), ``timestamp + "\n" + secret`` is the
  HmacSHA256 *key* over an empty message, Base64-encoded, and ``timestamp`` (a string) and
  ``sign`` go into the JSON body. The reply is ``{"code": 0, "msg": "success", ...}`` (older
  bots also answer ``StatusCode``); 19021 means the signature or timestamp did not match,
  9499 a malformed body.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote_plus, urlencode, urlsplit

from parkguard.notify.choices import Vendor

# The hosts each vendor's robots live on; a URL elsewhere is refused (a typo or a leak risk).
VENDOR_HOSTS: dict[str, tuple[str, ...]] = {
    Vendor.DINGTALK: ("oapi.dingtalk.com",),
    Vendor.WECOM: ("qyapi.weixin.qq.com",),
    Vendor.FEISHU: ("open.feishu.cn", "open.larksuite.com"),
}
VENDOR_PATHS: dict[str, str] = {
    Vendor.DINGTALK: "/robot/send",
    Vendor.WECOM: "/cgi-bin/webhook/send",
    Vendor.FEISHU: "/open-apis/bot/v2/hook/",
}
VENDOR_SIGNS: dict[str, bool] = {Vendor.DINGTALK: True, Vendor.WECOM: False, Vendor.FEISHU: True}
# WeCom's documented limit for markdown content, in UTF-8 bytes; we cut a little below it.
WECOM_MAX_BYTES = 4000


@dataclass(frozen=True)
class OutboundRequest:
    url: str
    body: dict[str, Any]

    def payload(self) -> bytes:
        return json.dumps(self.body, ensure_ascii=False).encode()


def dingtalk_sign(*, secret: str, timestamp_ms: int) -> str:
    """加签: Base64(HmacSHA256(key=secret, msg=f"{timestamp}\\n{secret}")), URL-encoded."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


def feishu_sign(*, secret: str, timestamp_s: int) -> str:
    """签名校验: Base64(HmacSHA256(key=f"{timestamp}\\n{secret}", msg=b""))."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def _cut_bytes(text: str, limit: int) -> str:
    raw = text.encode()
    return text if len(raw) <= limit else raw[:limit].decode(errors="ignore") + "…"


def build_request(
    *, vendor: str, url: str, secret: str, title: str, text: str, at: datetime
) -> OutboundRequest:
    """The request to post for one message; `secret` empty means unsigned."""
    if vendor == Vendor.DINGTALK:
        body: dict[str, Any] = {
            "msgtype": "markdown",
            "markdown": {"title": title, "text": f"### {title}\n\n{text}"},
        }
        if secret:
            ts = int(at.timestamp() * 1000)
            sep = "&" if urlsplit(url).query else "?"
            # The sign is already URL-encoded, as DingTalk documents; do not encode it twice.
            url = f"{url}{sep}{urlencode({'timestamp': ts})}&sign="
            url += dingtalk_sign(secret=secret, timestamp_ms=ts)
        return OutboundRequest(url=url, body=body)
    if vendor == Vendor.WECOM:
        content = _cut_bytes(f"**{title}**\n{text}", WECOM_MAX_BYTES)
        return OutboundRequest(
            url=url, body={"msgtype": "markdown", "markdown": {"content": content}}
        )
    if vendor == Vendor.FEISHU:
        body = {"msg_type": "text", "content": {"text": f"{title}\n{text}"}}
        if secret:
            ts = int(at.timestamp())
            body = {
                "timestamp": str(ts),
                "sign": feishu_sign(secret=secret, timestamp_s=ts),
                **body,
            }
        return OutboundRequest(url=url, body=body)
    raise ValueError(f"unknown vendor {vendor!r}")


@dataclass(frozen=True)
class Reply:
    ok: bool
    code: str
    message: str


def read_reply(*, vendor: str, status: int, raw: bytes) -> Reply:
    """A vendor's answer: HTTP 200 and a zero errcode/code is success, anything else fails."""
    try:
        data = json.loads(raw.decode() or "{}")
    except (UnicodeDecodeError, ValueError):
        data = {}
    if not isinstance(data, dict):
        data = {}
    if vendor == Vendor.FEISHU:
        code = data.get("code", data.get("StatusCode"))
        message = data.get("msg", data.get("StatusMessage", ""))
    else:
        code = data.get("errcode")
        message = data.get("errmsg", "")
    ok = status == 200 and code in (0, "0")
    if code is None and not ok:
        code = f"HTTP {status}"
    return Reply(ok=ok, code=str(code), message=str(message)[:100])
