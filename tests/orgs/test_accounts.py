"""Accounts and roles (issue 7 §1): the role ladder, activation codes, deactivation, leaving.

Z-2.1 (responsibility down to every worker), J-2.3 (a named epidemic officer per enterprise)
and J-2.1 (rosters follow staff changes) need every one of them to have a login of their own.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, override_settings

from parkguard.audit.models import AuditEvent
from parkguard.orgs import accounts
from parkguard.orgs.access import (
    ROLE_LADDER,
    Scope,
    grantable_roles,
    memberships_manageable,
    scope_for_user,
    users_manageable,
)
from parkguard.orgs.choices import Role
from parkguard.orgs.login import LOGIN_INACTIVE, LOGIN_INVALID
from parkguard.orgs.models import AccountActivation, Membership
from parkguard.people.choices import EmploymentStatus
from parkguard.people.logins import LoginBy, employee_logins_create
from parkguard.people.services import person_status_change, person_update
from tests.factories import PASSWORD, TODAY, World, make_user

AT = dt.datetime.combine(TODAY, dt.time(9), tzinfo=dt.UTC)
NEW_PASSWORD = "Zq7-hall-lantern"


def _scope(world: World, persona: str) -> Scope:
    return scope_for_user(world.users[persona])


@pytest.fixture
def a1_admin(world: World) -> User:
    user = make_user("a1_admin")
    Membership.objects.create(user=user, role=Role.ENTERPRISE_ADMIN, enterprise=world.a1)
    world.users["a1_admin"] = user
    return user


def _activate(login: str, code: str, password: str = NEW_PASSWORD) -> User:
    return accounts.account_activate(
        login=login, code=code, password1=password, password2=password, at=AT
    )


# --- the ladder ---------------------------------------------------------------------------


def test_it_keeps_every_grant_strictly_below_the_granter() -> None:
    """Nobody grants their own role or one above it (issue 7 §1)."""
    order: list[str] = [Role.PARK_ADMIN, Role.ENTERPRISE_ADMIN, Role.EPIDEMIC_OFFICER]
    for role, grants in ROLE_LADDER.items():
        assert role not in grants
        for above in order[: order.index(role) + 1] if role in order else []:
            assert above not in grants
    assert Role.PARK_ADMIN not in set().union(*ROLE_LADDER.values())


@pytest.mark.django_db
def test_it_offers_each_role_only_the_roles_below_it_at_its_own_place(
    world: World, a1_admin: User
) -> None:
    park_admin = _scope(world, "park_a_admin")
    assert grantable_roles(park_admin, world.a1) == {
        Role.ENTERPRISE_ADMIN,
        Role.EPIDEMIC_OFFICER,
        Role.TEAM_LEADER,
        Role.GATE_GUARD,
        Role.EMPLOYEE,
    }
    assert grantable_roles(park_admin, world.park_a) == {Role.PARK_CADRE, Role.INSPECTOR}
    assert grantable_roles(park_admin, world.community_a) == {Role.COMMUNITY_LIAISON}
    assert grantable_roles(park_admin, world.b1) == frozenset()  # another park
    assert grantable_roles(park_admin, world.park_b) == frozenset()
    admin = scope_for_user(a1_admin)
    assert grantable_roles(admin, world.a1) == {
        Role.EPIDEMIC_OFFICER,
        Role.TEAM_LEADER,
        Role.GATE_GUARD,
        Role.EMPLOYEE,
    }
    assert grantable_roles(admin, world.a2) == frozenset()
    assert grantable_roles(admin, world.park_a) == frozenset()
    # The officer hands out employee logins, nothing more.
    assert grantable_roles(_scope(world, "a1_officer"), world.a1) == {Role.EMPLOYEE}
    for lower in ("a1_leader", "a1_employee", "liaison_a"):
        assert grantable_roles(_scope(world, lower), world.a1) == frozenset()


# --- creating accounts and the first login -----------------------------------------------


@pytest.mark.django_db
def test_it_lets_a_park_admin_create_an_enterprise_admin_who_activates_and_logs_in(
    world: World,
) -> None:
    issued = accounts.account_create(
        scope=_scope(world, "park_a_admin"),
        actor=world.users["park_a_admin"],
        place=world.a1,
        role=Role.ENTERPRISE_ADMIN,
        login="jia1-admin",
        full_name="甲一管理员",
        at=AT,
    )
    user = issued.user
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user).role == Role.ENTERPRISE_ADMIN
    row = AccountActivation.objects.get(user=user)
    assert issued.code not in row.digest and len(issued.code) == accounts.CODE_DIGITS
    assert row.expires_at == AT + dt.timedelta(days=7)
    _activate("jia1-admin", issued.code)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    row.refresh_from_db()
    assert row.used_at == AT
    assert Client().login(username="jia1-admin", password=NEW_PASSWORD)


@pytest.mark.django_db
def test_it_refuses_a_role_above_ones_own_and_changes_nothing(world: World) -> None:
    """An officer may not create an enterprise admin or a gate guard."""
    before = User.objects.count()
    for role in (Role.ENTERPRISE_ADMIN, Role.EPIDEMIC_OFFICER, Role.GATE_GUARD):
        with pytest.raises(ValidationError) as exc:
            accounts.account_create(
                scope=_scope(world, "a1_officer"),
                actor=world.users["a1_officer"],
                place=world.a1,
                role=role,
                login="climber",
                full_name="越级",
                at=AT,
            )
        assert exc.value.message_dict["role"] == [accounts.ROLE_NOT_GRANTABLE]
    assert User.objects.count() == before
    assert not User.objects.filter(username="climber").exists()


@pytest.mark.django_db
def test_it_refuses_a_role_outside_ones_own_scope(world: World) -> None:
    for persona, place in [("a2_officer", "a1"), ("park_b_admin", "a1"), ("park_a_admin", "b1")]:
        with pytest.raises(PermissionDenied):
            accounts.account_create(
                scope=_scope(world, persona),
                actor=world.users[persona],
                place=getattr(world, place),
                role=Role.EMPLOYEE,
                login="outsider-made",
                full_name="外人",
                at=AT,
            )
    assert not User.objects.filter(username="outsider-made").exists()


@pytest.mark.django_db
def test_it_refuses_a_login_name_taken_and_changes_nothing(world: World) -> None:
    for taken in ("a1_officer", "A1_OFFICER"):
        with pytest.raises(ValidationError) as exc:
            accounts.account_create(
                scope=_scope(world, "park_a_admin"),
                actor=None,
                place=world.a1,
                role=Role.EPIDEMIC_OFFICER,
                login=taken,
                full_name="重名",
                at=AT,
            )
        assert exc.value.message_dict["login"] == [accounts.LOGIN_TAKEN]
    officer = world.users["a1_officer"]
    officer.refresh_from_db()
    assert officer.first_name == "a1_officer" and officer.check_password(PASSWORD)
    assert Membership.objects.filter(user=officer).count() == 1


@pytest.mark.django_db
def test_it_requires_a_unit_of_the_enterprise_for_a_team_leader(
    world: World, a1_admin: User
) -> None:
    scope = scope_for_user(a1_admin)
    with pytest.raises(ValidationError) as exc:
        accounts.account_create(
            scope=scope, actor=a1_admin, place=world.a1, role=Role.TEAM_LEADER,
            login="leader2", full_name="班长", at=AT,
        )  # fmt: skip
    assert exc.value.message_dict["org_unit"] == [accounts.UNIT_REQUIRED]
    issued = accounts.account_create(
        scope=scope, actor=a1_admin, place=world.a1, role=Role.TEAM_LEADER,
        login="leader2", full_name="班长", org_unit=world.a1_unit, at=AT,
    )  # fmt: skip
    assert Membership.objects.get(user=issued.user).org_unit == world.a1_unit


# --- activation codes ----------------------------------------------------------------------


def _new_employee(world: World) -> accounts.IssuedCode:
    return accounts.account_create(
        scope=_scope(world, "a1_officer"),
        actor=world.users["a1_officer"],
        place=world.a1,
        role=Role.EMPLOYEE,
        login="e1001",
        full_name="甲一新员工",
        at=AT,
    )


@pytest.mark.django_db
def test_it_refuses_an_activation_code_used_twice(world: World) -> None:
    issued = _new_employee(world)
    _activate("e1001", issued.code)
    with pytest.raises(ValidationError) as exc:
        _activate("e1001", issued.code, password="An0ther-lantern")
    assert exc.value.message_dict["code"] == [accounts.ACTIVATION_USED]
    issued.user.refresh_from_db()
    assert issued.user.check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_it_refuses_an_expired_activation_code(world: World) -> None:
    issued = _new_employee(world)
    with override_settings(ACTIVATION_CODE_DAYS=7), pytest.raises(ValidationError) as exc:
        accounts.account_activate(
            login="e1001",
            code=issued.code,
            password1=NEW_PASSWORD,
            password2=NEW_PASSWORD,
            at=AT + dt.timedelta(days=7),
        )
    assert exc.value.message_dict["code"] == [accounts.ACTIVATION_EXPIRED]
    issued.user.refresh_from_db()
    assert not issued.user.has_usable_password()
    assert AccountActivation.objects.get(user=issued.user).used_at is None


@pytest.mark.django_db
def test_it_refuses_a_wrong_code_and_counts_it_towards_the_lockout(world: World) -> None:
    issued = _new_employee(world)
    wrong = "0" * 12 if issued.code != "0" * 12 else "1" * 12
    for _ in range(5):
        with pytest.raises(ValidationError) as exc:
            _activate("e1001", wrong)
        assert exc.value.message_dict["code"] == [accounts.ACTIVATION_FAILED]
    # Locked now: even the right code waits.
    with pytest.raises(ValidationError) as exc:
        _activate("e1001", issued.code)
    assert "锁定" in exc.value.messages[0]
    issued.user.refresh_from_db()
    assert not issued.user.has_usable_password()


@pytest.mark.django_db
def test_it_refuses_a_weak_password_in_chinese_and_keeps_the_code(world: World) -> None:
    issued = _new_employee(world)
    for weak in ("12345678", "abc"):
        with pytest.raises(ValidationError) as exc:
            _activate("e1001", issued.code, password=weak)
        for message in exc.value.message_dict["password1"]:
            assert re.search(r"[\u4e00-\u9fff]", message), message
    with pytest.raises(ValidationError) as exc:
        accounts.account_activate(
            login="e1001", code=issued.code, password1=NEW_PASSWORD, password2="other", at=AT
        )
    assert exc.value.message_dict["password2"] == [accounts.PASSWORD_MISMATCH]
    assert AccountActivation.objects.get(user=issued.user).used_at is None
    _activate("e1001", f" {issued.code_display} ")  # the grouped form from the sheet works


# --- deactivate, reactivate, reset ---------------------------------------------------------


@pytest.mark.django_db
def test_it_deactivates_an_account_which_then_cannot_log_in(world: World) -> None:
    employee = world.users["a1_employee"]
    accounts.account_deactivate(
        scope=_scope(world, "a1_officer"), actor=world.users["a1_officer"], user=employee, at=AT
    )
    employee.refresh_from_db()
    assert not employee.is_active
    client = Client()
    wrong = client.post("/accounts/login/", {"username": "a1_employee", "password": "nope"})
    assert LOGIN_INVALID in wrong.content.decode()  # a stranger learns nothing more
    right = client.post("/accounts/login/", {"username": "a1_employee", "password": PASSWORD})
    assert right.status_code == 200
    assert LOGIN_INACTIVE in right.content.decode()  # the owner is told clearly
    assert "_auth_user_id" not in client.session
    with pytest.raises(ValidationError):
        accounts.account_deactivate(
            scope=_scope(world, "a1_officer"), actor=None, user=employee, at=AT
        )
    accounts.account_reactivate(scope=_scope(world, "a1_officer"), actor=None, user=employee, at=AT)
    employee.refresh_from_db()
    assert employee.is_active
    assert Client().login(username="a1_employee", password=PASSWORD)


@pytest.mark.django_db
def test_it_refuses_to_activate_a_deactivated_account(world: World) -> None:
    issued = _new_employee(world)
    accounts.account_deactivate(
        scope=_scope(world, "a1_officer"), actor=None, user=issued.user, at=AT
    )
    with pytest.raises(ValidationError) as exc:
        _activate("e1001", issued.code)
    assert exc.value.messages == [accounts.ACTIVATION_ACCOUNT_INACTIVE]
    issued.user.refresh_from_db()
    assert not issued.user.has_usable_password()


@pytest.mark.django_db
def test_it_resets_an_account_with_a_new_code_and_voids_the_old_password(world: World) -> None:
    employee = world.users["a1_employee"]
    first = accounts.accounts_reset(
        scope=_scope(world, "a1_officer"), actor=None, users=[employee], at=AT
    )[0]
    second = accounts.accounts_reset(
        scope=_scope(world, "a1_officer"), actor=None, users=[employee], at=AT
    )[0]
    employee.refresh_from_db()
    assert not employee.check_password(PASSWORD)
    with pytest.raises(ValidationError) as exc:
        _activate("a1_employee", first.code)
    assert exc.value.message_dict["code"] == [accounts.ACTIVATION_VOIDED]
    _activate("a1_employee", second.code)
    assert Client().login(username="a1_employee", password=NEW_PASSWORD)


@pytest.mark.django_db
def test_it_does_not_let_one_enterprise_switch_off_an_account_that_also_works_elsewhere(
    world: World,
) -> None:
    employee = world.users["a1_employee"]
    Membership.objects.create(user=employee, role=Role.EMPLOYEE, enterprise=world.a2)
    with pytest.raises(PermissionDenied):
        accounts.account_deactivate(
            scope=_scope(world, "a1_officer"), actor=None, user=employee, at=AT
        )
    employee.refresh_from_db()
    assert employee.is_active
    # It may still remove the role it gave.
    mine = Membership.objects.get(user=employee, enterprise=world.a1)
    accounts.role_revoke(scope=_scope(world, "a1_officer"), actor=None, membership=mine, at=AT)
    assert list(Membership.objects.filter(user=employee).values_list("enterprise", flat=True)) == [
        world.a2.pk
    ]


@pytest.mark.django_db
def test_it_hides_accounts_from_outsiders_and_lower_roles(world: World) -> None:
    employee = world.users["a1_employee"]
    for persona in ("a2_officer", "park_b_admin", "a1_leader", "a1_employee", "liaison_a"):
        scope = _scope(world, persona)
        assert not users_manageable(scope).filter(pk=employee.pk).exists(), persona
        assert not memberships_manageable(scope).filter(user=employee).exists(), persona
    assert users_manageable(_scope(world, "a1_officer")).filter(pk=employee.pk).exists()
    # The officer sees employee logins, not the team leader's account.
    assert (
        not users_manageable(_scope(world, "a1_officer"))
        .filter(pk=world.users["a1_leader"].pk)
        .exists()
    )


# --- grant and remove ----------------------------------------------------------------------


@pytest.mark.django_db
def test_it_grants_and_removes_roles_within_the_ladder(world: World, a1_admin: User) -> None:
    scope = scope_for_user(a1_admin)
    employee = world.users["a1_employee"]
    accounts.role_grant(
        scope=scope, actor=a1_admin, user=employee, role=Role.GATE_GUARD, place=world.a1, at=AT
    )
    assert set(Membership.objects.filter(user=employee).values_list("role", flat=True)) == {
        Role.EMPLOYEE,
        Role.GATE_GUARD,
    }
    with pytest.raises(ValidationError) as exc:
        accounts.role_grant(
            scope=scope, actor=a1_admin, user=employee, role=Role.GATE_GUARD, place=world.a1,
            at=AT,
        )  # fmt: skip
    assert exc.value.message_dict["role"] == [accounts.ROLE_TAKEN]
    with pytest.raises(ValidationError) as exc:
        accounts.role_grant(
            scope=scope, actor=a1_admin, user=employee, role=Role.ENTERPRISE_ADMIN,
            place=world.a1, at=AT,
        )  # fmt: skip
    assert exc.value.message_dict["role"] == [accounts.ROLE_NOT_GRANTABLE]
    guard = Membership.objects.get(user=employee, role=Role.GATE_GUARD)
    # The officer gave neither the guard role nor may it take it away.
    with pytest.raises(PermissionDenied):
        accounts.role_revoke(scope=_scope(world, "a1_officer"), actor=None, membership=guard, at=AT)
    assert Membership.objects.filter(pk=guard.pk).exists()
    accounts.role_revoke(scope=scope, actor=a1_admin, membership=guard, at=AT)
    assert not Membership.objects.filter(pk=guard.pk).exists()
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["role_grant", "role_remove"]


# --- leaving the enterprise ----------------------------------------------------------------


@pytest.mark.django_db
def test_it_ends_the_roles_of_someone_who_leaves_at_once(world: World) -> None:
    """J-2.1: the roster follows staff changes; so do the roles of their account."""
    employee = world.users["a1_employee"]
    person_status_change(
        scope=_scope(world, "a1_officer"),
        person=world.a1_employee_person,
        status=EmploymentStatus.LEFT,
        on=TODAY,
        note="辞职",
        today=TODAY,
        actor=world.users["a1_officer"],
    )
    employee.refresh_from_db()
    assert not Membership.objects.filter(user=employee).exists()
    assert not employee.is_active
    event = AuditEvent.objects.filter(action="role_remove").get()
    assert event.reason == "离职" and event.detail == {"role": Role.EMPLOYEE}
    assert not Client().login(username="a1_employee", password=PASSWORD)


@pytest.mark.django_db
def test_it_ends_the_roles_when_the_record_edit_sets_left(world: World) -> None:
    person_update(
        scope=_scope(world, "a1_officer"),
        person=world.a1_employee_person,
        today=TODAY,
        status=EmploymentStatus.LEFT,
        left_on=TODAY,
    )
    assert not Membership.objects.filter(user=world.users["a1_employee"]).exists()


@pytest.mark.django_db
def test_it_keeps_the_roles_of_someone_suspended(world: World) -> None:
    person_status_change(
        scope=_scope(world, "a1_officer"),
        person=world.a1_employee_person,
        status=EmploymentStatus.SUSPENDED,
        on=TODAY,
        note="休假",
        today=TODAY,
        actor=None,
    )
    assert Membership.objects.filter(user=world.users["a1_employee"]).exists()


# --- logins from the ledger in bulk --------------------------------------------------------


@pytest.mark.django_db
def test_it_makes_employee_logins_from_the_ledger_in_bulk(world: World) -> None:
    scope = _scope(world, "a1_officer")
    rows = employee_logins_create(
        scope=scope,
        actor=world.users["a1_officer"],
        enterprise=world.a1,
        person_ids=[world.a1_person.pk],
        login_by=LoginBy.NUMBER,
        prefix="JY",
        start=1001,
        at=AT,
    )
    assert [(r.name, r.login_shown, r.phone_masked) for r in rows] == [
        ("甲一张三", "JY1001", world.a1_person.phone_masked)
    ]
    membership = Membership.objects.get(user__username="JY1001")
    assert (membership.role, membership.person_id) == (Role.EMPLOYEE, world.a1_person.pk)
    code = rows[0].code_display
    _activate("JY1001", code)
    assert Client().login(username="JY1001", password=NEW_PASSWORD)
    # Asking again for the same person changes nothing and says who.
    with pytest.raises(ValidationError) as exc:
        employee_logins_create(
            scope=scope, actor=None, enterprise=world.a1, person_ids=[world.a1_person.pk],
            login_by=LoginBy.PHONE, at=AT,
        )  # fmt: skip
    assert "甲一张三" in exc.value.messages[0] and world.a1_person.phone not in str(exc.value)


@pytest.mark.django_db
def test_it_keeps_phone_numbers_and_codes_out_of_the_audit(world: World) -> None:
    rows = employee_logins_create(
        scope=_scope(world, "a1_officer"),
        actor=world.users["a1_officer"],
        enterprise=world.a1,
        unit=world.a1_unit,
        login_by=LoginBy.PHONE,
        at=AT,
    )
    assert [r.login_shown for r in rows] == ["本人手机号"]
    phone = world.a1_person.phone
    user = User.objects.get(username=phone)
    code = rows[0].code_display.replace(" ", "")
    with pytest.raises(ValidationError):
        _activate(phone, "0" * 11)  # a failed attempt is audited with the name masked
    _activate(phone, code)
    Client().login(username=phone, password=NEW_PASSWORD)
    for event in AuditEvent.objects.all():
        text = f"{event.actor_label} {event.detail} {event.reason}"
        assert phone not in text and code not in text
    assert AuditEvent.objects.filter(target_id=str(user.pk), action="account_create").exists()
