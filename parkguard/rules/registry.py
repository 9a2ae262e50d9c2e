"""The rule packs this site loads: the built-in directory plus ``PARKGUARD_PACKS_DIR``.

Packs are immutable files (a change is a new version file), so a per-process copy is a
cache of constant data. A bad file is left out and listed (`invalid_packs`), never
breaking the other packs, pages or plans.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings

from parkguard.policy import DEFAULT_PACKS_DIR, PackIssue, Registry
from parkguard.policy.loading import Loaded, load_tolerant


def pack_directories() -> list[Path]:
    extra = getattr(settings, "PACKS_DIR", "")
    return [DEFAULT_PACKS_DIR, *([Path(extra)] if extra else [])]


@cache
def _loaded() -> Loaded:
    return load_tolerant(pack_directories())


def registry() -> Registry:
    return _loaded().registry


def invalid_packs() -> dict[str, tuple[PackIssue, ...]]:
    """Files that could not be loaded, each with its mistakes (file, line, path, message)."""
    return _loaded().invalid_files()


def reload() -> None:
    """Forget the loaded packs (after PARKGUARD_PACKS_DIR changed; tests)."""
    _loaded.cache_clear()
