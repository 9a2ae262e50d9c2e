"""A fixed-window counter in the shared cache: has this key been hit more than `limit` times
in the current window? One topic, no business imports (the gate's and the device API's limits).
"""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache


def window_over(*, key: str, limit: int, window_seconds: int, at: dt.datetime) -> bool:
    """Count one hit for `key` in the window holding `at`; True once the count passes `limit`."""
    slot = f"{key}:{int(at.timestamp()) // window_seconds}"
    if cache.add(slot, 1, window_seconds * 2):
        count = 1
    else:
        try:
            count = cache.incr(slot)
        except ValueError:  # expired between add and incr
            cache.set(slot, 1, window_seconds * 2)
            count = 1
    return count > limit
