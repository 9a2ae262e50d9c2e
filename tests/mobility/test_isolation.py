"""Isolation and observation records: start, end, extension, shortening within the pack's
bounds (reason, previous ends kept), release; B-2.4's observation point."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from parkguard.audit.models import AuditEvent
from parkguard.mobility import services
from parkguard.mobility.models import IsolationRecord, ReturnDeclaration
from parkguard.mobility.services import RiskAreaIn, StayDeclared
from parkguard.orgs.access import SYSTEM
from parkguard.status.models import PersonStatus
from tests.factories import World
from tests.mobility.conftest import WUHAN_JIANGAN, at

pytestmark = pytest.mark.django_db


def _j_returnee(world: World) -> ReturnDeclaration:
    services.risk_area_save(
        scope=SYSTEM,
        park=world.park_a,
        row=RiskAreaIn(WUHAN_JIANGAN, "", "high", dt.date(2022, 11, 1), None, "公告"),
        by=None,
        at=at("2022-11-10"),
    )
    return services.return_declare(
        scope=SYSTEM,
        person=world.a1_person,
        arrived_at=at("2022-11-15", "10:00"),
        stays=[StayDeclared(WUHAN_JIANGAN, dt.date(2022, 11, 8), dt.date(2022, 11, 15))],
        transport="train",
        by=None,
        at=at("2022-11-15", "11:00"),
    )


def test_it_keeps_a_j_1_1_home_isolation_record_and_refuses_shortening_beyond_the_pack(
    jinjiang: World,
) -> None:
    """J-1.1 fixes 7 days (no per-case choice): no shortening; an extension with a reason
    keeps the previous end and keeps the gate closed until the new end."""
    declaration = _j_returnee(jinjiang)
    record = IsolationRecord.objects.get(declaration=declaration)
    assert (record.kind, record.ends_at) == ("home_isolation", at("2022-11-22", "00:00"))
    with pytest.raises(ValidationError) as exc:
        services.isolation_change(
            scope=SYSTEM,
            record=record,
            ends_at=at("2022-11-20", "00:00"),
            reason="居家条件好",
            by=None,
            at=at("2022-11-16"),
        )
    assert exc.value.message_dict["ends_at"] == [
        services.SHORTEN_BEYOND.format(end=at("2022-11-22", "00:00"))
    ]
    record.refresh_from_db()
    assert record.ends_at == at("2022-11-22", "00:00") and record.previous == []
    with pytest.raises(ValidationError) as exc:
        services.isolation_change(
            scope=SYSTEM,
            record=record,
            ends_at=at("2022-11-24"),
            reason="",
            by=None,
            at=at("2022-11-16"),
        )
    assert exc.value.message_dict == {"reason": [services.REASON_REQUIRED]}
    services.isolation_change(
        scope=SYSTEM,
        record=record,
        ends_at=at("2022-11-24", "00:00"),
        reason="第5天检测结果待复核",
        by=None,
        at=at("2022-11-19"),
    )
    record.refresh_from_db()
    assert record.ends_at == at("2022-11-24", "00:00")
    assert dt.datetime.fromisoformat(record.previous[0]["ends_at"]) == at("2022-11-22", "00:00")
    services.return_status_refresh(declaration=declaration, at=at("2022-11-23", "08:00"))
    status = PersonStatus.objects.get(person=jinjiang.a1_person)
    assert status.on_hold and "居家隔离至2022-11-24 00:00" in status.holds[0]["reason"]
    with pytest.raises(ValidationError) as exc:
        services.isolation_release(
            scope=SYSTEM, record=record, note="", by=None, at=at("2022-11-23")
        )
    assert exc.value.message_dict == {"__all__": [services.RELEASE_EARLY]}
    services.isolation_release(
        scope=SYSTEM, record=record, note="期满", by=None, at=at("2022-11-24", "09:00")
    )
    record.refresh_from_db()
    assert record.released_at == at("2022-11-24", "09:00")
    # Issue 18 §2: the refused changes left no trace; the extension and the release did.
    events = AuditEvent.objects.filter(target_type="IsolationRecord", target_id=str(record.pk))
    assert [(e.action, e.reason, e.detail) for e in events.order_by("id")] == [
        (
            "mobility.isolation_extend",
            "第5天检测结果待复核",
            {
                "kind": "home_isolation",
                "from": at("2022-11-22", "00:00").isoformat(),
                "to": at("2022-11-24", "00:00").isoformat(),
            },
        ),
        ("mobility.isolation_release", "期满", {"kind": "home_isolation"}),
    ]
    assert list(events.first().subjects.values_list("person_id_ref", flat=True)) == [  # type: ignore[union-attr]
        jinjiang.a1_person.pk
    ]


def test_the_pack_bounds_a_per_case_shortening() -> None:
    """A phase whose days are a per-case choice may be shortened to the choice's minimum
    ("经属地评估可缩短至5天")."""
    assert (
        services._phase_minimum("example-quyu-2022-1", 1, "x-1.1-sealed-area", "home_isolation")
        == 5
    )
    assert (
        services._phase_minimum(
            "jinjiang-xiyuan-2022-81", 1, "j-1.1-returnee-high-risk-stay", "home_isolation"
        )
        is None
    )


def test_it_accepts_a_b_2_4_return_once_there_is_an_observation_point(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    """B-2.4: with an observation point the severe-area returnee comes back, into B-2.2c's
    14 days at the enterprise's isolation area; the register warns when there is none."""
    from tests.factories import adopt

    world.county.code = "150203"
    world.county.save(update_fields=["code"])
    adopt(world.park_a, "baotou-industry-2020-02")
    page = client_as("a1_officer").get(f"/mobility/enterprises/{world.a1.pk}/returnees/")
    assert services.NO_OBSERVATION_POINT in page.content.decode()
    services.risk_area_save(
        scope=SYSTEM,
        park=world.park_a,
        row=RiskAreaIn("420100", "", "high", dt.date(2020, 1, 23), None, "公告"),
        by=None,
        at=at("2020-02-01"),
    )
    services.observation_point_save(
        scope=SYSTEM,
        enterprise=world.a1,
        kind="observation",
        name="东区隔离观察点",
        capacity=6,
        at=at("2020-02-03"),
    )
    declaration = services.return_declare(
        scope=SYSTEM,
        person=world.a1_person,
        arrived_at=at("2020-02-10", "16:00"),
        stays=[StayDeclared(WUHAN_JIANGAN, dt.date(2020, 1, 20), dt.date(2020, 2, 9))],
        transport="train",
        by=None,
        at=at("2020-02-10", "17:00"),
    )
    record = IsolationRecord.objects.get(declaration=declaration)
    assert (record.kind, record.ends_at) == ("enterprise_observation", at("2020-02-24", "00:00"))
    page = client_as("a1_officer").get(f"/mobility/enterprises/{world.a1.pk}/returnees/")
    assert services.NO_OBSERVATION_POINT not in page.content.decode()


def test_it_shows_a_changed_isolations_previous_end_in_the_sites_time(
    jinjiang: World, client_as: Callable[[str | None], Client]
) -> None:
    """The previous end is stored as UTC text; the register and the record page once showed
    that text cut to minutes ("2022-11-21T16:00"), eight hours before the real end."""
    record = IsolationRecord.objects.get(declaration=_j_returnee(jinjiang))
    services.isolation_change(
        scope=SYSTEM,
        record=record,
        ends_at=at("2022-11-24", "00:00"),
        reason="第5天检测结果待复核",
        by=None,
        at=at("2022-11-19", "10:30"),
    )
    officer = client_as("a1_officer")
    register = officer.get(f"/mobility/enterprises/{jinjiang.a1.pk}/returnees/").content.decode()
    assert "原至 11月22日 00:00（第5天检测结果待复核）" in register
    page = officer.get(f"/mobility/isolations/{record.pk}/").content.decode()
    assert "原结束 11月22日 00:00， 于 11月19日 10:30 变更" in page
    assert "T16:00" not in register + page


def test_the_return_plan_page_speaks_chinese(
    jinjiang: World, client_as: Callable[[str | None], Client]
) -> None:
    """Each obligation's state read "due"/"done"/"overdue" and the evidence form's hidden
    obligation field showed an English label "Obligation"."""
    declaration = _j_returnee(jinjiang)
    body = client_as("a1_officer").get(f"/mobility/returns/{declaration.pk}/").content.decode()
    for english in (" · due", " · done", " · overdue", " · not_needed", "Obligation"):
        assert english not in body
    assert "居家隔离第1天核酸检测 · 已逾期" in body  # the page's clock is today's
    assert 'type="hidden" name="obligation"' in body


def test_the_personal_file_shows_the_return_and_its_isolation(
    jinjiang: World, client_as: Callable[[str | None], Client]
) -> None:
    """Issue 12 §3: the personal file shows the return's plan and the isolation record (the
    register did, the file did not); a person with no return has no such section."""
    declaration = _j_returnee(jinjiang)
    record = IsolationRecord.objects.get(declaration=declaration)
    officer = client_as("a1_officer")
    body = officer.get(f"/people/{jinjiang.a1_person.pk}/").content.decode()
    assert 'id="file-returns"' in body
    assert f'href="/mobility/returns/{declaration.pk}/"' in body
    assert "最早进厂 2022-11-22 00:00" in body
    assert f'href="/mobility/isolations/{record.pk}/"' in body
    assert "2022-11-15 10:00 至 2022-11-22 00:00" in body
    assert officer.get(f"/mobility/isolations/{record.pk}/").status_code == 200
    without = officer.get(f"/people/{jinjiang.a1_employee_person.pk}/").content.decode()
    assert "<h1" in without and 'id="file-returns"' not in without
    assert client_as("a2_officer").get(f"/people/{jinjiang.a1_person.pk}/").status_code == 404
