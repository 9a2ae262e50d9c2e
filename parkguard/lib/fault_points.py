"""Named points in long writes where a fault test can stop a server or a consumer.

A test arms a point by creating ``<name>.armed`` in ``settings.FAULT_POINTS_DIR``; the first
process to reach it renames that file to ``<name>.reached`` (with its pid inside, so the test
kills exactly that process) and waits there, mid-transaction, until ``<name>.release``
appears. The rename is atomic, so an armed point stops one process once. With the setting
empty (always in production) a point costs one attribute read. This is how the fault tests
kill a process at a known moment without timing anything (tests/test_import_kill.py).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.conf import settings

_POLL = 0.01  # seconds between looks for the release file (the process waits to be killed)


def fault_point(name: str) -> None:
    folder = settings.FAULT_POINTS_DIR
    if not folder:
        return
    base = Path(folder)
    reached = base / f"{name}.reached"
    try:
        (base / f"{name}.armed").rename(reached)
    except FileNotFoundError:  # not armed, or another process took it
        return
    reached.write_text(str(os.getpid()))
    while not (base / f"{name}.release").exists():
        time.sleep(_POLL)
