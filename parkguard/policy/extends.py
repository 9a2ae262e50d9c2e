"""Resolving `extends`: a child pack names the exact parent version it extends.

A later version of the parent therefore never changes the child. The child inherits the
parent's parameters, declared vocabularies (enterprise sizes, post and staff groups; a
child's entry of the same name replaces the parent's) and rules; a rule with a parent's id
must say ``override: true``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from parkguard.policy import errors as E
from parkguard.policy import yaml_source
from parkguard.policy.declarations import check_vocabulary, combine, vocabulary
from parkguard.policy.pack import BoundRule, Pack, PackMeta
from parkguard.policy.schema import (
    EnterpriseSize,
    PackSpec,
    ParameterSpec,
    PostGroup,
    StaffGroup,
)
from parkguard.policy.validation import check_params, format_path


@dataclass(frozen=True, slots=True)
class LoadedFile:
    """One validated pack file, before its `extends` chain is resolved."""

    spec: PackSpec
    file: str
    text: str
    digest: str


def _meta(item: LoadedFile) -> PackMeta:
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


def resolve(
    key: tuple[str, int],
    by_key: Mapping[tuple[str, int], LoadedFile],
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
        parent = resolve(parent_key, by_key, resolved, (*stack, key), issues)
        if parent is None:
            resolved[key] = None
            return None
    meta = _meta(item)
    params: dict[str, ParameterSpec] = dict(parent.parameters) if parent else {}
    params.update(spec.parameters)
    sizes: dict[str, EnterpriseSize] = dict(parent.enterprise_sizes) if parent else {}
    sizes.update(spec.enterprise_sizes)
    post_groups: dict[str, PostGroup] = dict(parent.post_groups) if parent else {}
    post_groups.update(spec.post_groups)
    staff_groups: dict[str, StaffGroup] = dict(parent.staff_groups) if parent else {}
    staff_groups.update(spec.staff_groups)
    rules: list[BoundRule] = list(parent.rules) if parent else []
    found: list[tuple[tuple, str, str]] = list(check_params(spec, params, sizes))
    vocab = combine(spec, vocabulary(parent) if parent is not None else None)
    found.extend(check_vocabulary(spec, vocab))
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
        enterprise_sizes=MappingProxyType(sizes),
        post_groups=MappingProxyType(post_groups),
        staff_groups=MappingProxyType(staff_groups),
        parent=parent,
    )
    resolved[key] = pack
    return pack
