"""v2 of packs Z, H and B: the fever threshold is a park parameter on each symptom list."""

from __future__ import annotations

from datetime import date

import pytest

from parkguard.policy import PolicyInputError, Registry, explain, symptom_lists
from parkguard.policy import errors as E

B = "baotou-industry-2020-02"
H = "honglu-2021-10"
Z = "zhengyang-2022-20"


@pytest.mark.parametrize(
    ("pack_id", "lists"),
    [
        (Z, {"Z-4.2": ("发热", "干咳", "乏力")}),
        (
            H,
            {
                "H-4.2": ("发热", "干咳", "咽痛"),
                "H-4.5": ("发热", "干咳", "咽痛", "嗅（味）觉减退", "腹泻"),
            },
        ),
        (B, {"B-2.3": ("发热", "咳嗽")}),
    ],
)
def test_v2_keeps_the_symptom_lists_and_adds_the_default_threshold(
    registry: Registry, pack_id: str, lists: dict[str, tuple[str, ...]]
) -> None:
    """Z-4.2, H-4.2, H-4.5, B-2.3: same symptoms as v1; 37.3 ℃ unless the park sets another."""
    found = symptom_lists(pack=registry.get(pack_id, 2))
    assert {s.citation.requirement: s.symptoms for s in found} == lists
    assert {s.fever_from_c for s in found} == {37.3}
    assert {s.citation.version for s in found} == {2}
    assert all(s.fever_from_c is None for s in symptom_lists(pack=registry.get(pack_id, 1)))


def test_the_park_sets_its_own_threshold_within_bounds(registry: Registry) -> None:
    pack = registry.get(Z, 2)
    [found] = symptom_lists(pack=pack, params={"fever_threshold_c": 37.5})
    assert found.fever_from_c == 37.5
    with pytest.raises(PolicyInputError) as caught:
        symptom_lists(pack=pack, params={"fever_threshold_c": 39.5})
    assert caught.value.message == E.ERR_PARAM_VALUE_RANGE


def test_v2_is_in_force_from_the_day_after_v1_starts(registry: Registry) -> None:
    assert registry.in_force(Z, date(2022, 11, 15)).version == 1
    assert registry.in_force(Z, date(2022, 11, 16)).version == 2


def test_explain_names_the_threshold_parameter(registry: Registry) -> None:
    lines = explain(registry.get(Z, 2))
    assert any("体温≥〔参数 fever_threshold_c〕℃ 视为发热" in line for line in lines)
