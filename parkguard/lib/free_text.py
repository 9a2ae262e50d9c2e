"""Free text as other users read it: an ID number or a mobile number typed into a reason, a
note, a comment or a finding is shown masked, as the ledger shows those numbers.

People type them into free-text fields ("张三 320102199001011234 已隔离", "联系 138 1234 5678").
What is stored stays as typed (the author, the audit and a correction need it); screens and
JSON answers that show the text to others pass it through `free_text_mask`, in templates the
`|free_text` filter (a template builtin, no `{% load %}`), in API schemas the `FreeText` type.

Numbers are found as the log filter finds them (`logmask.NUMBER_RUN`: runs of 11+ digits,
full-width digits, the usual 3-4-4 and 6-8-4 groupings); an 18-digit ID number (or a 15-digit
old one) gets the platform's ID mask (`identifiers.id_mask`, `320*************34`) and a
mainland mobile, with or without +86, the phone mask of `redact.login_label` (`138****5678`).
Other digit runs (order numbers, landlines with an area code) are left as typed.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from django import template
from pydantic import AfterValidator

from parkguard.lib.identifiers import id_mask, identifier_compact
from parkguard.lib.logmask import NUMBER_RUN
from parkguard.lib.redact import login_label

# The log filter's runs, and the "+" of a +86 mobile with them.
_NUMBER = re.compile(rf"\+?(?:{NUMBER_RUN.pattern})")
_ID_NUMBER = re.compile(r"\d{17}[\dX]|\d{15}")


def _masked(match: re.Match[str]) -> str:
    typed = match.group()
    compact = identifier_compact(typed).replace("-", "")
    if not compact.isascii():
        return typed
    if _ID_NUMBER.fullmatch(compact):
        return id_mask(compact)
    phone = login_label(compact)
    return phone if phone != compact else typed


def free_text_mask(text: str) -> str:
    """`text` with every ID number and mobile number in it masked; nothing else changes."""
    return _NUMBER.sub(_masked, text) if text else text


# An output schema's field: `reason: FreeText`. Never on an input schema (it would store the
# masked text).
FreeText = Annotated[str, AfterValidator(free_text_mask)]

register = template.Library()


@register.filter(name="free_text", is_safe=True)
def free_text_filter(value: Any) -> Any:
    """`{{ override.reason|free_text }}`; a list (`{{ d.contents|free_text|join:"、" }}`) is
    masked item by item. Digits become digits or stars, so text already safe stays safe."""
    if isinstance(value, str):
        return free_text_mask(value)
    if isinstance(value, list | tuple):
        return [free_text_mask(v) if isinstance(v, str) else v for v in value]
    return value
