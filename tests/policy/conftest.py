"""Pure fixtures for the policy tests: no database, no clock."""

from __future__ import annotations

import pytest

from parkguard.policy import Registry, load_registry


@pytest.fixture(scope="session")
def registry() -> Registry:
    return load_registry()
