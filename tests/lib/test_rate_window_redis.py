"""Rate limits hold across processes (issue 18; ARCHITECTURE "Nothing in the code may assume one
process"): with PARKGUARD_CACHE_URL the counters of parkguard/lib/rate_window.py live in Redis,
so two worker processes, each with its own cache client and connection, add to one count and a
limit is not multiplied by the number of workers.

The workers are tests/rate_window_driver.py processes on the real Redis (db 3 unless
PARKGUARD_TEST_CACHE_URL says otherwise), each run under its own key prefix, whose keys are
deleted at the end. Skipped, saying why, when Redis is not reachable. The last test needs no
Redis: an unreachable one gives the caller's chosen answer, never an error page.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from parkguard.lib.rate_window import window_over, window_take

ROOT = Path(__file__).resolve().parents[2]
DRIVER = str(ROOT / "tests" / "rate_window_driver.py")
CACHE_URL = os.environ.get("PARKGUARD_TEST_CACHE_URL") or "redis://127.0.0.1:6379/3"
AT = 1_700_000_000  # one fixed moment: every take falls in the same window
DEADLINE = 60


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[tuple[Any, dict[str, str]]]:
    """A Redis client and the environment of worker processes sharing it (own prefix)."""
    redis = pytest.importorskip("redis", reason="the redis package is not installed")
    client = redis.Redis.from_url(CACHE_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.RedisError as exc:
        pytest.skip(f"Redis at {CACHE_URL} is unreachable: {exc}")
    prefix = f"pgrate{uuid.uuid4().hex[:12]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARKGUARD_")}
    env.pop("DATABASE_URL", None)
    env.update(
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="parkguard.settings",
        PARKGUARD_ENV="development",
        PARKGUARD_VAR_DIR=str(tmp_path / "var"),
        PARKGUARD_CACHE_URL=CACHE_URL,
        PARKGUARD_CACHE_PREFIX=prefix,
    )
    try:
        yield client, env
    finally:
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)


def _workers(env: dict[str, str], *args: object, count: int = 2) -> list[list[list[Any]]]:
    """Start `count` driver processes, let them go at once, and return what each printed."""
    procs = [
        subprocess.Popen(
            [sys.executable, DRIVER, *map(str, args)],
            env=env,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    answers = []
    for proc in procs:
        out, err = proc.communicate(timeout=DEADLINE)
        assert proc.returncode == 0, err
        answers.append(json.loads(out))
    return answers


def test_two_worker_processes_share_one_count(shared: tuple[Any, dict[str, str]]) -> None:
    """Two processes hit one key 30 times each against a limit of 30: in per-process memory
    neither would ever be over; in the shared cache exactly 30 of the 60 hits are refused,
    whatever the interleaving (SET NX and INCR are atomic), and the counter expires."""
    client, env = shared
    first, second = _workers(env, "login:shared", 30, 1, 30, 0, AT)
    takes = first + second
    assert sum(1 for over, _ in takes if over) == 30
    assert sorted(count for _, count in takes) == list(range(1, 61))
    [key] = list(client.scan_iter(match=f"{env['PARKGUARD_CACHE_PREFIX']}:*login:shared:*"))
    assert int(client.get(key)) == 60
    assert 0 < client.ttl(key) <= 2 * 3600, "every counter has a timeout"


def test_a_refused_take_is_given_back_across_processes(
    shared: tuple[Any, dict[str, str]],
) -> None:
    """The lookup's budget (numbers per hour): two processes each take 40 twice against 100.
    Takes that would pass the limit are refused and returned, so the count never exceeds it
    and what was refused does not use up the budget."""
    client, env = shared
    first, second = _workers(env, "lookup:shared", 100, 40, 2, 1, AT)
    takes = first + second
    granted = [t for t in takes if not t[0]]
    assert len(granted) == 2 and len(takes) - len(granted) == 2
    [key] = list(client.scan_iter(match=f"{env['PARKGUARD_CACHE_PREFIX']}:*lookup:shared:*"))
    assert int(client.get(key)) == 80


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
)
def test_an_unreachable_cache_gives_the_callers_answer_not_an_error() -> None:
    now = timezone.now()
    assert window_over(key="gate:down", limit=1, window_seconds=60, at=now) is False
    refused = window_take(
        key="lookup:down", amount=1, limit=10, window_seconds=60, at=now, unavailable=True
    )
    assert refused.over is True and refused.reachable is False
