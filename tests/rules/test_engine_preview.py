"""The preview page covers arrivals, events, schedules and deadlines, with a form generated
from the facts the pack declares (issue 10 §2)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.factories import World

X = "example-quyu-2022-1"


@pytest.mark.django_db
def test_the_arrival_form_offers_the_packs_own_facts_and_risk_words(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    page = client_as("park_a_admin").get(f"/policy/preview/?pack={X}")
    form = page.context["form"]
    assert {"fact_post_group", "fact_health_code", "fact_new_hire", "efact_industry"} <= set(
        form.fields
    )
    assert [c[0] for c in form.fields["stay_risk"].choices] == ["", "防范区", "管控区", "封控区"]
    assert form.fields["fact_health_code"].label == "健康码颜色"


@pytest.mark.django_db
def test_the_arrival_preview_uses_declared_facts_and_anchors(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    response = client_as("park_a_admin").post(
        "/policy/preview/",
        {
            "pack": X,
            "kind": "employee",
            "origin": "local",
            "arrived_at": "2022-12-10T15:00",
            "fact_new_hire": "on",
            "work_start_at": "2022-12-12T08:00",
        },
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert "持上岗前48小时内核酸检测阴性证明" in page and "X-2.2" in page
    assert "12-10 08:00 起，12-12 08:00 前" in page


@pytest.mark.django_db
def test_the_preview_of_a_conditional_phase(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    response = client_as("park_a_admin").post(
        "/policy/preview/",
        {
            "pack": X,
            "kind": "employee",
            "origin": "local",
            "arrived_at": "2022-12-10T15:00",
            "symptoms": "发热",
            "symptom_onset_at": "2022-12-11T07:00",
        },
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert "满足条件为止" in page and "症状消失满3天且第1天起抗原检测阴性" in page
    assert "待满足阶段结束条件" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mode", "data", "expected"),
    [
        (
            "route",
            {
                "pack": "honglu-2021-10",
                "event_kind": "gathering",
                "starts_at": "2021-03-01T09:00",
                "event_headcount": "120",
                "participants_origin": "local",
            },
            "活动防控方案",
        ),
        (
            "schedule",
            {
                "pack": X,
                "start": "2022-12-12",
                "end": "2022-12-13",
                "headcount": "300",
                "area_risk": "管控区",
            },
            "全体员工（企业所在区域受管控）",
        ),
        (
            "deadlines",
            {"pack": "liucheng-2022-36", "deadline_kind": "lockdown", "at": "2022-09-10T08:00"},
            "L-3.0",
        ),
    ],
)
def test_events_schedules_and_deadlines_preview(
    world: World, client_as: Callable[[str | None], Client], mode: str, data: dict, expected: str
) -> None:
    response = client_as("park_a_admin").post(
        f"/policy/preview/{mode}/", data, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert expected in response.content.decode()


@pytest.mark.django_db
def test_the_schedule_preview_skips_a_rule_whose_enterprise_condition_fails(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    data = {"pack": X, "start": "2022-12-12", "end": "2022-12-13", "headcount": "300"}
    page = client_as("park_a_admin").post("/policy/preview/schedule/", data, HTTP_HX_REQUEST="true")
    text = page.content.decode()
    assert "一般员工" in text and "500人以上企业" not in text


@pytest.mark.django_db
def test_bad_preview_input_is_a_field_error(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    data = {"pack": X, "start": "2022-12-13", "end": "2022-12-12"}
    response = client_as("park_a_admin").post("/policy/preview/schedule/", data)
    assert response.context["form"].errors["end"] == ["结束日期早于起始日期"]
    assert client_as("park_a_admin").get("/policy/preview/nothing/").status_code == 404


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_login(client: Client) -> None:
    for mode in ("route", "schedule", "deadlines"):
        assert client.get(f"/policy/preview/{mode}/").status_code == 302
