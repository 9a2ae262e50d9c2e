"""What a pack declares besides its rules: risk words, typed facts, per-case choices and
what "及时" means. A pack that extends another inherits them (and may add to them).

`check_vocabulary` is the load-time check that every rule uses only declared words;
`check_facts` is the evaluation-time check of a person's or an enterprise's facts.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from types import MappingProxyType

from pydantic import BaseModel

from parkguard.policy import errors as E
from parkguard.policy.pack import Pack
from parkguard.policy.schema import (
    RISK_ORDER,
    AnyOf,
    ChoiceRef,
    ChoiceSpec,
    Condition,
    EnterpriseCondition,
    EventCondition,
    FactSpec,
    FactTest,
    Notify,
    PackSpec,
    ParamRef,
    Phases,
    RoutineTesting,
    StayCondition,
)

Loc = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    risk_levels: tuple[str, ...]
    facts: Mapping[str, FactSpec]
    choices: Mapping[str, ChoiceSpec]
    promptly_hours: int | ParamRef | ChoiceRef | None

    def risk_rank(self, level: str | None) -> int:
        """Severity rank of a risk word (-1: none given)."""
        if level is None:
            return -1
        return self.risk_levels.index(level)


def combine(spec: PackSpec, parent: Vocabulary | None) -> Vocabulary:
    facts = dict(parent.facts) if parent else {}
    facts.update(spec.facts)
    choices = dict(parent.choices) if parent else {}
    choices.update(spec.choices)
    levels = spec.risk_levels or (parent.risk_levels if parent else RISK_ORDER)
    prompt = spec.promptly_hours
    if prompt is None and parent is not None:
        prompt = parent.promptly_hours
    return Vocabulary(levels, MappingProxyType(facts), MappingProxyType(choices), prompt)


@cache
def vocabulary(pack: Pack) -> Vocabulary:
    parent = vocabulary(pack.parent) if pack.parent is not None else None
    return combine(pack.spec, parent)


# --- load time --------------------------------------------------------------------------
def _walk(obj: object, loc: Loc) -> Iterator[tuple[Loc, object]]:
    yield loc, obj
    if isinstance(obj, BaseModel):
        for name, info in type(obj).model_fields.items():
            yield from _walk(getattr(obj, name), (*loc, info.alias or name))
    elif isinstance(obj, tuple | list):
        for i, item in enumerate(obj):
            yield from _walk(item, (*loc, i))
    elif isinstance(obj, dict):
        for key, item in obj.items():
            yield from _walk(item, (*loc, key))


def _risks(loc: Loc, words: tuple[str, ...] | None, one: str | None, field: str) -> Iterator:
    for word in words or ():
        yield (*loc, field), word
    if one is not None:
        yield (*loc, field.replace("_in", "_at_least")), one


def _fact_test(
    loc: Loc, name: str, test: FactTest, spec: FactSpec | None, subject: str
) -> Iterator[tuple[Loc, str, str]]:
    if spec is None:
        yield (*loc, name), E.ERR_FACT_UNDECLARED, name
        return
    if spec.subject != subject:
        yield (*loc, name), E.ERR_FACT_SUBJECT, f"{name} 的 subject 为 {spec.subject}"
        return
    kind = spec.type
    allowed = spec.values or {}
    if test.equals is not None:
        ok = {
            "boolean": isinstance(test.equals, bool),
            "integer": isinstance(test.equals, int) and not isinstance(test.equals, bool),
        }.get(kind, isinstance(test.equals, str))
        if not ok:
            yield (*loc, name), E.ERR_FACT_TEST_TYPE, f"{name} 为 {kind}，值 {test.equals!r}"
        elif kind in ("choice", "choices") and test.equals not in allowed:
            yield (*loc, name), E.ERR_FACT_VALUE_UNDECLARED, f"{name}: {test.equals}"
    if test.in_ is not None:
        if kind not in ("choice", "choices", "text"):
            yield (*loc, name, "in"), E.ERR_FACT_TEST_TYPE, f"{name} 为 {kind}，不能用 in"
        for value in test.in_:
            if kind in ("choice", "choices") and value not in allowed:
                yield (*loc, name, "in"), E.ERR_FACT_VALUE_UNDECLARED, f"{name}: {value}"
    if (test.at_least is not None or test.at_most is not None) and kind != "integer":
        yield (*loc, name), E.ERR_FACT_TEST_TYPE, f"{name} 为 {kind}，不能比较大小"
    if test.within_days is not None and kind != "date":
        yield (*loc, name), E.ERR_FACT_TEST_TYPE, f"{name} 为 {kind}，within_days 只用于日期"


def check_vocabulary(spec: PackSpec, vocab: Vocabulary) -> Iterator[tuple[Loc, str, str]]:
    """Every risk word, fact, choice and "promptly" a rule uses is declared."""
    levels = vocab.risk_levels
    for i, rule in enumerate(spec.rules):
        for loc, node in _walk(rule, ("rules", i)):
            risks: list[tuple[Loc, str]] = []
            if isinstance(node, StayCondition):
                risks += _risks(loc, node.risk_in, node.risk_at_least, "risk_in")
            elif isinstance(node, EnterpriseCondition):
                risks += _risks(loc, node.area_risk_in, node.area_risk_at_least, "area_risk_in")
            elif isinstance(node, EventCondition):
                risks += _risks(loc, node.destination_risk_in, None, "destination_risk_in")
            for where, word in risks:
                if word not in levels:
                    yield where, E.ERR_RISK_UNDECLARED, f"{word!r}；可用：{'、'.join(levels)}"
            if isinstance(node, Condition):
                for field, subject in (
                    ("person_facts", "person"),
                    ("enterprise_facts", "enterprise"),
                ):
                    for name, test in (getattr(node, field) or {}).items():
                        yield from _fact_test(
                            (*loc, field), name, test, vocab.facts.get(name), subject
                        )
            if isinstance(node, ChoiceRef):
                declared = vocab.choices.get(node.name)
                if declared is None:
                    yield (*loc, "choice"), E.ERR_CHOICE_UNDECLARED, node.name
                elif declared.type != "integer":
                    yield (*loc, "choice"), E.ERR_CHOICE_TYPE, f"{node.name} 为 {declared.type}"
            if isinstance(node, AnyOf):
                has_phases = any(isinstance(m, Phases) for o in node.options for m in o.measures)
                if node.choice is None and has_phases:
                    yield loc, E.ERR_ANY_OF_PHASES_NEED_CHOICE, ""
                if node.choice is not None:
                    declared = vocab.choices.get(node.choice)
                    labels_ = [o.label for o in node.options]
                    if declared is None:
                        yield (*loc, "choice"), E.ERR_CHOICE_UNDECLARED, node.choice
                    elif declared.type != "option":
                        yield (
                            (*loc, "choice"),
                            E.ERR_CHOICE_TYPE,
                            f"{node.choice} 为 {declared.type}",
                        )
                    elif declared.default not in labels_:
                        yield (
                            (*loc, "choice"),
                            E.ERR_CHOICE_OPTION_DEFAULT,
                            f"{declared.default!r}；选项：{'、'.join(labels_)}",
                        )
            if isinstance(node, Notify) and node.promptly:
                if vocab.promptly_hours is None:
                    yield (*loc, "promptly"), E.ERR_PROMPTLY_UNDEFINED, ""
                if node.hours != 0:
                    yield (*loc, "hours"), E.ERR_PROMPTLY_WITH_HOURS, str(node.hours)
            if isinstance(node, RoutineTesting):
                yield from _coverage(loc, node)


def coverage_days(interval: int, share: float) -> int:
    """Days within which everyone is tested once: interval × ⌈1 / share⌉ (per stratum the
    rounding up of ⌈share × n⌉ only makes it sooner)."""
    return interval * math.ceil(1 / share)


def _coverage(loc: Loc, m: RoutineTesting) -> Iterator[tuple[Loc, str, str]]:
    if m.full_coverage_days is None:
        return
    interval, share, full = m.interval_days, m.sample_share, m.full_coverage_days
    if share is None:
        share = 1.0
    if isinstance(interval, int) and isinstance(share, float) and isinstance(full, int):
        needed = coverage_days(interval, share)
        if needed > full:
            yield (
                (*loc, "full_coverage_days"),
                E.ERR_COVERAGE_UNREACHABLE,
                f"每{interval}天抽{share:.0%}，需 {needed} 天，规定 {full} 天",
            )


# --- evaluation time --------------------------------------------------------------------
def _value_fits(spec: FactSpec, value: object) -> bool:
    kind = spec.type
    allowed = spec.values or {}
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "choice":
        return isinstance(value, str) and value in allowed
    if kind == "choices":
        return isinstance(value, list) and all(isinstance(v, str) and v in allowed for v in value)
    if kind == "date":
        if not isinstance(value, str):
            return False
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
        return True
    return isinstance(value, str)


def check_facts(vocab: Vocabulary, facts: Mapping[str, object], subject: str, path: str) -> None:
    """Raise PolicyInputError for an undeclared fact or a value its declaration refuses."""
    for name, value in facts.items():
        spec = vocab.facts.get(name)
        if spec is None or spec.subject != subject:
            raise E.PolicyInputError(E.ERR_FACT_UNKNOWN, path=f"{path}.{name}", detail=name)
        if not _value_fits(spec, value):
            allowed = "、".join(spec.values) if spec.values else spec.type
            raise E.PolicyInputError(
                E.ERR_FACT_VALUE, path=f"{path}.{name}", detail=f"{spec.label}：可用 {allowed}"
            )


def check_risk(vocab: Vocabulary, value: str | None, path: str) -> None:
    if value is not None and value not in vocab.risk_levels:
        raise E.PolicyInputError(
            E.ERR_RISK_UNKNOWN, path=path, detail=f"{value!r}；可用：{'、'.join(vocab.risk_levels)}"
        )
