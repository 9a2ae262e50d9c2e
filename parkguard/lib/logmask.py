"""A logging filter that keeps ID numbers and phone numbers out of every log line.

Installed on every handler in settings.LOGGING. It masks the formatted message, the
exception text (a database error can repeat a whole row) and the stack text, so a record
leaves the filter with no run of 11 or more digits: mobile numbers (11), old and new ID
numbers (15, 18, perhaps ending in X), also when typed with full-width digits or grouped
by spaces or hyphens. Shorter numbers (ids, counts, times) pass untouched.
"""

from __future__ import annotations

import logging
import re

# Whole runs of 11+ digits (perhaps ending in X), and the usual grouped ways of writing a
# phone (3-4-4) or an ID number (6-8-4, 4-4-4-4-2); \d also matches full-width digits.
# lib/free_text.py finds numbers in what users type with the same pattern.
NUMBER_RUN = re.compile(
    r"\d{11,}[Xx]?"
    r"|(?<!\d)1\d{2}[ \-]\d{4}[ \-]\d{4}(?!\d)"
    r"|(?<!\d)\d{6}[ \-]\d{8}[ \-]\d{3}[\dXx](?!\d)"
    r"|(?<!\d)\d{4}(?:[ \-]\d{4}){3}[ \-]\d[\dXx](?!\d)"
)
MASK = "[号码已隐去]"


def mask_numbers(text: str) -> str:
    """`text` with every ID- or phone-length digit run replaced by a fixed mark."""
    return NUMBER_RUN.sub(MASK, text)


class PersonalDataFilter(logging.Filter):
    """Rewrites the record in place (so later handlers see it masked); never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_parkguard_masked", False):
            return True
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # bad arguments: keep what can be shown
            message = str(record.msg)
        record.msg, record.args = mask_numbers(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_numbers(record.exc_text)
            record.exc_info = None  # the exception object still holds the clear text
        if record.stack_info:
            record.stack_info = mask_numbers(record.stack_info)
        record._parkguard_masked = True
        return True
