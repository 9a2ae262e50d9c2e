"""Configuring group robots: who may, what is stored, what is never shown, bad input refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from parkguard.notify import services
from parkguard.notify.choices import DeliveryStatus, Kind, Vendor
from parkguard.notify.models import Delivery, Webhook
from parkguard.notify.sealing import unseal
from parkguard.notify.services import webhook_create, webhook_update
from parkguard.orgs.access import scope_for_user
from tests.factories import World
from tests.notify.fake_robot import FakeRobot

AT = dt.datetime(2022, 11, 15, 9, 0, tzinfo=dt.UTC)
Persona = Callable[[str | None], Client]
KEY = "wecom-key-0123456789"
DING = "https://oapi.dingtalk.com/robot/send?access_token=ding-token-0123456789"
DING_SECRET = "SECding-secret-0123456789"


def a1_hook(world: World, **extra: Any) -> Webhook:
    values: dict[str, Any] = {
        "name": "甲一防疫群",
        "vendor": Vendor.DINGTALK,
        "url": DING,
        "signed": True,
        "secret": DING_SECRET,
        "kinds": [Kind.HEALTH_ALERT],
        "enabled": True,
    }
    values.update(extra)
    return webhook_create(
        scope=scope_for_user(world.users["a1_officer"]),
        enterprise=world.a1,
        by=None,
        at=AT,
        **values,
    )


def form(**extra: Any) -> dict[str, Any]:
    data = {
        "name": "甲一防疫群",
        "vendor": "wecom",
        "url": f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}",
        "kinds": ["health_alert", "declare_digest"],
        "enabled": "on",
    }
    data.update(extra)
    return data


@pytest.mark.django_db
def test_it_lets_an_officer_add_a_robot_stored_encrypted(world: World, client_as: Persona) -> None:
    response = client_as("a1_officer").post("/webhooks/", form(owner=f"e:{world.a1.pk}"))
    assert response.status_code == 302
    hook = Webhook.objects.get()
    assert (hook.enterprise, hook.owner_park, hook.vendor) == (world.a1, world.park_a, "wecom")
    assert hook.kinds == ["declare_digest", "health_alert"] or set(hook.kinds) == {
        "health_alert",
        "declare_digest",
    }
    assert hook.enabled is True
    assert KEY not in hook.url_encrypted and KEY not in hook.url_hint
    assert unseal(hook.url_encrypted).endswith(KEY)
    assert hook.url_hint == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=weco…"


@pytest.mark.django_db
def test_it_never_shows_the_url_key_or_secret_back(world: World, client_as: Persona) -> None:
    hook = a1_hook(world)
    for url in ("/webhooks/", f"/webhooks/{hook.pk}/"):
        page = client_as("a1_officer").get(url).content.decode()
        assert "ding-token-0123456789" not in page and DING_SECRET not in page
        assert "ding…" in page
    assert (
        "已设置（不再显示）"
        in client_as("a1_officer").get(f"/webhooks/{hook.pk}/").content.decode()
    )


@pytest.mark.django_db
def test_it_is_off_by_default(world: World) -> None:
    hook = a1_hook(world, enabled=False)
    assert Webhook._meta.get_field("enabled").default is False
    services.notify_send(enterprise=world.a1, kind=Kind.HEALTH_ALERT, title="t", body="", at=AT)
    assert not Delivery.objects.filter(webhook=hook).exists()


@pytest.mark.django_db
def test_it_keeps_the_stored_url_and_secret_when_left_blank(
    world: World, client_as: Persona
) -> None:
    hook = a1_hook(world)
    data = {"name": "改名的群", "vendor": "dingtalk", "signed": "on", "kinds": ["test_due"]}
    assert client_as("a1_officer").post(f"/webhooks/{hook.pk}/", data).status_code == 302
    hook.refresh_from_db()
    assert (hook.name, hook.kinds, hook.enabled) == ("改名的群", ["test_due"], False)
    assert unseal(hook.url_encrypted) == DING and unseal(hook.secret_encrypted) == DING_SECRET


@pytest.mark.django_db
def test_it_lets_a_park_admin_manage_enterprise_and_park_robots(
    world: World, client_as: Persona
) -> None:
    hook = a1_hook(world)
    client = client_as("park_a_admin")
    assert (
        client.post(
            f"/webhooks/{hook.pk}/", {"name": "园区改", "vendor": "dingtalk", "signed": "on"}
        ).status_code
        == 302
    )
    hook.refresh_from_db()
    assert hook.name == "园区改"
    assert (
        client.post("/webhooks/", form(owner=f"j:{world.park_a.pk}", name="园区群")).status_code
        == 302
    )
    park_hook = Webhook.objects.get(name="园区群")
    assert (park_hook.jurisdiction, park_hook.enterprise) == (world.park_a, None)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["a1_employee", "a1_leader", "liaison_a"])
def test_it_refuses_lower_roles(world: World, client_as: Persona, persona: str) -> None:
    hook = a1_hook(world)
    client = client_as(persona)
    assert client.get("/webhooks/").status_code in {403, 404}
    assert client.post("/webhooks/", form(owner=f"e:{world.a1.pk}")).status_code in {403, 404}
    assert client.get(f"/webhooks/{hook.pk}/").status_code == 404
    assert client.post(f"/webhooks/{hook.pk}/delete/").status_code == 404
    assert client.post(f"/webhooks/{hook.pk}/test/").status_code == 404
    assert Webhook.objects.count() == 1 and not Delivery.objects.exists()
    assert "群机器人" not in client.get("/enterprises/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", [None, "a2_officer", "park_b_admin"])
def test_it_refuses_outsiders_and_changes_nothing(
    world: World, client_as: Persona, persona: str | None
) -> None:
    hook = a1_hook(world)
    client = client_as(persona)
    changed = {"name": "外人改", "vendor": "dingtalk", "url": DING, "signed": "", "kinds": []}
    assert client.post(f"/webhooks/{hook.pk}/", changed).status_code in {302, 404}
    assert client.post(f"/webhooks/{hook.pk}/delete/").status_code in {302, 404}
    assert client.post(f"/webhooks/{hook.pk}/test/").status_code in {302, 404}
    if persona is not None:
        created = client.post("/webhooks/", form(owner=f"e:{world.a1.pk}"))
        assert created.status_code in {200, 404}  # not among their owners: a form error
        assert "甲一防疫群" not in client.get("/webhooks/").content.decode()
    hook.refresh_from_db()
    assert (hook.name, hook.signed, hook.kinds) == ("甲一防疫群", True, ["health_alert"])
    assert Webhook.objects.count() == 1 and not Delivery.objects.exists()


@pytest.mark.django_db
def test_the_service_requires_the_manage_webhooks_action(world: World) -> None:
    """Rules live in the service: a caller that skips the page still gets a 403."""
    hook = a1_hook(world)
    outsider = scope_for_user(world.users["a2_officer"])
    with pytest.raises(PermissionDenied):
        webhook_update(
            scope=outsider,
            webhook=hook,
            name="x",
            vendor="dingtalk",
            kinds=[],
            enabled=False,
            at=AT,
        )
    with pytest.raises(PermissionDenied):
        webhook_create(
            scope=scope_for_user(world.users["a1_officer"]),
            jurisdiction=world.park_a,
            name="专员建园区群",
            vendor="wecom",
            url=f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}",
            kinds=[],
            by=None,
            at=AT,
        )
    with pytest.raises(PermissionDenied):
        services.webhook_test_send(
            scope=scope_for_user(world.users["a1_employee"]), webhook=hook, at=AT
        )
    hook.refresh_from_db()
    assert hook.name == "甲一防疫群" and Webhook.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        (
            {"url": "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"},
            "url",
            services.WEBHOOK_URL_NOT_HTTPS,
        ),
        (
            {"url": "http://127.0.0.1:8080/cgi-bin/webhook/send?key=k"},
            "url",
            services.WEBHOOK_URL_NOT_HTTPS,
        ),
        (
            {"url": "https://robot.example.com/cgi-bin/webhook/send?key=k"},
            "url",
            services.WEBHOOK_HOST_UNKNOWN,
        ),
        ({"url": DING}, "url", services.WEBHOOK_HOST_UNKNOWN),  # a DingTalk URL chosen as WeCom
        (
            {"url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"},
            "url",
            services.WEBHOOK_URL_SHAPE,
        ),
        ({"url": ""}, "url", services.WEBHOOK_URL_MISSING),
        ({"signed": "on"}, "signed", services.WEBHOOK_SIGN_UNSUPPORTED),
        (
            {"vendor": "dingtalk", "url": DING, "signed": "on"},
            "secret",
            services.WEBHOOK_SECRET_MISSING,
        ),
        (
            {
                "vendor": "feishu",
                "url": "https://open.feishu.cn/open-apis/bot/v2/hook/abc",
                "signed": "on",
            },
            "secret",
            services.WEBHOOK_SECRET_MISSING,
        ),
        (
            {"vendor": "feishu", "url": "https://open.feishu.cn/open-apis/bot/v2/hook/"},
            "url",
            services.WEBHOOK_URL_SHAPE,
        ),
        ({"name": " "}, "name", services.WEBHOOK_NAME_MISSING),
    ],
)
def test_it_refuses_bad_input_with_a_chinese_field_error(
    world: World, client_as: Persona, settings: Any, extra: dict[str, Any], field: str, message: str
) -> None:
    """Outside test settings only https URLs of the chosen vendor's host are accepted."""
    settings.NOTIFY_WEBHOOK_ALLOW_LOCAL = False
    response = client_as("a1_officer").post("/webhooks/", form(owner=f"e:{world.a1.pk}", **extra))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert not Webhook.objects.exists()
    with pytest.raises(ValidationError) as caught:
        a1_hook(
            world,
            **{
                "vendor": "wecom",
                "signed": False,
                "secret": "",
                "url": f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}",
                **{k: (v == "on" if k == "signed" else v) for k, v in extra.items()},
            },
        )
    assert caught.value.message_dict[field] == [message]


@pytest.mark.django_db
def test_a_refused_edit_changes_nothing(world: World, client_as: Persona, settings: Any) -> None:
    settings.NOTIFY_WEBHOOK_ALLOW_LOCAL = False
    hook = a1_hook(world)
    data = {
        "name": "新名",
        "vendor": "dingtalk",
        "url": "http://oapi.dingtalk.com/robot/send?access_token=x",
        "signed": "on",
    }
    response = client_as("a1_officer").post(f"/webhooks/{hook.pk}/", data)
    assert (
        response.status_code == 200 and services.WEBHOOK_URL_NOT_HTTPS in response.content.decode()
    )
    hook.refresh_from_db()
    assert (hook.name, unseal(hook.url_encrypted)) == ("甲一防疫群", DING)


@pytest.mark.django_db
def test_changing_vendor_needs_a_new_url_and_secret(world: World) -> None:
    hook = a1_hook(world)
    with pytest.raises(ValidationError) as caught:
        webhook_update(
            scope=scope_for_user(world.users["a1_officer"]),
            webhook=hook,
            name="x",
            vendor="feishu",
            signed=True,
            kinds=[],
            enabled=True,
            at=AT,
        )
    assert caught.value.message_dict == {
        "url": [services.WEBHOOK_URL_MISSING],
        "secret": [services.WEBHOOK_SECRET_MISSING],
    }


@pytest.mark.django_db
def test_it_sends_a_test_message_from_the_page(
    world: World, client_as: Persona, robot: FakeRobot, django_capture_on_commit_callbacks: Any
) -> None:
    hook = a1_hook(
        world,
        vendor="wecom",
        signed=False,
        secret="",
        url=f"{robot.base}/cgi-bin/webhook/send?key={KEY}",
        enabled=False,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("a1_officer").post(f"/webhooks/{hook.pk}/test/")
    assert response.status_code == 302
    (got,) = robot.received
    assert services.TEST_TITLE in got.body["markdown"]["content"]
    delivery = Delivery.objects.get(webhook=hook)
    assert (delivery.kind, delivery.status) == (Kind.WEBHOOK_TEST, DeliveryStatus.SENT)
    page = client_as("a1_officer").get(f"/webhooks/{hook.pk}/").content.decode()
    assert "已发送" in page


@pytest.mark.django_db
def test_it_lets_an_officer_delete_their_robot(world: World, client_as: Persona) -> None:
    hook = a1_hook(world)
    assert client_as("a1_officer").post(f"/webhooks/{hook.pk}/delete/").status_code == 302
    assert not Webhook.objects.filter(pk=hook.pk).exists()
