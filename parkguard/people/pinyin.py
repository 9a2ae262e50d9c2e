"""Pinyin initials of a name (张三丰 → zsf), stored at write time so the ledger finds 'zsf'.

pypinyin gives each character's reading; the first letter of each is kept, lower case.
Letters and digits in a name are kept as they are (lower case); anything else is dropped.
Each character's initial is memoised for the process, so an import pays the lookup once
per distinct character, not per row.
"""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin

_INITIAL: dict[str, str] = {}
INITIALS_MAX = 50  # the name's own max_length: one initial per character at most


def _initial(char: str) -> str:
    found = _INITIAL.get(char)
    if found is None:
        if char.isascii():
            found = char.lower() if char.isalnum() else ""
        else:
            reading = lazy_pinyin(char, style=Style.FIRST_LETTER, errors="ignore")
            found = reading[0][:1].lower() if reading and reading[0] else ""
            if not found.isascii() or not found.isalnum():
                found = ""
        _INITIAL[char] = found
    return found


def name_initials(name: str) -> str:
    """`张三丰` → `zsf`; `Anna李` → `annal`."""
    return "".join(_initial(ch) for ch in name)[:INITIALS_MAX]


def is_initials_query(text: str) -> bool:
    """Whether a search looks like pinyin initials: 2+ ASCII letters, nothing else."""
    return len(text) >= 2 and text.isascii() and text.isalpha()
