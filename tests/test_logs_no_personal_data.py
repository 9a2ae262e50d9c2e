"""No raw ID or phone number in any log (issue 18 §6, Tests): representative flows, every
log line searched.

Logging is at DEBUG for the test; what the configured (masking) root handler writes and
every record pytest captured are searched for the clear numbers the flows handled: a
ledger import with bad and good rows, its confirmation, a failed login whose user name is
an ID number, a page and an API call with a phone number in the URL, an API body with an
ID number that fails validation, and a reveal.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable

import pytest
from django.test import Client

from parkguard.lib.logmask import MASK
from parkguard.people.models import Person
from tests.factories import World
from tests.lib.test_logmask import root_stream  # noqa: F401  (a fixture)
from tests.people import sheets as build
from tests.people.sheets import person_id, row
from tests.people.uploads import ledger_confirm, ledger_upload

Clients = Callable[[str | None], Client]


def test_representative_flows_log_no_clear_id_or_phone(
    world: World,
    client_as: Clients,
    caplog: pytest.LogCaptureFixture,
    root_stream: io.StringIO,  # noqa: F811
) -> None:
    caplog.set_level(logging.DEBUG)
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.DEBUG)
    numbers: list[str] = []
    try:
        officer = client_as("a1_officer")
        good = [row(n) for n in range(901, 904)]
        bad = [row(905, id_number="11010119900307123X"), row(906, phone="1390000")]
        numbers += [str(r[i]) for r in good + bad for i in (1, 2) if r[i]]
        numbers += [person_id(901), "13900000901"]
        batch = ledger_upload(officer, world, build.csv(good + bad), "台账.csv")
        ledger_confirm(officer, batch)
        ledger_confirm(officer, ledger_upload(officer, world, build.csv(good), "台账.csv"))

        Client().post(
            "/accounts/login/", {"username": person_id(907), "password": "wrong-password-1"}
        )
        numbers.append(person_id(907))

        phone = "13912345678"
        numbers.append(phone)
        officer.get(f"/no-such-page/{phone}/?q={person_id(908)}")
        officer.get(f"/api/v1/people?q={phone}")
        officer.post(
            "/api/v1/people",
            {"name": "x", "id_number": person_id(909), "phone": phone},
            content_type="application/json",
        )
        numbers += [person_id(908), person_id(909)]

        person = Person.objects.filter(enterprise=world.a1).first()
        assert person is not None
        officer.post(f"/people/{person.pk}/reveal/", {"reason": "核对身份"})
    finally:
        root.setLevel(level)

    written = root_stream.getvalue()
    assert MASK in written, "no number reached a log line: the test would prove nothing"
    texts = [written, caplog.text, *[r.getMessage() for r in caplog.records]]
    for number in set(numbers):
        for text in texts:
            assert number not in text, f"日志中出现了完整号码 {number[:3]}…"
