"""Runs beside tests/lib/test_rate_window_redis.py: one worker process of the project (its own
settings, its own cache client, Redis at PARKGUARD_CACHE_URL) taking from a rate window.

`python tests/rate_window_driver.py KEY LIMIT AMOUNT TIMES GIVE_BACK AT` takes AMOUNT from
the window KEY holding the Unix time AT, TIMES times, once a starting line appears on stdin
(so two processes start together), and prints one JSON list of [over, count] per take.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parkguard.settings")
django.setup()

from parkguard.lib.rate_window import window_take  # noqa: E402

WINDOW_SECONDS = 3600


def main(key: str, limit: str, amount: str, times: str, give_back: str, at: str) -> None:
    moment = dt.datetime.fromtimestamp(int(at), tz=dt.UTC)
    sys.stdin.readline()
    takes = [
        window_take(
            key=key,
            amount=int(amount),
            limit=int(limit),
            window_seconds=WINDOW_SECONDS,
            at=moment,
            give_back=give_back == "1",
        )
        for _ in range(int(times))
    ]
    print(json.dumps([[t.over, t.count] for t in takes]))


if __name__ == "__main__":
    main(*sys.argv[1:])
