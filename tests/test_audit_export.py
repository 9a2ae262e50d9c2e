"""The audit export (issue 18 §1): a park admin downloads the audit search (/audit/) as CSV or
.xlsx, with the page's filters and scope, masked as the page is, every cell neutralised, and
the export itself audited (`read_audit`, the filters in its reason). Enterprise officers read
the page but do not export; lower roles, another park and anonymous get nothing; a bad filter
gives the page's Chinese error and no file, and writes no audit entry.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from parkguard.audit.models import AuditEvent, AuditSubject
from parkguard.audit.services import audit_check, audit_record
from parkguard.orgs import audit_log
from tests.factories import World, valid_id

URL = "/audit/export/"
PHONE = "13812345678"


def _at(day: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2022, 11, day, hour, 0))


@pytest.fixture
def entries(world: World) -> dict[str, AuditEvent]:
    u = world.users
    return {
        "a1_reveal": audit_record(
            actor=u["a1_officer"],
            action="id_reveal",
            at=_at(10),
            target=world.a1_person,
            enterprise_id=world.a1.pk,
            reason=f"甲一流调核对身份，回电 {PHONE}，核对 {valid_id(101)}",
            subjects=[world.a1_person.pk],
        ),
        "park_a_pack": audit_record(
            actor=u["park_a_admin"],
            action="pack_adopt",
            at=_at(14),
            jurisdiction_id=world.park_a.pk,
            reason='=HYPERLINK("http://evil.example","甲园区采用新规则")',
        ),
        "b1_export": audit_record(
            actor=u["park_b_admin"],
            action="person_export",
            at=_at(13),
            enterprise_id=world.b1.pk,
            jurisdiction_id=world.park_b.pk,
            reason="乙园区导出台账",
        ),
    }


def _csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())  # Excel and WPS read the Chinese
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def _xlsx_rows(body: bytes) -> list[list[str]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(body))
    return [[str(c) for c in row] for row in book.get_sheet_by_name("审计日志").to_python()]


def _exports() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="read_audit").order_by("id"))


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_park_admin_exports_the_search_masked_neutralised_and_audited(
    world: World,
    entries: dict[str, AuditEvent],
    client_as: Callable[[str | None], Client],
    fmt: str,
) -> None:
    response = client_as("park_a_admin").get(URL, {"format": fmt, "date_from": "2022-11-01"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    rows = (_csv_rows if fmt == "csv" else _xlsx_rows)(response.content)
    assert rows[0] == list(audit_log.EXPORT_HEAD)
    # Park A's entries only, newest first, as the page shows them.
    assert [r[2] for r in rows[1:]] == ["采用规则包", "查看完整身份证号"]
    text = "\n".join(",".join(r) for r in rows)
    assert "乙园区" not in text
    # Masked as the page is: no phone or ID number in any cell.
    assert PHONE not in text and valid_id(101) not in text and "[号码已隐去]" in text
    # No cell can run as a formula.
    assert rows[1][4].startswith("'=HYPERLINK(")
    assert not [c for r in rows for c in r if c[:1] in ("=", "+", "-", "@")]
    # The export is audited, with the filters and the format in its reason, for park A, and
    # the person an exported entry concerns sees it in their own access log.
    [event] = _exports()
    assert event.actor_id_ref == world.users["park_a_admin"].pk
    assert event.jurisdiction_id_ref == world.park_a.pk
    label = "CSV" if fmt == "csv" else "Excel"
    assert event.reason == f"导出审计日志（{label}，2 条）：开始日期=2022-11-01"
    assert event.detail == {"export": fmt, "rows": 2}
    subjects = AuditSubject.objects.filter(event=event).values_list("person_id_ref", flat=True)
    assert list(subjects) == [world.a1_person.pk]
    assert audit_check() is None


@pytest.mark.django_db
def test_the_export_has_the_same_filters_as_the_page(
    world: World, entries: dict[str, AuditEvent], client_as: Callable[[str | None], Client]
) -> None:
    client = client_as("park_a_admin")
    query = {"action": "id_reveal", "enterprise": str(world.a1.pk), "actor": PHONE}
    page = client.get("/audit/", {k: v for k, v in query.items() if k != "actor"})
    response = client.get(URL, {**query, "actor": "a1_off", "format": "csv"})
    rows = _csv_rows(response.content)[1:]
    assert [r[4] for r in rows] == [r.reason for r in page.context["rows"]]
    assert len(rows) == 1 and rows[0][5] == "甲一精工有限公司"
    [event] = _exports()
    assert event.reason == (
        "导出审计日志（CSV，1 条）：操作=查看完整身份证号；操作人=a1_off；企业=甲一精工有限公司"
    )
    assert event.enterprise_id_ref == world.a1.pk
    # A phone number typed into the search stays out of the export's entry.
    client.get(URL, {"actor": PHONE, "format": "csv"})
    assert PHONE not in _exports()[-1].reason and "[号码已隐去]" in _exports()[-1].reason
    # The page offers both exports with the current search.
    body = client.get("/audit/", {"action": "id_reveal"}).content.decode()
    assert f"{reverse('audit_export')}?action=id_reveal&format=csv" in body
    assert f"{reverse('audit_export')}?action=id_reveal&format=xlsx" in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            {"date_from": "2022-11-14", "date_to": "2022-11-12"},
            "date_to",
            "结束日期不能早于开始日期",
        ),
        ({"date_from": "2022-13-40"}, "date_from", "请输入有效的日期"),
        ({"action": "no_such_action"}, "action", "请从列表中选择操作"),
        ({"enterprise": "B1"}, "enterprise", "请从列表中选择企业"),
        ({"format": "pdf"}, "export", "请选择导出格式"),
        ({"format": ""}, "export", "请选择导出格式"),
    ],
)
def test_a_bad_filter_gives_a_chinese_error_no_file_and_no_entry(
    world: World,
    entries: dict[str, AuditEvent],
    client_as: Callable[[str | None], Client],
    query: dict[str, str],
    field: str,
    message: str,
) -> None:
    before = AuditEvent.objects.count()
    response = client_as("park_a_admin").get(URL, {"format": "csv", **query})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in response
    body = response.content.decode()
    assert f'data-field="{field}"' in body and message in body
    assert response.context["rows"] == []
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_another_parks_enterprise_is_a_bad_filter_not_a_file(
    world: World, entries: dict[str, AuditEvent], client_as: Callable[[str | None], Client]
) -> None:
    response = client_as("park_a_admin").get(URL, {"format": "csv", "enterprise": str(world.b1.pk)})
    assert response.status_code == 400
    assert "请从列表中选择企业" in response.content.decode()
    assert "乙园区导出台账" not in response.content.decode()
    assert _exports() == []


@pytest.mark.django_db
def test_a_search_too_wide_for_one_file_is_refused_in_chinese(
    world: World,
    entries: dict[str, AuditEvent],
    client_as: Callable[[str | None], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(audit_log, "EXPORT_MAX_ROWS", 1)
    response = client_as("park_a_admin").get(URL, {"format": "xlsx"})
    assert response.status_code == 400
    assert "超过 1 条，请缩小日期范围" in response.content.decode()
    assert _exports() == []
    narrowed = client_as("park_a_admin").get(URL, {"format": "xlsx", "action": "pack_adopt"})
    assert narrowed.status_code == 200 and len(_exports()) == 1


@pytest.mark.django_db
def test_another_park_exports_only_its_own(
    world: World, entries: dict[str, AuditEvent], client_as: Callable[[str | None], Client]
) -> None:
    response = client_as("park_b_admin").get(URL, {"format": "csv"})
    assert response.status_code == 200
    rows = _csv_rows(response.content)[1:]
    assert [r[4] for r in rows] == ["乙园区导出台账"]
    assert "甲" not in response.content.decode("utf-8-sig")
    [event] = _exports()
    assert event.jurisdiction_id_ref == world.park_b.pk
    # Park A's admin does not see park B's export in park A's log, nor in its own export.
    page = client_as("park_a_admin").get("/audit/", {"action": "read_audit"})
    assert page.context["rows"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona", ["a1_officer", "a2_officer", "a1_employee", "a1_leader", "a1_guard", "liaison_a"]
)
def test_enterprise_roles_and_lower_roles_may_not_export(
    world: World,
    entries: dict[str, AuditEvent],
    client_as: Callable[[str | None], Client],
    persona: str,
) -> None:
    client = client_as(persona)
    response = client.get(URL, {"format": "csv"})
    assert response.status_code == 403
    assert "甲一流调核对身份" not in response.content.decode()
    assert _exports() == []
    if persona in ("a1_officer", "a2_officer"):
        # They read their enterprise's page, without the export links.
        page = client.get("/audit/")
        assert page.status_code == 200 and reverse("audit_export") not in page.content.decode()


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(
    world: World, entries: dict[str, AuditEvent], client_as: Callable[[str | None], Client]
) -> None:
    response = client_as(None).get(URL, {"format": "csv"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert _exports() == []


@pytest.mark.django_db
def test_only_get(
    world: World, entries: dict[str, AuditEvent], client_as: Callable[[str | None], Client]
) -> None:
    assert client_as("park_a_admin").post(URL, {"format": "csv"}).status_code == 405
    assert _exports() == []
