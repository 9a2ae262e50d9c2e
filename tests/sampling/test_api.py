"""The results API with a lab's device token (issue 11 §5) and the rounds API (§4)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from parkguard.orgs.access import SYSTEM
from parkguard.sampling import importing, labfile
from parkguard.sampling.choices import Result, SampleKind
from parkguard.sampling.models import Sample
from parkguard.sampling.services import lab_create, sample_take
from parkguard.status.models import PersonStatus
from tests.sampling.conftest import AT, LabDay

URL = "/api/v1/health/results"


def _tube(t: LabDay, barcode: str = "T0001") -> Sample:
    return sample_take(
        scope=t.officer(),
        round=t.round,
        barcode=barcode,
        kind=SampleKind.SINGLE,
        person_ids=[t.staff[0].pk],
        at=AT,
        by=None,
    )


def _post(client: Client, body: dict[str, Any]) -> Any:
    return client.post(URL, json.dumps(body), content_type="application/json")


ROW = {"barcode": "T0001", "result": "阴性", "sampled_at": "2022-11-16 08:30"}


@pytest.mark.django_db
def test_a_lab_posts_results_with_its_token_z_3_2(lab_day: LabDay) -> None:
    tube = _tube(lab_day)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {lab_day.token}")
    response = _post(client, {"results": [ROW]})
    assert response.status_code == 200, response.content
    assert response.json()["written"] == 1
    tube.refresh_from_db()
    assert tube.result == Result.NEGATIVE
    assert PersonStatus.objects.get(pk=lab_day.staff[0].pk).pending_results == 0
    again = _post(client, {"results": [ROW]})
    assert again.json()["written"] == 0 and again.json()["unchanged"] == 1


@pytest.mark.django_db
def test_a_dry_run_over_the_api_writes_nothing(lab_day: LabDay) -> None:
    tube = _tube(lab_day)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {lab_day.token}")
    response = _post(client, {"results": [ROW], "dry_run": True})
    assert response.json()["written"] == 1
    tube.refresh_from_db()
    assert tube.result == Result.PENDING


@pytest.mark.django_db
def test_a_bad_row_over_the_api_is_a_422_and_writes_nothing(lab_day: LabDay) -> None:
    tube = _tube(lab_day)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {lab_day.token}")
    response = _post(client, {"results": [ROW, {"barcode": "T0001", "result": "阳性"}]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == importing.CONFLICT_IN_FILE.format(
        row=2, barcode="T0001", other=1
    )
    bad = _post(client, {"results": [{"barcode": "T0001", "result": "弱阳"}]})
    assert bad.json()["detail"][0]["msg"] == labfile.BAD_RESULT.format(
        row=1, column="result", value="弱阳"
    )
    tube.refresh_from_db()
    assert tube.result == Result.PENDING


@pytest.mark.django_db
def test_a_lab_token_of_another_park_is_refused(lab_day: LabDay) -> None:
    tube = _tube(lab_day)
    _, other = lab_create(
        scope=SYSTEM, jurisdiction=lab_day.world.park_b, name="乙园区检测", by=None
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {other}")
    response = _post(client, {"results": [ROW]})
    # Park A's barcode is unknown to park B's lab: reported unmatched, nothing written.
    assert response.status_code == 200
    assert response.json()["written"] == 0
    assert response.json()["unmatched"][0]["barcode"] == "T0001"
    named = _post(client, {"results": [ROW], "enterprise_id": lab_day.world.a1.pk})
    assert named.status_code == 404
    tube.refresh_from_db()
    assert tube.result == Result.PENDING


@pytest.mark.django_db
def test_a_gate_token_is_not_a_lab(lab_day: LabDay) -> None:
    from parkguard.orgs.services import api_token_create

    _, gate = api_token_create(name="门岗", created_by=None, enterprise=lab_day.world.a1)
    response = _post(Client(HTTP_AUTHORIZATION=f"Bearer {gate}"), {"results": [ROW]})
    assert response.status_code == 403


@pytest.mark.django_db
def test_officers_plan_sample_and_record_over_the_api(
    lab_day: LabDay, client_as: Callable[[str | None], Client]
) -> None:
    client = client_as("a1_officer")
    w = lab_day.world
    made = client.post(
        f"/api/v1/sampling/enterprises/{w.a1.pk}/rounds",
        json.dumps({"name": "复核", "on": "2022-11-16", "kind": "full", "pool_size": 20}),
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    round_id = made.json()["id"]
    assert made.json()["citation"]["pool_size"]["set_by"] == "round"
    tube = client.post(
        f"/api/v1/sampling/rounds/{round_id}/samples",
        json.dumps(
            {"barcode": "API-1", "kind": "pool", "person_ids": [p.pk for p in lab_day.staff]}
        ),
        content_type="application/json",
    )
    assert tube.status_code == 201, tube.content
    done = client.post(
        f"/api/v1/sampling/samples/{tube.json()['id']}/result",
        json.dumps({"result": "positive"}),
        content_type="application/json",
    )
    assert done.status_code == 200
    detail = client.get(f"/api/v1/sampling/rounds/{round_id}").json()
    assert len(detail["on_retest"]) == len(lab_day.staff)
    other = client_as("a2_officer").get(f"/api/v1/sampling/rounds/{round_id}")
    assert other.status_code == 404
    unit = client.post(
        f"/api/v1/sampling/enterprises/{w.a1.pk}/rounds",
        json.dumps(
            {
                "name": "生产部",
                "on": "2022-11-16",
                "kind": "full",
                "group": "unit",
                "org_unit_id": w.a1_unit.pk,
                "pool_size": 10,
            }
        ),
        content_type="application/json",
    )
    assert unit.status_code == 201 and unit.json()["headcount"] == 1
