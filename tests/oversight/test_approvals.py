"""Applications for business events, gatherings and return to work, routed by the engine
under the packs in force, with their citations (J-1.4, H-4.3b, B-2.1)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from parkguard.audit.models import AuditEvent
from parkguard.orgs.access import scope_for_user
from parkguard.oversight import services
from parkguard.oversight.choices import ApplicationStatus
from parkguard.oversight.models import Application
from tests.factories import World, adopt
from tests.oversight.conftest import AT

PLAN = "活动前期、活动期间人员管理和场所管理措施；应急处置预案"


def _apply(world: World, **overrides: object) -> Application:
    officer = world.users["a1_officer"]
    fields: dict[str, object] = {
        "kind": "business_event",
        "title": "秋季订货会",
        "starts_at": AT + dt.timedelta(days=10),
        "headcount": 250,
        "participants_origin": "out_of_province",
        "plan": PLAN,
    }
    fields.update(overrides)
    return services.application_submit(
        scope=scope_for_user(officer),
        enterprise=world.a1,
        at=AT,
        by=officer,
        **fields,  # type: ignore[arg-type]
    )


def test_it_routes_a_large_event_from_outside_the_province_to_the_city_office(
    world: World, inspector: User
) -> None:
    """J-1.4: 省外、200人以上 → 市防控办, 7 days ahead; the route carries its citation."""
    item = _apply(world)
    item.refresh_from_db()
    approval = item.route["approval"]
    assert item.status == ApplicationStatus.PENDING
    assert approval["approver"] == "市防控办" and approval["lead_days"] == 7
    assert approval["citation"]["requirement"] == "J-1.4"
    assert dt.datetime.fromisoformat(approval["apply_by"]) == AT + dt.timedelta(days=3)
    assert item.route["documents"][0]["name"] == "疫情防控工作方案和应急预案"


@pytest.mark.parametrize(
    ("headcount", "origin", "approver"),
    [
        (250, "local", "街道防控办"),
        (150, "out_of_province", "街道防控办"),
        (200, "abroad", "市防控办"),
    ],
)
def test_it_routes_by_head_count_and_origin(
    world: World, inspector: User, headcount: int, origin: str, approver: str
) -> None:
    """J-1.4 tiers (at exactly 200 both tiers match; the higher rank routes)."""
    item = _apply(world, headcount=headcount, participants_origin=origin)
    assert item.route["approval"]["approver"] == approver


def test_it_refuses_an_application_after_its_deadline(world: World, inspector: User) -> None:
    """Bad input (issue 16): applied later than 7 days before the event."""
    with pytest.raises(ValidationError) as exc:
        _apply(world, starts_at=AT + dt.timedelta(days=5))
    [message] = exc.value.message_dict["starts_at"]
    assert message.startswith(services.APPLY_TOO_LATE.split("{")[0])
    assert "市防控办" in message and "晋政西〔2022〕81号" in message
    assert not Application.objects.exists()


def test_it_refuses_an_event_without_its_prevention_plan(world: World, inspector: User) -> None:
    with pytest.raises(ValidationError) as exc:
        _apply(world, plan="")
    assert exc.value.message_dict["plan"][0].startswith(services.APPLY_PLAN_REQUIRED.split("{")[0])
    assert not Application.objects.exists()


def test_it_refuses_an_approval_from_outside_the_route(world: World, inspector: User) -> None:
    """Bad input (issue 16): an inspector, or the applicant, is not on the route."""
    item = _apply(world)
    for outsider in (inspector, world.users["a1_officer"]):
        with pytest.raises(PermissionDenied) as exc:
            services.application_decide(
                scope=scope_for_user(outsider),
                application=item,
                approve=True,
                note="",
                at=AT,
                by=outsider,
            )
        assert str(exc.value) == services.APPROVER_OUTSIDE_ROUTE
    item.refresh_from_db()
    assert item.status == ApplicationStatus.PENDING and item.decided_at is None


def test_it_records_the_routes_decision_and_audits_it(world: World, inspector: User) -> None:
    item = _apply(world)
    admin = world.users["park_a_admin"]
    services.application_decide(
        scope=scope_for_user(admin), application=item, approve=True, note="同意", at=AT, by=admin
    )
    item.refresh_from_db()
    assert item.status == ApplicationStatus.APPROVED and item.decided_by == admin
    assert AuditEvent.objects.filter(action="application_approve").exists()
    with pytest.raises(ValidationError) as exc:
        services.application_decide(
            scope=scope_for_user(admin), application=item, approve=False, note="x", at=AT, by=admin
        )
    assert exc.value.message_dict["__all__"] == [services.APPROVAL_NOT_PENDING]


def test_it_asks_a_return_to_work_for_its_plan_and_routes_an_early_one(world: World) -> None:
    """B-2.1: a return to work needs the plan (date, lines, staff, rules, risk, contingency);
    before the set date it needs the command's approval."""
    adopt(world.park_a, "baotou-industry-2020-02")
    officer = world.users["a1_officer"]
    at = dt.datetime(2020, 2, 3, 9, tzinfo=dt.UTC)
    common = {
        "scope": scope_for_user(officer),
        "enterprise": world.a1,
        "kind": "resumption",
        "title": "一号产线复工",
        "headcount": 80,
        "participants_origin": "local",
        "at": at,
        "by": officer,
    }
    with pytest.raises(ValidationError) as exc:
        services.application_submit(starts_at=at + dt.timedelta(days=3), plan="", **common)  # type: ignore[arg-type]
    assert "复工预案" in exc.value.message_dict["plan"][0]
    item = services.application_submit(starts_at=at + dt.timedelta(days=3), plan=PLAN, **common)  # type: ignore[arg-type]
    assert item.route["approval"] is not None
    assert item.route["approval"]["citation"]["requirement"] == "B-2.1"
    world.a1.whitelisted = True  # essential supply (白名单): no early-return approval
    world.a1.save(update_fields=["whitelisted"])
    common["title"] = "二号产线复工"
    item = services.application_submit(starts_at=at + dt.timedelta(days=3), plan=PLAN, **common)  # type: ignore[arg-type]
    assert item.route["approval"] is None and item.status == ApplicationStatus.NOT_REQUIRED
