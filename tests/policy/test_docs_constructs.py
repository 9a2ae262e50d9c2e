"""docs/rule-packs.md: every second-edition example is valid YAML, and the YAML traps it
describes are reported as the docs say (issue 10 §4)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from parkguard.policy import PackError, load_pack_text
from parkguard.policy import errors as E

DOC = Path(__file__).resolve().parents[2] / "docs" / "rule-packs.md"
PACK = Path(__file__).resolve().parents[2] / "parkguard/policy/packs/example-quyu-2022-1.v1.yaml"


def _section() -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("### 第二版新增的写法")
    return text[start : text.index("## 9.", start)]


def test_every_new_construct_has_a_yaml_example_in_the_docs() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", _section(), re.S)
    assert len(blocks) >= 9
    for block in blocks:
        yaml.safe_load(block)  # each example is valid YAML
    words = " ".join(blocks)
    for construct in (
        "risk_levels",
        "level: city",
        "area_risk_at_least",
        "facts:",
        "person_facts",
        "enterprise_facts",
        "test_window",
        "type: document",
        "end_early",
        "until:",
        "choices:",
        "{choice:",
        "anchor: work_start",
        "promptly: true",
        "stratify_by",
        "full_coverage_days",
    ):
        assert construct in words, construct


def _example_with(replace: str, by: str) -> str:
    text = PACK.read_text(encoding="utf-8")
    assert replace in text
    return text.replace(replace, by, 1).replace("id: example-quyu-2022-1", "id: trap-test")


def test_a_colon_inside_plain_text_is_a_yaml_mistake_the_docs_describe() -> None:
    line = "        text: 实行闭环生产，员工“两点一线”"
    text = _example_with(line, "        text: 注意: 实行闭环生产")
    with pytest.raises(PackError) as caught:
        load_pack_text(text)
    assert caught.value.issues[0].message == E.ERR_YAML_COLON
    quoted = _example_with(line, '        text: "注意: 实行闭环生产"')
    assert load_pack_text(quoted).id == "trap-test"


def test_a_tab_is_a_yaml_mistake_with_its_line() -> None:
    text = _example_with("        group: 重点岗位人员", "\tgroup: 重点岗位人员")
    with pytest.raises(PackError) as caught:
        load_pack_text(text)
    issue = caught.value.issues[0]
    assert issue.message == E.ERR_YAML_TAB and issue.line is not None
