"""A park admin checks a pack they wrote in the browser: mistakes with file, line, path and
a Chinese message; a valid draft is stored, explained and never in force (issue 10 §3)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parkguard.policy import DEFAULT_PACKS_DIR
from parkguard.rules.registry import park_registry, registry
from tests.factories import World

GOOD = (
    (DEFAULT_PACKS_DIR / "example-quyu-2022-1.v1.yaml")
    .read_text(encoding="utf-8")
    .replace("id: example-quyu-2022-1", "id: my-draft")
    .replace("status: published", "status: draft")
)


@pytest.mark.django_db
def test_a_valid_draft_is_explained_and_not_in_force(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    url = f"/park/{world.park_a.pk}/packs/draft/"
    upload = SimpleUploadedFile("my-draft.v1.yaml", GOOD.encode("utf-8"))
    response = client_as("park_a_admin").post(url, {"file": upload}, follow=True)
    page = response.content.decode()
    assert "已保存为草稿：my-draft@1（草稿不生效）" in page and "草稿，不生效" in page
    assert "[X-2.2] 新招录员工上岗" in page
    assert "my-draft" not in registry().ids()
    assert "my-draft" not in park_registry(world.park_a.pk).ids()


@pytest.mark.django_db
def test_a_bad_draft_lists_its_mistakes_with_line_and_path(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    bad = GOOD.replace("        to_day: 3\n", "        to_day: 0\n")
    page = (
        client_as("park_a_admin")
        .post(f"/park/{world.park_a.pk}/packs/draft/", {"text": bad})
        .content.decode()
    )
    assert "有 1 处错误，未保存" in page
    assert (
        "检测窗口的结束日（to_day）早于开始日（from_day）" in page
        and "rules[1].measures[1]" in page
    )
    assert "粘贴的规则包.yaml 第 " in page


@pytest.mark.django_db
def test_outsiders_cannot_check_drafts_for_a_park(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    url = f"/park/{world.park_a.pk}/packs/draft/"
    assert client_as("park_b_admin").get(url).status_code == 404
    assert client_as("a1_officer").get(url).status_code in (403, 404)
    assert client_as("a1_officer").post(url, {"text": GOOD}).status_code in (403, 404)
    assert client_as(None).get(url).status_code == 302
    empty = client_as("park_a_admin").post(url, {"text": " "})
    assert empty.context["form"].errors["text"] == ["请上传文件或粘贴规则包内容"]
