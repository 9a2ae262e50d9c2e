"""The JSON API: offline docs, OpenAPI document, Chinese errors, session and token auth."""

from __future__ import annotations

import datetime as dt
import re
import typing
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from pydantic import BaseModel

from parkguard.lib.api_datetimes import as_local
from parkguard.orgs.services import api_token_create
from tests.factories import World


@pytest.mark.django_db
def test_it_serves_the_docs_page_from_our_own_static_files(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    page = client_as("park_a_admin").get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    # Every script and stylesheet comes from this server: no absolute URL to another host.
    # (Checking the whole page for "cdn" failed when the random CSRF token contained it.)
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets
    assert [a for a in assets if "//" in a] == []
    assert client_as("park_a_admin").get("/static/ninja/swagger-ui-bundle.js").status_code == 200


@pytest.mark.django_db
def test_it_publishes_the_openapi_document(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    spec = client_as("park_a_admin").get("/api/v1/openapi.json").json()
    assert "/api/v1/enterprises/{enterprise_id}" in spec["paths"]
    assert (
        "BearerAuth" in str(spec["components"]["securitySchemes"])
        or spec["components"]["securitySchemes"]
    )


@pytest.mark.django_db
def test_it_answers_anonymous_callers_in_chinese(world: World) -> None:
    response = Client().get("/api/v1/enterprises")
    assert response.status_code == 401
    assert response.json() == {"detail": "未登录，或设备令牌无效、已吊销"}


@pytest.mark.django_db
def test_it_lets_a_park_token_see_its_park(world: World) -> None:
    _, clear = api_token_create(name="乙园区检测机构", created_by=None, jurisdiction=world.park_b)
    listed = Client(HTTP_AUTHORIZATION=f"Bearer {clear}").get("/api/v1/enterprises").json()
    assert [e["name"] for e in listed] == [world.b1.name]


@pytest.mark.django_db
def test_it_needs_the_csrf_token_for_session_writes(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["a1_officer"])
    response = client.post(
        f"/api/v1/enterprises/{world.a1.pk}/units", {"name": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "CSRF 校验失败，请刷新页面后重试"


@pytest.mark.django_db
def test_it_answers_a_malformed_body_in_chinese(
    world: World, client_as: Callable[[str | None], Client]
) -> None:
    response = client_as("a1_officer").post(
        f"/api/v1/enterprises/{world.a1.pk}/units", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": [{"loc": ["body"], "msg": "请求体不是合法的 JSON"}]}


def test_every_schema_of_the_api_has_its_own_name() -> None:
    """The OpenAPI document names components by class name: two apps' schemas of one name
    would silently share one definition and one of them would be documented wrong."""
    import ninja

    from parkguard.api.root import api

    api.get_openapi_schema()  # imports every router's module
    seen: dict[str, str] = {}
    clashes: list[str] = []

    def walk(cls: type) -> None:
        sub: type
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("parkguard."):
                where = f"{sub.__module__}.{sub.__qualname__}"
                if sub.__name__ in seen and seen[sub.__name__] != where:
                    clashes.append(f"{seen[sub.__name__]} / {where}")
                seen.setdefault(sub.__name__, where)
            walk(sub)

    walk(ninja.Schema)
    assert clashes == []


def _bare_datetimes(model: type[BaseModel], path: str, seen: set[type]) -> list[str]:
    """The fields under `model` typed `datetime` without `LocalDateTime`'s validator."""
    if model in seen or getattr(model, "local_times", False):
        return []
    seen.add(model)
    out: list[str] = []
    for name, field in model.model_fields.items():
        local = any(getattr(m, "func", None) is as_local for m in field.metadata)
        stack: list[Any] = [field.annotation]
        while stack:
            tp = stack.pop()
            if tp is dt.datetime and not local:
                out.append(f"{path}.{name}")
            elif isinstance(tp, type) and issubclass(tp, BaseModel):
                out += _bare_datetimes(tp, f"{path}.{name}", seen)
            else:
                args = typing.get_args(tp)
                if typing.get_origin(tp) is typing.Annotated:
                    local = local or any(getattr(m, "func", None) is as_local for m in args[1:])
                    args = args[:1]
                stack += list(args)
    return out


def test_no_api_input_reads_a_date_time_without_an_offset_as_anything_but_local_time() -> None:
    """A device's `2022-11-20T08:00:00` compared with an aware time was a 500 (issue 18):
    every date-time an operation reads, in its body, query or path, is a `LocalDateTime`."""
    from parkguard.api.root import api

    api.get_openapi_schema()
    bare: list[str] = []
    for _prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for model in operation.models:
                    bare += _bare_datetimes(model, f"{path} {operation.view_func.__name__}", set())
    assert bare == [], "\n".join(bare)
