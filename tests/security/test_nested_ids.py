"""Nested ids in request bodies: a caller's own route, another tenant's object in the body.

The outsider walker aims the path at A1's objects; here the path is the attacker's own (A2's
enterprise, park B, park B's lockdown) and only an id inside the body names A1's or park A's
object: a person, an org unit, an area, a gate, a trip, a sample, a membership, an enterprise.
Each must be refused with a 4xx and change nothing (every row of every table compared).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from parkguard.command.models import LockdownOrder
from parkguard.orgs.models import Membership
from parkguard.orgs.services import api_token_create
from parkguard.response.models import Area
from parkguard.sampling.models import SamplingRound
from parkguard.supplies.models import SupplyItem
from tests.factories import TODAY, World, make_user
from tests.test_outsiders import _changes, _snapshot, _victims

REFUSED = {400, 403, 404, 422}
AT = "2022-11-15T09:00:00+08:00"


def _now() -> dt.datetime:
    return dt.datetime.combine(TODAY, dt.time(9), tzinfo=dt.UTC)


def _own(world: World) -> dict[str, Any]:
    """The attackers' own objects: A2's round, item and area, park B's lockdown order."""
    rnd = SamplingRound.objects.create(
        enterprise=world.a2, name="甲二全员", on=TODAY, kind="full", group="all",
        pool_size=10, created_at=_now(),
    )  # fmt: skip
    item = SupplyItem.objects.create(
        enterprise=world.a2, kind="mask", name="甲二口罩", unit="个", on_hand=50
    )
    area = Area.objects.create(
        enterprise=world.a2, name="甲二车间", block="production", capacity=40, created_at=_now()
    )
    order = LockdownOrder.objects.create(
        jurisdiction=world.park_b, title="乙园区封控", reason="乙", ordered_at=_now(),
        ordered_by=world.users["park_b_admin"], staff_due_at=_now(), close_due_at=_now(),
    )  # fmt: skip
    a2_user = make_user("a2_staff")
    Membership.objects.create(user=a2_user, role="employee", enterprise=world.a2,
                              person=world.a2_person)  # fmt: skip
    return {"round": rnd, "item": item, "area": area, "order": order, "a2_user": a2_user}


def _a1_area(world: World, *, last: bool = False) -> int:
    areas = Area.objects.filter(enterprise=world.a1).order_by("-pk" if last else "pk")
    return areas.values_list("pk", flat=True)[0]


# (case id, persona, method, path(world, own), body(world, victims, own))
Case = tuple[str, str, str, Callable[..., str], Callable[..., dict[str, Any]]]

CASES: list[Case] = [
    ("unit parent of A1", "a2_officer", "post",
     lambda w, o: f"/api/v1/enterprises/{w.a2.pk}/units",
     lambda w, v, o: {"name": "挂到甲一下", "kind": "team", "parent_id": w.a1_unit.pk}),
    ("account in A1's unit", "a2_officer", "post",
     lambda w, o: f"/api/v1/enterprises/{w.a2.pk}/accounts",
     lambda w, v, o: {"login": "x-leader", "full_name": "外人", "role": "team_leader",
                      "org_unit_id": w.a1_unit.pk}),
    ("role at A1", "a2_officer", "post",
     lambda w, o: f"/api/v1/users/{o['a2_user'].pk}/roles",
     lambda w, v, o: {"role": "epidemic_officer", "enterprise_id": w.a1.pk}),
    ("role in A1's unit", "a2_officer", "post",
     lambda w, o: f"/api/v1/users/{o['a2_user'].pk}/roles",
     lambda w, v, o: {"role": "team_leader", "enterprise_id": w.a2.pk,
                      "org_unit_id": w.a1_unit.pk}),
    ("role at park A", "park_b_admin", "post",
     lambda w, o: f"/api/v1/users/{w.users['park_b_admin'].pk}/roles",
     lambda w, v, o: {"role": "park_admin", "jurisdiction_id": w.park_a.pk}),
    ("remove A1's membership", "a2_officer", "post",
     lambda w, o: f"/api/v1/users/{o['a2_user'].pk}/roles/remove",
     lambda w, v, o: {"membership_id": Membership.objects.get(user=w.users["a1_officer"]).pk}),
    ("person in A1's unit", "a2_officer", "post",
     lambda w, o: f"/api/v1/enterprises/{w.a2.pk}/people",
     lambda w, v, o: {"name": "甲二新人", "id_number": "450222199001014441",
                      "phone": "13800009999", "category": "regular",
                      "org_unit_id": w.a1_unit.pk}),
    ("move own person to A1's unit", "a2_officer", "patch",
     lambda w, o: f"/api/v1/people/{w.a2_person.pk}",
     lambda w, v, o: {"org_unit_id": w.a1_unit.pk}),
    ("logins for A1's person", "a2_officer", "post",
     lambda w, o: f"/api/v1/enterprises/{w.a2.pk}/employee-logins",
     lambda w, v, o: {"person_ids": [w.a1_person.pk], "login_by": "phone"}),
    ("reading of A1's person", "a2_officer", "post",
     lambda w, o: "/api/v1/health/readings",
     lambda w, v, o: {"person_id": w.a1_person.pk, "temperature": "38.5", "source": "office"}),
    ("visitor hosted by A1's person", "a2_officer", "post",
     lambda w, o: "/api/v1/mobility/visitors",
     lambda w, v, o: {"host_id": w.a1_person.pk, "purpose": "越权", "origin_code": "310115",
                      "arrives_at": AT}),
    ("round in A1's unit", "a2_officer", "post",
     lambda w, o: f"/api/v1/sampling/enterprises/{w.a2.pk}/rounds",
     lambda w, v, o: {"name": "越权轮次", "on": "2022-11-15", "kind": "full",
                      "group": "unit", "org_unit_id": w.a1_unit.pk, "pool_size": 10}),
    ("sample of A1's person", "a2_officer", "post",
     lambda w, o: f"/api/v1/sampling/rounds/{o['round'].pk}/samples",
     lambda w, v, o: {"barcode": "X-1", "kind": "single", "person_ids": [w.a1_person.pk]}),
    ("retest of A1's sample", "a2_officer", "post",
     lambda w, o: f"/api/v1/sampling/rounds/{o['round'].pk}/samples",
     lambda w, v, o: {"barcode": "X-2", "kind": "single", "person_ids": [w.a2_person.pk],
                      "retest_of_id": v["sample_id"]}),
    ("override on A1's person", "a2_officer", "post",
     lambda w, o: "/api/v1/status/overrides",
     lambda w, v, o: {"person_id": w.a1_person.pk, "action": "hold", "reason": "越权"}),
    ("junction from A1's area", "a2_officer", "post",
     lambda w, o: f"/api/v1/response/enterprises/{w.a2.pk}/junctions",
     lambda w, v, o: {"from_area_id": _a1_area(w),
                      "to_area_id": o["area"].pk, "kind": "buffer"}),
    ("junction through A1's gate", "a2_officer", "post",
     lambda w, o: f"/api/v1/response/enterprises/{w.a2.pk}/junctions",
     lambda w, v, o: {"from_area_id": o["area"].pk, "to_area_id": o["area"].pk,
                      "kind": "door", "gate_id": v["gate_id"]}),
    ("park B junction from A1's area", "park_b_admin", "post",
     lambda w, o: f"/api/v1/response/parks/{w.park_b.pk}/junctions",
     lambda w, v, o: {"from_area_id": _a1_area(w),
                      "to_area_id": _a1_area(w, last=True),
                      "kind": "buffer"}),
    ("move A1's person", "a2_officer", "post",
     lambda w, o: "/api/v1/response/moves",
     lambda w, v, o: {"person_id": w.a1_person.pk, "colour": "red", "reason": "越权"}),
    ("move own person into A1's area", "a2_officer", "post",
     lambda w, o: "/api/v1/response/moves",
     lambda w, v, o: {"person_id": w.a2_person.pk, "colour": "red", "reason": "越权",
                      "area_id": _a1_area(w)}),
    ("incident of A1's person", "a2_officer", "post",
     lambda w, o: f"/api/v1/response/enterprises/{w.a2.pk}/incidents",
     lambda w, v, o: {"person_id": w.a1_person.pk, "title": "越权事件"}),
    ("move into A1's unit", "a2_officer", "post",
     lambda w, o: f"/api/v1/supplies/items/{o['item'].pk}/moves",
     lambda w, v, o: {"kind": "issue", "quantity": 1, "org_unit_id": w.a1_unit.pk}),
    ("A1's disinfection task", "a2_officer", "post",
     lambda w, o: f"/api/v1/supplies/enterprises/{w.a2.pk}/disinfection/done",
     lambda w, v, o: {"task_id": v["by_route"]["supplies_disinfection_done"]["task_id"]}),
    ("loop on A1's incident", "a2_officer", "post",
     lambda w, o: f"/api/v1/continuity/enterprises/{w.a2.pk}/loop/start",
     lambda w, v, o: {"reason": "越权", "incident_id": v["incident_id"]}),
    ("loop with A1's person", "a2_officer", "post",
     lambda w, o: f"/api/v1/continuity/enterprises/{w.a2.pk}/loop/start",
     lambda w, v, o: {"reason": "越权", "person_ids": [w.a1_person.pk]}),
    ("park B fault of A1", "park_b_admin", "post",
     lambda w, o: f"/api/v1/continuity/parks/{w.park_b.pk}/faults",
     lambda w, v, o: {"utility": "power", "location": "越权", "description": "越权",
                      "enterprise_id": w.a1.pk}),
    ("park B order on A1", "park_b_admin", "post",
     lambda w, o: f"/api/v1/command/parks/{w.park_b.pk}/orders",
     lambda w, v, o: {"title": "越权", "reason": "越权", "enterprise_ids": [w.a1.pk]}),
    ("park B order on A1's area", "park_b_admin", "post",
     lambda w, o: f"/api/v1/command/parks/{w.park_b.pk}/orders",
     lambda w, v, o: {"title": "越权", "reason": "越权", "enterprise_ids": [w.b1.pk],
                      "area_ids": [_a1_area(w)]}),
    ("park B pass for A1's person", "park_b_admin", "post",
     lambda w, o: f"/api/v1/command/orders/{o['order'].pk}/passes",
     lambda w, v, o: {"person_id": w.a1_person.pk, "kind": "electronic", "purpose": "越权"}),
    ("park B shift for park A's admin", "park_b_admin", "post",
     lambda w, o: f"/api/v1/command/parks/{w.park_b.pk}/shifts",
     lambda w, v, o: {"user_id": w.users["a1_officer"].pk, "starts_at": AT,
                      "ends_at": "2022-11-15T17:00:00+08:00", "post": "越权"}),
    ("park B shift at park A's checkpoint", "park_b_admin", "post",
     lambda w, o: f"/api/v1/command/parks/{w.park_b.pk}/shifts",
     lambda w, v, o: {"user_id": w.users["park_b_admin"].pk, "starts_at": AT,
                      "ends_at": "2022-11-15T17:00:00+08:00", "post": "越权",
                      "checkpoint_id": v["checkpoint_id"]}),
    ("park B need of A1", "park_b_admin", "post",
     lambda w, o: f"/api/v1/command/orders/{o['order'].pk}/needs",
     lambda w, v, o: {"enterprise_id": w.a1.pk, "kind": "living", "item": "米",
                      "quantity": 1, "unit": "袋"}),
    ("park B need at A1's checkpoint", "park_b_admin", "post",
     lambda w, o: f"/api/v1/command/orders/{o['order'].pk}/needs",
     lambda w, v, o: {"checkpoint_id": v["checkpoint_id"], "kind": "living", "item": "米",
                      "quantity": 1, "unit": "袋"}),
    ("park B delivery to A1", "park_b_admin", "post",
     lambda w, o: f"/api/v1/command/orders/{o['order'].pk}/deliveries",
     lambda w, v, o: {"enterprise_id": w.a1.pk, "contents": "越权", "packages": 1,
                      "due_at": AT, "courier": "越权"}),
    ("park B shortfall of A1", "park_b_admin", "post",
     lambda w, o: f"/api/v1/command/orders/{o['order'].pk}/shortfalls",
     lambda w, v, o: {"enterprise_id": w.a1.pk, "item": "米", "short_by": 1, "unit": "袋"}),
    ("park B hotline about A1", "park_b_admin", "post",
     lambda w, o: f"/api/v1/oversight/parks/{w.park_b.pk}/hotline",
     lambda w, v, o: {"kind": "report", "subject": "越权", "text": "越权",
                      "about_id": w.a1.pk}),
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_it_refuses_another_tenants_id_inside_the_body(
    world: World, client_as: Callable[[str | None], Client], case: Case
) -> None:
    _, persona, method, path, body = case
    victims = _victims(world)
    own = _own(world)
    client = client_as(persona)
    before = _snapshot()
    response = getattr(client, method)(
        path(world, own), json.dumps(body(world, victims, own)), content_type="application/json"
    )
    assert response.status_code in REFUSED, response.content.decode()[:300]
    assert _changes(before, _snapshot()) == []
    for marker in world.markers():
        assert marker not in response.content.decode()


@pytest.mark.django_db
def test_it_refuses_a_gate_check_at_another_enterprises_gate(world: World) -> None:
    """A2's device token may not check anybody in at A1's gate, nor check A1's person."""
    victims = _victims(world)
    _, clear = api_token_create(name="甲二门岗", created_by=None, enterprise=world.a2)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {clear}")
    before = _snapshot()
    for body in (
        {"gate_id": victims["gate_id"], "direction": "in", "person_id": world.a2_person.pk},
        {"gate_id": victims["gate_id"], "direction": "in", "person_id": world.a1_person.pk},
    ):
        response = client.post("/api/v1/gate/check", json.dumps(body),
                               content_type="application/json")  # fmt: skip
        assert response.status_code in REFUSED, response.content.decode()[:300]
    assert _changes(before, _snapshot()) == []
