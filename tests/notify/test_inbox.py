"""The in-app inbox: each user sees and changes only their own messages (Z-5.2c, Z-4.2:
reminders and reports reach the person responsible)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from parkguard.notify.choices import Kind
from parkguard.notify.models import Message
from parkguard.notify.services import notify_send
from parkguard.orgs.services import api_token_create
from tests.factories import World

AT = dt.datetime(2022, 11, 15, 9, 0, tzinfo=dt.UTC)
Persona = Callable[[str | None], Client]


def message_for(user: User, title: str = "甲一精工 体温异常", link: str = "") -> Message:
    notify_send(
        users=[user], kind=Kind.HEALTH_ALERT, title=title, body="车间 1 人", link=link, at=AT
    )
    return Message.objects.filter(user=user).latest("id")


@pytest.mark.django_db
def test_it_lists_only_the_users_own_messages(world: World, client_as: Persona) -> None:
    message_for(world.users["a1_officer"], title="专员的消息")
    message_for(world.users["a1_employee"], title="员工的消息")
    page = client_as("a1_employee").get("/inbox/").content.decode()
    assert "员工的消息" in page and "专员的消息" not in page
    api = client_as("a1_employee").get("/api/v1/notify/inbox").json()
    assert [m["title"] for m in api["items"]] == ["员工的消息"] and api["unread"] == 1


@pytest.mark.django_db
def test_it_shows_a_superuser_only_their_own_inbox(world: World) -> None:
    root = User.objects.create_superuser("root", password="x-pass-2022")
    message_for(world.users["a1_officer"], title="专员的消息")
    client = Client()
    client.force_login(root)
    assert "专员的消息" not in client.get("/inbox/").content.decode()
    assert client.get("/api/v1/notify/inbox").json()["items"] == []


@pytest.mark.django_db
def test_it_shows_the_unread_count_in_the_navigation(world: World, client_as: Persona) -> None:
    for _ in range(3):
        message_for(world.users["a1_officer"])
    page = client_as("a1_officer").get("/enterprises/").content.decode()
    assert 'id="inbox-badge" class="badge">3</span>' in page
    empty = client_as("a1_employee").get("/inbox/").content.decode()
    assert 'id="inbox-badge" class="badge" hidden>' in empty


@pytest.mark.django_db
def test_it_marks_a_message_read_on_the_page(world: World, client_as: Persona) -> None:
    message = message_for(world.users["a1_officer"])
    response = client_as("a1_officer").post(f"/inbox/{message.pk}/read/")
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.read_at is not None


@pytest.mark.django_db
def test_it_marks_read_with_htmx_and_updates_the_badge(world: World, client_as: Persona) -> None:
    message = message_for(world.users["a1_officer"])
    message_for(world.users["a1_officer"])
    response = client_as("a1_officer").post(f"/inbox/{message.pk}/read/", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="message-{message.pk}"' in body and "标为已读" not in body
    assert 'id="inbox-badge" hx-swap-oob="true" class="badge">1</span>' in body


@pytest.mark.django_db
def test_it_follows_only_a_local_link_after_reading(world: World, client_as: Persona) -> None:
    local = message_for(world.users["a1_officer"], link="/people/")
    remote = message_for(world.users["a1_officer"], link="//evil.example/")
    client = client_as("a1_officer")
    assert 'href="//evil.example/"' not in client.get("/inbox/").content.decode()
    assert client.post(f"/inbox/{local.pk}/read/")["Location"] == "/people/"
    assert client.post(f"/inbox/{remote.pk}/read/")["Location"] == "/inbox/"
    page = client.get("/inbox/").content.decode()
    assert 'href="/people/"' in page and "evil.example" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("persona", [None, "a1_employee", "a2_officer", "park_a_admin"])
def test_it_lets_no_one_else_mark_a_message_read(
    world: World, client_as: Persona, persona: str | None
) -> None:
    """Not a colleague, not an officer of another enterprise, not the park, not anonymous."""
    message = message_for(world.users["a1_officer"])
    client = client_as(persona)
    page = client.post(f"/inbox/{message.pk}/read/")
    api = client.post(f"/api/v1/notify/inbox/{message.pk}/read", content_type="application/json")
    client.post("/inbox/read-all/")
    client.post("/api/v1/notify/inbox/read-all", content_type="application/json")
    assert page.status_code in {302, 404} and (persona is None or page.status_code == 404)
    assert api.status_code in {401, 404}
    message.refresh_from_db()
    assert message.read_at is None


@pytest.mark.django_db
def test_it_marks_all_of_ones_own_read_and_nothing_else(world: World, client_as: Persona) -> None:
    mine = [message_for(world.users["a1_officer"]) for _ in range(2)]
    theirs = message_for(world.users["a1_employee"])
    response = client_as("a1_officer").post("/api/v1/notify/inbox/read-all")
    assert response.json() == {"marked": 2}
    for m in mine:
        m.refresh_from_db()
        assert m.read_at is not None
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.django_db
def test_it_marks_read_through_the_api(world: World, client_as: Persona) -> None:
    message = message_for(world.users["a1_officer"])
    response = client_as("a1_officer").post(f"/api/v1/notify/inbox/{message.pk}/read")
    assert response.status_code == 200 and response.json()["read_at"] is not None
    message.refresh_from_db()
    assert message.read_at is not None
    listed = client_as("a1_officer").get("/api/v1/notify/inbox?unread=true").json()
    assert listed == {"unread": 0, "items": []}


@pytest.mark.django_db
def test_it_gives_a_device_token_no_inbox(world: World) -> None:
    message = message_for(world.users["a1_officer"])
    _, clear = api_token_create(name="甲一门岗", created_by=None, enterprise=world.a1)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {clear}")
    assert client.get("/api/v1/notify/inbox").json() == {"unread": 0, "items": []}
    assert client.post(f"/api/v1/notify/inbox/{message.pk}/read").status_code == 404
    message.refresh_from_db()
    assert message.read_at is None


@pytest.mark.django_db
def test_it_refuses_a_bad_inbox_query_in_chinese(world: World, client_as: Persona) -> None:
    response = client_as("a1_officer").get("/api/v1/notify/inbox?limit=abc")
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "应为整数"


@pytest.mark.django_db
def test_it_writes_a_thousand_inbox_rows_in_few_queries(
    world: World, django_assert_max_num_queries: Callable[[int], object]
) -> None:
    users = [User(username=f"u{i}") for i in range(1000)]
    User.objects.bulk_create(users)
    ids = list(User.objects.filter(username__startswith="u").values_list("pk", flat=True))
    # A few batched INSERTs (SQLite caps the variables per statement), never one per row.
    with django_assert_max_num_queries(15):  # type: ignore[attr-defined]
        assert notify_send(user_ids=ids, kind=Kind.GENERAL, title="通知", body="", at=AT) == 1000
