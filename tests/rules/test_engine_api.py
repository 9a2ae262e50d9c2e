"""Every engine function under /api/v1/policy/... and in `manage.py policy` (issue 10 §2)."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tests.factories import World
from tests.policy.test_requests_cli import BODIES


def post_json(client: Client, url: str, body: object):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize("command", sorted(set(BODIES) - {"plan"}))
def test_every_engine_function_has_an_api(
    world: World, client_as: Callable[[str | None], Client], command: str
) -> None:
    response = post_json(client_as("a1_officer"), f"/api/v1/policy/{command}", BODIES[command])
    assert response.status_code == 200, response.content
    assert "citation" in response.content.decode() or command == "zone"


@pytest.mark.django_db
def test_the_api_answers_exact_results(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    body = BODIES["schedule"]
    items = post_json(client_as("a1_officer"), "/api/v1/policy/schedule", body).json()["items"]
    assert [(i["on"], i["group"]) for i in items if i["group"].startswith("全体")] == [
        ("2022-12-12", "全体员工（企业所在区域受管控）"),
        ("2022-12-13", "全体员工（企业所在区域受管控）"),
        ("2022-12-14", "全体员工（企业所在区域受管控）"),
    ]
    lockdown = post_json(client_as("a1_officer"), "/api/v1/policy/deadlines", BODIES["deadlines"])
    first = lockdown.json()["deadlines"][0]
    assert first["citation"]["document_number"] == "柳城政办〔2022〕36号"


@pytest.mark.django_db
def test_bad_input_is_a_field_error_in_chinese(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    body = {**BODIES["deadlines"], "at": None}
    response = post_json(client_as("a1_officer"), "/api/v1/policy/deadlines", body)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"][-1] == "at" and error["msg"].startswith("封控、疫情处置时限需要 at")
    stays = [
        {"region": "某区", "risk": "high", "first_day": "2022-12-05", "last_day": "2022-12-08"}
    ]
    wrong_words = {**BODIES["plan"], "person": {"kind": "employee", "stays": stays}}
    response = post_json(
        client_as("a1_officer"),
        "/api/v1/policy/evaluate",
        {**wrong_words, "at": "2022-12-11T00:00"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"].startswith("风险等级不是本规则包使用的等级")


@pytest.mark.django_db
def test_a_declared_fact_passes_the_api_schema_with_no_code_change(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    body = {
        **BODIES["plan"],
        "person": {
            "kind": "employee",
            "facts": {"health_code": "red"},
            "ordered_at": "2022-12-10T08:00",
        },
    }
    response = post_json(
        client_as("a1_officer"), "/api/v1/policy/evaluate", {**body, "at": "2022-12-10T16:00"}
    )
    assert response.status_code == 200
    entry = response.json()["status"]["entry"]
    assert not entry["allowed"] and entry["reasons"][0]["text"] == "黄码、红码人员不得进厂"


@pytest.mark.django_db
def test_the_api_diff_and_unknown_packs(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    client = client_as("a1_officer")
    same = client.get("/api/v1/policy/packs/honglu-2021-10/diff?old=1&new=1")
    assert same.status_code == 200 and same.json() == {"changes": []}
    missing = client.get("/api/v1/policy/packs/no-such/diff?old=1&new=2")
    assert missing.status_code == 404 and missing.json()["detail"][0]["msg"].startswith(
        "没有这个规则包"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("command", sorted(set(BODIES) - {"plan"}))
def test_anonymous_callers_get_nothing(client: Client, command: str) -> None:
    response = post_json(client, f"/api/v1/policy/{command}", BODIES[command])
    assert response.status_code == 401


def test_manage_py_policy_runs_every_engine_function(tmp_path) -> None:
    for command in sorted(set(BODIES) - {"plan"}):
        facts = tmp_path / f"{command}.json"
        facts.write_text(json.dumps(BODIES[command], ensure_ascii=False), encoding="utf-8")
        out = StringIO()
        call_command("policy", command, str(facts), stdout=out)
        assert json.loads(out.getvalue())
    out = StringIO()
    call_command("policy", "diff", "honglu-2021-10", "1", "1", stdout=out)
    assert out.getvalue().strip() == "两个版本的规则没有差异"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**BODIES["gate"], "place": None}), encoding="utf-8")
    with pytest.raises(CommandError, match="事实文件有误"):
        call_command("policy", "gate", str(bad))
