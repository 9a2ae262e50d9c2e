"""The testing pages (issue 11 §4, §5): the officer's rounds, sampling screen, import with
dry run, mapping and progress; the employee's antigen report and results; the photo only for
officers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from parkguard.sampling import jobs, services
from parkguard.sampling.choices import ImportState, Result, SampleKind
from parkguard.sampling.models import ResultImport, Sample
from tests.sampling.conftest import AT, LabDay

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.mark.django_db
def test_the_officer_walks_a_testing_day(
    lab_day: LabDay, client_as: Callable[[str | None], Client]
) -> None:
    client = client_as("a1_officer")
    w = lab_day.world
    home = client.get("/").content.decode()
    assert f"/sampling/enterprises/{w.a1.pk}/rounds/" in home
    assert (
        lab_day.round.name
        in client.get(f"/sampling/enterprises/{w.a1.pk}/rounds/").content.decode()
    )
    ids = [str(p.pk) for p in lab_day.staff[:3]]
    response = client.post(
        f"/sampling/rounds/{lab_day.round.pk}/take/",
        {"barcode": "PAGE-1", "kind": "pool", "person_ids": ids},
    )
    assert response.status_code == 302
    tube = Sample.objects.get(barcode="PAGE-1")
    assert tube.members.count() == 3
    client.post(f"/sampling/samples/{tube.pk}/result/", {"result": "positive"})
    tube.refresh_from_db()
    assert tube.result == Result.POSITIVE
    page = client.get(f"/sampling/rounds/{lab_day.round.pk}/").content.decode()
    assert "待单管复核" in page and lab_day.staff[0].name in page
    upload = client.get(f"/sampling/enterprises/{w.a1.pk}/import/").content.decode()
    assert lab_day.lab.name in upload and "列对应关系" in upload


@pytest.mark.django_db
def test_the_import_page_dry_runs_then_imports(
    lab_day: LabDay, client_as: Callable[[str | None], Client]
) -> None:
    services.sample_take(
        scope=lab_day.officer(),
        round=lab_day.round,
        barcode="T1",
        kind=SampleKind.SINGLE,
        person_ids=[lab_day.staff[0].pk],
        at=AT,
        by=None,
    )
    client = client_as("a1_officer")
    url = f"/sampling/enterprises/{lab_day.world.a1.pk}/import/"

    def upload(dry: bool) -> ResultImport:
        from django.core.files.uploadedfile import SimpleUploadedFile

        body = "条码号,检测结果,采样时间\nT1,阴性,2022-11-16 08:30\n".encode()
        data = {"lab": lab_day.lab.pk, "file": SimpleUploadedFile("r.csv", body)}
        if dry:
            data["dry_run"] = "on"
        response = client.post(url, data)
        assert response.status_code == 302
        return ResultImport.objects.order_by("-pk").first()  # type: ignore[return-value]

    dry = upload(True)
    assert dry.state == ImportState.CHECKED
    assert Sample.objects.get(barcode="T1").result == Result.PENDING
    detail = client.get(f"/sampling/imports/{dry.pk}/").content.decode()
    assert "试导入没有发现错误" in detail
    done = upload(False)
    assert done.state == ImportState.DONE
    assert Sample.objects.get(barcode="T1").result == Result.NEGATIVE
    mapping = client.post(
        f"/sampling/enterprises/{lab_day.world.a1.pk}/labs/{lab_day.lab.pk}/mapping/",
        {"header": ["样品码"], "field": ["barcode"]},
    )
    assert mapping.status_code == 302
    lab_day.lab.refresh_from_db()
    assert lab_day.lab.mapping == {"样品码": "barcode"}


@pytest.mark.django_db
def test_a_large_file_goes_to_the_background_with_progress(
    lab_day: LabDay, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "BACKGROUND_FROM_ROWS", 2)
    body = "条码号,检测结果\n" + "".join(f"X{i},阴性\n" for i in range(5))
    batch = jobs.result_file_import(
        scope=lab_day.officer(),
        lab=lab_day.lab,
        enterprise=lab_day.world.a1,
        data=body.encode(),
        filename="big.csv",
        dry_run=True,
        at=AT,
        by=lab_day.world.users["a1_officer"],
    )
    # Tests run huey inline: the job has read every row by now and dropped the upload.
    assert batch.state == ImportState.CHECKED and batch.rows_done == 5 and batch.data is None
    assert len(batch.unmatched) == 5


@pytest.mark.django_db
def test_the_employee_reports_an_antigen_test_and_only_officers_see_the_photo(
    lab_day: LabDay, client_as: Callable[[str | None], Client]
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    employee = client_as("a1_employee")
    response = employee.post(
        "/sampling/antigen/",
        {"result": "negative", "photo": SimpleUploadedFile("a.png", PNG, "image/png")},
    )
    assert response.status_code == 302
    sample = Sample.objects.get(kind=SampleKind.ANTIGEN)
    assert "抗原自测" in employee.get("/sampling/me/").content.decode()
    assert employee.get(f"/sampling/antigen/{sample.pk}/photo/").status_code == 404
    photo = client_as("a1_officer").get(f"/sampling/antigen/{sample.pk}/photo/")
    assert photo.status_code == 200 and photo.content == PNG
    assert photo["Cache-Control"] == "private, no-store"
    assert client_as("a2_officer").get(f"/sampling/antigen/{sample.pk}/photo/").status_code == 404
    refused = employee.post(
        "/sampling/antigen/",
        {"result": "negative", "photo": SimpleUploadedFile("a.gif", b"GIF89a..", "image/gif")},
    )
    assert services.PHOTO_TYPE in refused.content.decode()
    assert Sample.objects.filter(kind=SampleKind.ANTIGEN).count() == 1
