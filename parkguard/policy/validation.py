"""Reading and validating one pack file: YAML text → `PackSpec`, or `PackError`.

Every issue names the file, the path inside it, the line and a Chinese message. The
parameter references of a pack are checked against the declared parameters of the pack
and its parents (`check_params`), once its `extends` chain is known.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from parkguard.policy import errors as E
from parkguard.policy import yaml_source
from parkguard.policy.schema import (
    MEASURE_TYPES,
    REQUIREMENT_RE,
    ArrivalTests,
    EnterpriseCondition,
    EnterpriseSize,
    PackSpec,
    ParameterSpec,
    ParamRef,
    Phases,
)

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
        problem = str(getattr(exc, "problem", "") or "")
        message, detail = E.ERR_YAML_SYNTAX, problem or str(exc).splitlines()[0]
        if "'\\t'" in problem:
            message, detail = E.ERR_YAML_TAB, ""
        elif "mapping values are not allowed" in problem:
            message, detail = E.ERR_YAML_COLON, ""
        raise E.PackError([E.PackIssue(file, "", message, detail, line)]) from None
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
        raise E.PackError(
            [_trap(_issue_from_error(err, file, text), err, data) for err in kept]
        ) from None
    issues = [
        E.PackIssue(file, format_path(loc), msg, detail, yaml_source.line_of(text, loc))
        for loc, msg, detail in _check_spec(spec)
    ]
    if issues:
        raise E.PackError(issues)
    return spec


_YES_NO = {"yes", "no", "on", "off", "y", "n", "是", "否", "对", "错"}
_LEADING_ZERO = re.compile(r"^[-+]?0[0-9]+$")
_DATE_LIKE = re.compile(r"^[0-9]{4}\s*[-/.年]")


def _trap(issue: E.PackIssue, err: Mapping[str, Any], data: Any) -> E.PackIssue:
    """A type error that is one of the YAML traps of a text editor gets its own message:
    yes/no/on/off for a boolean, a number with a leading zero, a date not in YYYY-MM-DD."""
    if issue.message not in (E.ERR_WRONG_TYPE, E.ERR_PARAM_DEFAULT_TYPE):
        return issue
    value: Any = data
    for part in clean_loc(tuple(err["loc"])):
        if isinstance(value, dict) and part in value:
            value = value[part]
            continue
        if isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
            value = value[part]
            continue
        value = err.get("input")
        break
    if not isinstance(value, str):
        return issue
    word = value.strip()
    message = None
    if word.lower() in _YES_NO:
        message = E.ERR_YAML_YES_NO
    elif _LEADING_ZERO.match(word):
        message = E.ERR_YAML_LEADING_ZERO
    elif _DATE_LIKE.match(word) and "日期" in issue.detail:
        message = E.ERR_YAML_DATE
    if message is None:
        return issue
    return E.PackIssue(issue.file, issue.path, message, issue.detail, issue.line)


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


def _walk_sizes(obj: object, loc: tuple[str | int, ...]) -> Iterator[tuple[tuple, str]]:
    """Every ``enterprise: {size: name}`` in a rule, with its location."""
    if isinstance(obj, EnterpriseCondition) and obj.size is not None:
        yield (*loc, "size"), obj.size
    if isinstance(obj, BaseModel):
        for name, info in type(obj).model_fields.items():
            yield from _walk_sizes(getattr(obj, name), (*loc, info.alias or name))
    elif isinstance(obj, tuple | list):
        for i, item in enumerate(obj):
            yield from _walk_sizes(item, (*loc, i))


def _expected_param_type(loc: tuple) -> tuple[str, ...]:
    last = loc[-1]
    if last in ("sample_share", "fever_from_c"):
        return ("number",)
    if last in ("daily_by", "daily_from"):
        return ("time",)
    return ("integer",)


def check_params(
    spec: PackSpec,
    params: Mapping[str, ParameterSpec],
    sizes: Mapping[str, EnterpriseSize] | None = None,
) -> Iterator[tuple[tuple, str, str]]:
    """References to parameters and declared sizes, against the pack's and its parents'."""
    declared_sizes = sizes if sizes is not None else spec.enterprise_sizes
    refs = [
        *(
            found
            for name, size in spec.enterprise_sizes.items()
            for found in _walk_refs(size, ("enterprise_sizes", name))
        ),
        *(found for i, rule in enumerate(spec.rules) for found in _walk_refs(rule, ("rules", i))),
    ]
    for i, rule in enumerate(spec.rules):
        for loc, size_name in _walk_sizes(rule.when, ("rules", i, "when")):
            if size_name not in declared_sizes:
                yield loc, E.ERR_SIZE_UNDECLARED, size_name
    for loc, ref in refs:
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
    for i, rule in enumerate(spec.rules):
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
