"""A park cadre's annual assessment (Z-6 "包企干部工作不力的，相关情况纳入年度等次考核作重要参考"):
figures counted from the ledger (Z-6, J-2.4), visits, drills (Z-4.1) and hotline (B-3) of the
cadre's enterprises, readiness trend (J-2.5), the reference grade from the pack; who sees what."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from parkguard.audit.models import AuditEvent
from parkguard.orgs.access import SYSTEM, assessment_cadres, scope_for_user
from parkguard.orgs.choices import Role
from parkguard.orgs.models import Membership
from parkguard.oversight import assessment, services
from parkguard.oversight.models import Drill, Inspection, Rectification
from parkguard.oversight.photos import CheckedPhoto, photos_check
from tests.factories import TODAY, World, adopt, make_user
from tests.oversight.conftest import AT, PNG

YEAR = TODAY.year
DAY = dt.timedelta(days=1)
ASSESSMENT_PACK = "zhengyang-2022-20-assessment"
KEY = "jinjiang-xiyuan-2022-81:entry-control"


def _photo() -> list[CheckedPhoto]:
    return photos_check([ContentFile(PNG)], field="photos")


def _item(visit: Inspection, deadline: dt.date, text: str) -> Rectification:
    return services.finding_add(
        scope=SYSTEM,
        inspection=visit,
        item_key=KEY,
        description=text,
        owner_name="王主任",
        deadline=deadline,
        photos=_photo(),
        at=AT,
        by=None,
    )


def _reply(item: Rectification, at: dt.datetime) -> None:
    services.rectification_reply(
        scope=SYSTEM, rectification=item, text="已整改", evidence=_photo(), at=at, by=None
    )


@pytest.fixture
def cadre(world: World, inspector: User) -> User:
    """Park A's cadre for A1 and A2, with a year of records; a second cadre with none."""
    adopt(world.park_a, ASSESSMENT_PACK)
    user = make_user("cadre_a")
    Membership.objects.create(user=user, role=Role.PARK_CADRE, jurisdiction=world.park_a)
    other = make_user("cadre_a2")
    Membership.objects.create(user=other, role=Role.PARK_CADRE, jurisdiction=world.park_a)
    for firm in (world.a1, world.a2):
        firm.park_cadre = user
        firm.save(update_fields=["park_cadre"])
    visit = services.inspection_plan(
        scope=SYSTEM, enterprise=world.a1, planned_on=TODAY, inspector=inspector, purpose="", at=AT
    )
    services.inspection_record(
        scope=SYSTEM, inspection=visit, results={KEY: ("problem", "")}, summary="", at=AT
    )
    services.inspection_plan(
        scope=SYSTEM,
        enterprise=world.a2,
        planned_on=TODAY + 7 * DAY,
        inspector=inspector,
        purpose="",
        at=AT,
    )
    on_time = _item(visit, TODAY + 5 * DAY, "按期销号的问题")
    _reply(on_time, AT + DAY)
    services.rectification_close(
        scope=SYSTEM, rectification=on_time, note="", at=AT + 2 * DAY, by=None
    )
    late = _item(visit, TODAY + DAY, "逾期后销号的问题")
    _reply(late, AT + 2 * DAY)
    services.rectification_close(
        scope=SYSTEM, rectification=late, note="", at=AT + 3 * DAY, by=None
    )
    _item(visit, TODAY + DAY, "逾期未整改的问题")
    refused = _item(visit, TODAY + 5 * DAY, "多次退回的问题")
    services.rectifications_escalate_overdue(at=AT + 2 * DAY)  # only the overdue one
    for n in (1, 2):
        _reply(refused, AT + n * DAY)
        services.rectification_reopen(
            scope=SYSTEM,
            rectification=refused,
            reason="佐证不足",
            deadline=TODAY + 30 * DAY,
            at=AT + n * DAY,
            by=None,
        )
    services.rectification_report(
        scope=SYSTEM,
        rectification=refused,
        deadline=TODAY + 40 * DAY,
        note="",
        at=AT + 3 * DAY,
        by=None,
    )
    drill = services.drill_schedule(
        scope=SYSTEM,
        park=world.park_a,
        enterprise=world.a1,
        scenario="发现发热员工",
        planned_on=TODAY,
        guided_by="",
        at=AT,
    )
    services.drill_record(
        scope=SYSTEM, drill=drill, held_on=TODAY, participants=20, summary="顺利", gaps=[], at=AT
    )
    for about, answered in ((world.a1, True), (world.a2, False)):
        case = services.case_record(
            scope=SYSTEM,
            park=world.park_a,
            enterprise=None,
            about=about,
            kind="report",
            channel="phone",
            caller_name="",
            caller_phone="",
            subject="未测温",
            text="门口未测温",
            at=AT,
            by=None,
        )
        if answered:
            services.case_answer(
                scope=SYSTEM, case=case, answer="已核实", at=AT + dt.timedelta(hours=1), by=None
            )
    # Park B's records never count for a cadre of park A.
    b_drill = services.drill_schedule(
        scope=SYSTEM,
        park=world.park_b,
        enterprise=world.b1,
        scenario="乙园区演练",
        planned_on=TODAY,
        guided_by="",
        at=AT,
    )
    services.drill_record(
        scope=SYSTEM, drill=b_drill, held_on=TODAY, participants=5, summary="顺利", gaps=[], at=AT
    )
    services.readiness_snapshots_take(park=world.park_a, on=TODAY.replace(day=1), at=AT)
    services.readiness_snapshots_take(park=world.park_a, on=TODAY, at=AT)
    return user


def _record(world: World, user: User, viewer: User | None = None) -> assessment.CadreRecord:
    scope = scope_for_user(viewer or user)
    return assessment.cadre_record(
        scope=scope, park=world.park_a, cadre=user, year=YEAR, today=TODAY + 60 * DAY
    )


def test_it_counts_each_figure_from_the_records_of_the_cadres_enterprises(
    world: World, cadre: User
) -> None:
    """Z-6, J-2.4, Z-4.1, B-3: the exact counts of the fixture's year."""
    record = _record(world, cadre)
    assert record.values == {
        "enterprises": 2,
        "inspections_done": 1,
        "inspections_planned": 1,
        "findings": 4,
        "closed_on_time": 1,
        "closed_late": 1,
        "still_overdue": 2,
        "escalated": 1,
        "reported": 1,
        "refused": 1,
        "drills": 1,
        "hotline": 2,
        "hotline_on_time": 1,
    }
    assert record.on_time_percent == 25  # 1 of 1 + 1 + 2
    assert Drill.objects.filter(enterprise=world.b1).exists()  # counted nowhere above
    # J-2.5: the month's snapshots of A1 and A2 (this month's two days) give its mean.
    month = TODAY.month - 1
    assert record.trend[month] is not None
    assert [v for i, v in enumerate(record.trend) if i != month] == [None] * 11
    # The reference grade from the pack's bounds: 25% < 60% → 不合格, with its citation.
    assert record.grade is not None and record.grade.label == assessment.GRADE_FAIL
    assert {b.citation["requirement"] for _, b in record.grade.bounds} == {"Z-6"}
    assert [b.value for _, b in record.grade.bounds] == [90, 60, 1]
    # Another year holds none of it.
    other = assessment.cadre_record(
        scope=scope_for_user(cadre),
        park=world.park_a,
        cadre=cadre,
        year=YEAR - 1,
        today=TODAY,
    )
    assert other.values["findings"] == 0 and other.values["enterprises"] == 2


def test_the_grade_follows_the_parks_bounds_and_needs_the_pack(world: World, cadre: User) -> None:
    from parkguard.rules.models import PackAdoption

    adoption = PackAdoption.objects.get(jurisdiction=world.park_a, pack_id=ASSESSMENT_PACK)
    adoption.params = {"assessment_pass_on_time_percent": 20}
    adoption.save(update_fields=["params"])
    record = _record(world, cadre)
    assert record.grade is not None and record.grade.label == assessment.GRADE_PASS
    adoption.delete()
    record = _record(world, cadre)
    assert record.grade is None and "未采用" in record.note


def test_each_figure_links_to_exactly_the_rows_it_counts(world: World, cadre: User) -> None:
    client = Client()
    client.force_login(cadre)
    record = _record(world, cadre)
    for figure in record.figures:
        page = client.get(figure.link)
        assert page.status_code == 200, figure.spec.key
        body = page.content.decode()
        assert f"（{figure.value}）" in body and figure.spec.requirement in body
    overdue = next(f for f in record.figures if f.spec.key == "still_overdue")
    body = client.get(overdue.link).content.decode()
    assert "逾期未整改的问题" in body and "多次退回的问题" in body and "按期销号的问题" not in body


def test_a_cadre_sees_only_their_own_record_and_the_admin_sees_all(
    world: World, cadre: User
) -> None:
    other = User.objects.get(username="cadre_a2")
    admin = world.users["park_a_admin"]
    assert list(assessment_cadres(scope_for_user(cadre), world.park_a)) == [cadre]
    assert set(assessment_cadres(scope_for_user(admin), world.park_a)) == {cadre, other}
    url = reverse("oversight_park_assessment", args=[world.park_a.pk])
    client = Client()
    client.force_login(cadre)
    page = client.get(url, {"year": YEAR})
    body = page.content.decode()
    assert page.status_code == 200 and f'data-cadre="{cadre.pk}"' in body
    assert f'data-cadre="{other.pk}"' not in body and "不合格" in body
    # Asking for the other cadre, or their evidence, is a 404.
    assert client.get(url, {"year": YEAR, "cadre": other.pk}).status_code == 404
    evidence = reverse(
        "oversight_assessment_evidence", args=[world.park_a.pk, other.pk, "findings"]
    )
    assert client.get(evidence, {"year": YEAR}).status_code == 404
    client.force_login(admin)
    body = client.get(url, {"year": YEAR}).content.decode()
    assert f'data-cadre="{cadre.pk}"' in body and f'data-cadre="{other.pk}"' in body
    assert "没有包联企业" in body


@pytest.mark.parametrize("who", ["a1_officer", "park_b_admin", "a1_employee"])
def test_outsiders_see_nothing(world: World, cadre: User, who: str) -> None:
    """An enterprise's officer, another park's admin, an employee: 404 on page, export,
    evidence and API; the inspector of the park: 403; the anonymous: the login page."""
    urls = _urls(world, cadre)
    client = Client()
    client.force_login(world.users[who])
    for url in urls:
        assert client.get(url, {"year": YEAR}).status_code == 404, url
    events = AuditEvent.objects.count()
    assert AuditEvent.objects.count() == events


def test_the_inspector_and_the_anonymous_are_refused(
    world: World, cadre: User, inspector: User
) -> None:
    client = Client()
    client.force_login(inspector)
    for url in _urls(world, cadre):
        assert client.get(url, {"year": YEAR}).status_code == 403, url
    client.logout()
    for url in _urls(world, cadre)[:3]:
        assert client.get(url, {"year": YEAR}).status_code == 302
    api = _urls(world, cadre)[3]
    assert client.get(api, {"year": YEAR}).status_code == 401


def _urls(world: World, cadre: User) -> list[str]:
    park = world.park_a.pk
    return [
        reverse("oversight_park_assessment", args=[park]),
        reverse("oversight_park_assessment_export", args=[park]),
        reverse("oversight_assessment_evidence", args=[park, cadre.pk, "findings"]),
        f"/api/v1/oversight/parks/{park}/assessment",
    ]


@pytest.mark.parametrize(
    ("year", "message"),
    [
        ("abc", "四位数字"),
        ("20２2", "四位数字"),
        ("1999", "可选"),
        ("9999", "可选"),
        ("-1", "四位"),
    ],
)
def test_a_bad_year_gets_a_chinese_message_not_a_500(
    world: World, cadre: User, year: str, message: str
) -> None:
    client = Client()
    client.force_login(world.users["park_a_admin"])
    park = world.park_a.pk
    page = client.get(reverse("oversight_park_assessment", args=[park]), {"year": year})
    assert page.status_code == 400 and message in page.content.decode()
    export = client.get(reverse("oversight_park_assessment_export", args=[park]), {"year": year})
    assert export.status_code == 400
    api = client.get(f"/api/v1/oversight/parks/{park}/assessment", {"year": year})
    assert api.status_code == 422
    [error] = api.json()["detail"]
    assert error["loc"] == ["query", "year"] and message in error["msg"]


def test_the_export_is_audited_and_holds_the_figures(world: World, cadre: User) -> None:
    admin = world.users["park_a_admin"]
    client = Client()
    client.force_login(admin)
    before = AuditEvent.objects.filter(action="cadre_assessment_export").count()
    response = client.get(
        reverse("oversight_park_assessment_export", args=[world.park_a.pk]), {"year": YEAR}
    )
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = book.get_sheet_by_index(0).to_python()
    assert "包企干部年度考核情况表" in str(rows[0][0])
    header = [str(c) for c in rows[2]]
    mine = next(r for r in rows[3:] if r[1] == "cadre_a")
    assert mine[header.index("发现问题（Z-6）")] == 4
    assert mine[header.index("仍逾期未销号（Z-6）")] == 2
    assert mine[header.index("参考等次")] == "不合格"
    [event] = AuditEvent.objects.filter(action="cadre_assessment_export")[before:]
    assert event.actor_id == admin.pk and event.detail["what"] == "xlsx"
    assert event.detail["year"] == YEAR


def test_the_print_version_is_audited(world: World, cadre: User) -> None:
    client = Client()
    client.force_login(cadre)
    url = reverse("oversight_park_assessment", args=[world.park_a.pk])
    page = client.get(url, {"year": str(YEAR), "print": "1"})
    body = page.content.decode()
    assert page.status_code == 200 and 'class="official"' in body and "制表人" in body
    event = AuditEvent.objects.filter(action="cadre_assessment_export").last()
    assert event is not None and event.detail == {
        "year": YEAR,
        "cadres": [cadre.pk],
        "what": "print",
    }


def test_the_api_gives_the_callers_records(world: World, cadre: User) -> None:
    client = Client()
    client.force_login(cadre)
    answer = client.get(f"/api/v1/oversight/parks/{world.park_a.pk}/assessment", {"year": YEAR})
    assert answer.status_code == 200
    [mine] = answer.json()
    figures = {f["key"]: f for f in mine["figures"]}
    assert figures["reported"]["value"] == 1 and figures["reported"]["requirement"] == "J-2.4"
    assert figures["findings"]["evidence"].startswith("/oversight/parks/")
    assert mine["grade"] == "不合格" and mine["on_time_percent"] == 25


def test_the_boards_link_to_it(world: World, cadre: User) -> None:
    client = Client()
    client.force_login(cadre)
    url = reverse("oversight_park_assessment", args=[world.park_a.pk])
    assert url in client.get(reverse("oversight_my_enterprises")).content.decode()
    client.force_login(world.users["park_a_admin"])
    overview = client.get(reverse("park_overview", args=[world.park_a.pk]))
    assert url in overview.content.decode()
