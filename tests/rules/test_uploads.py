"""A park admin uploads a pack: validation with file, line, path and a Chinese message → a
draft (never in force) → preview → a second admin of the park publishes (both recorded,
audited, fingerprinted, immutable) → adoption with typed parameters (issue 10 §3)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.test import Client

from parkguard.audit.models import AuditEvent
from parkguard.orgs.access import scope_for_user
from parkguard.policy import errors as E
from parkguard.rules import selectors, services
from parkguard.rules.models import PackAdoption, UploadedPack
from parkguard.rules.registry import park_registry, registry
from tests.factories import World
from tests.rules.uploads import AT, NEW, TAB_LINE, X_V2, X_V2_TAB, X, second_admin

pytestmark = pytest.mark.django_db


def _upload(world: World, text: str = X_V2, *, user: str = "park_a_admin") -> UploadedPack:
    by = world.users[user]
    return services.pack_upload(
        scope=scope_for_user(by),
        park=world.park_a,
        file=f"{X}.v2.yaml",
        text=text,
        by=by,
        at=AT,
    )


def _publish(world: World, upload: UploadedPack) -> tuple[Any, UploadedPack]:
    admin, other = world.users["park_a_admin"], second_admin(world.park_a)
    services.pack_propose(scope=scope_for_user(admin), upload=upload, by=admin, at=AT)
    later = AT + dt.timedelta(hours=1)
    services.pack_publish(scope=scope_for_user(other), upload=upload, by=other, at=later)
    upload.refresh_from_db()
    return other, upload


def test_a_mistake_is_refused_with_file_line_path_and_message_and_nothing_is_stored(
    world: World,
) -> None:
    with pytest.raises(services.UploadRefused) as caught:
        _upload(world, X_V2_TAB)
    (issue,) = caught.value.issues
    assert issue.file == f"{X}.v2.yaml"
    assert issue.message == E.ERR_YAML_TAB and issue.line == TAB_LINE
    assert UploadedPack.objects.count() == 0
    assert not AuditEvent.objects.filter(action="pack_upload").exists()


def test_a_valid_upload_is_a_draft_and_never_in_force(world: World) -> None:
    """No plan or decision uses a draft: not the site's packs, not the park's, not followed."""
    upload = _upload(world)
    upload.refresh_from_db()
    assert upload.is_draft and upload.digest == "" and upload.key == f"{X}@2"
    assert [p.version for p in registry().versions(X)] == [1]
    assert [p.version for p in park_registry(world.park_a.pk).versions(X)] == [1]
    PackAdoption.objects.create(jurisdiction=world.park_a, pack_id=X, adopted_at=AT)
    (entry,) = selectors.followed(park=world.park_a, on=dt.date(2022, 12, 20))
    assert entry.pack is not None and entry.pack.version == 1
    event = AuditEvent.objects.get(action="pack_upload")
    assert event.detail["sha256"] == hashlib.sha256(upload.text.encode()).hexdigest()


def test_a_draft_of_a_new_pack_cannot_be_adopted(world: World) -> None:
    admin = world.users["park_a_admin"]
    services.pack_upload(
        scope=scope_for_user(admin), park=world.park_a, file="n.yaml", text=NEW, by=admin, at=AT
    )
    with pytest.raises(ValidationError) as caught:
        services.pack_adopt(
            scope=scope_for_user(admin),
            park=world.park_a,
            pack_id="my-new-pack",
            params={},
            by=admin,
            at=AT,
        )
    assert caught.value.message_dict == {"pack_id": [services.PACK_UNKNOWN]}
    assert not PackAdoption.objects.exists()


def test_the_proposer_cannot_approve(world: World) -> None:
    upload = _upload(world)
    admin = world.users["park_a_admin"]
    scope = scope_for_user(admin)
    with pytest.raises(ValidationError) as caught:
        services.pack_publish(scope=scope, upload=upload, by=admin, at=AT)
    assert caught.value.message_dict == {"status": [services.NOT_PROPOSED]}
    services.pack_propose(scope=scope, upload=upload, by=admin, at=AT)
    with pytest.raises(ValidationError) as caught:
        services.pack_publish(scope=scope, upload=upload, by=admin, at=AT)
    assert caught.value.message_dict == {"status": [services.SAME_PERSON]}
    upload.refresh_from_db()
    assert upload.is_draft and upload.published_by is None and upload.digest == ""


def test_a_second_admin_publishes_fingerprinted_recorded_and_audited(world: World) -> None:
    upload = _upload(world)
    other, upload = _publish(world, upload)
    assert not upload.is_draft
    assert upload.digest == hashlib.sha256(upload.text.encode("utf-8")).hexdigest()
    assert upload.proposed_by == world.users["park_a_admin"] and upload.proposed_at == AT
    assert upload.published_by == other and upload.published_at == AT + dt.timedelta(hours=1)
    event = AuditEvent.objects.get(action="pack_publish")
    assert event.detail["proposed_by"] == "park_a_admin"
    assert event.detail["published_by"] == "park_a_admin2"
    assert event.detail["sha256"] == upload.digest
    assert AuditEvent.objects.filter(action="pack_propose").count() == 1
    # In force for the park from its effective date, and only for this park.
    assert park_registry(world.park_a.pk).in_force(X, dt.date(2022, 12, 20)).version == 2
    assert park_registry(world.park_b.pk).in_force(X, dt.date(2022, 12, 20)).version == 1
    assert [p.version for p in registry().versions(X)] == [1]


def test_published_content_is_immutable_at_the_service_and_in_the_database(
    world: World,
) -> None:
    _, upload = _publish(world, _upload(world))
    with pytest.raises(services.UploadRefused) as caught:
        _upload(world, X_V2.replace("title: ", "title: 改过的", 1))
    assert [i.message for i in caught.value.issues] == [services.PUBLISHED_IMMUTABLE]
    admin = world.users["park_a_admin"]
    with pytest.raises(ValidationError) as refused:
        services.pack_propose(scope=scope_for_user(admin), upload=upload, by=admin, at=AT)
    assert refused.value.message_dict == {"status": [services.NOT_A_DRAFT]}
    with pytest.raises(DatabaseError), transaction.atomic():
        UploadedPack.objects.filter(pk=upload.pk).update(text="id: changed\n")
    before = upload.text
    upload.refresh_from_db()
    assert upload.text == before and not upload.is_draft


def test_the_database_refuses_a_publication_by_the_proposer(world: World) -> None:
    admin = world.users["park_a_admin"]
    with pytest.raises(IntegrityError), transaction.atomic():
        UploadedPack.objects.create(
            jurisdiction=world.park_a,
            pack_id="x",
            version=1,
            title="x",
            file="x.yaml",
            text="x",
            status="published",
            digest="0" * 64,
            uploaded_by=admin,
            uploaded_at=AT,
            proposed_by=admin,
            proposed_at=AT,
            published_by=admin,
            published_at=AT,
        )
    assert not UploadedPack.objects.exists()


def test_adoption_with_typed_parameters_and_the_change_audited(world: World) -> None:
    _, upload = _publish(world, _upload(world))
    admin = world.users["park_a_admin"]
    scope = scope_for_user(admin)
    with pytest.raises(ValidationError):
        services.pack_adopt(
            scope=scope,
            park=world.park_a,
            pack_id=X,
            params={"promptly_report_hours": "十二"},
            by=admin,
            at=AT,
        )
    assert not PackAdoption.objects.exists()
    for hours in (12, 6):
        services.pack_adopt(
            scope=scope,
            park=world.park_a,
            pack_id=X,
            params={"promptly_report_hours": hours},
            by=admin,
            at=AT,
        )
    adoption = PackAdoption.objects.get(jurisdiction=world.park_a, pack_id=X)
    assert adoption.params == {"promptly_report_hours": 6}
    change = AuditEvent.objects.get(action="pack_params_change")
    assert change.detail["params_before"] == {"promptly_report_hours": 12}
    assert AuditEvent.objects.filter(action="pack_adopt").count() == 1
    (entry,) = selectors.followed(park=world.park_a, on=dt.date(2022, 12, 20))
    assert entry.pack is not None and entry.pack.key == upload.key


def test_only_park_admins_upload_or_publish(world: World) -> None:
    upload = _upload(world)
    for persona in ("a1_officer", "park_b_admin"):
        user = world.users[persona]
        with pytest.raises(Exception) as caught:
            services.pack_propose(scope=scope_for_user(user), upload=upload, by=user, at=AT)
        assert type(caught.value).__name__ in {"PermissionDenied", "Http404"}
    upload.refresh_from_db()
    assert upload.proposed_by is None


# --- pages -------------------------------------------------------------------------------
def _page(client: Client, url: str, data: dict[str, Any] | None = None) -> str:
    response = client.post(url, data, follow=True) if data is not None else client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_pages_upload_preview_publish_and_adopt(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    other = second_admin(world.park_a)
    admin = client_as("park_a_admin")
    home = _page(admin, f"/park/{world.park_a.pk}/")
    assert f"/park/{world.park_a.pk}/packs/draft/" in home  # reachable from the home page
    url = f"/park/{world.park_a.pk}/packs/draft/"
    page = _page(admin, url, {"text": X_V2_TAB})
    assert "有 1 处错误，未保存" in page and f"第 {TAB_LINE} 行" in page
    assert E.ERR_YAML_TAB in page
    page = _page(admin, url, {"text": X_V2})
    upload = UploadedPack.objects.get()
    assert "草稿，不生效" in page and upload.key in page
    detail = f"/park/{world.park_a.pk}/packs/uploads/{upload.pk}/"
    assert "修改规则 [X-1.1]" in page  # the diff with the version in force
    preview = _page(
        admin,
        detail,
        {
            "pack": X,
            "kind": "employee",
            "origin": "out_of_province",
            "returnee": "on",
            "stay_risk": "封控区",
            "stay_level": "place",
            "stay_region": "示例区",
            "stay_first_day": "2022-12-10",
            "stay_last_day": "2022-12-11",
            "arrived_at": "2022-12-12T09:00",
            "p-promptly_report_hours": "12",
        },
    )
    assert 'id="draft-preview"' in preview and 'id="in-force-preview"' in preview
    assert "集中隔离" in preview and "12-12 至 12-21" in preview  # v2: 10 days
    assert "12-12 至 12-18" in preview  # v1 in force: 7 days
    page = _page(admin, f"{detail}publish/", {"action": "propose"})
    assert "已由您提请" in page
    page = _page(admin, f"{detail}publish/", {"action": "publish"})
    upload.refresh_from_db()
    assert upload.is_draft
    other_client = Client()
    other_client.force_login(other)
    page = _page(other_client, f"{detail}publish/", {"action": "publish"})
    upload.refresh_from_db()
    assert not upload.is_draft and upload.digest in page and "已发布" in page
    adopt = f"/park/{world.park_a.pk}/packs/"
    page = _page(admin, adopt, {"pack_id": X, "action": "adopt", f"{X}-promptly_report_hours": "8"})
    adoption = PackAdoption.objects.get(pack_id=X)
    assert adoption.params == {"promptly_report_hours": 8}


def test_outsiders_see_no_upload(world: World, client_as: Callable[[str | None], Client]) -> None:
    upload = _upload(world)
    detail = f"/park/{world.park_a.pk}/packs/uploads/{upload.pk}/"
    assert client_as("park_b_admin").get(detail).status_code == 404
    assert client_as("a1_officer").get(detail).status_code in (403, 404)
    assert client_as("a2_officer").post(f"{detail}publish/", {"action": "propose"}).status_code in (
        403,
        404,
    )
    upload.refresh_from_db()
    assert upload.proposed_by is None


def test_the_diff_page_between_two_versions(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    page = _page(client_as("park_a_admin"), "/policy/jinjiang-xiyuan-2022-81/diff/?old=1&new=2")
    assert "第 1 版 → 第 2 版" in page and "修改规则 [J-1.2.5]" in page
    assert client_as("park_a_admin").get("/policy/nothing/diff/").status_code == 404


def test_the_command_line_labels_drafts(world: World) -> None:
    from io import StringIO

    from django.core.management import call_command

    upload = _upload(world)
    out = StringIO()
    call_command("policy", "uploads", stdout=out)
    assert f"{upload.key}\t草稿，不生效\t" in out.getvalue()
    _, upload = _publish(world, upload)
    out = StringIO()
    call_command("policy", "uploads", "--park", str(world.park_a.pk), stdout=out)
    assert f"{upload.key}\t已发布 sha256 {upload.digest}" in out.getvalue()


def test_the_demo_park_has_a_proposed_draft_for_its_second_admin() -> None:
    """The demo's park admin proposed a draft; `park_admin2` has it to approve (issue 10 §3)."""
    from django.contrib.auth.models import User
    from django.core.management import call_command

    call_command("demo_load", verbosity=0)
    upload = UploadedPack.objects.get()
    assert upload.is_draft and upload.proposed_by is not None
    assert upload.proposed_by.username == "park_admin"
    (entry,) = [
        f
        for f in selectors.followed(park=upload.jurisdiction, on=dt.date(2022, 11, 28))
        if f.adoption.pack_id == upload.pack_id
    ]
    assert entry.pack is not None and entry.pack.version == 2  # the draft is not in force
    second = User.objects.get(username="park_admin2")
    services.pack_publish(scope=scope_for_user(second), upload=upload, by=second, at=AT)
    upload.refresh_from_db()
    assert not upload.is_draft


def test_a_published_upload_that_no_longer_loads_is_listed_and_breaks_nothing(
    world: World, client_as: Callable[[str | None], Client], tmp_path: Any
) -> None:
    """A published upload that clashes with a pack the site later loads (here the same
    version in PARKGUARD_PACKS_DIR) is listed with its error; the pages, the other packs
    and the park's plans keep working (issue 10 §3)."""
    from django.test import override_settings

    from parkguard.rules import registry as site

    _, upload = _publish(world, _upload(world))
    PackAdoption.objects.create(jurisdiction=world.park_a, pack_id=X, adopted_at=AT)
    (tmp_path / f"{X}.v2.yaml").write_text(X_V2.replace("days: 10,", "days: 10, "), "utf-8")
    with override_settings(PACKS_DIR=str(tmp_path)):
        site.reload()
        try:
            check = selectors.upload_pack(upload=upload)
            assert check.pack is None
            assert [i.message for i in check.issues] == [E.ERR_DUPLICATE_VERSION]
            admin = client_as("park_a_admin")
            detail = _page(admin, f"/park/{world.park_a.pk}/packs/uploads/{upload.pk}/")
            assert E.ERR_DUPLICATE_VERSION in detail
            assert _page(admin, f"/park/{world.park_a.pk}/packs/").count("<section") > 1
            (entry,) = selectors.followed(park=world.park_a, on=dt.date(2022, 12, 20))
            assert entry.pack is not None and entry.pack.version == 2  # the site's v2
        finally:
            site.reload()


def _returnee_from_sealed_area(**extra: str) -> dict[str, str]:
    return {
        "pack": X,
        "kind": "employee",
        "origin": "out_of_province",
        "returnee": "on",
        "stay_risk": "封控区",
        "stay_level": "place",
        "stay_region": "示例区",
        "stay_first_day": "2022-12-08",
        "stay_last_day": "2022-12-09",
        "arrived_at": "2022-12-10T09:00",
        **extra,
    }


def test_an_officer_choice_within_the_bounds_with_who_and_why_in_the_preview(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    """Issue 10 §1: "may be shortened to 5 days", chosen per case with a reason, recorded in
    the plan and cited; without who and why it is refused with its message."""
    from parkguard.rules.forms import CHOICE_NEEDS_WHO_AND_WHY

    client = client_as("park_a_admin")
    data = _returnee_from_sealed_area(
        choice_sealed_area_option="居家隔离", choice_home_isolation_days="5"
    )
    response = client.post("/policy/preview/", data)
    assert response.context["form"].errors == {"choice_by": [CHOICE_NEEDS_WHO_AND_WHY]}
    data.update(choice_by="王科长", choice_reason="属地评估同意缩短")
    page = client.post("/policy/preview/", data).content.decode()

    assert "12-10 至 12-14" in page  # 居家隔离 5 days from the arrival day
    assert "（王科长 决定，理由：属地评估同意缩短）" in page and "出处：一、（一）" in page
    data["choice_home_isolation_days"] = "4"  # below the pack's minimum
    response = client.post("/policy/preview/", data)
    assert "choice_home_isolation_days" in response.context["form"].errors
