"""Packs from the built-in directory plus PARKGUARD_PACKS_DIR; one bad file is listed as
invalid with its errors and never breaks the other packs, pages or plans (issue 10 §3)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import Client, override_settings

from parkguard.policy import DEFAULT_PACKS_DIR
from parkguard.policy import errors as E
from parkguard.policy.lock import digest_of
from parkguard.rules import registry as site
from tests.factories import World

FIXTURE = Path(__file__).resolve().parents[1] / "policy" / "fixtures" / "two-versions"


@pytest.fixture
def packs_dir(tmp_path: Path) -> Iterator[Path]:
    for f in FIXTURE.iterdir():
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "broken.v1.yaml").write_text(
        "id: broken\nversion: 1\n\ttitle: 坏\n", encoding="utf-8"
    )
    with override_settings(PACKS_DIR=str(tmp_path)):
        site.reload()
        yield tmp_path
    site.reload()


def test_packs_come_from_both_directories_and_a_bad_file_is_listed(packs_dir: Path) -> None:
    ids = set(site.registry().ids())
    assert {"example-rules", "jinjiang-xiyuan-2022-81", "example-quyu-2022-1"} <= ids
    invalid = site.invalid_packs()
    assert list(invalid) == ["broken.v1.yaml"]
    (issue,) = invalid["broken.v1.yaml"]
    assert issue.message == E.ERR_YAML_TAB and issue.line == 3


def test_a_changed_published_file_is_left_out_not_fatal(packs_dir: Path) -> None:
    texts = {v: (packs_dir / f"example-rules.v{v}.yaml").read_text("utf-8") for v in (1, 2)}
    lines = [f"example-rules {v} {digest_of(text)}" for v, text in texts.items()]
    (packs_dir / "published.lock").write_text("\n".join(lines) + "\n", encoding="utf-8")
    target = packs_dir / "example-rules.v2.yaml"
    target.write_text(target.read_text(encoding="utf-8") + "\n# 改动\n", encoding="utf-8")
    site.reload()
    assert [p.version for p in site.registry().versions("example-rules")] == [1]
    assert site.invalid_packs()["example-rules.v2.yaml"][0].message == E.ERR_PUBLISHED_CHANGED
    # The built-in packs are unaffected: both published versions of Z are still there.
    assert [p.version for p in site.registry().versions("zhengyang-2022-20")] == [1, 2]


@pytest.mark.django_db
def test_the_pack_page_lists_the_bad_file_and_still_works(
    world: World, client_as: Callable[[str | None], Client], packs_dir: Path
) -> None:
    page = client_as("park_a_admin").get("/policy/").content.decode()
    assert "broken.v1.yaml" in page and "YAML 语法错误" in page and "第 3 行" in page
    assert "晋政西〔2022〕81号" in page
    preview = client_as("park_a_admin").post(
        "/policy/preview/",
        {
            "pack": "jinjiang-xiyuan-2022-81",
            "kind": "visitor",
            "origin": "abroad",
            "arrived_at": "2022-11-20T10:00",
        },
        HTTP_HX_REQUEST="true",
    )
    assert "2022-11-28 00:00" in preview.content.decode()


def test_the_built_in_directory_alone_has_no_invalid_file() -> None:
    site.reload()
    assert site.invalid_packs() == {}
    assert site.pack_directories() == [DEFAULT_PACKS_DIR]
