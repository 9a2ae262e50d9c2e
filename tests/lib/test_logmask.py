"""Personal data in errors and logs (issue 8 §3): no ID or phone number in any log line.

The filter sits on every handler; the tests provoke the errors the issue found (a database
error that repeats the row, a ValueError holding an ID, an unhandled exception in a page)
and grep what the root handler wrote and what caplog captured. Requirement: B-2.2 (personal
files hold personal data; only those who may see it do).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator

import pytest
from django.db import IntegrityError
from django.test import Client

from parkguard.lib.api_errors import DATA_REFUSED
from parkguard.lib.logmask import MASK, PersonalDataFilter, mask_numbers
from parkguard.people import services, views
from parkguard.people.identity import id_decrypt
from tests.factories import World

Clients = Callable[[str | None], Client]
ID = "450222199001011234"
PHONE = "13812345678"


@pytest.mark.parametrize(
    "text",
    [
        f"id={ID}",
        f"phone {PHONE}.",
        "３２０１０２１９９００１０１１２３Ｘ",
        "138-1234-5678",
        "4502 2219 9001 0112 34",
        f"Failing row contains (7, 张三, {PHONE}, 1990-01-01, {ID[:17]}X)",
    ],
)
def test_it_masks_id_and_phone_numbers(text: str) -> None:
    masked = mask_numbers(text)
    assert MASK in masked
    assert sum(ch.isdigit() for ch in masked) < 11


def test_it_leaves_short_numbers_alone() -> None:
    assert mask_numbers("GET /people/12/ 200 4213 2022-11-15") == (
        "GET /people/12/ 200 4213 2022-11-15"
    )


def test_every_configured_handler_masks() -> None:
    """The filter is on every handler of every logger settings.LOGGING configures."""
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    handlers = [h for lg in loggers if isinstance(lg, logging.Logger) for h in lg.handlers]
    # pytest's capture handlers and NullHandlers (which write nothing) aside
    handlers = [
        h
        for h in handlers
        if type(h).__module__.split(".")[0] != "_pytest" and not isinstance(h, logging.NullHandler)
    ]
    assert handlers, "settings.LOGGING installs handlers"
    for handler in handlers:
        assert any(isinstance(f, PersonalDataFilter) for f in handler.filters), handler


@pytest.fixture
def root_stream() -> Iterator[io.StringIO]:
    """What the root console handler writes, while the test runs."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, PersonalDataFilter) for f in h.filters)
    )
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(old)


def test_no_log_line_or_error_body_holds_a_clear_number(
    world: World,
    client_as: Clients,
    caplog: pytest.LogCaptureFixture,
    root_stream: io.StringIO,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """B-2.2: provoke the issue's errors, then grep every captured log line."""
    caplog.set_level(logging.INFO)
    clear_id = id_decrypt(world.a1_person.id_encrypted)
    phone = world.a1_person.phone
    client = client_as("a1_officer")

    # 1. A database error repeating the row: the API answers a fixed message.
    def failing_row(**kwargs: object) -> None:
        raise IntegrityError(f"Failing row contains (9, 甲一张三, {phone}, {clear_id}, 现住址)")

    monkeypatch.setattr(services, "person_update", failing_row)
    response = client.patch(
        f"/api/v1/people/{world.a1_person.pk}", {"post": "x"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == DATA_REFUSED
    assert phone not in response.content.decode() and clear_id not in response.content.decode()

    # 2. A ValueError holding an ID, logged with its traceback.
    try:
        raise ValueError(f"bad id {clear_id}")
    except ValueError:
        logging.getLogger("parkguard.people").exception("import row failed for %s", clear_id)

    # 3. An unhandled exception in a page: Django logs it with the traceback.
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"unexpected {clear_id} {phone}")

    monkeypatch.setattr(views, "render", boom)
    page = Client(raise_request_exception=False)
    page.force_login(world.users["a1_officer"])
    assert page.get(f"/people/{world.a1_person.pk}/").status_code == 500

    written = root_stream.getvalue()
    assert "Internal Server Error" in written and "bad id" in written
    for text in (written, caplog.text, *[r.getMessage() for r in caplog.records]):
        assert clear_id not in text and clear_id[:14] not in text
        assert phone not in text
    assert MASK in written


def test_the_job_consumer_logs_through_the_masking_handler() -> None:
    """huey's consumer adds its own (unfiltered) handler only to an unconfigured logger."""
    handlers = [
        h
        for h in logging.getLogger("huey").handlers
        if type(h).__module__.split(".")[0] != "_pytest"
    ]
    assert handlers and all(
        any(isinstance(f, PersonalDataFilter) for f in h.filters) for h in handlers
    )
