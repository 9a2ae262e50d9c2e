"""docs/security.md's table "how each promise is tested" names real tests (issue 18, "Done
when"): every `tests/…py::test_name` it cites (and each `::test_name` continuing the same file)
is a test function of that file, and every source file it names exists. A renamed or removed
test fails here, so the table cannot quietly go stale."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DOC = ROOT / "docs" / "security.md"
TABLE = "## 每条承诺由哪个测试证明"
CITATION = re.compile(r"`(tests/[\w/]+\.py)?::(test_\w+)`")
SOURCE = re.compile(r"`((?:audit|orgs|status|response|privacy|lib|gate|people)/[\w/]+\.py)`")


def _table() -> str:
    text = DOC.read_text(encoding="utf-8")
    assert TABLE in text
    return text.split(TABLE, 1)[1]


def _citations(text: str) -> list[tuple[str, str]]:
    found = []
    for line in text.splitlines():
        current = ""
        for match in CITATION.finditer(line):
            current = match.group(1) or current
            assert current, f"{match.group(0)} 之前没有测试文件：{line[:80]}"
            found.append((current, match.group(2)))
    return found


def _tests_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


def test_every_cited_test_exists() -> None:
    citations = _citations(_table())
    assert len(citations) > 50
    missing = [
        f"{path}::{name}"
        for path, name in citations
        if not (ROOT / path).exists() or name not in _tests_of(ROOT / path)
    ]
    assert not missing, "docs/security.md 引用了不存在的测试：\n" + "\n".join(missing)


def test_every_named_source_file_exists() -> None:
    named = set(SOURCE.findall(_table()))
    assert named
    missing = sorted(p for p in named if not (ROOT / "parkguard" / p).exists())
    assert not missing, "docs/security.md 提到了不存在的文件：\n" + "\n".join(missing)


def test_the_check_finds_a_stale_citation() -> None:
    stale = (
        "| x | y | `tests/test_audit.py::test_no_such_test`、"
        "`::test_it_chains_events_and_detects_tampering` |"
    )
    [(path, first), (_, second)] = _citations(stale)
    assert path == "tests/test_audit.py"
    tests = _tests_of(ROOT / path)
    assert first not in tests and second in tests
