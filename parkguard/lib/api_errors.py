"""Chinese, field-level messages for the JSON API's validation errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from ninja import Schema
from ninja.responses import Status

# pydantic error type → Chinese message; `{…}` fields come from the error's context.
MESSAGES = {
    "missing": "必填项",
    "string_type": "应为文本",
    "string_too_short": "长度不能少于{min_length}",
    "string_too_long": "长度不能超过{max_length}",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为是/否",
    "bool_parsing": "应为是/否",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "datetime_type": "应为日期时间（ISO 8601）",
    "datetime_parsing": "应为日期时间（ISO 8601）",
    "datetime_from_date_parsing": "应为日期时间（ISO 8601）",
    "enum": "取值不在允许范围内：{expected}",
    "literal_error": "取值不在允许范围内：{expected}",
    "greater_than_equal": "不能小于{ge}",
    "less_than_equal": "不能大于{le}",
    "greater_than": "应大于{gt}",
    "less_than": "应小于{lt}",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "extra_forbidden": "不认识的字段",
    "json_invalid": "请求体不是合法的 JSON",
    "value_error": "{error}",
}
FALLBACK = "取值不正确"
# The largest id a database row can have (a signed 64-bit integer, on SQLite and PostgreSQL);
# an id field bounded by it gets a 422 instead of an overflow deep in a query.
DB_ID_MAX = 2**63 - 1
NULL_REFUSED = "不能为空（null）；不修改此项请省略该字段"
DATA_REFUSED = "数据未能保存：有字段的取值不符合要求，请检查后重试"


def null_refused(value: Any) -> Any:
    """A `mode="before"` validator for PATCH fields the model cannot leave empty."""
    if value is None:
        raise ValueError(NULL_REFUSED)
    return value


def translate(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Keep each error's location; replace its message with a Chinese one."""
    out = []
    for error in errors:
        template = MESSAGES.get(str(error.get("type")), FALLBACK)
        context = {k: v for k, v in (error.get("ctx") or {}).items()}
        if "error" in context:
            context["error"] = str(context["error"]).removeprefix("Value error, ")
        try:
            message = template.format(**context)
        except (KeyError, IndexError):
            message = FALLBACK
        out.append({"loc": list(error.get("loc", [])), "msg": message, "type": error.get("type")})
    return out


class FieldErrors(Schema):
    """A 4xx body: each error with its location and a Chinese message."""

    detail: list[dict[str, Any]]


def error_at(loc: Sequence[str | int], msg: str, *, status: int = 422) -> Status[dict[str, Any]]:
    """One message at one place, in the body `field_errors` gives: for a refusal that is not a
    service's ValidationError (a missing prerequisite, a parse error, a policy input error)."""
    return Status(status, {"detail": [{"loc": list(loc), "msg": msg}]})


def field_errors(
    exc: ValidationError, *, names: Mapping[str, str] | None = None
) -> Status[dict[str, Any]]:
    """A service's field errors as a 422 body; `names` maps model fields to payload fields."""
    names = names or {}
    return Status(
        422,
        {
            "detail": [
                {"loc": ["body", "payload", names.get(field, field)], "msg": "；".join(msgs)}
                for field, msgs in exc.message_dict.items()
            ]
        },
    )
