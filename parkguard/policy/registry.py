"""The registry: every loaded pack version, looked up by id and date.

Published versions of one pack id must not overlap in time (checked when loading), so
`Registry.in_force` finds at most one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from parkguard.policy import errors as E
from parkguard.policy.pack import Pack


class Registry:
    """Every loaded pack version, looked up by id and date."""

    def __init__(self, packs: Iterable[Pack], *, unlocked: Iterable[str] = ()) -> None:
        ordered = sorted(packs, key=lambda p: (p.id, p.version))
        self._packs: dict[tuple[str, int], Pack] = {(p.id, p.version): p for p in ordered}
        self._unlocked = tuple(unlocked)

    def packs(self) -> tuple[Pack, ...]:
        """All versions of all packs, by id then version."""
        return tuple(self._packs.values())

    def ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(pack_id for pack_id, _ in self._packs))

    def versions(self, pack_id: str) -> tuple[Pack, ...]:
        found = tuple(p for (pid, _), p in self._packs.items() if pid == pack_id)
        if not found:
            raise E.PolicyInputError(E.ERR_UNKNOWN_PACK, path="pack", detail=pack_id)
        return found

    def get(self, pack_id: str, version: int) -> Pack:
        self.versions(pack_id)
        try:
            return self._packs[(pack_id, version)]
        except KeyError:
            raise E.PolicyInputError(
                E.ERR_UNKNOWN_VERSION, path="version", detail=f"{pack_id}@{version}"
            ) from None

    def in_force(self, pack_id: str, on: date, *, include_drafts: bool = False) -> Pack:
        """The published version of the pack in force on the date.

        A version without ``effective_to`` stays in force until a later version starts.
        """
        for pack in reversed(self.versions(pack_id)):
            if (include_drafts or pack.meta.status == "published") and pack.meta.in_force(on):
                return pack
        raise E.PolicyInputError(E.ERR_NOT_IN_FORCE, path="pack", detail=f"{pack_id} {on}")

    def is_in_force(self, pack: Pack, on: date) -> bool:
        """Whether this version is the one in force on the date (not superseded, published)."""
        try:
            return self.in_force(pack.id, on) is pack
        except E.PolicyInputError:
            return False

    def all_in_force(self, on: date) -> tuple[Pack, ...]:
        """For each pack id, the version in force on the date (ids without one are left out)."""
        found = []
        for pack_id in self.ids():
            try:
                found.append(self.in_force(pack_id, on))
            except E.PolicyInputError:
                continue
        return tuple(found)

    def unlocked(self) -> tuple[str, ...]:
        """Published packs (``id@version``) not pinned in ``published.lock``."""
        return self._unlocked
