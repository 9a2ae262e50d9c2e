"""The gate's pages (issue 13 §1–5): the pass, place codes, kiosk, gates, passes, the log.
Generated QR codes are decoded with zxing-cpp to prove they scan."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable

import pytest
import segno
import zxingcpp
from django.test import Client
from django.utils import timezone
from python_calamine import CalamineWorkbook

from parkguard.audit.models import AuditEvent
from parkguard.gate import tokens
from parkguard.gate.models import AccessCheck, PrintedPass, TemporaryPass
from parkguard.gate.views import _qr_svg
from tests.gate.conftest import GateWorld

pytestmark = pytest.mark.django_db


def decode(data: str) -> str:
    """Render the QR code the pages draw (same content, same error level) and read it back."""
    code = segno.make(data, error="m")
    rows = [bytes(0 if v else 255 for v in row) for row in code.matrix_iter(scale=4, border=4)]
    image = memoryview(b"".join(rows)).cast("B", (len(rows), len(rows[0])))
    found = zxingcpp.read_barcode(image)
    assert found is not None, "the QR code does not scan"
    return str(found.text)


def qr_content(html: str, candidates: list[str]) -> str:
    """Which of the candidate contents the page's QR svg encodes."""
    for data in candidates:
        if _qr_svg(data) in html:
            return data
    raise AssertionError("no QR code of these contents on the page")


def test_the_employee_pass_shows_a_scannable_rotating_token_and_no_personal_data(
    gw: GateWorld, client_as: Callable[[str | None], Client]
) -> None:
    """L-3.1: the QR holds a signed token (person number, window), no name or ID number."""
    client = client_as("a1_employee")
    html = client.get("/gate/pass/").content.decode()
    person = gw.world.a1_employee_person
    now = timezone.now()
    windows = [now - dt.timedelta(seconds=s) for s in (0, 60)]
    found = qr_content(html, [tokens.phone_token(person_id=person.pk, at=w) for w in windows])
    assert decode(found) == found
    read = tokens.code_read(decode(found), at=timezone.now())
    assert read.kind == "phone" and read.person_id == person.pk
    assert person.name not in found and person.id_masked not in found
    assert "甲***" in html and "可通行" in html
    assert 'hx-trigger="load delay:' in html  # it refreshes itself
    assert client.get("/gate/pass/code/").status_code == 200


def test_j_1_5a_the_place_code_poster_scans_and_registers_the_employee(
    gw: GateWorld, client_as: Callable[[str | None], Client]
) -> None:
    officer = client_as("a1_officer")
    html = officer.get(f"/gate/gates/{gw.gate.pk}/poster/").content.decode()
    url = f"http://testserver/gate/place/{gw.gate.place_code}/"
    assert re.search("场所码", html)
    assert _qr_svg(url, scale=14) in html and decode(url) == url
    employee = client_as("a1_employee")
    assert employee.get(f"/gate/place/{gw.gate.place_code}/").status_code == 200
    response = employee.post(f"/gate/place/{gw.gate.place_code}/", {"direction": "in"})
    assert response.status_code == 200 and "已登记进" in response.content.decode()
    row = AccessCheck.objects.get(method="place_code")
    assert row.person == gw.world.a1_employee_person and row.direction == "in" and row.allowed
    # Another enterprise's place code is not theirs.
    assert employee.get(f"/gate/place/{gw.a2_gate.place_code}/").status_code == 404


def test_the_guard_opens_the_kiosk_from_home_and_finds_a_person_by_name_and_id_tail(
    gw: GateWorld, client_as: Callable[[str | None], Client]
) -> None:
    guard = client_as("a1_guard")
    home = guard.get("/gate/").content.decode()
    assert (
        f"/gate/gates/{gw.gate.pk}/kiosk/" in home
        and f"/gate/enterprises/{gw.world.a1.pk}/log/" in home
    )
    kiosk = guard.get(f"/gate/gates/{gw.gate.pk}/kiosk/").content.decode()
    assert "zxing_reader-3.1.6.wasm" in kiosk and "/api/v1/gate/check" in kiosk
    person = gw.world.a1_person
    found = guard.get(
        f"/gate/gates/{gw.gate.pk}/lookup/", {"name": person.name, "tail": person.id_tail[-4:]}
    ).json()["candidates"]
    assert [c["id"] for c in found] == [person.pk]
    assert found[0]["name"] == "甲***" and found[0]["id_masked"] == person.id_masked
    assert guard.get(f"/gate/gates/{gw.a2_gate.pk}/kiosk/").status_code == 404


def test_the_officer_keeps_gates_and_passes(
    gw: GateWorld, client_as: Callable[[str | None], Client]
) -> None:
    officer = client_as("a1_officer")
    e = gw.world.a1.pk
    assert officer.get(f"/gate/enterprises/{e}/gates/").status_code == 200
    response = officer.post(f"/gate/enterprises/{e}/gates/", {"name": "", "place": "plant_gate"})
    assert "请填写名称" in response.content.decode()
    officer.post(
        f"/gate/enterprises/{e}/gates/",
        {"name": "甲一北门", "place": "plant_gate", "route_areas": "一号宿舍，二车间"},
    )
    from parkguard.gate.models import Gate

    north = Gate.objects.get(name="甲一北门")
    assert north.route_areas == ["一号宿舍", "二车间"] and north.enterprise == gw.world.a1
    officer.post(f"/gate/gates/{north.pk}/edit/", {"route_areas": "一号宿舍", "closed_loop": "on"})
    north.refresh_from_db()
    assert north.closed_loop and not north.active and north.route_areas == ["一号宿舍"]
    # A printed pass: issue, print (the QR scans to its serial), revoke.
    response = officer.post(
        f"/gate/enterprises/{e}/passes/",
        {"form": "printed", "person_id": gw.world.a1_person.pk},
    )
    printed = PrintedPass.objects.get()
    assert response["Location"] == f"/gate/passes/{printed.pk}/print/"
    html = officer.get(response["Location"]).content.decode()
    code = f"pgp1.{printed.serial}"
    assert _qr_svg(code) in html and decode(code) == code
    officer.post(f"/gate/passes/{printed.pk}/revoke/")
    printed.refresh_from_db()
    assert printed.revoked_at is not None
    # A temporary pass for a truck crew.
    officer.post(
        f"/gate/enterprises/{e}/passes/",
        {
            "form": "temporary",
            "kind": "truck_crew",
            "name": "货车司机",
            "plate": "渝A12345",
            "valid_from": "2022-11-20T08:00",
            "valid_until": "2022-11-20T12:00",
        },
    )
    visitor = TemporaryPass.objects.get()
    assert visitor.kind == "truck_crew" and visitor.plate == "渝A12345"


def test_the_access_log_filters_and_exports_masked_and_audited(
    gw: GateWorld, client_as: Callable[[str | None], Client]
) -> None:
    from tests.gate.test_check import check, forged, phone

    check(gw, phone(gw))  # allowed
    check(gw, forged(phone(gw)))
    on = "2022-11-20"
    officer = client_as("a1_officer")
    html = officer.get(f"/gate/enterprises/{gw.world.a1.pk}/log/", {"on": on}).content.decode()
    assert "放行 1" in html and "拒绝 1" in html and "通行码无效" in html
    refused = officer.get(
        f"/gate/enterprises/{gw.world.a1.pk}/log/", {"on": on, "allowed": "no"}
    ).content.decode()
    assert "拒绝 1" in refused and "放行 0" in refused
    response = officer.get(f"/gate/enterprises/{gw.world.a1.pk}/log.xlsx", {"on": on})
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = book.get_sheet_by_index(0).to_python()
    assert len(rows) == 3
    text = repr(rows)
    assert gw.world.a1_person.name not in text and "甲***" in text
    assert AuditEvent.objects.filter(action="gate.access_log.export").count() == 1
    # The guard reads the day's log; the employee may not export it.
    assert client_as("a1_guard").get(f"/gate/enterprises/{gw.world.a1.pk}/log/").status_code == 200
    denied = client_as("a1_guard").get(f"/gate/enterprises/{gw.world.a1.pk}/log.xlsx")
    assert denied.status_code == 403


def test_the_park_admin_keeps_the_parks_own_checkpoints(
    gw: GateWorld, client_as: Callable[[str | None], Client]
) -> None:
    """A park gate (no enterprise) lets the park's people through, not another park's."""
    from parkguard.gate.models import Gate
    from tests.gate.test_check import check, phone

    admin = client_as("park_a_admin")
    url = f"/gate/parks/{gw.world.park_a.pk}/gates/"
    assert f'href="{url}"' in admin.get("/gate/").content.decode()
    admin.post(url, {"name": "园区北卡口", "place": "plant_gate"})
    checkpoint = Gate.objects.get(name="园区北卡口")
    assert checkpoint.enterprise is None and checkpoint.park == gw.world.park_a
    assert client_as("a1_officer").get(url).status_code in {403, 404}
    from django.core.exceptions import PermissionDenied

    from parkguard.orgs.access import scope_for_user

    with pytest.raises(PermissionDenied):  # A1's guard checks at A1's gates only
        check(gw, phone(gw), gate=checkpoint)

    inside = check(
        gw, phone(gw), gate=checkpoint, scope=scope_for_user(gw.world.users["park_a_admin"])
    )
    assert inside.allowed, inside.reasons
    outsider = check(
        gw,
        phone(gw, person=gw.world.b1_person),
        gate=checkpoint,
        scope=scope_for_user(gw.world.users["park_a_admin"]),
    )
    assert outsider.refusal == "other_enterprise"
