"""A rule-level difference between two versions of a pack, in Chinese.

Rules are matched by id: a rule only in the new version is added, one only in the old is
removed, one in both whose content differs is changed (its title, condition, dates,
clause and measures are compared, each in the words of `explain`).
"""

from __future__ import annotations

import dataclasses
from typing import Literal

from parkguard.policy.declarations import vocabulary
from parkguard.policy.explain import describe_condition, describe_measure
from parkguard.policy.pack import Pack
from parkguard.policy.schema import Rule

ChangeKind = Literal["added", "removed", "changed"]
KIND_LABEL = {"added": "新增", "removed": "删除", "changed": "修改"}
HEADER = {
    "title": "标题",
    "document_number": "文号",
    "issuer": "发文机关",
    "effective_from": "生效日期",
    "effective_to": "失效日期",
}


@dataclasses.dataclass(frozen=True, slots=True)
class Change:
    kind: ChangeKind
    what: str  # "rule", "parameter", "pack"
    key: str  # rule id / parameter name / header field
    requirement: str | None
    text: str  # in Chinese


def _rule_lines(rule: Rule) -> dict[str, str]:
    lines = {
        "标题": rule.title,
        "说明": rule.description,
        "出处": rule.clause,
        "适用于": describe_condition(rule.when),
        "分组": rule.group or "—",
        "适用日期": f"{rule.applies_from or '…'} 至 {rule.applies_to or '…'}",
    }
    for n, m in enumerate(rule.measures, 1):
        lines[f"措施{n}"] = describe_measure(m)
    return lines


def diff_packs(old: Pack, new: Pack) -> tuple[Change, ...]:
    """Every difference between two versions (usually of one pack), old → new."""
    out: list[Change] = []
    for field, label in HEADER.items():
        a, b = getattr(old.meta, field), getattr(new.meta, field)
        if a != b:
            out.append(
                Change("changed", "pack", field, None, f"{label}：{a or '长期'} → {b or '长期'}")
            )
    for name in sorted(set(old.parameters) | set(new.parameters)):
        a, b = old.parameters.get(name), new.parameters.get(name)
        if a is None and b is not None:
            out.append(
                Change(
                    "added",
                    "parameter",
                    name,
                    None,
                    f"新增园区参数 {name}：{b.description}（默认 {b.default}）",
                )
            )
        elif b is None and a is not None:
            out.append(Change("removed", "parameter", name, None, f"删除园区参数 {name}"))
        elif a != b and a is not None and b is not None:
            out.append(
                Change(
                    "changed",
                    "parameter",
                    name,
                    None,
                    f"园区参数 {name}：默认 {a.default} → {b.default}；{b.description}",
                )
            )
    va, vb = vocabulary(old), vocabulary(new)
    if va.risk_levels != vb.risk_levels:
        out.append(
            Change(
                "changed",
                "pack",
                "risk_levels",
                None,
                f"风险等级：{'、'.join(va.risk_levels)} → {'、'.join(vb.risk_levels)}",
            )
        )
    for label, a_map, b_map in (("事实", va.facts, vb.facts), ("逐案选择", va.choices, vb.choices)):
        for name in sorted(set(a_map) | set(b_map)):
            if name not in a_map:
                out.append(Change("added", "pack", name, None, f"新增{label} {name}"))
            elif name not in b_map:
                out.append(Change("removed", "pack", name, None, f"删除{label} {name}"))
            elif a_map[name] != b_map[name]:
                out.append(Change("changed", "pack", name, None, f"修改{label} {name}"))
    old_rules = {b.rule.id: b.rule for b in old.rules}
    new_rules = {b.rule.id: b.rule for b in new.rules}
    for rule_id, rule in new_rules.items():
        before = old_rules.get(rule_id)
        if before is None:
            out.append(
                Change(
                    "added",
                    "rule",
                    rule_id,
                    rule.requirement,
                    f"新增规则 [{rule.requirement}] {rule.title}：{rule.description}",
                )
            )
        elif before != rule:
            a_lines, b_lines = _rule_lines(before), _rule_lines(rule)
            parts = []
            for key in dict.fromkeys([*a_lines, *b_lines]):
                a, b = a_lines.get(key, "—"), b_lines.get(key, "—")
                if a != b:
                    parts.append(f"{key}：{a} → {b}")
            text = "；".join(parts) or "内容有变化"
            out.append(
                Change(
                    "changed",
                    "rule",
                    rule_id,
                    rule.requirement,
                    f"修改规则 [{rule.requirement}] {rule.title}：{text}",
                )
            )
    for rule_id, rule in old_rules.items():
        if rule_id not in new_rules:
            out.append(
                Change(
                    "removed",
                    "rule",
                    rule_id,
                    rule.requirement,
                    f"删除规则 [{rule.requirement}] {rule.title}",
                )
            )
    return tuple(out)
