"""Dates on the phone pages are `<input type="date">` and `type="datetime-local"`: a browser
shows a value only in ISO form (2022-11-15, 2022-11-15T20:00). Django writes an initial
value in the locale's first input format, for zh-Hans "2022/11/15", which the browser drops:
an edit form then opened with its dates blank (found on the risk-area edit page). Every such
widget names the ISO format."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client

from parkguard.mobility import services
from parkguard.mobility.services import RiskAreaIn
from parkguard.orgs.access import SYSTEM
from tests.factories import World

ROOT = Path(__file__).resolve().parents[2] / "parkguard"
WIDGET = re.compile(r"(DateTimeInput|DateInput)\(([^()]*(?:\([^()]*\)[^()]*)*)\)", re.S)
ISO = {"DateInput": 'format="%Y-%m-%d"', "DateTimeInput": 'format="%Y-%m-%dT%H:%M"'}


def test_every_date_widget_names_the_iso_format() -> None:
    missing = [
        f"{path.relative_to(ROOT)}: {kind}({args.strip()[:60]})"
        for path in ROOT.rglob("*.py")
        for kind, args in WIDGET.findall(path.read_text(encoding="utf-8"))
        if ISO[kind] not in args
    ]
    assert WIDGET.findall('forms.DateInput(attrs={"type": "date"})')  # the scan sees them
    assert missing == []


@pytest.mark.django_db
def test_an_edit_form_opens_with_its_dates_shown(
    jinjiang: World, client_as: Callable[[str | None], Client]
) -> None:
    area = services.risk_area_save(
        scope=SYSTEM,
        park=jinjiang.park_a,
        row=RiskAreaIn(
            "420102", "某街道", "high", dt.date(2022, 11, 1), dt.date(2022, 11, 30), "公告"
        ),
        by=None,
        at=dt.datetime(2022, 11, 10, tzinfo=dt.UTC),
    )
    page = client_as("park_a_admin").get(f"/mobility/risk-areas/{area.pk}/").content.decode()
    assert 'name="effective_from" value="2022-11-01"' in page
    assert 'name="effective_to" value="2022-11-30"' in page
