"""Editing the risk-area register (issue 12 §1 "Park staff edit it or import it, with
history"): the park ends an entry early or changes its level with a reason, through the page
or the API; the entry's history says who, when, what and why; a bad edit changes nothing;
outsiders (another park's admin and cadre, an enterprise's officer, anonymous) neither read
nor change an entry."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from parkguard.audit.models import AuditEvent
from parkguard.lib.api_errors import NULL_REFUSED
from parkguard.mobility import services
from parkguard.mobility.models import RiskArea
from parkguard.mobility.services import (
    DATES_REVERSED,
    EDIT_REASON_REQUIRED,
    EDIT_UNCHANGED,
    SOURCE_REQUIRED,
    RiskAreaIn,
)
from parkguard.orgs.access import SYSTEM
from parkguard.orgs.choices import Role
from parkguard.orgs.models import Membership
from tests.factories import World, make_user
from tests.mobility.conftest import WUHAN_JIANGAN, at
from tests.mobility.journeys import VIAS, ClientAs, Clock, errors_of

pytestmark = pytest.mark.django_db
FIELDS = ("division_code", "place", "level", "effective_from", "effective_to", "source")


def _entry(world: World) -> RiskArea:
    return services.risk_area_save(
        scope=SYSTEM,
        park=world.park_a,
        row=RiskAreaIn(WUHAN_JIANGAN, "某街道", "high", dt.date(2022, 11, 1), None, "市指挥部公告"),
        by=None,
        at=at("2022-11-10"),
    )


def _values(area: RiskArea) -> dict[str, Any]:
    area.refresh_from_db()
    return {f: getattr(area, f) for f in FIELDS}


def _page(area: RiskArea) -> str:
    return f"/mobility/risk-areas/{area.pk}/"


def _api(area: RiskArea) -> str:
    return f"/api/v1/mobility/risk-areas/{area.pk}"


def _edit(via: str, client: Client, area: RiskArea, **changes: Any) -> Any:
    """The park's change of one entry: through the API only the fields given; through the page
    the form as shown (current values) with `changes` typed over it."""
    if via == "api":
        return client.patch(_api(area), json.dumps(changes), content_type="application/json")
    form = {
        "level": "高风险",
        "place": area.place,
        "effective_from": area.effective_from.isoformat(),
        "effective_to": area.effective_to.isoformat() if area.effective_to else "",
        "source": area.source,
        "reason": "",
    }
    form.update({k: "" if v is None else v for k, v in changes.items()})
    return client.post(_page(area), form)


@pytest.mark.parametrize("via", VIAS)
def test_it_ends_an_entry_early_with_a_reason_and_shows_who_when_what_why(
    via: str, jinjiang: World, client_as: ClientAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = jinjiang
    area = _entry(world)
    Clock(monkeypatch, at("2022-11-16", "10:30"))
    admin = world.users["park_a_admin"]
    admin.first_name = "王园区"
    admin.save(update_fields=["first_name"])
    client = client_as("park_a_admin")
    response = _edit(via, client, area, effective_to="2022-11-16", reason="市指挥部解除公告")
    assert response.status_code == (200 if via == "api" else 302), response.content
    assert _values(area) == {
        "division_code": WUHAN_JIANGAN,
        "place": "某街道",
        "level": "high",
        "effective_from": dt.date(2022, 11, 1),
        "effective_to": dt.date(2022, 11, 16),
        "source": "市指挥部公告",
    }
    # The previous version is kept, with who, when and why.
    old, new = area.history.order_by("history_date", "history_id")
    assert old.effective_to is None and new.effective_to == dt.date(2022, 11, 16)
    assert new.history_user == admin and new.history_change_reason == "市指挥部解除公告"
    assert new.history_date == at("2022-11-16", "10:30")
    event = AuditEvent.objects.get(action="mobility.risk_area_edit")
    assert event.reason == "市指挥部解除公告"
    assert event.detail["changed"] == {"effective_to": [None, "2022-11-16"]}
    if via == "api":
        body = response.json()
        assert body["effective_to"] == "2022-11-16"
        latest = body["history"][0]
        assert latest["kind"] == "修改" and latest["by"] == "王园区"
        assert latest["reason"] == "市指挥部解除公告"
        assert dt.datetime.fromisoformat(latest["at"]) == at("2022-11-16", "10:30")
        assert latest["changes"] == [{"field": "截止日期", "before": "今", "after": "2022-11-16"}]
        assert body["history"][1]["kind"] == "登记"
    else:
        # Back on the register: the message, and that plans follow only once previewed.
        register = client.get(response["Location"]).content.decode()
        assert "已修改。" in register
        assert f"/mobility/parks/{world.park_a.pk}/impact/?for=risk_areas" in register
        assert "2022-11-01 至 2022-11-16" in register
        assert f'href="{_page(area)}"' in register
    history = client.get(_page(area)).content.decode()
    section = history.split('id="risk-history"')[1]
    assert "2022-11-16 10:30" in section and "王园区" in section and "修改" in section
    assert "截止日期：今 → 2022-11-16" in section and "市指挥部解除公告" in section
    assert section.index("市指挥部解除公告") < section.index("登记")  # newest first


@pytest.mark.parametrize("via", VIAS)
def test_a_park_cadre_changes_the_level_as_they_may_add(
    via: str, jinjiang: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Who may add may edit (`manage_risk_areas`): a cadre of the park too. The level is typed
    as the page shows it (中风险) and kept in the pack's word."""
    world = jinjiang
    area = _entry(world)
    Clock(monkeypatch, at("2022-11-16"))
    cadre = make_user("cadre_a")
    Membership.objects.create(user=cadre, role=Role.PARK_CADRE, jurisdiction=world.park_a)
    client = Client()
    client.force_login(cadre)
    response = _edit(via, client, area, level="中风险", reason="降为中风险")
    assert response.status_code in {200, 302}, response.content
    assert _values(area)["level"] == "medium"
    page = client.get(_page(area)).content.decode()
    assert "风险等级：高风险 → 中风险" in page and "降为中风险" in page
    # A cadre may not preview: the page says the admin confirms, without a link they can't use.
    assert "/impact/" not in page and "须由园区管理员预览" in page


BAD_EDITS: list[tuple[dict[str, Any], str]] = [
    ({"effective_to": "2022-11-16"}, EDIT_REASON_REQUIRED),
    ({"effective_to": "2022-11-16", "reason": "   "}, EDIT_REASON_REQUIRED),
    ({"effective_to": "2022-10-01", "reason": "提前结束"}, DATES_REVERSED),
    ({"source": " ", "reason": "改来源"}, SOURCE_REQUIRED),
    ({"reason": "什么也没改"}, EDIT_UNCHANGED),
]


@pytest.mark.parametrize("via", VIAS)
@pytest.mark.parametrize(("changes", "message"), BAD_EDITS)
def test_a_bad_edit_leaves_the_old_values(
    via: str,
    changes: dict[str, Any],
    message: str,
    jinjiang: World,
    client_as: ClientAs,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = jinjiang
    area = _entry(world)
    before = _values(area)
    Clock(monkeypatch, at("2022-11-16"))
    response = _edit(via, client_as("park_a_admin"), area, **changes)
    assert errors_of(via, response) == [message]
    assert _values(area) == before
    assert area.history.count() == 1
    assert not AuditEvent.objects.filter(action="mobility.risk_area_edit").exists()


@pytest.mark.parametrize("via", VIAS)
def test_an_unknown_level_is_refused_with_the_parks_words(
    via: str, jinjiang: World, client_as: ClientAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = jinjiang
    area = _entry(world)
    before = _values(area)
    Clock(monkeypatch, at("2022-11-16"))
    response = _edit(via, client_as("park_a_admin"), area, level="很危险", reason="改等级")
    [error] = errors_of(via, response)
    assert error.startswith("风险等级不在本园区采用的规则包的用语中") and "高风险" in error
    assert _values(area) == before and area.history.count() == 1


def test_the_api_refuses_a_null_where_a_value_must_stay(
    jinjiang: World, client_as: ClientAs
) -> None:
    area = _entry(jinjiang)
    before = _values(area)
    response = _edit("api", client_as("park_a_admin"), area, effective_from=None, reason="清空")
    assert errors_of("api", response) == [NULL_REFUSED]
    assert _values(area) == before and area.history.count() == 1


def test_outsiders_neither_read_nor_change_an_entry(jinjiang: World, client_as: ClientAs) -> None:
    """Another park's admin, a cadre of another park, an enterprise's officer (of the park's
    own enterprise), A1's employee and anonymous: the page and the API refuse, and the entry,
    its history and the audit log are as they were."""
    world = jinjiang
    area = _entry(world)
    before = _values(area)
    cadre_b = make_user("cadre_b")
    Membership.objects.create(user=cadre_b, role=Role.PARK_CADRE, jurisdiction=world.park_b)
    world.users["cadre_b"] = cadre_b
    change = {"effective_to": "2022-11-16", "level": "低风险", "reason": "越权提前结束"}
    failures = []
    for persona in [None, "park_b_admin", "cadre_b", "a1_officer", "a2_officer", "a1_employee"]:
        client = client_as(persona)
        who = persona or "anonymous"
        for url in (_page(area), _api(area)):
            read = client.get(url)
            anonymous_page = persona is None and not url.startswith("/api/")
            if anonymous_page:
                refused = read.status_code == 302 and "/login" in read["Location"]
            else:
                refused = read.status_code in {401, 403, 404}
            if not refused or "市指挥部公告" in read.content.decode():
                failures.append(f"{who} GET {url}: {read.status_code}")
        for via in VIAS:
            wrote = _edit(via, client, area, **change)
            if wrote.status_code not in {302, 401, 403, 404} or (
                wrote.status_code == 302 and "/login" not in wrote["Location"]
            ):
                failures.append(f"{who} {via} edit: {wrote.status_code}")
    assert failures == []
    assert _values(area) == before and area.history.count() == 1
    assert not AuditEvent.objects.filter(action="mobility.risk_area_edit").exists()
    # Not vacuous: park A's admin, with the same change, makes it.
    assert _edit("api", client_as("park_a_admin"), area, **change).status_code == 200
    assert _values(area)["effective_to"] == dt.date(2022, 11, 16)
