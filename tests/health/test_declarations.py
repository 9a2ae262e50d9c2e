"""Daily health declarations (Z-5.2c, J-1.5b) judged against the pack in force (Z-4.2,
H-4.2, H-4.5): one per person per day, alerts and holds with citations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from parkguard.health import services
from parkguard.health.choices import AlertKind
from parkguard.health.models import Alert, Declaration
from parkguard.health.rules import health_rules
from parkguard.health.selectors import declaration_before
from parkguard.orgs.access import scope_for_user
from parkguard.rules.models import PackAdoption
from parkguard.status.models import PersonStatus, StatusHold
from parkguard.status.services import status_rebuild
from tests.factories import World, make_person, make_user
from tests.health.conftest import AT, ON


def _declare(world: World, person=None, user="a1_employee", at=AT, **answers):
    person = person or world.a1_employee_person
    fields: dict[str, Any] = {
        "temperature": "36.5",
        "symptoms": [],
        "case_contact": False,
        "household_travel": False,
        "household_travel_note": "",
        "code_colour": "green",
    }
    fields.update(answers)
    return services.declaration_submit(
        scope=scope_for_user(world.users[user]),
        person=person,
        at=at,
        by=world.users[user],
        **fields,
    )


def _messages(caught: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return caught.value.message_dict


def test_z_4_2_the_symptom_list_and_threshold_come_from_the_pack(health_world: World) -> None:
    """Z-4.2: park A follows notice Z: fever, dry cough, fatigue; fever from 37.3 ℃ (v2)."""
    rules = health_rules(park=health_world.park_a, on=ON)
    assert rules.symptoms == ("发热", "干咳", "乏力")
    assert rules.fever_from_c == Decimal("37.3")
    assert rules.fever_rule is not None
    assert rules.fever_rule.citation.requirement == "Z-4.2"
    assert rules.fever_rule.citation.version == 2
    # Notice Z sets no number of checks a day.
    assert rules.checks_per_day is None


def test_h_4_2_and_h_4_5_symptoms_are_offered_in_park_b(health_world: World) -> None:
    """H-4.2 (fever, dry cough, sore throat) and H-4.5 (loss of smell/taste, diarrhoea) join
    notice B's list (fever, cough) for a park that follows both."""
    rules = health_rules(park=health_world.park_b, on=ON)
    assert rules.symptoms == ("发热", "咳嗽", "干咳", "咽痛", "嗅（味）觉减退", "腹泻")
    assert [r.citation.requirement for r in rules.lists] == ["B-2.3", "H-4.2", "H-4.5"]


def test_h_4_5_a_declared_diarrhoea_opens_an_alert_citing_h_4_5(health_world: World) -> None:
    b1 = health_world.b1_person
    user = make_user("b1_self")
    from parkguard.orgs.choices import Role
    from parkguard.orgs.models import Membership

    Membership.objects.create(user=user, role=Role.EMPLOYEE, enterprise=health_world.b1, person=b1)
    health_world.users["b1_self"] = user
    _, alert = _declare(health_world, person=b1, user="b1_self", symptoms=["腹泻"])
    assert alert is not None
    alert.refresh_from_db()
    assert alert.kind == AlertKind.SYMPTOM
    assert alert.citation["requirement"] == "H-4.5"
    assert alert.reason == "申报症状：腹泻"
    status = PersonStatus.objects.get(pk=b1.pk)
    assert status.on_hold is True
    assert status.holds[0]["kind"] == "symptom"
    assert status.holds[0]["citation"]["requirement"] == "H-4.5"


def test_z_5_2c_a_declaration_is_stored_and_status_follows(health_world: World) -> None:
    """Z-5.2c: the daily declaration; J-1.5b: household members' trips are part of it."""
    declaration, alert = _declare(
        health_world,
        temperature="36.6",
        household_travel=True,
        household_travel_note="爱人 11月14日 去重庆主城，11月15日返回",
        code_colour="green",
    )
    assert alert is None
    declaration.refresh_from_db()
    assert declaration.on == ON
    assert declaration.temperature == Decimal("36.6")
    assert declaration.household_travel_note == "爱人 11月14日 去重庆主城，11月15日返回"
    assert declaration.rules["fever_from_c"] == "37.3"
    status = PersonStatus.objects.get(pk=health_world.a1_employee_person.pk)
    assert status.declared_on == ON
    assert status.on_hold is False
    assert status_rebuild(at=AT, write=False).differing_people == 0


def test_z_5_2c_a_second_declaration_the_same_day_is_refused(health_world: World) -> None:
    first, _ = _declare(health_world, temperature="36.4")
    with pytest.raises(ValidationError) as caught:
        _declare(health_world, temperature="38.0", at=AT + dt.timedelta(hours=3))
    assert _messages(caught) == {"__all__": [services.DECLARATION_TWICE]}
    first.refresh_from_db()
    assert first.temperature == Decimal("36.4")
    assert Declaration.objects.count() == 1
    assert not Alert.objects.exists()


def test_the_next_day_is_a_new_declaration_prefilled_from_yesterday(health_world: World) -> None:
    first, _ = _declare(health_world, temperature="36.4", code_colour="yellow")
    tomorrow = AT + dt.timedelta(days=1)
    assert declaration_before(person=health_world.a1_employee_person, on=tomorrow.date()) == first
    second, _ = _declare(health_world, at=tomorrow)
    assert second.on == ON + dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("temperature", "kind"),
    [("37.2", None), ("37.3", AlertKind.FEVER), ("38.1", AlertKind.FEVER)],
)
def test_z_4_2_fever_at_or_over_the_pack_threshold_opens_an_alert_and_hold(
    health_world: World, temperature: str, kind: str | None
) -> None:
    _, alert = _declare(health_world, temperature=temperature)
    status = PersonStatus.objects.get(pk=health_world.a1_employee_person.pk)
    if kind is None:
        assert alert is None
        assert status.on_hold is False
        return
    assert alert is not None
    alert.refresh_from_db()
    assert alert.kind == kind
    assert alert.temperature == Decimal(temperature)
    assert alert.reason == f"体温 {temperature} ℃（≥37.3 ℃）"
    assert alert.citation["document_number"] == "正阳园区管委发〔2022〕20号"
    assert alert.citation["requirement"] == "Z-4.2"
    assert alert.action == "第一时间向园区疫情防控工作领导小组、街道社区报告"
    hold = StatusHold.objects.get(person=health_world.a1_employee_person)
    assert hold.kind == "fever"
    assert hold.source == f"health.alert:{alert.pk}"
    assert status.on_hold is True


def test_the_park_s_own_threshold_applies(health_world: World) -> None:
    PackAdoption.objects.filter(jurisdiction=health_world.park_a).update(
        params={"fever_threshold_c": 37.5}
    )
    _, alert = _declare(health_world, temperature="37.4")
    assert alert is None


def test_z_4_2_a_listed_symptom_opens_an_alert_at_normal_temperature(health_world: World) -> None:
    _, alert = _declare(health_world, symptoms=["乏力", "干咳"])
    assert alert is not None
    assert alert.kind == AlertKind.SYMPTOM
    # Stored in the pack's order.
    assert alert.symptoms == ["干咳", "乏力"]
    assert alert.citation["requirement"] == "Z-4.2"


@pytest.mark.parametrize(
    ("temperature", "message"),
    [
        ("25", "体温 25.0 ℃ 不在合理范围（34.0–42.0 ℃）内，请复测后重新填写"),
        ("45", "体温 45.0 ℃ 不在合理范围（34.0–42.0 ℃）内，请复测后重新填写"),
        ("abc", services.TEMPERATURE_NOT_NUMBER),
        ("", services.TEMPERATURE_REQUIRED),
        ("nan", services.TEMPERATURE_NOT_NUMBER),
    ],
)
def test_an_implausible_temperature_gets_a_field_error_and_writes_nothing(
    health_world: World, temperature: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        _declare(health_world, temperature=temperature)
    assert _messages(caught) == {"temperature": [message]}
    assert not Declaration.objects.exists()
    assert not PersonStatus.objects.exists()


def test_bad_answers_each_get_their_own_message(health_world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        _declare(health_world, symptoms=["咽痛"], code_colour="", household_travel=True)
    assert _messages(caught) == {
        # 咽痛 is notice H's, not notice Z's: park A does not list it.
        "symptoms": [services.SYMPTOM_UNKNOWN.format(names="咽痛")],
        "code_colour": [services.CODE_COLOUR_REQUIRED],
        "household_travel_note": [services.TRAVEL_NOTE_REQUIRED],
    }
    assert not Declaration.objects.exists()


@pytest.mark.parametrize("user", ["a1_officer", "a1_leader", "a2_officer", "park_a_admin"])
def test_only_the_person_themself_declares(health_world: World, user: str) -> None:
    with pytest.raises(PermissionDenied):
        _declare(health_world, user=user)
    assert not Declaration.objects.exists()


def test_an_employee_cannot_declare_for_a_colleague(health_world: World) -> None:
    colleague = make_person(health_world.a1, "甲一同事", 150)
    with pytest.raises(PermissionDenied):
        _declare(health_world, person=colleague)
    assert not Declaration.objects.filter(person=colleague).exists()


def test_z_4_2_an_alert_reaches_the_officers_inbox_at_once(health_world: World) -> None:
    """Z-4.2 "report at once": A1's officer finds the alert in their inbox; the employee and
    another enterprise's officer do not."""
    from parkguard.notify.models import Message

    _, alert = _declare(health_world, temperature="38.2")
    assert alert is not None
    (message,) = Message.objects.filter(user=health_world.users["a1_officer"])
    assert message.title == f"健康异常：{health_world.a1_employee_person.name}"
    assert message.body == alert.reason
    assert not Message.objects.filter(
        user__in=[health_world.users["a1_employee"], health_world.users["a2_officer"]]
    ).exists()
