"""Loading packs: files → validated specs → resolved packs (extends applied) → registry.

A registry holds every version of every pack found in a directory. Published versions
of one pack id must not overlap in time, so `Registry.in_force` finds at most one. A
pack that extends another names the exact version it extends, so a later version of the
parent never changes the child. Published packs may be pinned in ``published.lock``
(``<id> <version> <sha256>`` per line): a pinned file whose content changed is refused.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from parkguard.policy import errors as E
from parkguard.policy import yaml_source
from parkguard.policy.citation import Citation
from parkguard.policy.schema import (
    MEASURE_TYPES,
    REQUIREMENT_RE,
    ArrivalTests,
    Instruction,
    PackSpec,
    ParameterSpec,
    ParamRef,
    Phases,
    Rule,
)

DEFAULT_PACKS_DIR = Path(__file__).resolve().parent / "packs"
LOCK_FILE_NAME = "published.lock"


# --- resolved packs ---------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PackMeta:
    """Identity of the pack a rule comes from: what every citation names."""

    id: str
    version: int
    title: str
    document_number: str
    issuer: str
    jurisdiction: str
    effective_from: date
    effective_to: date | None
    day_numbering: str
    status: str
    file: str

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


@dataclass(frozen=True, slots=True)
class BoundRule:
    """A rule together with the pack (and version) that defines it.

    ``kinds`` are the measure types the rule yields (an instruction also as
    ``instruction:<context>``), so that engine functions skip rules cheaply.
    """

    rule: Rule
    source: PackMeta
    citation: Citation = field(init=False)
    kinds: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        rule, meta = self.rule, self.source
        citation = Citation(
            pack_id=meta.id,
            version=meta.version,
            document_number=meta.document_number,
            requirement=rule.requirement,
            clause=rule.clause,
            rule_id=rule.id,
        )
        kinds: set[str] = {m.type for m in rule.measures}
        kinds.update(
            f"instruction:{m.context}" for m in rule.measures if isinstance(m, Instruction)
        )
        object.__setattr__(self, "citation", citation)
        object.__setattr__(self, "kinds", frozenset(kinds))


@dataclass(frozen=True, eq=False)
class Pack:
    """One version of a notice with its `extends` chain applied; what the engine uses."""

    meta: PackMeta
    spec: PackSpec
    rules: tuple[BoundRule, ...]
    parameters: Mapping[str, ParameterSpec]
    digest: str
    parent: Pack | None = None
    by_measure: Mapping[str, tuple[BoundRule, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Rules indexed by the measure types they yield, so each engine function only
        # looks at the rules that can matter to it. Immutable, per pack object.
        index: dict[str, list[BoundRule]] = {}
        for bound in self.rules:
            for kind in bound.kinds:
                index.setdefault(kind, []).append(bound)
        frozen = {kind: tuple(rules) for kind, rules in index.items()}
        object.__setattr__(self, "by_measure", MappingProxyType(frozen))

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def version(self) -> int:
        return self.meta.version

    @property
    def key(self) -> str:
        return f"{self.meta.id}@{self.meta.version}"

    def rules_with(self, *measure_types: str) -> tuple[BoundRule, ...]:
        """Rules yielding any of the measure types, in pack order."""
        if len(measure_types) == 1:
            return self.by_measure.get(measure_types[0], ())
        wanted = frozenset(measure_types)
        return tuple(b for b in self.rules if b.kinds & wanted)

    def requirements(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(b.rule.requirement for b in self.rules))


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


# --- reading and validating one file ----------------------------------------------------
_TYPE_WORDS = {
    "int_type": "整数",
    "int_parsing": "整数",
    "int_from_float": "整数",
    "float_type": "数字",
    "float_parsing": "数字",
    "string_type": "文本",
    "bool_type": "true 或 false",
    "bool_parsing": "true 或 false",
    "list_type": "列表",
    "tuple_type": "列表",
    "dict_type": "映射（键: 值）",
    "model_type": "映射（键: 值）",
    "model_attributes_type": "映射（键: 值）",
    "dataclass_type": "映射（键: 值）",
}


def clean_loc(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """Drop the union tags pydantic puts into error locations (``measures.0.phases.``)."""
    out: list[str | int] = []
    for i, part in enumerate(loc):
        is_tag = (
            i >= 2
            and loc[i - 2] == "measures"
            and isinstance(loc[i - 1], int)
            and part in MEASURE_TYPES
        )
        if not is_tag:
            out.append(part)
    return tuple(out)


def format_path(loc: Iterable[str | int]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _issue_from_error(err: Mapping[str, Any], file: str, text: str) -> E.PackIssue:
    loc = clean_loc(tuple(err["loc"]))
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    message, detail = E.ERR_WRONG_TYPE, str(err.get("msg", ""))
    if kind == "parkguard":
        message, detail = ctx["message"], ctx.get("detail", "")
    elif kind == "extra_forbidden":
        message, detail = E.ERR_UNKNOWN_KEY, f"{loc[-1]}"
    elif kind == "missing":
        last = loc[-1] if loc else ""
        message = {
            "clause": E.ERR_MISSING_CITATION,
            "requirement": E.ERR_MISSING_REQUIREMENT,
        }.get(str(last), E.ERR_MISSING_KEY)
        detail = str(last)
    elif kind == "union_tag_not_found":
        message, detail, loc = E.ERR_MISSING_KEY, "type", (*loc, "type")
    elif kind == "union_tag_invalid":
        tag = ctx.get("tag")
        message = E.ERR_ANY_OF_MEASURE if tag in MEASURE_TYPES else E.ERR_UNKNOWN_MEASURE
        detail, loc = f"{tag!r}；可用：{ctx.get('expected_tags')}", (*loc, "type")
    elif kind == "literal_error":
        message, detail = E.ERR_BAD_CHOICE, f"{value!r}；可用：{ctx.get('expected')}"
    elif kind in ("string_too_short", "too_short"):
        message, detail = E.ERR_EMPTY, ""
    elif kind in ("greater_than_equal", "greater_than"):
        message, detail = E.ERR_ZERO_NUMBER, f"{value!r}"
    elif kind in _TYPE_WORDS:
        detail = f"应为{_TYPE_WORDS[kind]}，实际为 {value!r}"
    line = yaml_source.line_of(text, loc)
    return E.PackIssue(file=file, path=format_path(loc), message=message, detail=detail, line=line)


def validate_text(text: str, *, file: str) -> PackSpec:
    """Parse and validate one pack file's text; raises PackError naming file and paths."""
    try:
        data = yaml_source.parse(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise E.PackError(
            [E.PackIssue(file, "", E.ERR_YAML_SYNTAX, str(exc).splitlines()[0], line)]
        ) from None
    if not isinstance(data, dict):
        raise E.PackError([E.PackIssue(file, "", E.ERR_NOT_MAPPING)])
    try:
        spec = PackSpec.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        # A list whose only item failed is also reported as "too short": noise, drop it.
        locs = [tuple(err["loc"]) for err in errors]
        kept = [
            err
            for err in errors
            if not (
                err["type"] == "too_short"
                and any(
                    len(o) > len(err["loc"]) and o[: len(err["loc"])] == err["loc"] for o in locs
                )
            )
        ]
        raise E.PackError([_issue_from_error(err, file, text) for err in kept]) from None
    issues = [
        E.PackIssue(file, format_path(loc), msg, detail, yaml_source.line_of(text, loc))
        for loc, msg, detail in _check_spec(spec)
    ]
    if issues:
        raise E.PackError(issues)
    return spec


def _check_spec(spec: PackSpec) -> Iterator[tuple[tuple[str | int, ...], str, str]]:
    """Checks across fields of one file that the models cannot make on their own."""
    if not spec.rules and spec.extends is None:
        yield ("rules",), E.ERR_EMPTY, "rules"
    seen: dict[str, int] = {}
    for i, rule in enumerate(spec.rules):
        if rule.id in seen:
            yield (
                ("rules", i, "id"),
                E.ERR_DUPLICATE_RULE_ID,
                f"{rule.id}（同 rules[{seen[rule.id]}]）",
            )
        seen.setdefault(rule.id, i)
        match = REQUIREMENT_RE.match(rule.requirement)
        if match and match.group(1) != spec.requirement_key:
            yield (
                ("rules", i, "requirement"),
                E.ERR_REQUIREMENT_KEY,
                f"{rule.requirement} 与 {spec.requirement_key}",
            )
        for j, measure in enumerate(rule.measures):
            if (
                isinstance(measure, ArrivalTests)
                and spec.day_numbering == "arrival_day_is_1"
                and measure.days[0] < 1
            ):
                yield (
                    ("rules", i, "measures", j, "days"),
                    E.ERR_TEST_DAY_BEFORE_ARRIVAL,
                    "day_numbering: arrival_day_is_1 时到达当日为第 1 天",
                )


def _walk_refs(obj: object, loc: tuple[str | int, ...]) -> Iterator[tuple[tuple, ParamRef]]:
    if isinstance(obj, ParamRef):
        yield loc, obj
    elif isinstance(obj, BaseModel):
        for name, info in type(obj).model_fields.items():
            yield from _walk_refs(getattr(obj, name), (*loc, info.alias or name))
    elif isinstance(obj, tuple | list):
        for i, item in enumerate(obj):
            yield from _walk_refs(item, (*loc, i))


def _expected_param_type(loc: tuple) -> tuple[str, ...]:
    last = loc[-1]
    if last in ("sample_share", "fever_from_c"):
        return ("number",)
    if last in ("daily_by", "daily_from"):
        return ("time",)
    return ("integer",)


def _check_params(
    spec: PackSpec, params: Mapping[str, ParameterSpec]
) -> Iterator[tuple[tuple, str, str]]:
    for i, rule in enumerate(spec.rules):
        for loc, ref in _walk_refs(rule, ("rules", i)):
            declared = params.get(ref.name)
            if declared is None:
                yield (*loc, "param"), E.ERR_PARAM_UNDECLARED, ref.name
            elif declared.type not in _expected_param_type(loc):
                wanted = "/".join(_expected_param_type(loc))
                yield (
                    (*loc, "param"),
                    E.ERR_PARAM_TYPE,
                    f"{ref.name} 为 {declared.type}，此处需 {wanted}",
                )
        for j, measure in enumerate(rule.measures):
            if not isinstance(measure, Phases):
                continue
            for k, phase in enumerate(measure.phases):
                if not isinstance(phase.days, ParamRef) or not phase.test_days:
                    continue
                declared = params.get(phase.days.name)
                default = declared.default if declared is not None else None
                if isinstance(default, int) and phase.test_days[-1] > default:
                    yield (
                        ("rules", i, "measures", j, "phases", k, "test_days"),
                        E.ERR_TEST_DAY_OUTSIDE_PHASE,
                        f"第 {phase.test_days[-1]} 天超出参数 {phase.days.name} 的默认值 {default}",
                    )


# --- the registry -----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Loaded:
    spec: PackSpec
    file: str
    text: str
    digest: str


def digest_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read_lock(directory: Path) -> dict[tuple[str, int], str]:
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
    loaded: list[_Loaded] = []
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
        loaded.append(_Loaded(spec, name, text, digest_of(text)))
    packs, unlocked = _resolve_all(loaded, _read_lock(directory), issues)
    if issues:
        raise E.PackError(issues)
    return Registry(packs, unlocked=unlocked)


def _resolve_all(
    loaded: list[_Loaded],
    pins: Mapping[tuple[str, int], str],
    issues: list[E.PackIssue],
) -> tuple[list[Pack], list[str]]:
    by_key: dict[tuple[str, int], _Loaded] = {}
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
        _resolve(key, by_key, resolved, (), issues)
    return [p for p in resolved.values() if p is not None], unlocked


def _check_overlaps(by_key: Mapping[tuple[str, int], _Loaded], issues: list[E.PackIssue]) -> None:
    groups: dict[str, list[_Loaded]] = {}
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


def _meta(item: _Loaded) -> PackMeta:
    s = item.spec
    return PackMeta(
        id=s.id,
        version=s.version,
        title=s.title,
        document_number=s.document_number,
        issuer=s.issuer,
        jurisdiction=s.jurisdiction,
        effective_from=s.effective_from,
        effective_to=s.effective_to,
        day_numbering=s.day_numbering,
        status=s.status,
        file=item.file,
    )


def _resolve(
    key: tuple[str, int],
    by_key: Mapping[tuple[str, int], _Loaded],
    resolved: dict[tuple[str, int], Pack | None],
    stack: tuple[tuple[str, int], ...],
    issues: list[E.PackIssue],
) -> Pack | None:
    if key in resolved:
        return resolved[key]
    item = by_key[key]
    spec = item.spec
    parent: Pack | None = None
    if spec.extends is not None:
        parent_key = (spec.extends.pack, spec.extends.version)
        line = yaml_source.line_of(item.text, ("extends",))
        if parent_key in stack or parent_key == key:
            chain = " → ".join(f"{k[0]}@{k[1]}" for k in (*stack, key, parent_key))
            issues.append(E.PackIssue(item.file, "extends", E.ERR_EXTENDS_CYCLE, chain, line))
            resolved[key] = None
            return None
        if parent_key not in by_key:
            issues.append(
                E.PackIssue(
                    item.file,
                    "extends",
                    E.ERR_EXTENDS_MISSING,
                    f"{parent_key[0]}@{parent_key[1]}",
                    line,
                )
            )
            resolved[key] = None
            return None
        parent = _resolve(parent_key, by_key, resolved, (*stack, key), issues)
        if parent is None:
            resolved[key] = None
            return None
    meta = _meta(item)
    params: dict[str, ParameterSpec] = dict(parent.parameters) if parent else {}
    params.update(spec.parameters)
    rules: list[BoundRule] = list(parent.rules) if parent else []
    found: list[tuple[tuple, str, str]] = list(_check_params(spec, params))
    for i, rule in enumerate(spec.rules):
        bound = BoundRule(rule, meta)
        existing = next((n for n, b in enumerate(rules) if b.rule.id == rule.id), None)
        if existing is not None and existing < (len(parent.rules) if parent else 0):
            if rule.override:
                rules[existing] = bound
                continue
            found.append((("rules", i, "id"), E.ERR_OVERRIDE_WITHOUT_FLAG, rule.id))
        elif rule.override:
            found.append((("rules", i, "override"), E.ERR_OVERRIDE_NOTHING, rule.id))
        rules.append(bound)
    if found:
        for loc, msg, detail in found:
            issues.append(
                E.PackIssue(
                    item.file, format_path(loc), msg, detail, yaml_source.line_of(item.text, loc)
                )
            )
        resolved[key] = None
        return None
    pack = Pack(
        meta=meta,
        spec=spec,
        rules=tuple(rules),
        parameters=MappingProxyType(params),
        digest=item.digest,
        parent=parent,
    )
    resolved[key] = pack
    return pack


def load_pack_text(text: str, *, file: str = "<text>", parents: Registry | None = None) -> Pack:
    """One pack from text (for previews and tests); ``parents`` supplies what it extends."""
    spec = validate_text(text, file=file)
    issues: list[E.PackIssue] = []
    loaded = [_Loaded(spec, file, text, digest_of(text))]
    by_key: dict[tuple[str, int], _Loaded] = {(spec.id, spec.version): loaded[0]}
    resolved: dict[tuple[str, int], Pack | None] = {}
    if parents is not None:
        for parent in parents.packs():
            # Already resolved: _resolve returns them without reading by_key's entry.
            resolved[(parent.id, parent.version)] = parent
            by_key.setdefault((parent.id, parent.version), loaded[0])
    pack = _resolve((spec.id, spec.version), by_key, resolved, (), issues)
    if issues or pack is None:
        raise E.PackError(issues)
    return pack
