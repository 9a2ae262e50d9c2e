"""The hot routes (the gate's check, the health declaration) are tried first among the API's
URL patterns, and that changes no resolution: `hot_first` refuses an order where an earlier
pattern would have taken a hot route's path."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.urls import path, resolve, reverse

from parkguard.api.root import HOT_ROUTES, api, api_urls, hot_first


def _view(request: HttpRequest) -> HttpResponse:
    raise AssertionError("not called")


def test_the_hot_routes_come_first_and_resolve_to_their_views() -> None:
    patterns, _, _ = api_urls()
    assert [str(p.pattern) for p in patterns[: len(HOT_ROUTES)]] == list(HOT_ROUTES)
    # The same set of patterns as ninja's own order, none lost or doubled.
    assert sorted(map(str, (p.pattern for p in patterns))) == sorted(
        map(str, (p.pattern for p in api.urls[0]))
    )
    # Each resolves to its own operation (ninja names the URL after it).
    for url, name in (
        ("/api/v1/gate/check", "gate_check"),
        ("/api/v1/health/declarations", "declaration_submit"),
    ):
        match = resolve(url)
        assert (match.namespace, match.url_name) == ("api", name)
        assert reverse(f"api:{name}") == url


def test_an_earlier_pattern_that_would_take_a_hot_route_is_refused() -> None:
    taken = [path("<str:kind>/check", _view), path("gate/check", _view)]
    with pytest.raises(ImproperlyConfigured, match="gate/check"):
        hot_first(taken, ("gate/check",))
    free = [path("people/<int:pk>", _view), path("gate/check", _view)]
    assert [str(p.pattern) for p in hot_first(free, ("gate/check",))] == [
        "gate/check",
        "people/<int:pk>",
    ]
    with pytest.raises(ImproperlyConfigured, match="not found"):
        hot_first(free, ("gate/nowhere",))
