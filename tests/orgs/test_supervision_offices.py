"""H-3: each park keeps its own list of supervising offices, as data its park admin edits.

Notice H names one town's offices (应急办, 经发办, 规环办, 市监所); another park has others.
Covers the page (add, edit, delete), Chinese field errors that change nothing, outsiders
(another park's admin, an enterprise officer, anonymous), the enterprise's choice of office,
and the data migration from the old fixed categories.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from parkguard.orgs import services
from parkguard.orgs.access import SYSTEM, scope_for_user
from parkguard.orgs.models import Enterprise, SupervisionOffice
from tests.factories import World, valid_credit_code

Clients = Callable[[str | None], Client]
BASIS = "红炉府发〔2021〕10号 三、（三）人员分工"


def _office(world: World, name: str = "应急办", **fields: object) -> SupervisionOffice:
    return SupervisionOffice.objects.create(jurisdiction=world.park_a, name=name, **fields)


def _url(world: World) -> str:
    return f"/park/{world.park_a.pk}/offices/"


def _snapshot(office: SupervisionOffice) -> tuple[object, ...]:
    office.refresh_from_db()
    return (
        office.jurisdiction_id,
        office.name,
        office.responsibilities,
        office.basis,
        office.order,
    )


@pytest.mark.django_db
def test_h_3_the_park_admin_adds_and_edits_its_offices(world: World, client_as: Clients) -> None:
    """H-3: the park admin keeps the offices that supervise each kind of enterprise."""
    client = client_as("park_a_admin")
    response = client.post(
        _url(world),
        {"name": " 应急办 ", "responsibilities": "非煤矿山、危化企业", "basis": BASIS, "order": 1},
    )
    assert response.status_code == 302
    office = SupervisionOffice.objects.get(jurisdiction=world.park_a)
    assert _snapshot(office) == (world.park_a.pk, "应急办", "非煤矿山、危化企业", BASIS, 1)
    page = client.get(_url(world)).content.decode()
    assert "应急办" in page and BASIS in page and "添加主管办所" in page
    edit = client.post(
        f"/offices/{office.pk}/edit/",
        {"name": "应急管理办", "responsibilities": "矿山、危化", "basis": BASIS, "order": 2},
    )
    assert edit.status_code == 302
    assert _snapshot(office) == (world.park_a.pk, "应急管理办", "矿山、危化", BASIS, 2)


@pytest.mark.django_db
def test_h_3_the_park_overview_links_to_the_offices(world: World, client_as: Clients) -> None:
    page = client_as("park_a_admin").get(f"/park/{world.park_a.pk}/").content.decode()
    assert _url(world) in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "  "}, "name", "这个字段是必填项。"),
        ({"name": "办" * 51}, "name", "不超过 50 字符"),
        ({"name": "经发办", "order": "第一"}, "order", "输入整数。"),
        ({"name": "经发办", "order": "-1"}, "order", "确保该值大于或等于0。"),
        ({"name": "经发办", "basis": "据" * 201}, "basis", "不超过 200 字符"),
    ],
)
def test_h_3_bad_input_gets_a_chinese_field_error_and_changes_nothing(
    world: World, client_as: Clients, data: dict[str, str], field: str, message: str
) -> None:
    existing = _office(world, "应急办", basis=BASIS)
    before = _snapshot(existing)
    response = client_as("park_a_admin").post(_url(world), {"order": "0", **data})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in e for e in errors[field]), errors
    assert SupervisionOffice.objects.count() == 1
    assert _snapshot(existing) == before


@pytest.mark.django_db
def test_h_3_a_taken_name_is_refused_in_chinese(world: World, client_as: Clients) -> None:
    first = _office(world, "应急办")
    other = _office(world, "经发办", responsibilities="工贸企业")
    before = _snapshot(other)
    client = client_as("park_a_admin")
    response = client.post(_url(world), {"name": "应急办", "order": "0"})
    assert services.OFFICE_NAME_TAKEN in response.content.decode()
    assert SupervisionOffice.objects.filter(name="应急办").count() == 1
    rename = client.post(f"/offices/{other.pk}/edit/", {"name": " 应急办", "order": "0"})
    assert rename.status_code == 200
    assert services.OFFICE_NAME_TAKEN in rename.content.decode()
    assert _snapshot(other) == before
    # The same name in another park is that park's own office.
    SupervisionOffice.objects.create(jurisdiction=world.park_b, name="应急办")
    assert first.name == "应急办"


@pytest.mark.django_db
def test_h_3_an_office_in_use_is_not_deleted(world: World, client_as: Clients) -> None:
    office = _office(world, "应急办")
    services.enterprise_update(scope=SYSTEM, enterprise=world.a1, supervision_office=office)
    client = client_as("park_a_admin")
    response = client.post(f"/offices/{office.pk}/delete/", follow=True)
    assert services.OFFICE_IN_USE in response.content.decode()
    assert SupervisionOffice.objects.filter(pk=office.pk).exists()
    world.a1.refresh_from_db()
    assert world.a1.supervision_office_id == office.pk
    unused = _office(world, "经发办")
    assert client.post(f"/offices/{unused.pk}/delete/").status_code == 302
    assert not SupervisionOffice.objects.filter(pk=unused.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["park_b_admin", "a1_officer", "liaison_a", None])
def test_h_3_outsiders_neither_see_nor_change_a_parks_offices(
    world: World, client_as: Clients, persona: str | None
) -> None:
    """Another park's admin, an enterprise officer, a liaison, anonymous: nothing, no change."""
    office = _office(world, "甲园区应急办", responsibilities="甲园区危化企业", basis=BASIS)
    before = _snapshot(office)
    client = client_as(persona)
    body = {"name": "被改名", "order": "0"}
    denied = {302, 403, 404}
    for response in (
        client.get(_url(world)),
        client.post(_url(world), body),
        client.get(f"/offices/{office.pk}/edit/"),
        client.post(f"/offices/{office.pk}/edit/", body),
        client.post(f"/offices/{office.pk}/delete/"),
    ):
        assert response.status_code in denied
        if response.status_code == 302:
            assert persona is None and "/accounts/login/" in response["Location"]
        assert "甲园区应急办" not in response.content.decode()
    assert _snapshot(office) == before
    assert SupervisionOffice.objects.count() == 1


@pytest.mark.django_db
def test_h_3_the_service_refuses_another_parks_admin(world: World) -> None:
    """The rule lives in the service: a direct call with park B's scope is refused."""
    office = _office(world, "应急办")
    before = _snapshot(office)
    scope = scope_for_user(world.users["park_b_admin"])
    with pytest.raises(PermissionDenied):
        services.supervision_office_save(scope=scope, jurisdiction=world.park_a, name="外人办")
    with pytest.raises(PermissionDenied):
        services.supervision_office_save(
            scope=scope, jurisdiction=world.park_b, office=office, name="被改名"
        )
    with pytest.raises(PermissionDenied):
        services.supervision_office_delete(scope=scope, office=office)
    assert _snapshot(office) == before
    assert SupervisionOffice.objects.count() == 1


@pytest.mark.django_db
def test_h_3_a_park_sees_its_offices_read_only_for_lower_park_roles(
    world: World, client_as: Clients
) -> None:
    """A park cadre sees the list (whom to call), without the form."""
    from parkguard.orgs.choices import Role
    from parkguard.orgs.models import Membership
    from tests.factories import make_user

    cadre = make_user("park_a_cadre")
    Membership.objects.create(user=cadre, role=Role.PARK_CADRE, jurisdiction=world.park_a)
    office = _office(world, "应急办")
    client = Client()
    client.force_login(cadre)
    page = client.get(_url(world))
    assert page.status_code == 200 and "应急办" in page.content.decode()
    assert "添加主管办所" not in page.content.decode()
    assert client.post(_url(world), {"name": "干部办", "order": "0"}).status_code == 403
    assert client.post(f"/offices/{office.pk}/delete/").status_code == 403
    assert SupervisionOffice.objects.count() == 1


@pytest.mark.django_db
def test_h_3_an_enterprise_names_an_office_of_its_own_park(
    world: World, client_as: Clients
) -> None:
    office_a = _office(world, "应急办")
    office_b = SupervisionOffice.objects.create(jurisdiction=world.park_b, name="乙园区经发办")
    with pytest.raises(ValidationError) as caught:
        services.enterprise_update(scope=SYSTEM, enterprise=world.a1, supervision_office=office_b)
    assert caught.value.message_dict == {"supervision_office": [services.OFFICE_OTHER_PARK]}
    world.a1.refresh_from_db()
    assert world.a1.supervision_office_id is None
    # The form offers only the park's offices; the page shows the one chosen.
    client = client_as("park_a_admin")
    form = client.get(f"/enterprises/{world.a1.pk}/edit/").content.decode()
    assert "应急办" in form and "乙园区经发办" not in form
    services.enterprise_update(scope=SYSTEM, enterprise=world.a1, supervision_office=office_a)
    detail = client.get(f"/enterprises/{world.a1.pk}/").content.decode()
    assert "应急办" in detail
    api = client.get(f"/api/v1/enterprises/{world.a1.pk}").json()
    assert (api["supervision_office_id"], api["supervision_office"]) == (office_a.pk, "应急办")
    # Moving the enterprise to park B with park A's office is refused.
    with pytest.raises(ValidationError):
        services.enterprise_update(scope=SYSTEM, enterprise=world.a1, jurisdiction=world.park_b)
    world.a1.refresh_from_db()
    assert world.a1.jurisdiction_id == world.park_a.pk


@pytest.mark.django_db
def test_h_3_an_enterprise_officer_cannot_pick_its_own_office(
    world: World, client_as: Clients
) -> None:
    """The park decides which office supervises an enterprise; its officer's form lacks it."""
    form = client_as("a1_officer").get(f"/enterprises/{world.a1.pk}/edit/")
    assert form.status_code == 200
    assert 'name="supervision_office"' not in form.content.decode()
    office = _office(world, "应急办")
    officer = scope_for_user(world.users["a1_officer"])
    with pytest.raises(PermissionDenied):
        services.enterprise_update(scope=officer, enterprise=world.a1, supervision_office=office)
    world.a1.refresh_from_db()
    assert world.a1.supervision_office_id is None
    park_admin = scope_for_user(world.users["park_a_admin"])
    services.enterprise_update(scope=park_admin, enterprise=world.a1, supervision_office=office)
    world.a1.refresh_from_db()
    assert world.a1.supervision_office_id == office.pk


# --- the data migration -------------------------------------------------------------------
BEFORE = [("orgs", "0004_api_token_owner_park")]
AFTER = [("orgs", "0004_supervision_office")]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


@pytest.mark.django_db(transaction=True)
def test_h_3_the_data_migration_turns_categories_into_office_rows() -> None:
    """H-3: the old fixed categories become each park's own office rows, and back."""
    try:
        executor = _migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        jurisdiction = old.get_model("orgs", "Jurisdiction")
        enterprise = old.get_model("orgs", "Enterprise")
        county = jurisdiction.objects.create(name="迁移县", kind="county", path="")
        county.path = f"/{county.pk}/"
        county.save()
        parks = []
        for name in ("迁移甲园", "迁移乙园"):
            park = jurisdiction.objects.create(name=name, kind="park", parent=county, path="")
            park.path = f"{county.path}{park.pk}/"
            park.save()
            parks.append(park)
        rows = [
            (parks[0], "mines_chemicals"),
            (parks[0], "food"),
            (parks[0], "food"),
            (parks[1], "industry"),
        ]
        for n, (park, category) in enumerate(rows, start=1):
            enterprise.objects.create(
                jurisdiction=park,
                name=f"迁移企业{n}",
                credit_code=valid_credit_code(900 + n),
                legal_representative="法人",
                industry="制造",
                supervision_category=category,
            )
        _migrate(AFTER)
        by_park = {
            p.pk: sorted(
                SupervisionOffice.objects.filter(jurisdiction_id=p.pk).values_list(
                    "name", flat=True
                )
            )
            for p in parks
        }
        assert by_park == {parks[0].pk: ["市场监管所", "应急办"], parks[1].pk: ["经发办"]}
        named = dict(
            Enterprise.objects.filter(name__startswith="迁移企业").values_list(
                "name", "supervision_office__name"
            )
        )
        assert named == {
            "迁移企业1": "应急办",
            "迁移企业2": "市场监管所",
            "迁移企业3": "市场监管所",
            "迁移企业4": "经发办",
        }
        food = SupervisionOffice.objects.get(jurisdiction_id=parks[0].pk, name="市场监管所")
        assert food.responsibilities == "食品及餐饮" and "H-3" in food.basis
        executor = _migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        back = dict(
            old.get_model("orgs", "Enterprise")
            .objects.filter(name__startswith="迁移企业")
            .values_list("name", "supervision_category")
        )
        assert back == {
            "迁移企业1": "mines_chemicals",
            "迁移企业2": "food",
            "迁移企业3": "food",
            "迁移企业4": "industry",
        }
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
