"""The demo gives each role a day's work with subject rights (issue 18 §4)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from parkguard.orgs.models import Membership
from parkguard.privacy.models import CorrectionRequest


@pytest.mark.django_db
def test_the_demo_employee_sees_who_looked_and_the_officer_has_requests_to_answer() -> None:
    call_command("demo_load", verbosity=0)
    membership = Membership.objects.get(user__username="employee", person__isnull=False)
    employee = Client()
    employee.force_login(membership.user)
    home = employee.get("/").content.decode()
    assert f"/me/privacy/{membership.person_id}/" in home
    page = employee.get(f"/me/privacy/{membership.person_id}/").content.decode()
    assert "核对返岗人员身份" in page and "查看完整身份证号" in page
    assert "宿舍已从" in page
    officer = Client()
    officer.force_login(Membership.objects.filter(user__username="officer").first().user)  # type: ignore[union-attr]
    enterprise_id = membership.enterprise_id
    listing = officer.get(f"/privacy/enterprises/{enterprise_id}/corrections/").content.decode()
    assert "已逾期" in listing
    assert CorrectionRequest.objects.filter(state="open").count() == 2
    call_command("demo_load", verbosity=0)
    assert CorrectionRequest.objects.count() == 2
