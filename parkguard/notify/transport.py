"""Posting JSON to a robot: the one place ParkGuard talks to the outside network."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A robot endpoint never redirects; following one could carry the message elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post_json(*, url: str, payload: bytes, timeout: float) -> tuple[int, bytes]:
    """POST `payload`; return the HTTP status and at most 64 KiB of the reply.

    HTTP errors come back as statuses (the caller reads the vendor's error body); network
    errors raise OSError. The caller has checked the URL (https, the vendor's host).
    """
    request = urllib.request.Request(
        url,
        data=payload,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            return int(response.status), response.read(65536)
    except urllib.error.HTTPError as exc:
        body = exc.read(65536) if exc.fp is not None else b""
        return int(exc.code), body
