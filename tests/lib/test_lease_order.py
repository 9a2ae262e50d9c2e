"""The order of the leases (issue 18, faults): an import's own lease plus one run of the
minutely recovery ends before the queue's lease, so the import's recovery decides the fate of a
batch whose consumer died and the job the queue puts back claims nothing (a merge is not
applied again without its second confirmation). A system check refuses the reverse order, and
the consumer (`manage.py run_huey`) will not start with it (parkguard/lib/queue_lease.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.core import checks

from parkguard.lib.queue_lease import RECOVERY_PERIOD_SECONDS, lease_order_check

ROOT = Path(__file__).resolve().parents[2]


def _errors() -> list[str]:
    return [m.id for m in checks.run_checks() if m.id and m.id.startswith("parkguard.")]


def test_the_default_leases_are_in_order() -> None:
    assert lease_order_check() == []
    assert _errors() == []


def test_a_queue_lease_not_longer_than_the_import_lease_and_a_recovery_is_refused(
    settings: Any,
) -> None:
    settings.IMPORT_LEASE_SECONDS = 120
    settings.HUEY_LEASE_SECONDS = 120 + RECOVERY_PERIOD_SECONDS  # the boundary: not enough
    [error] = lease_order_check()
    assert error.level == checks.ERROR and error.id == "parkguard.E001"
    assert "HUEY_LEASE_SECONDS（180 秒）" in error.msg and "至少 181 秒" in error.msg
    assert _errors() == ["parkguard.E001"]  # registered: `manage.py check` reports it

    settings.HUEY_LEASE_SECONDS = 121 + RECOVERY_PERIOD_SECONDS
    assert lease_order_check() == [] and _errors() == []

    # Derived from the import lease, not a fixed number: a longer import lease moves the floor.
    settings.IMPORT_LEASE_SECONDS = 600
    assert [e.id for e in lease_order_check()] == ["parkguard.E001"]


def test_the_consumer_refuses_to_start_with_the_leases_reversed(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARKGUARD_", "HUEY_"))}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(
        PARKGUARD_ENV="development",
        PARKGUARD_VAR_DIR=str(tmp_path),
        PARKGUARD_IMPORT_LEASE_SECONDS="120",
        HUEY_LEASE_SECONDS="60",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "run_huey", "--workers=1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,  # a bound: the command stops at its system checks
    )
    assert result.returncode != 0
    assert "parkguard.E001" in result.stderr and "HUEY_LEASE_SECONDS（60 秒）" in result.stderr
    assert "SystemCheckError" in result.stderr  # stopped by the check, before consuming
