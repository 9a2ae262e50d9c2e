"""What a pack declares besides its rules: enterprise sizes, post groups and staff groups.

Requirements: J-1.2.5 and J-2.1 (the 200-staff size, declared once, with its purpose and
citation), J-1.5c (wide-contact posts; outsourced staff managed with their agency). Each
kind of mistake in a declaration is refused with its own message and path.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from parkguard.policy import (
    AGENCY_MANAGED,
    LARGE,
    WIDE_CONTACT,
    EnterpriseFacts,
    PackError,
    Registry,
    enterprise_size,
    explain,
    is_of_size,
    load_registry,
    plan_arrival,
    post_group,
    post_in_groups,
    staff_group,
)
from parkguard.policy import errors as E
from tests.policy.facts import H, J, PersonFacts, dt

SIZE: dict[str, Any] = {
    "label": "百人以上企业",
    "purpose": "设立过渡缓冲区",
    "headcount_at_least": 100,
    "requirements": ["X-1"],
    "clause": "第一条 100人以上的企业设立过渡缓冲区",
}
PACK: dict[str, Any] = {
    "id": "example-notice",
    "version": 1,
    "title": "示例通知",
    "document_number": "示例〔2023〕1号",
    "issuer": "示例县人民政府",
    "jurisdiction": "示例县",
    "effective_from": "2023-01-01",
    "requirement_key": "X",
    "day_numbering": "arrival_day_is_1",
    "enterprise_sizes": {"large": SIZE},
    "post_groups": {
        "wide_contact": {
            "label": "接触面广的岗位",
            "words": ["保安", "食堂"],
            "requirement": "X-2",
            "clause": "第二条 保安、食堂等岗位",
        }
    },
    "rules": [
        {
            "id": "x-1",
            "requirement": "X-1",
            "clause": "第一条",
            "title": "过渡缓冲区",
            "description": "大型企业设立过渡缓冲区",
            "when": {"person_kind_in": ["visitor"], "enterprise": {"size": "large"}},
            "measures": [{"type": "closed_loop", "area": "过渡缓冲区", "covers": ["食", "宿"]}],
        }
    ],
}
VISITOR = PersonFacts(kind="visitor", origin="out_of_province")


def _load(tmp_path: Path, *packs: dict[str, Any]) -> Registry:
    for i, data in enumerate(packs):
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        (tmp_path / f"p{i}.v1.yaml").write_text(text, encoding="utf-8")
    return load_registry(tmp_path)


def _issues(tmp_path: Path, data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(PackError) as caught:
        _load(tmp_path, data)
    return [(i.message, i.path) for i in caught.value.issues]


# --- the seed packs ------------------------------------------------------------------------
def test_j_declares_the_200_staff_size_for_j_1_2_5_and_j_2_1(registry: Registry) -> None:
    """J-1.2.5 / J-2.1: 200人以上 is one declaration with its purpose and both citations."""
    band = enterprise_size(pack=registry.get(J, 2), name=LARGE)
    assert band is not None
    assert band.headcount_at_least == 200
    assert "J-1.2.5" in band.purpose and "J-2.1" in band.purpose
    assert [c.requirement for c in band.citations] == ["J-1.2.5", "J-2.1"]
    for citation in band.citations:
        assert citation.document_number == "晋政西〔2022〕81号"
        assert "重点关注200人以上" in citation.clause  # J-2.1's words, not only J-1.2.5's


def test_j_2_1_large_includes_200_and_not_199(registry: Registry) -> None:
    """J-2.1: "200人以上" includes 200 (the one decision the pages use)."""
    pack = registry.get(J, 2)
    assert is_of_size(pack=pack, name=LARGE, headcount=200)
    assert is_of_size(pack=pack, name=LARGE, headcount=900)
    assert not is_of_size(pack=pack, name=LARGE, headcount=199)


def test_a_pack_without_the_size_makes_no_enterprise_large(registry: Registry) -> None:
    pack = registry.get(H, 1)
    assert enterprise_size(pack=pack, name=LARGE) is None
    assert not is_of_size(pack=pack, name=LARGE, headcount=10_000)


def test_j_1_2_5_buffer_zone_selects_on_the_declared_size(registry: Registry) -> None:
    """J-1.2.5: the rule asks for the declared size, so the rule and the pages agree."""
    pack = registry.get(J, 2)
    (rule,) = [b.rule for b in pack.rules if b.rule.id == "j-1.2.5-buffer-zone"]
    when = rule.when.model_dump(by_alias=True, exclude_none=True)
    assert {"enterprise": {"size": LARGE}} in when["any_of"]
    assert "200" not in str(when)
    for headcount in (199, 200):
        plan = plan_arrival(
            pack=pack,
            person=VISITOR,
            arrived_at=dt("2022-11-20T10:00"),
            enterprise=EnterpriseFacts(headcount=headcount),
        )
        cited = any(n.citation.requirement == "J-1.2.5" for n in plan.notes)
        assert cited is is_of_size(pack=pack, name=LARGE, headcount=headcount)


def test_j_1_5c_declares_wide_contact_posts_and_agency_categories(registry: Registry) -> None:
    """J-1.5c: 保安、保洁、食堂杂工等 as a post group; outsourced staff with their agency."""
    pack = registry.get(J, 2)
    posts = post_group(pack=pack, name=WIDE_CONTACT)
    assert posts is not None
    assert {"保安", "保洁", "食堂"} <= set(posts.members)
    assert posts.citation.requirement == "J-1.5c"
    assert "社会接触面广" in posts.citation.clause
    assert post_in_groups("食堂帮厨", [posts])
    assert post_in_groups(" 夜班保安 ", [posts])
    assert not post_in_groups("操作工", [posts])
    assert not post_in_groups("", [posts])
    staff = staff_group(pack=pack, name=AGENCY_MANAGED)
    assert staff is not None
    assert set(staff.members) == {"labour_dispatch", "outsourced", "client_dispatched"}
    assert "劳务派遣机构" in staff.citation.clause
    assert post_group(pack=registry.get(H, 1), name=WIDE_CONTACT) is None


def test_explain_lists_the_declarations_with_their_citations(registry: Registry) -> None:
    lines = explain(registry.get(J, 2))
    size_line = next(line for line in lines if "企业规模〔large〕" in line)
    assert "200人以上" in size_line and "J-2.1" in size_line
    assert any("岗位组〔wide_contact〕" in line for line in lines)
    assert any("人员组〔agency_managed〕" in line for line in lines)


# --- declarations in a pack of one's own -----------------------------------------------------
def test_a_size_may_be_left_to_the_park(tmp_path: Path) -> None:
    data = copy.deepcopy(PACK)
    data["parameters"] = {
        "large_headcount": {
            "type": "integer",
            "default": 150,
            "description": "重点企业人数",
            "clause": "第一条",
        }
    }
    data["enterprise_sizes"]["large"]["headcount_at_least"] = {"param": "large_headcount"}
    pack = _load(tmp_path, data).get("example-notice", 1)
    assert not is_of_size(pack=pack, name=LARGE, headcount=149)
    assert is_of_size(pack=pack, name=LARGE, headcount=150)
    assert not is_of_size(pack=pack, name=LARGE, headcount=150, params={"large_headcount": 300})
    band = enterprise_size(pack=pack, name=LARGE, params={"large_headcount": 300})
    assert band is not None and band.headcount_at_least == 300


def test_a_child_pack_inherits_and_may_replace_declarations(tmp_path: Path) -> None:
    child = copy.deepcopy(PACK)
    child.update(
        id="example-park",
        extends={"pack": "example-notice", "version": 1},
        document_number="示例园区〔2023〕2号",
        enterprise_sizes={"large": {**SIZE, "headcount_at_least": 50}},
        rules=[],
    )
    del child["post_groups"]
    registry = _load(tmp_path, PACK, child)
    pack = registry.get("example-park", 1)
    assert is_of_size(pack=pack, name=LARGE, headcount=50)
    assert post_group(pack=pack, name=WIDE_CONTACT) is not None  # inherited
    # The inherited rule selects on the child's size.
    plan = plan_arrival(
        pack=pack,
        person=VISITOR,
        arrived_at=dt("2023-02-01T10:00"),
        enterprise=EnterpriseFacts(headcount=60),
    )
    assert any(n.citation.requirement == "X-1" for n in plan.notes)


def _with(path: list[str | int], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(PACK)
    node: Any = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return data


BAD = [
    (
        "rule names an undeclared size",
        _with(["rules", 0, "when", "enterprise", "size"], "huge"),
        E.ERR_SIZE_UNDECLARED,
        "rules[0].when.enterprise.size",
    ),
    (
        "size left to an undeclared parameter",
        _with(["enterprise_sizes", "large", "headcount_at_least"], {"param": "nope"}),
        E.ERR_PARAM_UNDECLARED,
        "enterprise_sizes.large.headcount_at_least.param",
    ),
    (
        "size of zero",
        _with(["enterprise_sizes", "large", "headcount_at_least"], 0),
        E.ERR_ZERO_NUMBER,
        "enterprise_sizes.large.headcount_at_least",
    ),
    (
        "size without a clause",
        _with(["enterprise_sizes", "large"], {k: v for k, v in SIZE.items() if k != "clause"}),
        E.ERR_MISSING_CITATION,
        "enterprise_sizes.large.clause",
    ),
    (
        "size without a requirement",
        _with(["enterprise_sizes", "large", "requirements"], []),
        E.ERR_EMPTY,
        "enterprise_sizes.large.requirements",
    ),
    (
        "post group without words",
        _with(["post_groups", "wide_contact", "words"], []),
        E.ERR_EMPTY,
        "post_groups.wide_contact.words",
    ),
    (
        "staff group with an unknown category",
        _with(
            ["staff_groups"],
            {
                "agency_managed": {
                    "label": "外包",
                    "categories": ["contractor"],
                    "requirement": "X-3",
                    "clause": "第三条",
                }
            },
        ),
        E.ERR_BAD_CHOICE,
        "staff_groups.agency_managed.categories[0]",
    ),
]


@pytest.mark.parametrize(("name", "data", "message", "path"), BAD, ids=[b[0] for b in BAD])
def test_it_refuses_a_bad_declaration(tmp_path: Path, name, data, message, path) -> None:
    assert _issues(tmp_path, data) == [(message, path)], name
