"""Loaded before Django is set up: the test suite always runs with test settings."""

from __future__ import annotations

import os

os.environ["PARKGUARD_ENV"] = "test"
