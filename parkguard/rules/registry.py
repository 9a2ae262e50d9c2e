"""The rule packs shipped with this release, loaded once per process.

Packs are immutable files in the source tree (a change is a new version file), so a
per-process copy is a cache of constant data, not state: every process loads the same.
"""

from __future__ import annotations

from functools import cache

from parkguard.policy import Registry, load_registry


@cache
def registry() -> Registry:
    return load_registry()
