"""The demo park's testing day (issue 11 "Done when"): yesterday's round in pools, the lab's
file imported, a positive pool's members on hold for a single-tube retest, their retest
tubes awaiting the lab, a lab with a saved mapping, an antigen self-test; the sample lab file
in static/ imports against it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from parkguard.demo.testing import LAB_NAME, RETEST_BARCODES
from parkguard.orgs.access import scope_for_user
from parkguard.orgs.models import Membership
from parkguard.sampling import jobs
from parkguard.sampling.choices import ImportState, Result, SampleKind
from parkguard.sampling.models import Lab, ResultImport, Sample, SamplingRound
from parkguard.status.choices import HoldKind
from parkguard.status.models import StatusHold
from parkguard.status.services import status_rebuild


@pytest.mark.django_db
def test_the_demo_park_has_a_testing_day_z_5_2b() -> None:
    call_command("demo_load", verbosity=0)
    officer = Membership.objects.get(user__username="officer")
    enterprise = officer.enterprise
    assert enterprise is not None
    [rnd] = SamplingRound.objects.filter(enterprise=enterprise)
    assert rnd.samples.filter(kind=SampleKind.POOL).count() >= 3
    assert ResultImport.objects.filter(state=ImportState.DONE).exists()
    [positive] = rnd.samples.filter(result=Result.POSITIVE)
    held = StatusHold.objects.filter(kind=HoldKind.RETEST, cleared_at__isnull=True)
    assert held.count() == positive.members.count()
    assert Sample.objects.filter(barcode__in=RETEST_BARCODES, result=Result.PENDING).count() == (
        positive.members.count()
    )
    lab = Lab.objects.get(name=LAB_NAME)
    assert lab.mapping["样品码"] == "barcode"
    assert Sample.objects.filter(kind=SampleKind.ANTIGEN).count() == 1
    assert status_rebuild(at=timezone.now(), write=False).differing_people == 0
    # A user tries the sample lab file: the retests come back, one positive.
    data = (Path(settings.BASE_DIR) / "static/sampling/sample-lab-results.csv").read_bytes()
    batch = jobs.result_file_import(
        scope=scope_for_user(officer.user),
        lab=lab,
        enterprise=enterprise,
        data=data,
        filename="sample-lab-results.csv",
        dry_run=False,
        at=timezone.now(),
        by=officer.user,
    )
    assert batch.state == ImportState.DONE, batch.errors
    assert held.count() == 1  # the one retest that came back positive is held as positive
    assert StatusHold.objects.filter(kind=HoldKind.POSITIVE, cleared_at__isnull=True).count() == 1
    call_command("demo_load", verbosity=0)  # idempotent
    assert SamplingRound.objects.filter(enterprise=enterprise).count() == 1
