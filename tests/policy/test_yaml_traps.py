"""The YAML traps a text-editor user meets, each refused with its own Chinese message, the
line and the path (issue 10 §4; docs/rule-packs.md §9 "用文本编辑器写 YAML 的常见陷阱")."""

from __future__ import annotations

import pytest

from parkguard.policy import DEFAULT_PACKS_DIR, PackError
from parkguard.policy import errors as E
from parkguard.policy.validation import validate_text

BASE = (DEFAULT_PACKS_DIR / "example-quyu-2022-1.v1.yaml").read_text(encoding="utf-8")
LINES = BASE.splitlines()


def _line(startswith: str) -> int:
    return next(i for i, s in enumerate(LINES, 1) if s.startswith(startswith))


# (name, original, replacement, message, path, line of the mistake)
CASES = [
    ("tab indentation", "\nissuer: ", "\n\tissuer: ", E.ERR_YAML_TAB, "", _line("issuer: ")),
    (
        "colon inside plain text",
        "title: （示例）",
        "title: 注意: 示例",
        E.ERR_YAML_COLON,
        "",
        _line("title: "),
    ),
    (
        "yes for a boolean",
        "      stayed: {risk_in: [封控区], within_days: 7}\n",
        "      stayed: {risk_in: [封控区], within_days: 7}\n      returnee: yes\n",
        E.ERR_YAML_YES_NO,
        "rules[0].when.returnee",
        _line("      stayed: {risk_in: [封控区], within_days: 7}") + 1,
    ),
    (
        "on for a boolean",
        "      stayed: {risk_in: [封控区], within_days: 7}\n",
        "      stayed: {risk_in: [封控区], within_days: 7}\n      returnee: on\n",
        E.ERR_YAML_YES_NO,
        "rules[0].when.returnee",
        _line("      stayed: {risk_in: [封控区], within_days: 7}") + 1,
    ),
    (
        "no for a boolean",
        "      stayed: {risk_in: [封控区], within_days: 7}\n",
        "      stayed: {risk_in: [封控区], within_days: 7}\n      returnee: no\n",
        E.ERR_YAML_YES_NO,
        "rules[0].when.returnee",
        _line("      stayed: {risk_in: [封控区], within_days: 7}") + 1,
    ),
    (
        "leading zero in a count",
        "within_days: 7}",
        "within_days: 07}",
        E.ERR_YAML_LEADING_ZERO,
        "rules[0].when.stayed.within_days",
        _line("      stayed: {risk_in: [封控区], within_days: 7}"),
    ),
    (
        "leading zero in a default",
        "    default: 12\n",
        "    default: 012\n",
        E.ERR_YAML_LEADING_ZERO,
        "parameters.promptly_report_hours.default",
        _line("    default: 12"),
    ),
    (
        "date without zero padding",
        "effective_from: 2022-12-01",
        "effective_from: 2022-12-1",
        E.ERR_YAML_DATE,
        "effective_from",
        _line("effective_from: "),
    ),
    (
        "date with slashes",
        "effective_from: 2022-12-01",
        "effective_from: 2022/12/01",
        E.ERR_YAML_DATE,
        "effective_from",
        _line("effective_from: "),
    ),
    (
        "date in Chinese",
        "effective_from: 2022-12-01",
        "effective_from: 2022年12月1日",
        E.ERR_YAML_DATE,
        "effective_from",
        _line("effective_from: "),
    ),
]


@pytest.mark.parametrize(
    ("name", "old", "new", "message", "path", "line"), CASES, ids=[c[0] for c in CASES]
)
def test_a_yaml_trap_has_its_own_message(name, old, new, message, path, line) -> None:
    text = BASE.replace(old, new, 1)
    assert text != BASE, name
    with pytest.raises(PackError) as caught:
        validate_text(text, file="trap.yaml")
    (issue,) = caught.value.issues
    assert (issue.message, issue.path, issue.line) == (message, path, line)


def test_every_trap_message_has_its_case() -> None:
    traps = {v for k, v in vars(E).items() if k.startswith("ERR_YAML_") and k != "ERR_YAML_SYNTAX"}
    assert traps == {c[3] for c in CASES}


def test_quoted_text_and_iso_dates_are_fine() -> None:
    """The fixes the docs give: quotes around text with a colon, a zero-padded date."""
    title = next(s for s in LINES if s.startswith("title: "))
    text = BASE.replace(title, 'title: "注意: 示例"', 1)
    assert validate_text(text, file="ok.yaml").title.startswith("注意: 示例")
