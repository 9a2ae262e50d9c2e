"""Every link a role is shown opens for that role: starting at each persona's home page, every
page it links to, and every page those link to, answers without a 403, a 404 or a 500. A link
the role would be refused (a county cadre and the park's labs, an officer and the park's pack
settings, the guard and a truck of the day) is a dead end for a real user, so it must not be
shown. `test_it_fails_on_a_dead_link` proves the walker can fail."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from parkguard.logistics import services as logistics
from parkguard.logistics.models import TruckDeclaration
from parkguard.orgs.access import scope_for_user
from parkguard.orgs.choices import Role
from parkguard.orgs.models import Membership
from tests.factories import J_PACK, World, adopt, make_user, valid_id

pytestmark = pytest.mark.django_db
HREF = re.compile(r'href="(/[^"#]*)')
# Not pages: logging out, the JSON API and its docs, the back office, static files.
SKIP = re.compile(r"^/(accounts/logout|api/|admin/|static/)")
DEPTH = 2
MAX_PAGES = 250


def _links(body: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in HREF.findall(body) if not SKIP.match(h)]


def dead_links(client: Client, *, depth: int = DEPTH) -> list[str]:
    """Pages reachable from `client`'s home page that refuse it: "status url (from page)"."""
    seen = {"/"}
    frontier = [("/", 0, "")]
    dead: list[str] = []
    while frontier and len(seen) <= MAX_PAGES:
        url, level, source = frontier.pop(0)
        response = client.get(url, follow=True)
        if response.status_code >= 400:
            dead.append(f"{response.status_code} {url}（来自 {source}）")
            continue
        if level >= depth or "html" not in response.get("Content-Type", ""):
            continue
        for link in _links(response.content.decode()):
            if link not in seen:
                seen.add(link)
                frontier.append((link, level + 1, url))
    return dead


@pytest.fixture
def walked(world: World) -> World:
    """The world with a county cadre (two parks' roll-up, no park administration) and a
    truck due at A1's gate today."""
    adopt(world.park_a, J_PACK)
    county = make_user("county_cadre")
    world.users["county_cadre"] = county
    Membership.objects.create(user=county, role=Role.PARK_CADRE, jurisdiction=world.county)
    now = timezone.now()
    _, token = logistics.declaration_link_create(
        scope=scope_for_user(world.users["a1_officer"]), enterprise=world.a1, label="渝运物流",
        at=now - dt.timedelta(hours=24), by=None,
    )  # fmt: skip
    truck = logistics.truck_declare_by_link(
        token=token, plate="渝A 12345", planned_arrival=now + dt.timedelta(hours=2),
        route="园区东门", travel_history="重庆市",
        crew=[logistics.CrewIn(name="司机甲", id_number=valid_id(901), phone="13912345678",
                               tested_at=now - dt.timedelta(hours=30), test_negative=True,
                               vaccine_doses=3)],
        at=now - dt.timedelta(hours=23),
    )  # fmt: skip
    assert TruckDeclaration.objects.filter(pk=truck.pk).exists()
    return world


@pytest.mark.parametrize(
    "persona",
    [
        "park_a_admin",
        "county_cadre",
        "a1_officer",
        "a1_employee",
        "a1_leader",
        "a1_guard",
        "liaison_a",
    ],
)
def test_every_link_from_home_opens_for_its_role(
    walked: World, persona: str, client_as: Callable[[str | None], Client]
) -> None:
    assert dead_links(client_as(persona)) == []


def test_it_fails_on_a_dead_link(walked: World, client_as: Callable[[str | None], Client]) -> None:
    """The walker is not vacuous: the truck page of another enterprise's truck is refused."""
    client = client_as("a2_officer")
    truck = TruckDeclaration.objects.get()
    assert client.get(f"/logistics/trucks/{truck.pk}/").status_code == 404
    assert dead_links(client, depth=0) == []
    assert _links(f'<a href="/logistics/trucks/{truck.pk}/">x</a>') == [
        f"/logistics/trucks/{truck.pk}/"
    ]


def _hrefs(body: str) -> set[str]:
    return set(_links(body))


def test_the_park_admins_home_links_the_parks_registers(
    walked: World, client_as: Callable[[str | None], Client]
) -> None:
    """The park admin keeps the risk-area register and the labs, and sees the park's visitor
    filings and utility faults; those were reachable only by typing the address."""
    park = walked.park_a.pk
    links = _hrefs(client_as("park_a_admin").get("/", follow=True).content.decode())
    for url in [
        f"/mobility/parks/{park}/risk-areas/",
        f"/mobility/parks/{park}/visitors/",
        f"/continuity/parks/{park}/faults/",
        f"/sampling/parks/{park}/labs/",
    ]:
        assert url in links


def test_an_inspector_is_not_shown_the_registers_it_may_not_open(
    walked: World, client_as: Callable[[str | None], Client]
) -> None:
    inspector = make_user("park_inspector")
    walked.users["park_inspector"] = inspector
    Membership.objects.create(user=inspector, role=Role.INSPECTOR, jurisdiction=walked.park_a)
    client = client_as("park_inspector")
    links = _hrefs(client.get("/", follow=True).content.decode())
    park = walked.park_a.pk
    assert f"/mobility/parks/{park}/visitors/" in links
    assert f"/mobility/parks/{park}/risk-areas/" not in links
    assert f"/sampling/parks/{park}/labs/" not in links
    assert dead_links(client) == []


def test_the_park_overview_closes_its_toolbars(
    walked: World, client_as: Callable[[str | None], Client]
) -> None:
    """An unclosed toolbar put the figures and charts inside a row of buttons (squeezed
    charts, a column of figures at desktop size): every div opened is closed, and the
    figures are not inside a toolbar."""
    from html.parser import HTMLParser

    class Divs(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.open: list[str] = []
            self.stats_inside_toolbar = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag != "div":
                return
            classes = (dict(attrs).get("class") or "").split()
            if "stats" in classes and any("toolbar" in c for c in self.open):
                self.stats_inside_toolbar = True
            self.open.append(" ".join(classes))

        def handle_endtag(self, tag: str) -> None:
            if tag == "div":
                assert self.open, "多余的 </div>"
                self.open.pop()

    parser = Divs()
    parser.feed(client_as("park_a_admin").get("/", follow=True).content.decode())
    assert parser.open == [] and not parser.stats_inside_toolbar


def test_the_team_leaders_home_leads_to_the_teams_day(
    walked: World, client_as: Callable[[str | None], Client]
) -> None:
    """The team leader's home showed only a role and an enterprise: a dead end. It links the
    unit's declarations, temperatures, alerts, tests due, people and returnees; each opens
    (the walker above) and shows the leader's unit, not the whole enterprise."""
    e = walked.a1.pk
    client = client_as("a1_leader")
    links = _hrefs(client.get("/").content.decode())
    for url in [
        f"/health/enterprises/{e}/",
        f"/health/enterprises/{e}/checks/",
        f"/health/enterprises/{e}/alerts/",
        f"/duties/enterprises/{e}/",
        f"/enterprises/{e}/people/",
        f"/mobility/enterprises/{e}/returnees/",
    ]:
        assert url in links
    people = client.get(f"/enterprises/{e}/people/").content.decode()
    assert walked.a1_person.name in people
    assert walked.a1_employee_person.name not in people


def test_the_liaisons_home_leads_to_the_roster_in_one_card(
    walked: World, client_as: Callable[[str | None], Client]
) -> None:
    """The liaison's roster, the core of the day, had no link on the home page, and the
    community's work was split over two cards: one card, roster first."""
    body = client_as("liaison_a").get("/").content.decode()
    assert f"/roster/?community={walked.community_a.pk}" in _hrefs(body)
    assert "/mobility/community/" in _hrefs(body)
    assert body.count(f"今日工作 · {walked.community_a.name}") == 1
    assert "社区工作 ·" not in body


def test_the_park_admin_reaches_the_policy_impact_page_from_its_pages(
    walked: World, client_as: Callable[[str | None], Client]
) -> None:
    """Issue 12 §6: the impact preview (before confirming a change) was reachable only by
    typing its address. The risk-area register and the park overview link it for those who
    may confirm a change (`adopt`); a cadre who keeps the register is not shown it."""
    park = walked.park_a.pk
    admin = client_as("park_a_admin")
    impact = f"/mobility/parks/{park}/impact/"
    register = _hrefs(admin.get(f"/mobility/parks/{park}/risk-areas/").content.decode())
    assert f"{impact}?for=risk_areas" in register
    assert impact in _hrefs(admin.get(f"/park/{park}/").content.decode())
    assert admin.get(impact).status_code == 200
    cadre = client_as("county_cadre")
    page = cadre.get(f"/mobility/parks/{park}/risk-areas/")
    assert page.status_code == 200 and impact not in page.content.decode()
    assert cadre.get(impact).status_code in (403, 404)


def test_a_preview_in_a_park_without_a_division_code_is_a_message_not_a_500(
    walked: World, client_as: Callable[[str | None], Client]
) -> None:
    """The test park has no county code: the preview raised ValueError (a 500) on the
    page and the API; it is the Chinese message, with nothing recorded."""
    from parkguard.mobility.models import PolicyChange
    from parkguard.mobility.rules import NO_HOME_DIVISION

    park = walked.park_a.pk
    admin = client_as("park_a_admin")
    page = admin.get(f"/mobility/parks/{park}/impact/?kind=risk_areas")
    assert page.status_code == 422 and NO_HOME_DIVISION in page.content.decode()
    for path in ("impact", "impact/confirm"):
        answer = admin.post(
            f"/api/v1/mobility/parks/{park}/impact" if path == "impact"
            else f"/api/v1/mobility/parks/{park}/impact/confirm",
            {"kind": "risk_areas", "description": "市指挥部公告"},
            content_type="application/json",
        )  # fmt: skip
        assert answer.status_code == 422
        assert [e["msg"] for e in answer.json()["detail"]] == [NO_HOME_DIVISION]
    assert not PolicyChange.objects.exists()
