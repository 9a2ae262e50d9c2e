"""One normalisation for typed identifiers (ID numbers, phones, credit codes).

Look-alike characters must not make a second identity for one number: full-width,
superscript, circled and mathematical digits all become ASCII under NFKC, so the same
number always gives the same digest. What is still not ASCII afterwards (Arabic-Indic or
Devanagari digits, letters of other scripts) is refused by the caller with its own message.
"""

from __future__ import annotations

import unicodedata


def identifier_compact(raw: object) -> str:
    """NFKC, whitespace removed, upper case; the text may still hold non-ASCII characters."""
    text = raw if isinstance(raw, str) else ("" if raw is None else str(raw))
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return "".join(text.split()).upper()


def identifier_ascii(raw: object) -> str | None:
    """`identifier_compact`, or None when a character outside ASCII remains."""
    text = identifier_compact(raw)
    return text if text.isascii() else None


# The mask shows the province and the check character, never a birth digit (7-14) nor the
# sequence code (15-17): beside a birth date, the older first-4/last-4 mask left only two
# digits to guess (issue 8 §4). Screens show age or birth year, not the birth date, to
# everyone who may not reveal the number.
ID_MASK_HEAD = 3
ID_MASK_TAIL = 2


def id_mask(number: str) -> str:
    """`320102199001011234` → `320*************34`."""
    shown = ID_MASK_HEAD + ID_MASK_TAIL
    if len(number) <= shown + 4:
        return "****"
    return f"{number[:ID_MASK_HEAD]}{'*' * (len(number) - shown)}{number[-ID_MASK_TAIL:]}"
