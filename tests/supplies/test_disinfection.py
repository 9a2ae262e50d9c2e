"""Disinfection (B-2.5, L-3.3, H-4.1, Z-5.1b): the day's tasks come from the pack's schedule per
area kind (six places, before and after work, key areas several times); the assigned person
marks them done with an optional photo; missed tasks are listed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parkguard.orgs.access import SYSTEM, scope_for_user
from parkguard.orgs.choices import Role
from parkguard.orgs.models import Membership
from parkguard.supplies import services
from parkguard.supplies.models import DisinfectionArea, DisinfectionTask
from parkguard.supplies.rules import disinfection_places
from tests.factories import World
from tests.supplies.conftest import AT, ON

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _areas(world: World) -> tuple[DisinfectionArea, DisinfectionArea]:
    workshop = services.disinfection_area_create(
        scope=SYSTEM, enterprise=world.a1, name="一号车间", kind="车间工作区", key_area=True,
        rounds=3, assignee=world.users["a1_employee"], on=ON,
    )  # fmt: skip
    office = services.disinfection_area_create(
        scope=SYSTEM, enterprise=world.a1, name="行政楼办公室", kind="办公室", key_area=False,
        rounds=1, assignee=world.users["a1_guard"], on=ON,
    )  # fmt: skip
    return workshop, office


def test_it_offers_the_six_places_of_b25(supplies_world: World) -> None:
    places = disinfection_places(park=supplies_world.park_a, on=ON)
    assert places == ["车间工作区", "办公室", "宿舍区", "餐厅食堂", "隔离场所", "通勤车辆"]


def test_it_generates_before_and_after_work_and_key_areas_several_times_b25(
    supplies_world: World,
) -> None:
    _, office = _areas(supplies_world)
    made = services.disinfection_day_generate(scope=SYSTEM, enterprise=supplies_world.a1, on=ON)
    # The key workshop: 2 slots × 3 rounds; the office: 2 slots × 1.
    assert made == 8
    rows = set(DisinfectionTask.objects.values_list("area__name", "slot", "round"))
    assert ("一号车间", "上班前", 3) in rows and ("行政楼办公室", "下班后", 1) in rows
    task = DisinfectionTask.objects.filter(area=office).first()
    assert task is not None and task.citation["requirement"] == "B-2.5"
    assert task.assignee == supplies_world.users["a1_guard"]
    # Idempotent: a second run adds nothing.
    assert (
        services.disinfection_day_generate(scope=SYSTEM, enterprise=supplies_world.a1, on=ON) == 0
    )


def test_it_refuses_bad_areas(supplies_world: World) -> None:
    officer = scope_for_user(supplies_world.users["a1_officer"])
    with pytest.raises(ValidationError) as caught:
        services.disinfection_area_create(
            scope=officer, enterprise=supplies_world.a1, name="", kind="机房", key_area=True,
            rounds="1", assignee=supplies_world.users["a2_officer"], on=ON,
        )  # fmt: skip
    places = "、".join(disinfection_places(park=supplies_world.park_a, on=ON))
    assert caught.value.message_dict == {
        "name": [services.AREA_NAME_REQUIRED],
        "kind": [services.AREA_KIND_UNKNOWN.format(places=places)],
        "rounds": [services.KEY_AREA_ROUNDS],
        "assignee": [services.ASSIGNEE_FOREIGN],
    }
    assert not DisinfectionArea.objects.exists()


def test_it_refuses_areas_where_no_pack_schedules_disinfection(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        services.disinfection_area_create(
            scope=SYSTEM, enterprise=world.a1, name="一号车间", kind="车间工作区",
            key_area=False, rounds=1, assignee=None, on=ON,
        )  # fmt: skip
    assert caught.value.message_dict == {"kind": [services.AREA_NO_SCHEDULE]}


def test_the_assigned_person_marks_a_task_done_with_a_photo(supplies_world: World) -> None:
    _areas(supplies_world)
    services.disinfection_day_generate(scope=SYSTEM, enterprise=supplies_world.a1, on=ON)
    employee = supplies_world.users["a1_employee"]
    task = DisinfectionTask.objects.filter(assignee=employee).first()
    assert task is not None
    services.disinfection_task_complete(
        scope=scope_for_user(employee), enterprise=supplies_world.a1, task=task, photo=PNG,
        at=AT, by=employee,
    )  # fmt: skip
    task.refresh_from_db()
    assert task.done_at == AT and task.done_by == employee and task.photo_type == "image/png"
    # Someone else's task: the guard may not mark the employee's.
    other = DisinfectionTask.objects.filter(assignee=employee, done_at__isnull=True).first()
    assert other is not None
    with pytest.raises(PermissionDenied):
        services.disinfection_task_complete(
            scope=scope_for_user(supplies_world.users["a1_guard"]), enterprise=supplies_world.a1,
            task=other, at=AT, by=None,
        )  # fmt: skip
    other.refresh_from_db()
    assert other.done_at is None


def test_it_refuses_bad_completions_and_changes_nothing(supplies_world: World) -> None:
    _areas(supplies_world)
    services.disinfection_day_generate(scope=SYSTEM, enterprise=supplies_world.a1, on=ON)
    officer = scope_for_user(supplies_world.users["a1_officer"])
    task = DisinfectionTask.objects.first()
    assert task is not None
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"photo": b"GIF89a" + b"\x00" * 16}, "photo", services.PHOTO_TYPE),
        ({"photo": PNG + b"\x00" * (2 * 1024 * 1024)}, "photo",
         services.PHOTO_TOO_LARGE.format(limit=2048)),
        ({"at": AT - dt.timedelta(days=1)}, "task", services.TASK_NOT_YET),
    ]  # fmt: skip
    for extra, field, message in cases:
        kwargs: dict[str, Any] = {
            "scope": officer,
            "enterprise": supplies_world.a1,
            "task": task,
            "at": AT,
            "by": None,
            **extra,
        }
        with pytest.raises(ValidationError) as caught:
            services.disinfection_task_complete(**kwargs)
        assert caught.value.message_dict[field] == [message]
        task.refresh_from_db()
        assert task.done_at is None and task.photo is None
    services.disinfection_task_complete(
        scope=officer, enterprise=supplies_world.a1, task=task, at=AT, by=None
    )
    with pytest.raises(ValidationError) as caught:
        services.disinfection_task_complete(
            scope=officer, enterprise=supplies_world.a1, task=task, at=AT, by=None
        )
    task.refresh_from_db()
    assert caught.value.message_dict["task"] == [services.TASK_DONE_ALREADY.format(at=task.done_at)]


def test_it_refuses_a_task_of_another_enterprises_area(
    supplies_world: World, client_as: Callable[[str | None], Client]
) -> None:
    """An officer of both A1 and A2 marks, on A1's checklist, a task of A2's area: refused."""
    services.disinfection_area_create(
        scope=SYSTEM, enterprise=supplies_world.a2, name="甲二食堂", kind="餐厅食堂",
        key_area=False, rounds=1, assignee=None, on=ON,
    )  # fmt: skip
    services.disinfection_day_generate(scope=SYSTEM, enterprise=supplies_world.a2, on=ON)
    task = DisinfectionTask.objects.get(area__name="甲二食堂", slot="上班前")
    Membership.objects.create(
        user=supplies_world.users["a1_officer"], role=Role.EPIDEMIC_OFFICER,
        enterprise=supplies_world.a2,
    )  # fmt: skip
    officer = scope_for_user(supplies_world.users["a1_officer"])
    with pytest.raises(ValidationError) as caught:
        services.disinfection_task_complete(
            scope=officer, enterprise=supplies_world.a1, task=task, at=AT, by=None
        )
    assert caught.value.message_dict == {"task": [services.TASK_OTHER_ENTERPRISE]}
    response = client_as("a1_officer").post(
        f"/api/v1/supplies/enterprises/{supplies_world.a1.pk}/disinfection/done",
        {"task_id": task.pk},
        "application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == services.TASK_OTHER_ENTERPRISE
    task.refresh_from_db()
    assert task.done_at is None


def test_it_lists_missed_tasks(
    supplies_world: World, client_as: Callable[[str | None], Client]
) -> None:
    from django.utils import timezone

    from parkguard.supplies.selectors import disinfection_missed

    _areas(supplies_world)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    services.disinfection_day_generate(scope=SYSTEM, enterprise=supplies_world.a1, on=yesterday)
    officer = scope_for_user(supplies_world.users["a1_officer"])
    missed = disinfection_missed(
        scope=officer, enterprise=supplies_world.a1, before=timezone.localdate()
    )
    assert missed.count() == 8
    page = client_as("a1_officer").get(
        f"/supplies/enterprises/{supplies_world.a1.pk}/disinfection/"
    )
    assert page.status_code == 200 and "漏做的消杀" in page.content.decode()
    assert page.content.decode().count("一号车间") >= 6


def test_the_phone_pages_mark_a_task_done_with_a_photo(
    supplies_world: World, client_as: Callable[[str | None], Client]
) -> None:
    from django.utils import timezone

    _areas(supplies_world)
    services.disinfection_day_generate(
        scope=SYSTEM, enterprise=supplies_world.a1, on=timezone.localdate()
    )
    guard = client_as("a1_guard")
    home = guard.get("/").content.decode()
    assert "我的消杀任务" in home and "0/2" in home
    task = DisinfectionTask.objects.filter(assignee=supplies_world.users["a1_guard"]).first()
    assert task is not None
    response = guard.post(
        f"/supplies/enterprises/{supplies_world.a1.pk}/disinfection/tasks/{task.pk}/done/",
        {"back": "mine", "photo": SimpleUploadedFile("a.png", PNG, content_type="image/png")},
    )
    assert response.status_code == 302 and response["Location"] == "/supplies/disinfection/mine/"
    task.refresh_from_db()
    assert task.done_at is not None and task.photo_type == "image/png"
    assert "已完成 1/2" in guard.get("/supplies/disinfection/mine/").content.decode()
