"""Loading packs: the bundled packs are valid and pinned; each kind of mistake in a pack
is refused with its own message constant, naming the file and the path inside it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from parkguard.policy import DEFAULT_PACKS_DIR, PackError, Registry, load_registry
from parkguard.policy import errors as E

# Every requirement ID issue 3 names explicitly.
ISSUE_REQUIREMENTS = [
    "J-1.1",
    "J-1.2.1",
    "J-1.2.2",
    "J-1.2.3",
    "J-1.2.4",
    "J-1.2.5",
    "J-1.3",
    "J-1.4",
    "H-4.3",
    "H-4.3b",
    "H-4.4",
    "B-2.1",
    "B-2.2b",
    "B-2.2c",
    "B-2.4",
    "B-2.5",
    "Z-5.1",
    "Z-5.2b",
    "Z-5.2e",
    "Z-4.2",
    "H-4.2",
    "H-4.5",
    "L-3.0",
    "L-4.3",
]


def test_it_loads_every_bundled_pack(registry: Registry) -> None:
    assert {p.id for p in registry.packs()} == {
        "zhengyang-2022-20",
        "zhengyang-2022-20-assessment",
        "honglu-2021-10",
        "jinjiang-xiyuan-2022-81",
        "baotou-industry-2020-02",
        "liucheng-2022-36",
        "example-quyu-2022-1",
        "zhengyang-2022-20-response",
        "zhengyang-2022-20-continuity",
        "zhengyang-2022-20-hygiene",
        "liucheng-2022-36-utilities",
        "liucheng-2022-36-command",
        "zhengyang-2022-20-plans",
        "jinjiang-xiyuan-2022-81-readiness",
        "liucheng-2022-36-hotline",
        "baotou-industry-2020-02-oversight",
        "liucheng-2022-36-report",
    }
    assert registry.unlocked() == ()  # every published pack is pinned in published.lock
    for pack in registry.packs():
        assert pack.meta.file == f"{pack.id}.v{pack.version}.yaml"
        for bound in pack.rules:
            assert bound.rule.requirement.startswith(pack.spec.requirement_key + "-")
            assert bound.rule.clause


@pytest.mark.parametrize("requirement", ISSUE_REQUIREMENTS)
def test_it_encodes_every_requirement_the_issue_lists(registry: Registry, requirement) -> None:
    found = [b for p in registry.packs() for b in p.rules if b.rule.requirement == requirement]
    assert found, requirement


def test_it_finds_the_version_in_force(registry: Registry) -> None:
    from datetime import date

    from parkguard.policy import PolicyInputError

    assert registry.in_force("honglu-2021-10", date(2021, 1, 31)).version == 1
    assert registry.in_force("honglu-2021-10", date(2021, 2, 1)).version == 2
    with pytest.raises(PolicyInputError) as caught:
        registry.in_force("honglu-2021-10", date(2021, 1, 30))
    assert caught.value.message == E.ERR_NOT_IN_FORCE
    with pytest.raises(PolicyInputError) as caught:
        registry.in_force("no-such-pack", date(2021, 2, 1))
    assert caught.value.message == E.ERR_UNKNOWN_PACK


# --- bad packs --------------------------------------------------------------------------
BASE: dict[str, Any] = {
    "id": "example-notice",
    "version": 1,
    "title": "示例通知",
    "document_number": "示例〔2023〕1号",
    "issuer": "示例县人民政府",
    "jurisdiction": "示例县",
    "effective_from": "2023-01-01",
    "requirement_key": "X",
    "day_numbering": "arrival_day_is_1",
    "parameters": {
        "monitoring_days": {
            "type": "integer",
            "default": 5,
            "description": "健康监测天数",
            "clause": "第二条",
        },
        "report_by": {
            "type": "time",
            "default": "18:00",
            "description": "报送时刻",
            "clause": "第三条",
        },
    },
    "rules": [
        {
            "id": "x-1",
            "requirement": "X-1",
            "clause": "第一条 来访人员隔离3天，第1、3天检测",
            "title": "来访人员",
            "description": "来访人员隔离后监测",
            "when": {"person_kind_in": ["visitor"]},
            "measures": [
                {
                    "type": "phases",
                    "phases": [
                        {"kind": "home_isolation", "days": 3, "test_days": [1, 3]},
                        {
                            "kind": "home_health_monitoring",
                            "days": {"param": "monitoring_days"},
                            "test_days": [5],
                            "blocks_entry": False,
                        },
                    ],
                }
            ],
        },
        {
            "id": "x-2",
            "requirement": "X-2",
            "clause": "第二条",
            "title": "抽检",
            "description": "每14天抽检20%",
            "measures": [
                {
                    "type": "routine_testing",
                    "group": "全体员工",
                    "interval_days": 14,
                    "sample_share": 0.2,
                }
            ],
        },
    ],
}


def _write(directory: Path, name: str, data: Any) -> None:
    text = (
        data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    )
    (directory / name).write_text(text, encoding="utf-8")


def _issues(directory: Path) -> list[E.PackIssue]:
    with pytest.raises(PackError) as caught:
        load_registry(directory)
    return list(caught.value.issues)


def _m(path: str, value: Any) -> Callable[[dict], None]:
    """Set (or, with value DELETE, remove) the item at a dotted path like rules.0.clause."""

    def mutate(data: dict) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        key: Any = int(last) if isinstance(node, list) else last
        if value is DELETE:
            del node[key]
        else:
            node[key] = value

    return mutate


DELETE = object()
PHASE0 = "rules.0.measures.0.phases.0"
PHASE1 = "rules.0.measures.0.phases.1"
CASES = [
    (
        "unknown key",
        _m(f"{PHASE1}.tset_days", [1]),
        E.ERR_UNKNOWN_KEY,
        "rules[0].measures[0].phases[1].tset_days",
    ),
    (
        "wrong type",
        _m(f"{PHASE0}.days", "三天"),
        E.ERR_WRONG_TYPE,
        "rules[0].measures[0].phases[0].days",
    ),
    (
        "yes is not a boolean",
        _m(f"{PHASE1}.blocks_entry", "yes"),
        E.ERR_YAML_YES_NO,
        "rules[0].measures[0].phases[1].blocks_entry",
    ),
    (
        "negative number",
        _m(f"{PHASE0}.days", -3),
        E.ERR_NEGATIVE_NUMBER,
        "rules[0].measures[0].phases[0].days",
    ),
    ("missing citation", _m("rules.1.clause", DELETE), E.ERR_MISSING_CITATION, "rules[1].clause"),
    (
        "missing requirement",
        _m("rules.1.requirement", DELETE),
        E.ERR_MISSING_REQUIREMENT,
        "rules[1].requirement",
    ),
    ("missing key", _m("day_numbering", DELETE), E.ERR_MISSING_KEY, "day_numbering"),
    ("bad choice", _m("day_numbering", "arrival_day_is_2"), E.ERR_BAD_CHOICE, "day_numbering"),
    (
        "requirement format",
        _m("rules.0.requirement", "X1.2"),
        E.ERR_REQUIREMENT_FORMAT,
        "rules[0].requirement",
    ),
    (
        "requirement of another notice",
        _m("rules.0.requirement", "J-1.2"),
        E.ERR_REQUIREMENT_KEY,
        "rules[0].requirement",
    ),
    ("bad pack id", _m("id", "Example Notice"), E.ERR_BAD_ID, "id"),
    (
        "test day outside its phase",
        _m(f"{PHASE0}.test_days", [1, 4]),
        E.ERR_TEST_DAY_OUTSIDE_PHASE,
        "rules[0].measures[0].phases[0].test_days",
    ),
    (
        "test day outside a phase of parameter length",
        _m(f"{PHASE1}.test_days", [6]),
        E.ERR_TEST_DAY_OUTSIDE_PHASE,
        "rules[0].measures[0].phases[1].test_days",
    ),
    (
        "test days out of order",
        _m(f"{PHASE0}.test_days", [3, 1]),
        E.ERR_DAYS_NOT_ASCENDING,
        "rules[0].measures[0].phases[0].test_days",
    ),
    ("duplicate rule id", _m("rules.1.id", "x-1"), E.ERR_DUPLICATE_RULE_ID, "rules[1].id"),
    (
        "undeclared parameter",
        _m(f"{PHASE1}.days", {"param": "monitor_days"}),
        E.ERR_PARAM_UNDECLARED,
        "rules[0].measures[0].phases[1].days.param",
    ),
    (
        "parameter of the wrong type",
        _m(f"{PHASE1}.days", {"param": "report_by"}),
        E.ERR_PARAM_TYPE,
        "rules[0].measures[0].phases[1].days.param",
    ),
    (
        "parameter default of the wrong type",
        _m("parameters.monitoring_days.default", "五"),
        E.ERR_PARAM_DEFAULT_TYPE,
        "parameters.monitoring_days.default",
    ),
    (
        "unknown measure type",
        _m("rules.1.measures.0.type", "routine_test"),
        E.ERR_UNKNOWN_MEASURE,
        "rules[1].measures[0].type",
    ),
    (
        "sample share above 1",
        _m("rules.1.measures.0.sample_share", 20),
        E.ERR_SHARE_RANGE,
        "rules[1].measures[0].sample_share",
    ),
    ("end before start", _m("effective_to", "2022-12-31"), E.ERR_DATE_ORDER, "effective_to"),
    (
        "rule window end before start",
        lambda data: data["rules"][0].update(applies_from="2023-03-08", applies_to="2023-01-28"),
        E.ERR_DATE_ORDER,
        "rules[0].applies_to",
    ),
    (
        "certificate with two windows",
        _m("rules.1.measures.0", {"type": "certificate", "within_hours": 48, "within_days": 2}),
        E.ERR_WITHIN_EXACTLY_ONE,
        "rules[1].measures[0]",
    ),
    (
        "any_of with one option",
        _m(
            "rules.1.measures.0",
            {
                "type": "any_of",
                "options": [
                    {"label": "证明", "measures": [{"type": "certificate", "within_hours": 48}]}
                ],
            },
        ),
        E.ERR_ANY_OF_OPTIONS,
        "rules[1].measures[0].options",
    ),
    (
        "a gate check inside any_of",
        _m(
            "rules.1.measures.0",
            {
                "type": "any_of",
                "options": [
                    {"label": "证明", "measures": [{"type": "certificate", "within_hours": 48}]},
                    {"label": "测温", "measures": [{"type": "zones", "zones": []}]},
                ],
            },
        ),
        E.ERR_ANY_OF_MEASURE,
        "rules[1].measures[0].options[1].measures[0].type",
    ),
    (
        "temperature slots do not match times",
        _m(
            "rules.1.measures.0",
            {
                "type": "temperature_checks",
                "times_per_day": 2,
                "places": ["plant_gate"],
                "slots": ["上班"],
            },
        ),
        E.ERR_SLOTS_COUNT,
        "rules[1].measures[0]",
    ),
    (
        "bad time",
        _m("parameters.report_by.default", "25:00"),
        E.ERR_PARAM_DEFAULT_TYPE,
        "parameters.report_by.default",
    ),
    (
        "deadline step with two timings",
        _m(
            "rules.1.measures.0",
            {
                "type": "deadlines",
                "trigger": "daily",
                "steps": [
                    {"action": "报送", "within_minutes": 30, "daily_by": {"param": "report_by"}}
                ],
            },
        ),
        E.ERR_STEP_TIMING,
        "rules[1].measures[0].steps[0]",
    ),
    (
        "arrival test before arrival",
        _m("rules.1.measures.0", {"type": "arrival_tests", "days": [0, 2]}),
        E.ERR_TEST_DAY_BEFORE_ARRIVAL,
        "rules[1].measures[0].days",
    ),
    ("empty list", _m(f"{PHASE0}.test_days", []), None, None),  # allowed: no tests
    ("no rules", _m("rules", []), E.ERR_EMPTY, "rules"),
]


@pytest.mark.parametrize(("name", "mutate", "message", "path"), CASES, ids=[c[0] for c in CASES])
def test_it_refuses_a_bad_pack_with_a_clear_message(tmp_path, name, mutate, message, path) -> None:
    data = copy.deepcopy(BASE)
    mutate(data)
    _write(tmp_path, "example.v1.yaml", data)
    if message is None:
        load_registry(tmp_path)
        return
    issues = _issues(tmp_path)
    assert [(i.message, i.path) for i in issues] == [(message, path)], name
    issue = issues[0]
    assert issue.file == "example.v1.yaml"
    assert issue.line is not None
    assert str(issue).startswith(f"example.v1.yaml:{issue.line}: {path}: {message}")


def test_it_accepts_the_base_example(tmp_path) -> None:
    _write(tmp_path, "example.v1.yaml", BASE)
    pack = load_registry(tmp_path).get("example-notice", 1)
    assert [b.rule.id for b in pack.rules] == ["x-1", "x-2"]


def test_it_points_at_the_line_of_the_mistake(tmp_path) -> None:
    data = copy.deepcopy(BASE)
    data["rules"][0]["measures"][0]["phases"][1]["tset_days"] = [1]
    _write(tmp_path, "example.v1.yaml", data)
    (issue,) = _issues(tmp_path)
    lines = (tmp_path / "example.v1.yaml").read_text(encoding="utf-8").splitlines()
    assert issue.line is not None
    assert "tset_days" in lines[issue.line - 1]


def test_it_refuses_yaml_syntax_errors(tmp_path) -> None:
    _write(tmp_path, "broken.v1.yaml", "id: x\nrules: [\n  - a: b\n")
    (issue,) = _issues(tmp_path)
    assert (issue.file, issue.message) == ("broken.v1.yaml", E.ERR_YAML_SYNTAX)
    assert issue.line is not None


def test_it_refuses_a_pack_that_is_not_a_mapping(tmp_path) -> None:
    _write(tmp_path, "list.v1.yaml", "- id: x\n")
    (issue,) = _issues(tmp_path)
    assert issue.message == E.ERR_NOT_MAPPING


def _child(extends: dict, **changes: Any) -> dict:
    child = copy.deepcopy(BASE)
    child.update({"id": "example-park", "extends": extends, "rules": [], **changes})
    child.pop("parameters")
    return child


def test_it_refuses_extending_a_pack_that_does_not_exist(tmp_path) -> None:
    _write(tmp_path, "example.v1.yaml", BASE)
    _write(tmp_path, "park.v1.yaml", _child({"pack": "example-notice", "version": 2}))
    (issue,) = _issues(tmp_path)
    assert (issue.file, issue.path, issue.message) == (
        "park.v1.yaml",
        "extends",
        E.ERR_EXTENDS_MISSING,
    )
    assert issue.detail == "example-notice@2"


def test_it_refuses_a_cycle_in_extends(tmp_path) -> None:
    a = _child({"pack": "pack-b", "version": 1}, id="pack-a")
    b = _child({"pack": "pack-a", "version": 1}, id="pack-b")
    _write(tmp_path, "a.v1.yaml", a)
    _write(tmp_path, "b.v1.yaml", b)
    issues = _issues(tmp_path)
    assert {(i.path, i.message) for i in issues} == {("extends", E.ERR_EXTENDS_CYCLE)}
    assert "pack-a@1 → pack-b@1 → pack-a@1" in issues[0].detail


def test_it_refuses_overlapping_versions_of_one_pack(tmp_path) -> None:
    _write(tmp_path, "example.v1.yaml", {**copy.deepcopy(BASE), "effective_to": "2023-12-31"})
    _write(
        tmp_path,
        "example.v2.yaml",
        {**copy.deepcopy(BASE), "version": 2, "effective_from": "2023-06-01"},
    )
    (issue,) = _issues(tmp_path)
    assert (issue.file, issue.path, issue.message) == (
        "example.v2.yaml",
        "effective_from",
        E.ERR_OVERLAPPING_VERSIONS,
    )
    assert "example.v1.yaml" in issue.detail


def test_it_refuses_two_versions_starting_on_the_same_day(tmp_path) -> None:
    _write(tmp_path, "example.v1.yaml", BASE)
    _write(tmp_path, "example.v2.yaml", {**copy.deepcopy(BASE), "version": 2})
    (issue,) = _issues(tmp_path)
    assert (issue.file, issue.message) == ("example.v2.yaml", E.ERR_OVERLAPPING_VERSIONS)


def test_it_refuses_a_newer_version_that_starts_earlier(tmp_path) -> None:
    _write(tmp_path, "example.v1.yaml", {**copy.deepcopy(BASE), "effective_from": "2023-06-01"})
    _write(
        tmp_path,
        "example.v2.yaml",
        {**copy.deepcopy(BASE), "version": 2, "effective_to": "2023-05-31"},
    )
    (issue,) = _issues(tmp_path)
    assert (issue.file, issue.path, issue.message) == (
        "example.v2.yaml",
        "effective_from",
        E.ERR_VERSION_ORDER,
    )


def test_it_lets_a_new_version_supersede_an_open_ended_one(tmp_path) -> None:
    from datetime import date

    _write(tmp_path, "example.v1.yaml", BASE)  # no effective_to: in force until superseded
    _write(
        tmp_path,
        "example.v2.yaml",
        {**copy.deepcopy(BASE), "version": 2, "effective_from": "2023-06-01"},
    )
    registry = load_registry(tmp_path)
    assert registry.in_force("example-notice", date(2023, 5, 31)).version == 1
    assert registry.in_force("example-notice", date(2023, 6, 1)).version == 2
    assert [p.version for p in registry.all_in_force(date(2023, 6, 1))] == [2]


def test_it_accepts_consecutive_versions_and_picks_the_one_in_force(tmp_path) -> None:
    from datetime import date

    _write(tmp_path, "example.v1.yaml", {**copy.deepcopy(BASE), "effective_to": "2023-05-31"})
    _write(
        tmp_path,
        "example.v2.yaml",
        {**copy.deepcopy(BASE), "version": 2, "effective_from": "2023-06-01"},
    )
    registry = load_registry(tmp_path)
    assert registry.in_force("example-notice", date(2023, 5, 31)).version == 1
    assert registry.in_force("example-notice", date(2023, 6, 1)).version == 2


def test_it_refuses_the_same_version_in_two_files(tmp_path) -> None:
    _write(tmp_path, "example.v1.yaml", BASE)
    _write(tmp_path, "example-copy.v1.yaml", BASE)
    issues = _issues(tmp_path)
    assert [(i.file, i.message) for i in issues] == [("example.v1.yaml", E.ERR_DUPLICATE_VERSION)]


def test_it_refuses_a_child_rule_that_silently_replaces_a_parent_rule(tmp_path) -> None:
    _write(tmp_path, "example.v1.yaml", BASE)
    rule = copy.deepcopy(BASE["rules"][1])
    _write(tmp_path, "park.v1.yaml", _child({"pack": "example-notice", "version": 1}, rules=[rule]))
    (issue,) = _issues(tmp_path)
    assert (issue.path, issue.message) == ("rules[0].id", E.ERR_OVERRIDE_WITHOUT_FLAG)


def test_it_refuses_an_override_of_nothing(tmp_path) -> None:
    _write(tmp_path, "example.v1.yaml", BASE)
    rule = {**copy.deepcopy(BASE["rules"][1]), "id": "x-9", "override": True}
    _write(tmp_path, "park.v1.yaml", _child({"pack": "example-notice", "version": 1}, rules=[rule]))
    (issue,) = _issues(tmp_path)
    assert (issue.path, issue.message) == ("rules[0].override", E.ERR_OVERRIDE_NOTHING)


def test_it_lets_a_park_pack_extend_and_override_a_notice(tmp_path) -> None:
    _write(tmp_path, "example.v1.yaml", BASE)
    rule = copy.deepcopy(BASE["rules"][1])
    rule["override"] = True
    rule["measures"][0]["interval_days"] = 7
    park = _child(
        {"pack": "example-notice", "version": 1},
        rules=[rule],
        document_number="示例园区〔2023〕2号",
    )
    park["parameters"] = {
        "monitoring_days": {**BASE["parameters"]["monitoring_days"], "default": 7}
    }
    _write(tmp_path, "park.v1.yaml", park)
    pack = load_registry(tmp_path).get("example-park", 1)
    assert [b.rule.id for b in pack.rules] == ["x-1", "x-2"]
    inherited, overridden = pack.rules
    assert inherited.source.document_number == "示例〔2023〕1号"  # cites the notice
    assert overridden.source.document_number == "示例园区〔2023〕2号"
    assert pack.parameters["monitoring_days"].default == 7
    assert pack.parameters["report_by"].default == "18:00"


def test_it_refuses_a_published_pack_whose_content_changed(tmp_path) -> None:
    _write(tmp_path, "example.v1.yaml", BASE)
    (tmp_path / "published.lock").write_text("example-notice 1 " + "0" * 64 + "\n")
    (issue,) = _issues(tmp_path)
    assert (issue.file, issue.message) == ("example.v1.yaml", E.ERR_PUBLISHED_CHANGED)


def test_it_reports_every_mistake_at_once(tmp_path) -> None:
    data = copy.deepcopy(BASE)
    del data["rules"][0]["clause"]
    data["rules"][1]["measures"][0]["sample_share"] = 2
    _write(tmp_path, "example.v1.yaml", data)
    assert [i.message for i in _issues(tmp_path)] == [E.ERR_MISSING_CITATION, E.ERR_SHARE_RANGE]


def test_bundled_packs_directory_is_the_default() -> None:
    assert DEFAULT_PACKS_DIR.name == "packs"
    assert sorted(p.name for p in DEFAULT_PACKS_DIR.glob("*.yaml"))


def test_every_published_bundled_pack_matches_its_fingerprint_in_published_lock() -> None:
    """Issue 10 §3: published versions are immutable. Read straight from the files (not the
    loader): each published built-in file is pinned, and its sha256 is the pinned one."""
    from parkguard.policy.lock import digest_of, read_lock
    from parkguard.policy.validation import validate_text

    pins = read_lock(DEFAULT_PACKS_DIR)
    published = {}
    for path in sorted(DEFAULT_PACKS_DIR.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        spec = validate_text(text, file=path.name)
        if spec.status == "published":
            published[(spec.id, spec.version)] = digest_of(text)
    assert published.keys() == pins.keys()
    changed = [key for key, digest in published.items() if pins[key] != digest]
    assert changed == []


def test_j_v1_is_the_content_first_published() -> None:
    """J v1 was once edited in place; its first published fingerprint (the lock of the
    commit that first pinned it) is the one in force again, and the edit is J v2."""
    from parkguard.policy.lock import read_lock

    pins = read_lock(DEFAULT_PACKS_DIR)
    assert pins[("jinjiang-xiyuan-2022-81", 1)] == (
        "8145d6a0c1f4ee6b26eeff42dadd7689ddbff2e0ea80b0ab4088ff1dc30d2b18"
    )
    assert ("jinjiang-xiyuan-2022-81", 2) in pins


def test_uploads_load_on_top_and_a_bad_one_never_breaks_the_others(registry: Registry) -> None:
    """Issue 10 §3: uploaded texts beside the site's packs. A mistake, an overlap with a
    published version, a version already there or a changed fingerprint leaves that one
    out with its error; the good ones and the site's packs load."""
    from parkguard.policy.loading import MoreFile, load_more
    from parkguard.policy.lock import digest_of

    x1 = (DEFAULT_PACKS_DIR / "example-quyu-2022-1.v1.yaml").read_text(encoding="utf-8")
    good = x1.replace("version: 1\n", "version: 2\n", 1).replace(
        "effective_from: 2022-12-01\n", "effective_from: 2022-12-10\n", 1
    )
    overlapping = x1.replace("version: 1\n", "version: 3\n", 1)  # starts with v1, before v2
    broken = "id: broken\nversion: 1\n\ttitle: 坏\n"
    files = [
        MoreFile("broken.yaml", broken, "published"),
        MoreFile("good.yaml", good, "published", digest_of(good)),
        MoreFile("again.yaml", good, "published"),
        MoreFile("overlap.yaml", overlapping, "published"),
        MoreFile("tampered.yaml", good.replace("version: 2", "version: 4"), "published", "0" * 64),
        MoreFile("draft.yaml", overlapping, "draft"),  # a draft is never checked for overlap
    ]
    loaded = load_more(registry, files)
    messages = {i.file: i.message for i in loaded.invalid}
    assert messages == {
        "broken.yaml": E.ERR_YAML_TAB,
        "again.yaml": E.ERR_DUPLICATE_VERSION,
        "overlap.yaml": E.ERR_VERSION_ORDER,  # v3 would start before v2
        "tampered.yaml": E.ERR_PUBLISHED_CHANGED,
    }
    versions = loaded.registry.versions("example-quyu-2022-1")
    assert [(p.version, p.meta.status) for p in versions] == [
        (1, "published"),
        (2, "published"),
        (3, "draft"),
    ]
    from datetime import date

    assert loaded.registry.in_force("example-quyu-2022-1", date(2022, 12, 20)).version == 2
    assert set(registry.ids()) == set(loaded.registry.ids())


def test_canonical_text_ignores_line_ends_and_trailing_blanks() -> None:
    from parkguard.policy.loading import canonical_text

    assert canonical_text("\ufeffid: a  \r\nversion: 1\r\n\r\n") == "id: a\nversion: 1\n"
    assert canonical_text("id: a\nversion: 1") == "id: a\nversion: 1\n"
