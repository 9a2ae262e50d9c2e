"""Contact tracing through junctions between blocks (Z-5.1b: "加强各区块之间接合部的管理"),
as the response pack's version 3 says: who passed the same junction (through the gate that
serves it) within the pack's gap, and who was at that time in an area at its ends or joined
to them by an uncontrolled junction. A junction's gate must be the enterprise's own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from parkguard.gate.models import AccessCheck, Gate
from parkguard.gate.services import gate_create
from parkguard.orgs.access import SYSTEM, Scope, scope_for_user
from parkguard.people.models import Person
from parkguard.response import services
from parkguard.response.choices import ContactDegree
from parkguard.response.models import Area, Contact, Incident, Junction
from parkguard.response.owners import Owner
from tests.factories import World, make_person
from tests.response.conftest import AT

pytestmark = pytest.mark.django_db

# Version 2 is in force from 2022-11-16, version 3 from 2022-11-17.
DETECTED_V2 = dt.datetime(2022, 11, 16, 10, 0, tzinfo=dt.UTC)
DETECTED_V3 = dt.datetime(2022, 11, 17, 10, 0, tzinfo=dt.UTC)
GAP = dt.timedelta(minutes=30)  # the pack's default trace_junction_gap_minutes
TICK = dt.timedelta(microseconds=1)


def _scope(world: World) -> Scope:
    return scope_for_user(world.users["a1_officer"])


def _area(world: World, name: str, block: str) -> Area:
    return services.area_create(
        scope=SYSTEM,
        owner=Owner(enterprise=world.a1),
        name=name,
        block=block,
        capacity=50,
        by=None,
        at=AT,
    )


def _gate(world: World, name: str, enterprise: object = None) -> Gate:
    return gate_create(
        scope=SYSTEM,
        park=world.park_a,
        enterprise=enterprise or world.a1,  # type: ignore[arg-type]
        name=name,
        place="plant_gate",
        at=AT,
        by=None,
    )


def _pass(gate: Gate, person: Person, at: dt.datetime) -> None:
    AccessCheck.objects.create(
        at=at,
        recorded_at=at,
        gate=gate,
        park=gate.park,
        enterprise=gate.enterprise,
        direction="in",
        method="place_code",
        person_id=person.pk,
        allowed=True,
        reasons=[],
    )


@dataclass
class Site:
    """A1's blocks: workshop ↔ canteen through a controlled door served by the canteen gate;
    canteen ↔ dormitory through a passage with no gate (controlled or not, as the test says);
    dormitory ↔ warehouse through the dormitory's door gate; workshop ↔ warehouse through a
    buffer with its own gate."""

    canteen_gate: Gate
    dorm_gate: Gate
    buffer_gate: Gate
    passage: Junction


def _site(world: World, *, passage_controlled: bool) -> Site:
    workshop = Area.objects.get(enterprise=world.a1, name="一号车间")
    canteen = _area(world, "员工食堂", "living")
    dorm = _area(world, "员工宿舍", "living")
    store = _area(world, "成品仓库", "handover")
    canteen_gate = _gate(world, "食堂门禁")
    dorm_gate = _gate(world, "宿舍门")
    buffer_gate = _gate(world, "仓库缓冲间")

    def junction(a: Area, b: Area, kind: str, controlled: bool, gate: Gate | None) -> Junction:
        return services.junction_create(
            scope=SYSTEM,
            owner=Owner(enterprise=world.a1),
            from_area=a,
            to_area=b,
            kind=kind,
            controlled=controlled,
            gate=gate,
            by=None,
            at=AT,
        )

    junction(workshop, canteen, "door", True, canteen_gate)
    passage = junction(canteen, dorm, "passage", passage_controlled, None)
    junction(dorm, store, "door", True, dorm_gate)
    junction(workshop, store, "buffer", True, buffer_gate)
    return Site(canteen_gate, dorm_gate, buffer_gate, passage)


def _trace(world: World, index: Person, detected: dt.datetime) -> dict[int, Contact]:
    incident = Incident.objects.create(
        enterprise=world.a1, person=index, title="员工发热", detected_at=detected
    )
    services.contacts_trace(scope=_scope(world), incident=incident, by=None, at=detected)
    return {c.person_id: c for c in Contact.objects.filter(incident=incident)}


def test_z_5_1b_the_same_junction_counts_at_exactly_n_minutes_and_not_a_microsecond_more(
    response_world: World,
) -> None:
    w = response_world
    site = _site(w, passage_controlled=True)
    index = w.a1_person
    at = DETECTED_V3 - dt.timedelta(hours=2)
    _pass(site.canteen_gate, index, at)
    before = make_person(w.a1, "甲一早到", 301)
    after = make_person(w.a1, "甲一晚到", 302)
    late = make_person(w.a1, "甲一过时", 303)
    early = make_person(w.a1, "甲一过早", 304)
    _pass(site.canteen_gate, before, at - GAP)
    _pass(site.canteen_gate, after, at + GAP)
    _pass(site.canteen_gate, late, at + GAP + TICK)
    _pass(site.canteen_gate, early, at - GAP - TICK)
    found = _trace(w, index, DETECTED_V3)
    # 30 minutes is beyond the gate's own 15: only the junction finds them.
    assert set(found) == {before.pk, after.pk}
    for pk in (before.pk, after.pk):
        assert found[pk].degree == ContactDegree.CLOSE
        assert found[pk].basis == (
            "经 一号车间↔员工食堂 门禁接合部，与指示人员前后 30 分钟内经过"
            f"（{timezone.localtime(at):%m-%d %H:%M} 起）"
        )


def test_z_5_1b_an_uncontrolled_junction_joins_its_areas_a_controlled_one_does_not(
    response_world: World,
) -> None:
    w = response_world
    results = {}
    for controlled in (False, True):
        Junction.objects.all().delete()
        Area.objects.filter(enterprise=w.a1).exclude(name__in=["一号车间", "临时隔离点"]).delete()
        site = _site(w, passage_controlled=controlled)
        index = w.a1_person
        at = DETECTED_V3 - dt.timedelta(hours=2)
        _pass(site.canteen_gate, index, at)
        serial = 310 if controlled else 320
        dorm_mate = make_person(w.a1, f"甲一宿舍{serial}", serial)
        workshop_mate = make_person(w.a1, f"甲一车间{serial}", serial + 1)
        # In the dormitory (through its door) and in the workshop (through the buffer).
        _pass(site.dorm_gate, dorm_mate, at + dt.timedelta(minutes=20))
        _pass(site.buffer_gate, workshop_mate, at - GAP)
        found = _trace(w, index, DETECTED_V3)
        results[controlled] = (found, dorm_mate, workshop_mate)
    found, dorm_mate, workshop_mate = results[False]
    assert {dorm_mate.pk, workshop_mate.pk} <= set(found)
    # An area only joined (or at an end) is secondary by default.
    assert found[dorm_mate.pk].degree == ContactDegree.SECONDARY
    assert "经无管控的 员工食堂↔员工宿舍 通道 相连的员工宿舍" in found[dorm_mate.pk].basis
    assert found[dorm_mate.pk].basis.startswith("经 一号车间↔员工食堂 门禁接合部：")
    assert found[workshop_mate.pk].degree == ContactDegree.SECONDARY
    assert found[workshop_mate.pk].basis.endswith("进出一号车间")
    found, dorm_mate, workshop_mate = results[True]
    # Controlled: the dormitory is not joined; the workshop is still an end of the door.
    assert dorm_mate.pk not in found
    assert workshop_mate.pk in found


def test_another_enterprises_person_never_appears(response_world: World) -> None:
    w = response_world
    site = _site(w, passage_controlled=False)
    index = w.a1_person
    at = DETECTED_V3 - dt.timedelta(hours=2)
    _pass(site.canteen_gate, index, at)
    theirs = make_person(w.a2, "甲二访客", 330)
    for gate in (site.canteen_gate, site.dorm_gate, site.buffer_gate):
        _pass(gate, theirs, at + dt.timedelta(minutes=1))
    ours = make_person(w.a1, "甲一同事", 331)
    _pass(site.dorm_gate, ours, at + dt.timedelta(minutes=1))
    found = _trace(w, index, DETECTED_V3)
    assert theirs.pk not in found and index.pk not in found
    assert ours.pk in found


def test_junction_tracing_only_under_the_packs_version_3(response_world: World) -> None:
    w = response_world
    site = _site(w, passage_controlled=False)
    index = w.a1_person
    met = make_person(w.a1, "甲一食堂", 340)
    joined = make_person(w.a1, "甲一宿舍", 341)
    found: dict[str, dict[int, Contact]] = {}
    for version, detected in (("v2", DETECTED_V2), ("v3", DETECTED_V3)):
        at = detected - dt.timedelta(hours=2)
        _pass(site.canteen_gate, index, at)
        _pass(site.canteen_gate, met, at + dt.timedelta(minutes=25))
        _pass(site.dorm_gate, joined, at + dt.timedelta(minutes=5))
        found[version] = _trace(w, index, detected)
        Incident.objects.filter(person=index).update(state="closed")
    # v2 knows no junctions (25 minutes is beyond its 15-minute gate gap).
    assert met.pk not in found["v2"] and joined.pk not in found["v2"]
    assert found["v3"][met.pk].degree == ContactDegree.CLOSE
    assert found["v3"][joined.pk].degree == ContactDegree.SECONDARY


def test_the_park_sets_the_junction_gap_and_degrees(response_world: World) -> None:
    w = response_world
    adoption = w.park_a.pack_adoptions.get(pack_id="zhengyang-2022-20-response")
    # The gate's own gap shorter than the junction's, so only the junction finds them.
    adoption.params = {
        "trace_gap_minutes": 5,
        "trace_junction_gap_minutes": 10,
        "trace_junction_close": False,
        "trace_junction_area_close": True,
    }
    adoption.save(update_fields=["params"])
    site = _site(w, passage_controlled=False)
    index = w.a1_person
    at = DETECTED_V3 - dt.timedelta(hours=2)
    _pass(site.canteen_gate, index, at)
    same = make_person(w.a1, "甲一同门", 350)
    joined = make_person(w.a1, "甲一宿舍", 351)
    beyond = make_person(w.a1, "甲一超时", 352)
    _pass(site.canteen_gate, same, at + dt.timedelta(minutes=10))
    _pass(site.dorm_gate, joined, at - dt.timedelta(minutes=10))
    _pass(site.dorm_gate, beyond, at + dt.timedelta(minutes=10) + TICK)
    found = _trace(w, index, DETECTED_V3)
    assert set(found) == {same.pk, joined.pk}
    assert found[same.pk].degree == ContactDegree.SECONDARY
    assert "前后 10 分钟内" in found[same.pk].basis
    assert found[joined.pk].degree == ContactDegree.CLOSE


def test_the_incident_page_and_api_show_the_junction_basis(
    response_world: World, client_as: Callable[[str | None], Client]
) -> None:
    w = response_world
    site = _site(w, passage_controlled=False)
    index = w.a1_person
    at = DETECTED_V3 - dt.timedelta(hours=2)
    _pass(site.canteen_gate, index, at)
    met = make_person(w.a1, "甲一食堂", 360)
    _pass(site.canteen_gate, met, at + dt.timedelta(minutes=20))
    found = _trace(w, index, DETECTED_V3)
    incident = found[met.pk].incident
    officer = client_as("a1_officer")
    page = officer.get(f"/response/incidents/{incident.pk}/").content.decode()
    assert "经 一号车间↔员工食堂 门禁接合部，与指示人员前后 30 分钟内经过" in page
    body = officer.get(f"/api/v1/response/incidents/{incident.pk}").json()
    [contact] = body["contacts"]
    assert contact["person_id"] == met.pk
    assert contact["basis"].startswith("经 一号车间↔员工食堂 门禁接合部")


# --- a junction's gate ------------------------------------------------------------------
def _pair(world: World) -> tuple[Area, Area]:
    return (
        Area.objects.get(enterprise=world.a1, name="一号车间"),
        Area.objects.get(enterprise=world.a1, name="临时隔离点"),
    )


def test_a_junction_keeps_its_gate_and_the_zones_page_names_it(
    response_world: World, client_as: Callable[[str | None], Client]
) -> None:
    w = response_world
    gate = _gate(w, "隔离点门禁")
    a, b = _pair(w)
    officer = client_as("a1_officer")
    form = officer.get(f"/response/enterprises/{w.a1.pk}/").content.decode()
    assert f'<option value="{gate.pk}">隔离点门禁</option>' in form
    page = officer.post(
        f"/response/enterprises/{w.a1.pk}/junctions/",
        {"from_area": a.pk, "to_area": b.pk, "kind": "door", "controlled": "1", "gate": gate.pk},
        follow=True,
    ).content.decode()
    assert "已添加接合部" in page and "经隔离点门禁" in page
    junction = Junction.objects.get()
    junction.refresh_from_db()
    assert junction.gate == gate and junction.controlled
    made = officer.post(
        f"/api/v1/response/enterprises/{w.a1.pk}/junctions",
        {"from_area_id": a.pk, "to_area_id": b.pk, "kind": "buffer", "gate_id": gate.pk},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["gate_id"] == gate.pk
    assert Junction.objects.get(kind="buffer").gate == gate


def test_a_gate_of_another_enterprise_or_of_the_park_is_refused(
    response_world: World, client_as: Callable[[str | None], Client]
) -> None:
    w = response_world
    theirs = _gate(w, "甲二南门", w.a2)
    park_gate = gate_create(
        scope=SYSTEM,
        park=w.park_a,
        enterprise=None,
        name="园区卡口",
        place="plant_gate",
        at=AT,
        by=None,
    )
    a, b = _pair(w)
    admin = w.users["park_a_admin"]
    for gate in (theirs, park_gate):
        with pytest.raises(ValidationError) as caught:
            services.junction_create(
                scope=scope_for_user(admin),
                owner=Owner(enterprise=w.a1),
                from_area=a,
                to_area=b,
                kind="door",
                gate=gate,
                by=admin,
                at=AT,
            )
        assert caught.value.message_dict == {"gate": [services.JUNCTION_GATE_NOT_HERE]}
    # The park admin sees A2's gate: the page names the refusal; A1's officer does not see it
    # and gets the same message, through the page and the API (a field error).
    for who in ("park_a_admin", "a1_officer"):
        client = client_as(who)
        page = client.post(
            f"/response/enterprises/{w.a1.pk}/junctions/",
            {"from_area": a.pk, "to_area": b.pk, "kind": "door", "gate": theirs.pk},
            follow=True,
        ).content.decode()
        assert services.JUNCTION_GATE_NOT_HERE in page, who
        api = client.post(
            f"/api/v1/response/enterprises/{w.a1.pk}/junctions",
            {"from_area_id": a.pk, "to_area_id": b.pk, "kind": "door", "gate_id": theirs.pk},
            content_type="application/json",
        )
        assert api.status_code == 422, who
        assert api.json()["detail"] == [
            {"loc": ["body", "payload", "gate_id"], "msg": services.JUNCTION_GATE_NOT_HERE}
        ]
    assert not Junction.objects.exists()


def test_outsiders_neither_add_a_junction_with_a_gate_nor_see_its_tracing(
    response_world: World, client_as: Callable[[str | None], Client]
) -> None:
    w = response_world
    site = _site(w, passage_controlled=False)
    index = w.a1_person
    at = DETECTED_V3 - dt.timedelta(hours=2)
    _pass(site.canteen_gate, index, at)
    met = make_person(w.a1, "甲一食堂密接", 370)
    _pass(site.canteen_gate, met, at + dt.timedelta(minutes=20))
    incident = Incident.objects.create(
        enterprise=w.a1, person=index, title="甲一员工发热", detected_at=DETECTED_V3
    )
    a, b = _pair(w)
    before = Junction.objects.count()
    for who in ("a2_officer", "a1_employee", "park_b_admin", None):
        client = client_as(who)
        added = client.post(
            f"/response/enterprises/{w.a1.pk}/junctions/",
            {"from_area": a.pk, "to_area": b.pk, "kind": "door", "gate": site.dorm_gate.pk},
        )
        api = client.post(
            f"/api/v1/response/enterprises/{w.a1.pk}/junctions",
            {"from_area_id": a.pk, "to_area_id": b.pk, "kind": "door"},
            content_type="application/json",
        )
        traced = client.post(f"/response/incidents/{incident.pk}/trace/")
        detail = client.get(f"/api/v1/response/incidents/{incident.pk}")
        if who is None:
            assert added.status_code == 302 and traced.status_code == 302
            assert api.status_code == 401 and detail.status_code == 401
        else:
            assert added.status_code in (403, 404), who
            assert api.status_code in (403, 404), who
            assert traced.status_code in (403, 404), who
            assert detail.status_code in (403, 404), who
            assert "甲一食堂密接" not in detail.content.decode()
    assert Junction.objects.count() == before
    assert not Contact.objects.filter(incident=incident).exists()
