"""The Django side of the rule engine: API, pages, park adoption, `manage.py policy`."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from parkguard.audit.models import AuditEvent
from parkguard.rules.models import PackAdoption
from parkguard.rules.params import large_enterprise_headcount
from tests.factories import World

J = "jinjiang-xiyuan-2022-81"
Z = "zhengyang-2022-20"
ABROAD = {
    "pack": J,
    "person": {"kind": "visitor", "origin": "abroad"},
    "arrived_at": "2022-11-20T10:00:00+08:00",
}


def post_json(client: Client, url: str, body: object) -> object:
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_it_returns_the_j_1_2_2_plan_with_citations(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    """J-1.2.2 through the API: 5 days centralised + 3 days home, cited, entry after both."""
    response = post_json(client_as("a1_officer"), "/api/v1/policy/plan", ABROAD)
    assert response.status_code == 200  # type: ignore[attr-defined]
    plan = response.json()["plan"]  # type: ignore[attr-defined]
    assert [(p["kind"], p["first_day"], p["last_day"]) for p in plan["phases"]] == [
        ("centralised_isolation", "2022-11-20", "2022-11-24"),
        ("home_isolation", "2022-11-25", "2022-11-27"),
    ]
    assert plan["phases"][0]["test_dates"] == [
        "2022-11-20",
        "2022-11-21",
        "2022-11-22",
        "2022-11-24",
    ]
    assert plan["phases"][1]["test_dates"] == ["2022-11-25", "2022-11-27"]
    assert plan["earliest_entry"] == "2022-11-28T00:00:00+08:00"
    assert {p["citation"]["requirement"] for p in plan["phases"]} == {"J-1.2.2"}
    assert plan["phases"][0]["citation"]["document_number"] == "晋政西〔2022〕81号"


@pytest.mark.django_db
def test_it_evaluates_a_plan_against_records(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    body = {**ABROAD, "records": {"tests": []}, "at": "2022-11-23T12:00:00+08:00"}
    status = post_json(client_as("a1_officer"), "/api/v1/policy/plan", body).json()["status"]  # type: ignore[attr-defined]
    assert status["entry"]["allowed"] is False
    states = {item["status"] for item in status["items"]}
    assert "overdue" in states and "due" in states


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "loc", "message"),
    [
        ({**ABROAD, "pack": "nope"}, ["body", "payload", "pack"], "没有这个规则包（nope）"),
        (
            {**ABROAD, "person": {"kind": "alien"}},
            ["body", "payload", "person", "kind"],
            "取值不在允许范围内：'employee', 'visitor' or 'truck_crew'",
        ),
        ({**ABROAD, "arrived_at": "soon"}, ["body", "payload", "arrived_at"], None),
    ],
)
def test_it_answers_bad_facts_at_the_field_in_chinese(
    world: World,
    client_as: Callable[[str | None], Client],
    body: dict[str, object],
    loc: list[str],
    message: str | None,
) -> None:
    response = post_json(client_as("a1_officer"), "/api/v1/policy/plan", body)
    assert response.status_code == 422  # type: ignore[attr-defined]
    errors = {tuple(e["loc"]): e["msg"] for e in response.json()["detail"]}  # type: ignore[attr-defined]
    assert tuple(loc) in errors
    if message:
        assert errors[tuple(loc)] == message
    else:
        assert errors[tuple(loc)].startswith("应为日期时间")


@pytest.mark.django_db
def test_it_uses_the_park_parameter_for_z_5_2e(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    """Z-5.2e leaves the test certificate's hours to the locality; the park sets them."""
    body = {
        "pack": Z,
        "person": {"kind": "employee"},
        "arrived_at": "2022-11-20T08:00:00+08:00",
    }
    missing = post_json(client_as("a1_officer"), "/api/v1/policy/plan", body)
    PackAdoption.objects.create(
        jurisdiction=world.park_a,
        pack_id=Z,
        params={"entry_test_hours": 48},
        adopted_at=dt.datetime(2022, 11, 15, tzinfo=dt.UTC),
    )
    with_park = post_json(client_as("a1_officer"), "/api/v1/policy/plan", body)
    assert with_park.status_code == 200  # type: ignore[attr-defined]
    assert ["entry_test_hours", 48] in with_park.json()["plan"]["params"]  # type: ignore[attr-defined]
    assert ["entry_test_hours", 48] not in missing.json()["plan"]["params"]  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_it_lists_packs_and_explains_one(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    client = client_as("a2_officer")
    ids = {p["id"] for p in client.get("/api/v1/policy/packs").json()}
    assert {J, Z, "honglu-2021-10", "baotou-industry-2020-02", "liucheng-2022-36"} <= ids
    detail = client.get(f"/api/v1/policy/packs/{J}?on=2022-11-20").json()
    assert any("[J-1.2.2]" in line for line in detail["explanation"])
    assert client.get("/api/v1/policy/packs/nope").status_code == 404


@pytest.mark.django_db
def test_it_lets_a_park_admin_adopt_a_pack_with_parameters(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    client = client_as("park_a_admin")
    url = f"/park/{world.park_a.pk}/packs/"
    bad = client.post(url, {"pack_id": Z, "action": "adopt", f"{Z}-entry_test_hours": "0"})
    assert bad.status_code == 200
    assert not PackAdoption.objects.exists()
    good = client.post(
        url,
        {
            "pack_id": Z,
            "action": "adopt",
            f"{Z}-entry_test_hours": "48",
            f"{Z}-routine_test_interval_days": "7",
            f"{Z}-public_contact_test_interval_days": "3",
        },
    )
    assert good.status_code == 302
    adoption = PackAdoption.objects.get(jurisdiction=world.park_a, pack_id=Z)
    assert adoption.params["entry_test_hours"] == 48
    assert AuditEvent.objects.filter(action="pack_adopt", jurisdiction_id_ref=world.park_a.pk)


@pytest.mark.django_db
def test_it_refuses_adoption_to_an_officer_and_another_park(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    url = f"/park/{world.park_a.pk}/packs/"
    assert client_as("a1_officer").post(url, {"pack_id": J}).status_code == 404
    assert client_as("park_b_admin").post(url, {"pack_id": J}).status_code == 404
    assert not PackAdoption.objects.exists()


@pytest.mark.django_db
def test_it_flags_large_enterprises_only_under_a_pack_that_sets_the_size(world: World) -> None:
    """J-1.2.5 / J-2.1: the 200+ size comes from the J pack, not from code."""
    on = dt.date(2022, 11, 20)
    assert large_enterprise_headcount(park=world.park_a, on=on) is None
    PackAdoption.objects.create(
        jurisdiction=world.county, pack_id=J, adopted_at=dt.datetime(2022, 11, 15, tzinfo=dt.UTC)
    )
    assert large_enterprise_headcount(park=world.park_a, on=on) == 200


@pytest.mark.django_db
def test_it_previews_a_plan_on_the_page(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    response = client_as("park_a_admin").post(
        "/policy/preview/",
        {"pack": J, "kind": "visitor", "origin": "abroad", "arrived_at": "2022-11-20T10:00"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert "集中隔离" in page and "2022-11-28 00:00" in page and "J-1.2.2" in page
    missing = client_as("park_a_admin").post(
        "/policy/preview/", {"pack": J, "kind": "visitor", "origin": "abroad", "stay_risk": "high"}
    )
    errors = missing.context["form"].errors
    assert "arrived_at" in errors


def test_it_validates_lists_and_explains_from_the_command_line() -> None:
    out = StringIO()
    call_command("policy", "validate", stdout=out)
    assert "全部通过校验" in out.getvalue()
    out = StringIO()
    call_command("policy", "explain", "liucheng-2022-36", "--on", "2022-10-01", stdout=out)
    assert "[L-3.0]" in out.getvalue() and "30分钟" in out.getvalue()
    with pytest.raises(CommandError, match="没有这个规则包"):
        call_command("policy", "explain", "nope")


def test_it_plans_from_a_facts_file(tmp_path: object) -> None:
    from pathlib import Path

    facts = Path(str(tmp_path)) / "facts.json"
    facts.write_text(json.dumps({k: v for k, v in ABROAD.items() if k != "pack"}), "utf-8")
    out = StringIO()
    call_command("policy", "plan", "--pack", J, "--facts", str(facts), stdout=out)
    assert json.loads(out.getvalue())["plan"]["earliest_entry"] == "2022-11-28T00:00:00+08:00"
    facts.write_text(json.dumps({"person": {"kind": "x"}}), "utf-8")
    with pytest.raises(CommandError, match="arrived_at: 必填项"):
        call_command("policy", "plan", "--pack", J, "--facts", str(facts))


@pytest.mark.django_db
def test_it_drops_nothing_it_does_not_follow_and_refuses_unknown_packs(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    client = client_as("park_a_admin")
    url = f"/park/{world.park_a.pk}/packs/"
    dropped = client.post(url, {"pack_id": "baotou-industry-2020-02", "action": "drop"})
    assert dropped.status_code == 302
    assert not PackAdoption.objects.exists()
    assert client.post(url, {"pack_id": "nope", "action": "adopt"}).status_code == 404
    assert not AuditEvent.objects.filter(action="pack_adopt").exists()


@pytest.mark.django_db
def test_it_reads_a_size_the_pack_leaves_to_the_park(
    world: World, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """J-1.2.5 / J-2.1: a pack may leave the large size to the park; the park's value decides."""
    from pathlib import Path

    from parkguard.policy import DEFAULT_PACKS_DIR, load_registry
    from parkguard.rules import params as params_module
    from parkguard.rules.selectors import Followed

    text = (
        (DEFAULT_PACKS_DIR / "jinjiang-xiyuan-2022-81.v2.yaml")
        .read_text("utf-8")
        .replace("id: jinjiang-xiyuan-2022-81", "id: sized-by-park", 1)
        .replace("status: published", "status: draft", 1)
        .replace(
            "parameters:\n",
            "parameters:\n  large_size:\n    type: integer\n    minimum: 1\n"
            "    description: 大型企业人数\n    clause: 测试\n",
            1,
        )
        .replace("headcount_at_least: 200\n", "headcount_at_least: {param: large_size}\n", 1)
    )
    folder = Path(str(tmp_path))
    (folder / "sized-by-park.v2.yaml").write_text(text, "utf-8")
    pack = load_registry(folder).versions("sized-by-park")[-1]
    adoption = PackAdoption(jurisdiction=world.park_a, pack_id=pack.id, params={"large_size": 150})
    monkeypatch.setattr(
        params_module, "followed", lambda **_: [Followed(adoption=adoption, pack=pack)]
    )
    large = params_module.large_enterprise(park=world.park_a, on=dt.date(2022, 11, 20))
    assert large.threshold == 150
    assert large.includes(150) and not large.includes(149)
    assert large.label == "200人以上企业"  # the declared label; the pack's own wording


@pytest.mark.django_db
def test_a_date_time_without_an_offset_is_read_in_the_parks_time_zone(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    """Naive and aware times in one body were compared by the engine, a 500 (issue 18):
    a time without an offset is the park's local time, so both bodies give one plan."""
    naive = {
        **ABROAD,
        "arrived_at": "2022-11-20T10:00:00",
        "records": {"tests": [{"sampled_at": "2022-11-21T09:00:00", "result": "negative"}]},
        "at": "2022-11-23T12:00:00+08:00",
    }
    aware = {
        **naive,
        "arrived_at": "2022-11-20T10:00:00+08:00",
        "records": {"tests": [{"sampled_at": "2022-11-21T09:00:00+08:00", "result": "negative"}]},
    }
    client = client_as("a1_officer")
    answers = [post_json(client, "/api/v1/policy/plan", body) for body in (naive, aware)]
    assert [a.status_code for a in answers] == [200, 200]  # type: ignore[attr-defined]
    assert answers[0].json() == answers[1].json()  # type: ignore[attr-defined]
    assert answers[0].json()["plan"]["arrived_at"] == "2022-11-20T10:00:00+08:00"  # type: ignore[attr-defined]
