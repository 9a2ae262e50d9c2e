"""A pytest plugin (`-p tests.settings_env` in pyproject) that runs before pytest-django reads
the settings, so `python -m pytest` always uses the test settings (inline jobs, test keys)."""

from __future__ import annotations

import os

os.environ["PARKGUARD_ENV"] = "test"
