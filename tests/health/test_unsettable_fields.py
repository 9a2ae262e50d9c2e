"""Fields a caller may not set are ignored (issue 18, Tests): a declaration names its person,
day and author from the session, never from the body. Another person's id, another day, an
id, an author or an alert sent along change nothing but the caller's own declaration."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from parkguard.health.models import Alert, Declaration
from tests.factories import World

BODY = {"temperature": "36.5", "symptoms": [], "code_colour": "green"}


@pytest.mark.django_db
def test_a_declaration_ignores_person_day_id_and_author_in_its_body(
    health_world: World, client_as: Callable[[str | None], Client]
) -> None:
    other = health_world.a1_person
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    forged = {
        **BODY,
        "person_id": other.pk,
        "person": other.pk,
        "on": yesterday.isoformat(),
        "id": 999,
        "by": health_world.users["a1_officer"].pk,
        "alert": None,
        "enterprise_id": health_world.b1.pk,
    }
    response = client_as("a1_employee").post(
        "/api/v1/health/declarations", json.dumps(forged), content_type="application/json"
    )
    assert response.status_code == 201
    [declaration] = Declaration.objects.all()
    assert declaration.person == health_world.a1_employee_person
    assert declaration.on == timezone.localdate()
    assert declaration.pk != 999 or Declaration.objects.count() == 1
    assert not Declaration.objects.filter(person=other).exists()
    assert not Alert.objects.exists()


@pytest.mark.django_db
def test_the_page_form_ignores_them_too(
    health_world: World, client_as: Callable[[str | None], Client]
) -> None:
    other = health_world.a1_person
    response = client_as("a1_employee").post(
        "/health/declare/",
        {**BODY, "person": other.pk, "person_id": other.pk, "on": "2022-11-01"},
    )
    assert response.status_code == 302
    [declaration] = Declaration.objects.all()
    assert declaration.person == health_world.a1_employee_person
    assert declaration.on == timezone.localdate()
