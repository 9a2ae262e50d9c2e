"""Every engine function reachable without Python: `python -m parkguard.policy COMMAND`
with a JSON facts file, and the rule-level diff (issue 10 §2, §3)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from parkguard.policy import DEFAULT_PACKS_DIR
from parkguard.policy.__main__ import main
from parkguard.policy.requests import REQUESTS

FIXTURE = Path(__file__).parent / "fixtures" / "two-versions"
X = "example-quyu-2022-1"

BODIES: dict[str, dict] = {
    "plan": {
        "pack": X,
        "person": {
            "kind": "employee",
            "stays": [
                {
                    "region": "某区",
                    "risk": "管控区",
                    "first_day": "2022-12-05",
                    "last_day": "2022-12-08",
                }
            ],
        },
        "arrived_at": "2022-12-10T15:00",
    },
    "evaluate": {
        "pack": X,
        "person": {
            "kind": "employee",
            "facts": {"new_hire": True},
            "work_start_at": "2022-12-12T08:00",
        },
        "arrived_at": "2022-12-10T15:00",
        "records": {"tests": [{"sampled_at": "2022-12-11T09:00"}]},
        "at": "2022-12-12T07:00",
    },
    "route": {
        "pack": "honglu-2021-10",
        "event": {"kind": "gathering", "starts_at": "2021-03-01T09:00", "headcount": 120},
    },
    "schedule": {
        "pack": X,
        "start": "2022-12-12",
        "end": "2022-12-14",
        "activities": ["test"],
        "enterprise": {"headcount": 300, "area_risk": "管控区"},
    },
    "deadlines": {"pack": "liucheng-2022-36", "kind": "lockdown", "at": "2022-09-10T08:00"},
    "gate": {
        "pack": "jinjiang-xiyuan-2022-81",
        "person": {"kind": "visitor", "origin": "local"},
        "place": "plant_gate",
        "at": "2022-11-20T08:00",
    },
    "zone": {"pack": "zhengyang-2022-20", "person": {"kind": "employee"}, "at": "2022-11-20T08:00"},
}


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("command", sorted(BODIES))
def test_every_engine_function_runs_from_the_shell(tmp_path, capsys, command) -> None:
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(BODIES[command], ensure_ascii=False), encoding="utf-8")
    code, out, err = _run(capsys, command, str(facts))
    assert (code, err) == (0, "")
    assert json.loads(out)
    assert "citation" in out or command == "zone"  # every item carries its citation


def test_the_shell_answers_exact_results(tmp_path, capsys) -> None:
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(BODIES["evaluate"]), encoding="utf-8")
    _, out, _ = _run(capsys, "evaluate", str(facts))
    result = json.loads(out)
    cert = result["plan"]["obligations"][0]
    assert (cert["window_start"], cert["due_at"]) == ("2022-12-10T08:00:00", "2022-12-12T08:00:00")
    assert result["status"]["entry"]["reasons"][0]["text"] == "向企业提交健康承诺书：尚未完成"
    facts.write_text(json.dumps(BODIES["schedule"], ensure_ascii=False), encoding="utf-8")
    _, out, _ = _run(capsys, "schedule", str(facts))
    groups = {item["group"] for item in json.loads(out)["items"]}
    assert groups == {"一般员工", "重点岗位人员", "全体员工（企业所在区域受管控）"}


def test_the_commands_cover_every_request() -> None:
    assert set(REQUESTS) == {*BODIES, "diff"}


def test_bad_facts_are_answered_in_chinese(tmp_path, capsys) -> None:
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps({**BODIES["gate"], "place": None}), encoding="utf-8")
    code, _, err = _run(capsys, "gate", str(facts))
    assert code == 2 and "事实文件有误" in err and "place" in err
    facts.write_text(json.dumps({**BODIES["deadlines"], "at": None}), encoding="utf-8")
    code, _, err = _run(capsys, "deadlines", str(facts))
    assert code == 2 and "封控、疫情处置时限需要 at" in err
    facts.write_text("{not json", encoding="utf-8")
    assert _run(capsys, "plan", str(facts))[0] == 2


def test_a_rule_level_diff_in_chinese(capsys) -> None:
    code, out, _ = _run(capsys, "diff", "example-rules", "1", "2", "--dir", str(FIXTURE))
    assert code == 0
    lines = out.splitlines()
    assert "生效日期：2023-01-01 → 2023-07-01" in lines
    (rule,) = [line for line in lines if line.startswith("修改规则")]
    assert rule.startswith("修改规则 [X-1] 境外来人：")
    assert "措施1：依次：集中隔离7天，第1、4、7天各做1次核酸检测" in rule
    assert "→ 依次：集中隔离5天，第1、2、3、5天各做1次核酸检测；然后居家隔离3天" in rule


def test_the_lock_command_refuses_a_published_pack_whose_content_changed(tmp_path, capsys) -> None:
    """Issue 10 §3: lock never fingerprints a changed published pack."""
    for f in DEFAULT_PACKS_DIR.iterdir():
        shutil.copy(f, tmp_path / f.name)
    code, out, _ = _run(capsys, "lock", str(tmp_path))
    assert code == 0 and "example-quyu-2022-1 1 " in out
    target = tmp_path / "honglu-2021-10.v1.yaml"
    target.write_text(target.read_text(encoding="utf-8") + "\n# 改了一行\n", encoding="utf-8")
    code, out, err = _run(capsys, "lock", str(tmp_path))
    assert code == 1 and out == ""
    assert "已发布的规则包内容被修改" in err and "honglu-2021-10.v1.yaml" in err
