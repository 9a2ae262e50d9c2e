"""Loading packs: files → validated specs → resolved packs (extends applied) → registry.

A registry holds every version of every pack found in a directory. Published versions
of one pack id must not overlap in time, so `Registry.in_force` finds at most one. A
pack that extends another names the exact version it extends, so a later version of the
parent never changes the child. Published packs may be pinned in ``published.lock``
(``<id> <version> <sha256>`` per line): a pinned file whose content changed is refused.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from parkguard.policy import errors as E
from parkguard.policy import yaml_source
from parkguard.policy.extends import LoadedFile, resolve
from parkguard.policy.lock import LOCK_FILE_NAME, digest_of, read_lock
from parkguard.policy.pack import Pack
from parkguard.policy.registry import Registry
from parkguard.policy.validation import validate_text

DEFAULT_PACKS_DIR = Path(__file__).resolve().parent / "packs"


def load_registry(
    path: str | Path | None = None,
    *,
    files: Iterable[str | Path] | None = None,
) -> Registry:
    """Load every ``*.yaml`` pack in a directory (default: the bundled packs).

    ``files`` loads exactly those files instead (pins are then read from the directory of
    the first one). Raises `PackError` listing every mistake found, each with file and path.
    """
    directory = Path(path) if path is not None else DEFAULT_PACKS_DIR
    paths = (
        sorted(Path(f) for f in files) if files is not None else sorted(directory.glob("*.yaml"))
    )
    if files is not None and paths:
        directory = paths[0].parent
    issues: list[E.PackIssue] = []
    loaded: list[LoadedFile] = []
    for file_path in paths:
        name = file_path.name
        try:
            text = file_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            issues.append(E.PackIssue(name, "", E.ERR_FILE_UNREADABLE, str(exc)))
            continue
        try:
            spec = validate_text(text, file=name)
        except E.PackError as exc:
            issues.extend(exc.issues)
            continue
        loaded.append(LoadedFile(spec, name, text, digest_of(text)))
    packs, unlocked = _resolve_all(loaded, read_lock(directory), issues)
    if issues:
        raise E.PackError(issues)
    return Registry(packs, unlocked=unlocked)


def _resolve_all(
    loaded: list[LoadedFile],
    pins: Mapping[tuple[str, int], str],
    issues: list[E.PackIssue],
) -> tuple[list[Pack], list[str]]:
    by_key: dict[tuple[str, int], LoadedFile] = {}
    for item in loaded:
        key = (item.spec.id, item.spec.version)
        if key in by_key:
            issues.append(
                E.PackIssue(
                    item.file,
                    "version",
                    E.ERR_DUPLICATE_VERSION,
                    f"{key[0]}@{key[1]} 已在 {by_key[key].file}",
                    yaml_source.line_of(item.text, ("version",)),
                )
            )
            continue
        by_key[key] = item
    _check_overlaps(by_key, issues)
    unlocked: list[str] = []
    for key, item in by_key.items():
        pinned = pins.get(key)
        if item.spec.status != "published":
            continue
        if pinned is None:
            unlocked.append(f"{key[0]}@{key[1]}")
        elif pinned != item.digest:
            issues.append(
                E.PackIssue(
                    item.file,
                    "",
                    E.ERR_PUBLISHED_CHANGED,
                    f"{LOCK_FILE_NAME} 记录 sha256 {pinned}，现为 {item.digest}",
                )
            )
    resolved: dict[tuple[str, int], Pack | None] = {}
    for key in by_key:
        resolve(key, by_key, resolved, (), issues)
    return [p for p in resolved.values() if p is not None], unlocked


def _check_overlaps(
    by_key: Mapping[tuple[str, int], LoadedFile], issues: list[E.PackIssue]
) -> None:
    groups: dict[str, list[LoadedFile]] = {}
    for item in by_key.values():
        if item.spec.status == "published":
            groups.setdefault(item.spec.id, []).append(item)
    for items in groups.values():
        items.sort(key=lambda it: (it.spec.effective_from, it.spec.version))
        for prev, nxt in itertools.pairwise(items):
            # An open-ended version runs until the next version starts; an explicit end
            # date is binding and must come before the next version's start.
            if prev.spec.version > nxt.spec.version:
                issues.append(
                    E.PackIssue(
                        prev.file,
                        "effective_from",
                        E.ERR_VERSION_ORDER,
                        f"v{prev.spec.version} 自 {prev.spec.effective_from} 起，"
                        f"{nxt.file} 的 v{nxt.spec.version} 自 {nxt.spec.effective_from} 起",
                        yaml_source.line_of(prev.text, ("effective_from",)),
                    )
                )
                continue
            end = prev.spec.effective_to
            same_start = prev.spec.effective_from == nxt.spec.effective_from
            if same_start or (end is not None and end >= nxt.spec.effective_from):
                issues.append(
                    E.PackIssue(
                        nxt.file,
                        "effective_from",
                        E.ERR_OVERLAPPING_VERSIONS,
                        f"v{nxt.spec.version} 自 {nxt.spec.effective_from} 起，与 {prev.file} 的"
                        f" v{prev.spec.version}（{prev.spec.effective_from} 至"
                        f" {end or '长期'}）重叠",
                        yaml_source.line_of(nxt.text, ("effective_from",)),
                    )
                )


def load_pack_text(text: str, *, file: str = "<text>", parents: Registry | None = None) -> Pack:
    """One pack from text (for previews and tests); ``parents`` supplies what it extends."""
    spec = validate_text(text, file=file)
    issues: list[E.PackIssue] = []
    loaded = [LoadedFile(spec, file, text, digest_of(text))]
    by_key: dict[tuple[str, int], LoadedFile] = {(spec.id, spec.version): loaded[0]}
    resolved: dict[tuple[str, int], Pack | None] = {}
    if parents is not None:
        for parent in parents.packs():
            # Already resolved: resolve returns them without reading by_key's entry.
            resolved[(parent.id, parent.version)] = parent
            by_key.setdefault((parent.id, parent.version), loaded[0])
    pack = resolve((spec.id, spec.version), by_key, resolved, (), issues)
    if issues or pack is None:
        raise E.PackError(issues)
    return pack


@dataclass(frozen=True, slots=True)
class Loaded:
    """Packs loaded from several directories: the good ones, and every mistake of the others."""

    registry: Registry
    invalid: tuple[E.PackIssue, ...]

    def invalid_files(self) -> dict[str, tuple[E.PackIssue, ...]]:
        files: dict[str, list[E.PackIssue]] = {}
        for issue in self.invalid:
            files.setdefault(issue.file, []).append(issue)
        return {name: tuple(found) for name, found in files.items()}


def load_tolerant(directories: Iterable[str | Path]) -> Loaded:
    """Every ``*.yaml`` pack of the directories; a bad file is left out and listed with its
    mistakes, and never stops the others from loading (nor a pack that does not depend on
    it). Each directory's ``published.lock`` pins its own files."""
    issues: list[E.PackIssue] = []
    loaded: list[LoadedFile] = []
    pins: dict[tuple[str, int], str] = {}
    for directory in (Path(d) for d in directories):
        if not directory.is_dir():
            issues.append(E.PackIssue(str(directory), "", E.ERR_FILE_UNREADABLE, "目录不存在"))
            continue
        pins.update(read_lock(directory))
        for file_path in sorted(directory.glob("*.yaml")):
            try:
                text = file_path.read_text(encoding="utf-8")
                spec = validate_text(text, file=file_path.name)
            except (OSError, UnicodeDecodeError) as exc:
                issues.append(E.PackIssue(file_path.name, "", E.ERR_FILE_UNREADABLE, str(exc)))
                continue
            except E.PackError as exc:
                issues.extend(exc.issues)
                continue
            loaded.append(LoadedFile(spec, file_path.name, text, digest_of(text)))
    while True:
        found: list[E.PackIssue] = []
        packs, unlocked = _resolve_all(loaded, pins, found)
        bad = {issue.file for issue in found}
        if not bad:
            return Loaded(Registry(packs, unlocked=unlocked), tuple(issues))
        issues.extend(found)
        loaded = [item for item in loaded if item.file not in bad]


def canonical_text(text: str) -> str:
    """A pack's text as stored and fingerprinted: no byte-order mark, LF line ends, no
    trailing blanks, one final newline. Two uploads that differ only in those are one."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).rstrip("\n") + "\n"


@dataclass(frozen=True, slots=True)
class MoreFile:
    """A pack text to load on top of a registry (an upload): its status is the caller's
    (a draft stays a draft whatever the file says) and ``digest``, when given, pins it."""

    file: str
    text: str
    status: str
    digest: str | None = None


def load_more(base: Registry, files: Iterable[MoreFile]) -> Loaded:
    """`base` plus more packs, each checked in turn against `base` and the ones accepted
    before it: a version already there, an overlap with a published version, a changed
    pinned text or a mistake leaves that file out and listed; the others load."""
    issues: list[E.PackIssue] = []
    packs = list(base.packs())
    for item in files:
        current = Registry(packs)
        try:
            spec = validate_text(item.text, file=item.file)
        except E.PackError as exc:
            issues.extend(exc.issues)
            continue
        spec = spec.model_copy(update={"status": item.status})
        digest = digest_of(item.text)
        if item.digest is not None and item.digest != digest:
            issues.append(
                E.PackIssue(
                    item.file,
                    "",
                    E.ERR_PUBLISHED_CHANGED,
                    f"数据库记录 sha256 {item.digest}，现为 {digest}",
                )
            )
            continue
        key = (spec.id, spec.version)
        if any((p.id, p.version) == key for p in packs):
            issues.append(
                E.PackIssue(
                    item.file,
                    "version",
                    E.ERR_DUPLICATE_VERSION,
                    f"{key[0]}@{key[1]} 已存在",
                    yaml_source.line_of(item.text, ("version",)),
                )
            )
            continue
        new = LoadedFile(spec, item.file, item.text, digest)
        by_key: dict[tuple[str, int], LoadedFile] = {key: new}
        resolved: dict[tuple[str, int], Pack | None] = {}
        for known in current.packs():
            resolved[(known.id, known.version)] = known
            by_key[(known.id, known.version)] = LoadedFile(known.spec, known.meta.file, "", "")
        found: list[E.PackIssue] = []
        _check_overlaps(by_key, found)  # the loaded ones agree: whatever is found is this file's
        found = [E.PackIssue(item.file, i.path, i.message, i.detail, i.line) for i in found]
        added = resolve(key, by_key, resolved, (), found)
        if found or added is None:
            issues.extend(found)
            continue
        packs.append(added)
    return Loaded(Registry(packs, unlocked=base.unlocked()), tuple(issues))
