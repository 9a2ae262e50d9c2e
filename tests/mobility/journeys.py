"""Drivers for the scenario tests: one scenario, played either through the pages (form posts
as a user makes them) or through the JSON API, with the pages' and the API's clock set to the
notice's dates. After each step the test reads the person's entry status three ways: the
status row the gate reads, and the page's or the API's own answer."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone as django_timezone

from parkguard.mobility import api as mobility_api
from parkguard.mobility import services
from parkguard.mobility import views as mobility_views
from parkguard.mobility.models import ReturnDeclaration, Trip, Visitor
from parkguard.people.models import Person
from parkguard.status.models import PersonStatus
from tests.mobility.conftest import at

VIAS = ["page", "api"]
ENTRY_ALLOWED = "可以进入厂区"
ENTRY_HELD = "暂不能进入厂区"


class Clock:
    """`django.utils.timezone` for the mobility pages and API, with `now()` set by the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, now: dt.datetime) -> None:
        self.value = now
        for module in (mobility_views, mobility_api):
            monkeypatch.setattr(module, "timezone", self)

    def now(self) -> dt.datetime:
        return self.value

    def set(self, day: str, hm: str = "09:00") -> dt.datetime:
        self.value = at(day, hm)
        return self.value

    def __getattr__(self, name: str) -> Any:
        return getattr(django_timezone, name)


Stop = tuple[str, str, str]  # (division code, first day, last day)


def _local(value: str) -> str:
    """An ISO time with offset as a phone's datetime-local value (site time)."""
    return dt.datetime.fromisoformat(value).strftime("%Y-%m-%dT%H:%M")


@dataclass
class Journey:
    """One person's trip and return through one channel (`via`)."""

    via: str
    client: Client
    person: Person
    clock: Clock
    responses: list[Any] = field(default_factory=list)

    # --- writes ---------------------------------------------------------------------------
    def file_trip(self, purpose: str, departs: str, returns: str, stops: list[Stop]) -> Any:
        if self.via == "api":
            body = {
                "purpose": purpose,
                "departs_on": departs,
                "returns_on": returns,
                "stops": [{"division_code": c, "first_day": f, "last_day": t} for c, f, t in stops],
            }
            return self._post("/api/v1/mobility/trips", body)
        data = {"purpose": purpose, "departs_on": departs, "returns_on": returns, "note": ""}
        for n, (code, first, last) in enumerate(stops, start=1):
            data |= {f"code_{n}": code, f"first_{n}": first, f"last_{n}": last}
        return self.client.post("/mobility/trips/new/", data)

    def declare(
        self,
        arrived_at: str,
        stays: list[Stop],
        *,
        transport: str = "train",
        cert: str | None = None,
        trip: Trip | None = None,
        transit: tuple[int, ...] = (),
    ) -> Any:
        """Declare a return; `transit` are the 1-based rows only passed through."""
        if self.via == "api":
            body: dict[str, Any] = {
                "arrived_at": arrived_at,
                "transport": transport,
                "stays": [
                    {
                        "division_code": c,
                        "first_day": f,
                        "last_day": t,
                        "transit": n in transit,
                    }
                    for n, (c, f, t) in enumerate(stays, start=1)
                ],
                "certificates": [{"sampled_at": cert, "result": "negative"}] if cert else [],
            }
            if trip is not None:
                body["trip_id"] = trip.pk
            return self._post("/api/v1/mobility/returns", body)
        data = {"arrived_at": _local(arrived_at), "transport": transport}
        if trip is not None:  # chosen on the page, as the API names it
            data["trip"] = str(trip.pk)
        if cert:
            data |= {"cert_at": _local(cert), "cert_result": "negative"}
        for n, (code, first, last) in enumerate(stays, start=1):
            data |= {f"code_{n}": code, f"first_{n}": first, f"last_{n}": last}
            if n in transit:
                data[f"transit_{n}"] = "on"
        return self.client.post("/mobility/returns/new/", data)

    def evidence(
        self,
        declaration: ReturnDeclaration,
        kind: str,
        done_at: str,
        *,
        obligation: str = "",
        result: str = "",
    ) -> Any:
        if self.via == "api":
            body = {"kind": kind, "obligation": obligation, "done_at": done_at, "result": result}
            response = self._post(f"/api/v1/mobility/returns/{declaration.pk}/evidence", body)
            assert response.status_code == 201, response.content
            return response
        data = {"kind": kind, "obligation": obligation, "done_at": _local(done_at)}
        data["result"] = result
        response = self.client.post(f"/mobility/returns/{declaration.pk}/", data)
        assert response.status_code == 302, response.content.decode()[-2000:]
        return response

    def test_taken(self, declaration: ReturnDeclaration, day: str) -> None:
        """A negative sample taken at 11:00 on `day`, recorded at the clock's time."""
        self.evidence(declaration, "test", f"{day}T11:00:00+08:00", result="negative")

    def notices_made(self, declaration: ReturnDeclaration, done_at: str) -> None:
        """Every declaration / report the plan asks for, made at `done_at`."""
        for plan in declaration.plans.filter(state="open"):
            for ob in plan.plan["obligations"]:
                if ob["kind"] == "notify":
                    self.evidence(declaration, "notice", done_at, obligation=ob["key"])

    def _post(self, url: str, body: dict[str, Any]) -> Any:
        return self.client.post(url, json.dumps(body), content_type="application/json")

    # --- reads ----------------------------------------------------------------------------
    def declaration(self) -> ReturnDeclaration:
        return ReturnDeclaration.objects.filter(person=self.person).latest("pk")

    def entry(self, declaration: ReturnDeclaration) -> bool:
        """The channel's own answer, at the clock's time: may the person enter the plant?"""
        if self.via == "api":
            body = self.client.get(f"/api/v1/mobility/returns/{declaration.pk}").json()
            return bool(body["entry_allowed"])
        page = self.client.get(f"/mobility/returns/{declaration.pk}/").content.decode()
        assert (ENTRY_ALLOWED in page) != (ENTRY_HELD in page)
        return ENTRY_ALLOWED in page


def gate_held(person: Person) -> bool:
    """What the gate reads: the person's status row."""
    row = PersonStatus.objects.filter(person=person).first()
    return bool(row and row.on_hold)


def day_passes(journey: Journey, day: str, hm: str = "09:00") -> dt.datetime:
    """The clock moves on and the periodic task (every ten minutes) re-evaluates open returns."""
    now = journey.clock.set(day, hm)
    services.return_plans_refresh(at=now)
    return now


def entry_on(journey: Journey, declaration: ReturnDeclaration, day: str, hm: str) -> bool:
    """After the periodic task at `day hm`: the gate's status row and the channel agree."""
    day_passes(journey, day, hm)
    allowed = journey.entry(declaration)
    assert allowed == (not gate_held(journey.person)), (day, hm)
    return allowed


def errors_of(via: str, response: Any) -> list[str]:
    """The Chinese messages a refused write gave, through either channel."""
    if via == "api":
        assert response.status_code == 422, response.content
        return [d["msg"] for d in response.json()["detail"]]
    assert response.status_code in {200, 422}, response.status_code
    html = response.content.decode()
    return re.findall(r'<ul class="errorlist[^"]*"[^>]*>\s*<li>(.*?)</li>', html, re.S)


def register_visitor(
    via: str, client: Client, origin: str, arrives_at: str, host_id: int | None = None
) -> tuple[Any, str]:
    """A host registers a visitor; returns the response and the link token (if accepted)."""
    if via == "api":
        body: dict[str, Any] = {"purpose": "商务洽谈", "origin_code": origin}
        body["arrives_at"] = arrives_at
        if host_id is not None:
            body["host_id"] = host_id
        response = client.post(
            "/api/v1/mobility/visitors", json.dumps(body), content_type="application/json"
        )
        token = response.json().get("link_token", "") if response.status_code == 201 else ""
        return response, token or ""
    data = {"purpose": "商务洽谈", "origin_code": origin, "arrives_at": _local(arrives_at)}
    response = client.post("/mobility/visitors/new/", data)
    if response.status_code != 302:
        return response, ""
    detail = client.get(response["Location"]).content.decode()
    found = re.search(r"/v/([^/\"<\s]+)/", detail)
    assert found, detail[-1500:]
    return response, found.group(1)


def fill_visitor(
    via: str,
    client: Client,
    token: str,
    stays: list[Stop],
    transit: tuple[int, ...] = (),
    cert: str | None = None,
) -> Any:
    """The visitor fills in their own details on the phone (no login); `transit` are the
    1-based rows only passed through; `cert` the sampling time of a negative certificate."""
    if via == "api":
        body: dict[str, Any] = {
            "name": "访客丁",
            "phone": "13900000004",
            "stays": [
                {"division_code": c, "first_day": f, "last_day": t, "transit": n in transit}
                for n, (c, f, t) in enumerate(stays, start=1)
            ],
        }
        if cert:
            body["certificates"] = [{"sampled_at": cert, "result": "negative"}]
        return client.post(
            f"/api/v1/mobility/visitor-links/{token}/details",
            json.dumps(body),
            content_type="application/json",
        )
    data = {"name": "访客丁", "phone": "13900000004"}
    if cert:
        data |= {"cert_at": _local(cert), "cert_result": "negative"}
    for n, (code, first, last) in enumerate(stays, start=1):
        data |= {f"code_{n}": code, f"first_{n}": first, f"last_{n}": last}
        if n in transit:
            data[f"transit_{n}"] = "on"
    return client.post(f"/v/{token}/", data)


def only_visitor() -> Visitor:
    return Visitor.objects.get()


ClientAs = Callable[[str | None], Client]
