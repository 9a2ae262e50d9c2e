"""What the Django layer relies on: JSON-ready results, request schemas, purity, no numbers."""

from __future__ import annotations

import ast
import json
from datetime import date
from pathlib import Path

import parkguard.policy as policy
from parkguard.policy import PlanRequest, Registry, plan_arrival, to_jsonable
from tests.policy.facts import VISITOR_FROM_ABROAD, J, dt

POLICY_DIR = Path(policy.__file__).parent


def test_plans_serialise_to_json_with_citations(registry: Registry) -> None:
    plan = plan_arrival(
        pack=registry.get(J, 1), person=VISITOR_FROM_ABROAD, arrived_at=dt("2022-11-01T10:00")
    )
    data = json.loads(json.dumps(to_jsonable(plan), ensure_ascii=False))
    assert data["earliest_entry"] == "2022-11-09T00:00:00"
    assert data["phases"][0]["test_dates"] == [
        "2022-11-01",
        "2022-11-02",
        "2022-11-03",
        "2022-11-05",
    ]
    citation = data["obligations"][0]["citation"]
    assert citation == {
        "pack_id": J,
        "version": 1,
        "document_number": "晋政西〔2022〕81号",
        "requirement": "J-1.2.2",
        "clause": citation["clause"],
        "rule_id": "j-1.2.2-visitor-abroad",
    }
    assert citation["clause"].startswith("一、（二）② 对境外来晋人员")


def test_the_plan_request_is_a_documented_json_schema() -> None:
    schema = PlanRequest.model_json_schema()
    person = schema["$defs"]["PersonFacts"]["properties"]
    assert "来访人员" in person["kind"]["description"]
    assert "境外" in person["origin"]["description"]
    assert set(schema["required"]) == {"pack", "person", "arrived_at"}


def test_the_policy_package_imports_no_django_and_reads_no_clock() -> None:
    for path in POLICY_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                assert not any(n.startswith("django") for n in names), path.name
            if isinstance(node, ast.Attribute) and node.attr in ("now", "today", "utcnow"):
                raise AssertionError(f"{path.name}:{node.lineno} reads the clock")


# The "no number from a notice in Python" check covers all of parkguard/: test_no_numbers.py.


def test_it_tells_whether_a_version_is_the_one_in_force(registry: Registry) -> None:
    pack = registry.get("honglu-2021-10", 1)
    assert registry.is_in_force(pack, date(2021, 2, 1))
    assert not registry.is_in_force(pack, date(2021, 1, 1))
