"""The rule packs this site loads: the built-in directory plus ``PARKGUARD_PACKS_DIR``, and
for each park the packs its admins uploaded and published.

Packs are immutable files (a change is a new version file), so a per-process copy is a
cache of constant data. A bad file is left out and listed (`invalid_packs`), never
breaking the other packs, pages or plans. A park's published uploads are immutable rows
(fingerprinted, refused by a database trigger if changed), cached by their ids and
fingerprints; a draft is never in any of these registries.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings

from parkguard.policy import DEFAULT_PACKS_DIR, PackIssue, Registry
from parkguard.policy.loading import Loaded, MoreFile, load_more, load_tolerant
from parkguard.rules.choices import UploadStatus
from parkguard.rules.models import UploadedPack


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


_PARK_CACHE: dict[int, tuple[tuple[tuple[int, str], ...], Loaded]] = {}


def park_loaded(park_id: int) -> Loaded:
    """The site's packs plus the park's published uploads (one query; cached by the rows'
    ids and fingerprints, so a new publication is seen by every process at once)."""
    rows = list(
        UploadedPack.objects.filter(jurisdiction_id=park_id, status=UploadStatus.PUBLISHED)
        .order_by("published_at", "pk")
        .values_list("pk", "digest", "file", "text")
    )
    stamp = tuple((pk, digest) for pk, digest, _, _ in rows)
    cached = _PARK_CACHE.get(park_id)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    files = [
        MoreFile(file=file, text=text, status=UploadStatus.PUBLISHED, digest=digest)
        for _, digest, file, text in rows
    ]
    loaded = load_more(registry(), files)
    _PARK_CACHE[park_id] = (stamp, loaded)
    return loaded


def park_registry(park_id: int) -> Registry:
    return park_loaded(park_id).registry


def reload() -> None:
    """Forget the loaded packs (after PARKGUARD_PACKS_DIR changed; tests)."""
    _loaded.cache_clear()
    _PARK_CACHE.clear()
