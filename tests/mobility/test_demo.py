"""The demo park has a day's work in mobility for each role."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from parkguard.duties.models import Duty
from parkguard.mobility.models import IsolationRecord, RiskArea, Trip, Visitor
from parkguard.orgs.models import Membership
from parkguard.status.models import StatusHold


@pytest.mark.django_db
def test_the_demo_has_a_returnee_a_pending_trip_visitors_and_a_register() -> None:
    call_command("demo_load", verbosity=0)
    # Three standing areas and this morning's notice (Guangzhou Tianhe, high), which the plans
    # do not follow until the park admin confirms its impact.
    assert RiskArea.objects.count() == 4
    # The returnee in home isolation; the other records are the blue zone's returnees under
    # home health monitoring (Z-5.1, tests/response/test_demo.py).
    isolation = IsolationRecord.objects.get(kind="home_isolation")
    assert set(IsolationRecord.objects.exclude(kind="home_isolation").values_list("kind")) == {
        ("home_health_monitoring",)
    }
    assert isolation.kind == "home_isolation" and isolation.released_at is None
    assert StatusHold.objects.filter(kind="plan", cleared_at__isnull=True).count() == 1
    source = f"mobility.return:{isolation.declaration_id}"
    assert Duty.objects.filter(source=source, state="done").count() >= 2
    assert Duty.objects.filter(source=source, state="due").exists()
    trip = Trip.objects.get()
    assert trip.status == "pending" and trip.approver
    approver = Membership.objects.get(user__username="entb_admin")
    assert approver.enterprise_id == trip.enterprise_id
    me = Membership.objects.get(user__username="employee").person
    registered, issued, waiting = Visitor.objects.order_by("pk")
    assert registered.host == me and registered.state == "registered"
    # J-1.2.4 with issue 13 §1: a filled-in visitor holding the pass the officer issued.
    assert issued.host == me and issued.state == "filled"
    assert issued.temporary_pass is not None and issued.temporary_pass.revoked_at is None
    assert issued.temporary_pass.source == f"mobility.visitor:{issued.pk}"
    assert issued.earliest_entry is not None
    assert issued.temporary_pass.valid_from >= issued.earliest_entry
    assert issued.temporary_pass.negative_sampled_at is not None
    # Filled in, allowed in, no pass yet: the officer's visitor list says 待签发.
    assert waiting.state == "filled" and waiting.earliest_entry is not None
    assert waiting.temporary_pass is None
    officer = Client()
    officer.force_login(Membership.objects.get(user__username="officer").user)
    page = officer.get(f"/mobility/enterprises/{me.enterprise_id}/visitors/").content.decode()
    assert "待签发" in page and "有效至" in page


@pytest.mark.django_db
def test_the_park_admin_finds_the_impact_of_this_mornings_notice_from_the_register() -> None:
    """The risk-area page links the preview; the preview lists the Guangzhou visitor, whose
    pass the notice would revoke; nothing is written by looking."""
    call_command("demo_load", verbosity=0)
    admin = Membership.objects.get(user__username="park_admin")
    client = Client()
    client.force_login(admin.user)
    park = admin.jurisdiction
    assert park is not None
    page = client.get(f"/mobility/parks/{park.pk}/risk-areas/").content.decode()
    # The register links the page with a risk-area change chosen; previewing it is `kind=`.
    assert f"/mobility/parks/{park.pk}/impact/?for=risk_areas" in page
    preview = client.get(f"/mobility/parks/{park.pk}/impact/?kind=risk_areas")
    assert preview.status_code == 200
    text = preview.content.decode()
    assert 'id="impact-visitors"' in text and "广东省广州市天河区" in text
    assert "作废，须重新签发" in text
    assert ">null</textarea>" not in text
    issued = Visitor.objects.order_by("pk")[1]
    assert issued.temporary_pass is not None and issued.temporary_pass.revoked_at is None
