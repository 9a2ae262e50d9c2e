"""The admin as an oracle (issue 8 §5): only declared filters, no masked field to search.

Requirement: B-2.2 (personal files: a park admin reads phones only through a reveal).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib import admin
from django.test import Client

from tests.factories import World

Clients = Callable[[str | None], Client]
CHANGELIST = "/admin/people/person/"
# Personal fields shown only masked, or not at all, on the back office.
MASKED = {
    "phone",
    "home_address",
    "birth_date",
    "id_digest",
    "id_encrypted",
    "id_masked",
    "id_tail",
    "responsible_phone",
    "dormitory",
}


@pytest.mark.parametrize(
    "query",
    [
        {"phone__startswith": "138"},
        {"home_address__contains": "路"},
        {"id_tail__endswith": "1"},
        {"birth_date__year": "1990"},
        {"name__regex": "^甲"},
        {"enterprise__legal_representative__startswith": "法"},
        {"category__startswith": "reg"},
    ],
)
def test_it_refuses_lookups_the_filters_do_not_declare(
    world: World, client_as: Clients, query: dict[str, str]
) -> None:
    response = client_as("park_a_admin").get(CHANGELIST, query)
    assert response.status_code == 400
    assert world.a1_person.name not in response.content.decode()


def test_it_keeps_the_declared_filters_working(world: World, client_as: Clients) -> None:
    client = client_as("park_a_admin")
    listed = client.get(CHANGELIST, {"category__exact": "regular", "status__exact": "active"})
    assert listed.status_code == 200
    assert world.a1_person.name in listed.content.decode()
    assert client.get(CHANGELIST, {"q": "甲一"}).status_code == 200


def test_no_admin_searches_or_filters_a_masked_field() -> None:
    for model, model_admin in admin.site._registry.items():
        names = [str(f).lstrip("^=@").split("__")[0] for f in model_admin.search_fields]
        filters = [f if isinstance(f, str) else "" for f in model_admin.list_filter]
        assert not MASKED & {*names, *filters}, model.__name__
