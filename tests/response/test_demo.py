"""The demo park's zones (Z-5.1): areas with an isolation area, a person in orange with an
open, reported incident (Z-4.2), a manual move awaiting its second approver."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from parkguard.orgs.models import Enterprise, Membership
from parkguard.response.choices import MoveState, ZoneColour
from parkguard.response.models import Area, Incident, Junction, PersonZone, SitePlan, ZoneMove
from parkguard.response.svg import svg_region_ids
from parkguard.status.services import status_rebuild


@pytest.mark.django_db
def test_the_demo_park_has_zones_and_an_open_incident() -> None:
    call_command("demo_load", verbosity=0)
    a1 = Membership.objects.get(user__username="officer").enterprise
    assert a1 is not None
    assert Area.objects.filter(enterprise=a1, is_isolation=True, zone=ZoneColour.RED).count() == 1
    assert set(Area.objects.filter(enterprise=a1).values_list("block", flat=True)) == {
        "handover",
        "production",
        "living",
        "public_health",
        "public_space",
    }
    # Its site plan, sanitised, with every area placed on it (the plan page draws them).
    plan = SitePlan.objects.get(enterprise=a1)
    assert "<rect" in plan.svg and "厂区平面图" in plan.svg
    assert not Area.objects.filter(enterprise=a1, plan_x__isnull=True).exists()
    # Every area is drawn as a region: bound to an element the plan has.
    ids = set(svg_region_ids(plan.svg))
    bound = set(Area.objects.filter(enterprise=a1).values_list("plan_region", flat=True))
    assert (
        bound <= ids
        and "" not in bound
        and len(bound) == Area.objects.filter(enterprise=a1).count()
    )
    [incident] = Incident.objects.all()
    assert incident.reported_at is not None and incident.isolated_at is None
    assert incident.minutes_to_report is not None and incident.tasks.count() == 6
    zone = PersonZone.objects.get(pk=incident.person_id)
    assert zone.colour == ZoneColour.ORANGE
    assert ZoneMove.objects.filter(state=MoveState.PENDING).count() == 1
    assert status_rebuild(at=timezone.now(), write=False).differing_people == 0
    # Park A's other enterprises have no isolation area yet: the park's list flags them.
    others = Enterprise.objects.filter(jurisdiction=a1.jurisdiction).exclude(pk=a1.pk)
    client = Client()
    client.force_login(Membership.objects.get(user__username="park_admin").user)
    page = client.get(f"/response/parks/{a1.jurisdiction_id}/").content.decode()
    assert all(e.name in page for e in others) and incident.title in page
    call_command("demo_load", verbosity=0)  # idempotent
    assert Incident.objects.count() == 1


@pytest.mark.django_db
def test_the_demo_enterprise_has_junctions_with_gates_and_tracing_follows_them() -> None:
    """Z-5.1b: the demo's junctions, two served by internal doors; tracing the open incident
    (pack v3 in force today) proposes who met the index person through them."""
    from parkguard.orgs.access import scope_for_user
    from parkguard.response.choices import ContactDegree
    from parkguard.response.models import Contact, Junction
    from parkguard.response.services import contacts_trace

    call_command("demo_load", verbosity=0)
    officer = Membership.objects.get(user__username="officer")
    a1 = officer.enterprise
    assert a1 is not None
    junctions = Junction.objects.filter(enterprise=a1).select_related("gate")
    assert junctions.count() == 5
    assert {j.gate.name for j in junctions if j.gate} == {"食堂门禁", "新员工宿舍门禁"}
    assert all(j.gate.enterprise_id == a1.pk for j in junctions if j.gate)
    [incident] = Incident.objects.all()
    contacts_trace(
        scope=scope_for_user(officer.user), incident=incident, by=officer.user, at=timezone.now()
    )
    by_junction = Contact.objects.filter(incident=incident, basis__contains="接合部")
    bases = {c.degree: c.basis for c in by_junction}
    assert by_junction.filter(degree=ContactDegree.CLOSE).count() == 3
    assert by_junction.filter(degree=ContactDegree.SECONDARY).count() == 2
    assert bases[ContactDegree.CLOSE].startswith("经 一号车间↔员工食堂 门禁接合部，")
    assert "经无管控的 员工食堂↔厂区道路 通道 相连的厂区道路" in bases[ContactDegree.SECONDARY]
    call_command("demo_load", verbosity=0)  # idempotent
    assert Junction.objects.filter(enterprise=a1).count() == 5


@pytest.mark.django_db
def test_the_demo_park_has_its_own_zones_on_its_site_plan() -> None:
    """L-4.4, J-1.2.5: park A's own areas (a visitors' buffer, a park isolation point) placed
    on the park's plan and joined by controlled junctions; the park admin's plan page and API
    show them, park B's admin sees none of it."""
    call_command("demo_load", verbosity=0)
    park = Membership.objects.get(user__username="park_admin", role="park_admin").jurisdiction
    assert park is not None
    areas = Area.objects.filter(park=park)
    assert set(areas.values_list("name", flat=True)) == {
        "园区主干道",
        "园区物资中转站",
        "来访人员缓冲区",
        "园区集中隔离观察点",
    }
    assert not areas.filter(plan_x__isnull=True).exists()
    assert areas.get(is_isolation=True).zone == ZoneColour.RED
    assert Junction.objects.filter(park=park, controlled=True).count() == 3
    assert "园区平面图" in SitePlan.objects.get(park=park).svg
    park_ids = set(svg_region_ids(SitePlan.objects.get(park=park).svg))
    assert set(areas.values_list("plan_region", flat=True)) <= park_ids
    assert areas.get(name="园区主干道").plan_region == "main-road"  # a group: both roads
    admin = Client()
    admin.force_login(Membership.objects.get(user__username="park_admin").user)
    page = admin.get(f"/response/parks/{park.pk}/plan/").content.decode()
    assert "来访人员缓冲区" in page and "园区集中隔离观察点" in page
    body = admin.get(f"/api/v1/response/parks/{park.pk}/plan").json()
    assert {a["name"] for a in body["areas"]} >= {"园区主干道", "来访人员缓冲区"}
    other = Client()
    other.force_login(Membership.objects.get(user__username="parkb_admin").user)
    assert other.get(f"/response/parks/{park.pk}/plan/").status_code == 404
    assert other.get(f"/api/v1/response/parks/{park.pk}/plan").status_code == 404
    call_command("demo_load", verbosity=0)  # idempotent
    assert Area.objects.filter(park=park).count() == 4


@pytest.mark.django_db
def test_the_demo_park_a_has_a_returnee_under_observation_in_blue() -> None:
    """Z-5.1 blue (response pack v4): park A's first enterprise has three returnees under home
    health monitoring, in blue, not held at the gate; its blue area 新员工宿舍 (two places)
    took the first two, the third waits and the zones page says the area is full; park B has
    none."""
    from parkguard.mobility.models import IsolationRecord
    from parkguard.status.choices import HoldKind
    from parkguard.status.models import StatusHold

    call_command("demo_load", verbosity=0)
    a1 = Membership.objects.get(user__username="officer").enterprise
    assert a1 is not None
    zones = list(PersonZone.objects.filter(colour=ZoneColour.BLUE).order_by("move_id"))
    assert len(zones) == 3 and {z.enterprise_id for z in zones} == {a1.pk}
    zone, second, waiting = zones
    assert zone.area is not None and second.area == zone.area and waiting.area is None
    assert zone.area.name == "新员工宿舍"
    record = IsolationRecord.objects.get(person_id=zone.person_id)
    assert record.kind == "home_health_monitoring" and record.released_at is None
    assert zone.move.source == f"mobility.isolation:{record.pk}"
    assert zone.move.citation["version"] >= 4 and zone.move.citation["requirement"] == "Z-5.1"
    # Blue opens no zone hold (the command drill's lockdown of 新员工宿舍 may hold them).
    assert not StatusHold.objects.filter(
        person_id=zone.person_id, kind=HoldKind.ZONE, cleared_at__isnull=True
    ).exists()
    park_b = Membership.objects.get(user__username="parkb_admin").jurisdiction
    assert not PersonZone.objects.filter(enterprise__jurisdiction=park_b).exists()
    client = Client()
    client.force_login(Membership.objects.get(user__username="officer").user)
    page = client.get(f"/response/enterprises/{a1.pk}/").content.decode()
    assert "蓝区" in page and "新员工宿舍" in page and "等待安排蓝区区块：" not in page
    assert "蓝区区块已满：</strong>1 名" in page and 'href="#area-form"' in page
    file = client.get(f"/people/{zone.person_id}/").content.decode()
    assert 'id="zone"' in file and "居家健康监测" in file
    call_command("demo_load", verbosity=0)  # idempotent
    assert PersonZone.objects.filter(colour=ZoneColour.BLUE).count() == 3
