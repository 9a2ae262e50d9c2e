"""Date-times the JSON API reads: one written without an offset is local time.

A gate device or a lab's system often sends `2022-11-20T08:00:00` with no offset. Compared
with the aware times every service works in, it would raise (a 500). So every API schema
and query parameter types its date-times as `LocalDateTime`, which reads such a value in
the park's time zone (`TIME_ZONE`) and passes an aware value through unchanged; the rule
engine's own request models, which must stay free of Django, are read through `LocalTimes`.
`tests/test_api.py` checks that no API input reads a bare `datetime`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar

from django.utils import timezone
from pydantic import AfterValidator, BaseModel, ModelWrapValidatorHandler, model_validator


def as_local(value: dt.datetime) -> dt.datetime:
    """`value` if it carries an offset, else the same wall-clock time in `TIME_ZONE`."""
    if timezone.is_aware(value):
        return value
    return timezone.make_aware(value, timezone.get_default_timezone())


LocalDateTime = Annotated[dt.datetime, AfterValidator(as_local)]


def localised(value: Any) -> Any:
    """`value` with every date-time in it, however deep in models, lists and dicts, aware."""
    if isinstance(value, dt.datetime):
        return as_local(value)
    if isinstance(value, BaseModel):
        update = {}
        for name in type(value).model_fields:
            old = getattr(value, name)
            new = localised(old)
            if new is not old:
                update[name] = new
        return value.model_copy(update=update) if update else value
    if isinstance(value, list | tuple):
        items = [localised(v) for v in value]
        changed = any(a is not b for a, b in zip(items, value, strict=True))
        return type(value)(items) if changed else value
    if isinstance(value, dict):
        pairs = {k: localised(v) for k, v in value.items()}
        return pairs if any(pairs[k] is not value[k] for k in value) else value
    return value


class LocalTimes(BaseModel):
    """Put first among an API input model's bases when its fields (the rule engine's
    pure models) cannot be typed `LocalDateTime`: the validated model comes out with
    every date-time in it aware."""

    local_times: ClassVar[bool] = True

    @model_validator(mode="wrap")
    @classmethod
    def _local_times(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        return localised(handler(data))
