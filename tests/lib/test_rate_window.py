"""The fixed-window counter (parkguard/lib/rate_window.py) on the default cache."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache

from parkguard.lib.rate_window import window_over, window_take

AT = dt.datetime(2026, 12, 3, 9, 30, tzinfo=dt.UTC)


def test_it_counts_hits_and_opens_a_new_window() -> None:
    cache.clear()
    assert [window_over(key="k", limit=2, window_seconds=3600, at=AT) for _ in range(3)] == [
        False,
        False,
        True,
    ]
    later = AT + dt.timedelta(hours=1)
    assert window_over(key="k", limit=2, window_seconds=3600, at=later) is False


def test_a_refused_take_is_given_back_and_the_window_end_is_told() -> None:
    cache.clear()
    take = window_take(key="n", amount=60, limit=100, window_seconds=3600, at=AT, give_back=True)
    assert (take.over, take.count) == (False, 60)
    refused = window_take(key="n", amount=50, limit=100, window_seconds=3600, at=AT, give_back=True)
    assert (refused.over, refused.count) == (True, 60)
    assert refused.ends_at == dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)
    fits = window_take(key="n", amount=40, limit=100, window_seconds=3600, at=AT, give_back=True)
    assert (fits.over, fits.count) == (False, 100)
