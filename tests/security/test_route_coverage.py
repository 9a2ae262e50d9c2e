"""The outsider walker covers every route, and every way of calling it.

`tests/test_outsiders.py` walks the URL resolver, so a new route joins by itself; what it does
not know is a method. It sends GET to every route and POST to every page, and POST, PATCH and PUT to
every API path. An API operation with another method (DELETE) would never be tried by an
outsider, so it fails here until the walker learns it. A route with a parameter nobody named a
victim for fails here too, quickly, without walking the whole site.
"""

from __future__ import annotations

import pytest
from django.urls import get_resolver

from parkguard.api.root import api
from tests.factories import World
from tests.test_outsiders import SKIPPED, _url, _victims, _walk

# The methods the walker sends to an API path (GET, then `_writes`: POST and PATCH).
WALKED_API_METHODS = {"get", "post", "patch", "put"}


def test_it_knows_every_method_of_the_openapi_document() -> None:
    document = api.get_openapi_schema()
    operations = [(method, path) for path, ops in document["paths"].items() for method in ops]
    assert len(operations) > 100, "the OpenAPI document lists too few operations"
    unwalked = [f"{m.upper()} {p}" for m, p in operations if m not in WALKED_API_METHODS]
    assert unwalked == [], "teach tests/test_outsiders.py `_writes` these methods"


def test_it_serves_every_openapi_path_from_a_walked_route() -> None:
    """Each documented path is a pattern of the resolver, so the walker reaches it."""
    walked = {
        "/" + r.route.replace("<int:", "{").replace("<", "{").replace(">", "}")
        for r in _walk(get_resolver().url_patterns)
    }
    walked = {w.replace("{str:", "{").replace("{path:", "{") for w in walked}
    document = api.get_openapi_schema()
    missing = [p for p in document["paths"] if p not in walked]
    assert missing == []


@pytest.mark.django_db
def test_it_aims_every_route_at_a_victim(world: World) -> None:
    """Every route of the resolver becomes a URL aimed at A1's objects, or is skipped by name."""
    victims = _victims(world)
    routes = list(_walk(get_resolver().url_patterns))
    urls = {r.name: _url(r, victims) for r in routes}
    unreached = [name for name, url in urls.items() if url is None and name not in SKIPPED]
    assert unreached == []
    assert len(urls) > 300, "the walker found too few routes"
