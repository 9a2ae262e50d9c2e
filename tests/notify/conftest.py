from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from huey.contrib.djhuey import HUEY

from tests.notify.fake_robot import FakeRobot, serve


@pytest.fixture
def robot() -> Iterator[FakeRobot]:
    yield from serve()


@pytest.fixture(autouse=True)
def _test_robots_and_inline_jobs(settings: Any) -> Iterator[None]:
    """Test settings (whatever PARKGUARD_ENV the run has): robots on 127.0.0.1 over http are
    allowed, and jobs run inline in memory, never in the development queue file."""
    settings.NOTIFY_WEBHOOK_ALLOW_LOCAL = True
    was = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = was
