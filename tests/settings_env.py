"""A pytest plugin (`-p tests.settings_env` in pyproject) that runs before pytest-django reads
the settings, so `python -m pytest` always uses the test settings (inline jobs, test keys)."""

from __future__ import annotations

import os

os.environ["PARKGUARD_ENV"] = "test"
# Tests clear the cache between cases (Redis: FLUSHDB); never on a shared Redis a developer's
# shell points at. The tests of the shared cache start processes with their own URL and prefix.
os.environ.pop("PARKGUARD_CACHE_URL", None)
