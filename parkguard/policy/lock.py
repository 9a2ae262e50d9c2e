"""The lock of published packs: ``published.lock`` pins ``<id> <version> <sha256>``.

A pinned file whose content changed is refused when loading.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

LOCK_FILE_NAME = "published.lock"


def digest_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_lock(directory: Path) -> dict[tuple[str, int], str]:
    lock = directory / LOCK_FILE_NAME
    pins: dict[tuple[str, int], str] = {}
    if not lock.exists():
        return pins
    for raw in lock.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            pack_id, version, digest = line.split()
            pins[(pack_id, int(version))] = digest
    return pins
