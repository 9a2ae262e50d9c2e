"""A fixed-window counter in the shared cache: has this key been hit more than `limit` times
in the current window? One topic, no business imports (the gate's, the device API's, the
credential POSTs' and the assistance lookup's limits).

The count lives in Django's default cache. With `PARKGUARD_CACHE_URL` set (required in
production) that is Redis, so every worker process adds to one count and a limit is not
multiplied by the number of workers; without it (development, tests) it is each process's
memory. `cache.add` (SET NX) and `cache.incr` (INCR) are atomic on both backends.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import redis
from django.core.cache import cache

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Window:
    """What one take from a window found: whether it went over, the count, and when the window
    ends (a refused take is given back, so `count` is what stands after it)."""

    over: bool
    count: int
    ends_at: dt.datetime
    reachable: bool = True  # False: the cache was away and `over` is the caller's fallback


def _slot(key: str, window_seconds: int, at: dt.datetime) -> tuple[str, dt.datetime]:
    index = int(at.timestamp()) // window_seconds
    ends = dt.datetime.fromtimestamp((index + 1) * window_seconds, tz=dt.UTC)
    return f"{key}:{index}", ends


def _add(slot: str, amount: int, timeout: int) -> int:
    """Add `amount` to the slot's count, creating it with a timeout; the new count."""
    if cache.add(slot, amount, timeout):
        return amount
    try:
        count = int(cache.incr(slot, amount))
    except ValueError:  # gone between add and incr (evicted, or the cache was cleared)
        cache.set(slot, amount, timeout)
        return amount
    if count == amount:
        # Redis's INCR recreates a key that expired between Django's EXISTS and INCR, and
        # without a timeout: give it one, or the key would stay forever.
        cache.touch(slot, timeout)
    return count


def window_take(
    *,
    key: str,
    amount: int,
    limit: int,
    window_seconds: int,
    at: dt.datetime,
    give_back: bool = False,
    unavailable: bool = False,
) -> Window:
    """Count `amount` hits for `key` in the window holding `at`; over once the count passes
    `limit`. With `give_back`, a take that goes over is returned to the window (a refused
    request does not use up the budget of the next one). When the cache cannot be reached the
    answer is `unavailable` (over or not), chosen by the caller: a gate must keep working, a
    bulk lookup may wait."""
    slot, ends = _slot(key, window_seconds, at)
    timeout = window_seconds * 2
    try:
        count = _add(slot, amount, timeout)
        if give_back and count > limit:
            try:
                count = int(cache.decr(slot, amount))
            except ValueError:  # the slot vanished before the give-back: nothing to return
                count = 0
            return Window(over=True, count=count, ends_at=ends)
    except (redis.RedisError, OSError) as exc:
        log.warning("rate window %s: the shared cache is unreachable: %s", key, exc)
        return Window(over=unavailable, count=0, ends_at=ends, reachable=False)
    return Window(over=count > limit, count=count, ends_at=ends)


def window_over(*, key: str, limit: int, window_seconds: int, at: dt.datetime) -> bool:
    """Count one hit for `key` in the window holding `at`; True once the count passes `limit`.

    An unreachable cache lets the hit through (the gate and the login pages must not stop
    because the counter is away; the login lockout itself is kept in the database)."""
    return window_take(key=key, amount=1, limit=limit, window_seconds=window_seconds, at=at).over
