"""24-hour duty rosters with hand-overs, gaps and over-long shifts (L-4.4b); living and
medical supplies in lockdown: needs, set-time deliveries, confirmation, shortfalls (L-3.2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from parkguard.command import selectors, services
from parkguard.command.models import Delivery, Shift, Shortfall, SupplyNeed
from parkguard.notify.choices import Kind
from parkguard.notify.models import Message
from parkguard.orgs.access import scope_for_user
from tests.command.conftest import AT, C_PACK, CommandWorld, order

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def _shift(
    cw: CommandWorld, user: object, start: dt.datetime, end: dt.datetime, **kw: object
) -> Shift:
    args: dict[str, object] = {
        "scope": scope_for_user(cw.admin),
        "jurisdiction": cw.world.park_a,
        "user": user,
        "starts_at": start,
        "ends_at": end,
        "post": "园区值班室",
        "by": cw.admin,
        "at": AT,
    }
    args.update(kw)
    return services.shift_add(**args)  # type: ignore[arg-type]


def test_l_4_4b_the_roster_flags_gaps_and_over_long_shifts(cw: CommandWorld) -> None:
    long = _shift(cw, cw.cadre, AT, AT + 14 * H)
    _shift(cw, cw.admin, AT + 16 * H, AT + 24 * H)
    roster = selectors.roster_of(
        scope=scope_for_user(cw.admin), jurisdiction=cw.world.park_a, start=AT
    )
    assert roster.hours == 24 and roster.shift_max_hours == 12
    assert roster.citation["pack_id"] == C_PACK and roster.citation["requirement"] == "L-4.4b"
    (post,) = roster.posts
    assert post.gaps == [(AT + 14 * H, AT + 16 * H)]
    assert post.long_ids == {long.pk}
    assert Message.objects.filter(kind=Kind.ROSTER, user=cw.cadre).exists()


def test_shift_bad_input_is_refused_with_nothing_changed(cw: CommandWorld) -> None:
    outsider = cw.world.users["a1_officer"]
    with pytest.raises(ValidationError) as refused:
        _shift(cw, outsider, AT + H, AT, post=" ")
    errors = refused.value.message_dict
    assert errors["user"] == [services.USER_NOT_STAFF]
    assert errors["ends_at"] == [services.SHIFT_BACKWARDS]
    assert errors["post"] == [services.POST_REQUIRED]
    with pytest.raises(ValidationError) as too_long:
        _shift(cw, cw.cadre, AT, AT + 25 * H)
    assert too_long.value.message_dict["ends_at"] == [services.SHIFT_TOO_LONG.format(hours=24)]
    _shift(cw, cw.cadre, AT, AT + 8 * H)
    with pytest.raises(ValidationError) as overlap:
        _shift(cw, cw.cadre, AT + 4 * H, AT + 10 * H)
    assert overlap.value.message_dict["starts_at"] == [services.SHIFT_OVERLAP]
    assert Shift.objects.count() == 1


def test_the_person_on_duty_hands_over_once_with_a_note(cw: CommandWorld) -> None:
    first = _shift(cw, cw.cadre, AT, AT + 8 * H)
    _shift(cw, cw.admin, AT + 8 * H, AT + 16 * H)
    scope = scope_for_user(cw.cadre)
    with pytest.raises(ValidationError) as refused:
        services.shift_handover(scope=scope, shift=first, note="", by=cw.cadre, at=AT + 8 * H)
    assert refused.value.message_dict["note"] == [services.NOTE_REQUIRED]
    services.shift_handover(scope=scope, shift=first, note="卡点正常", by=cw.cadre, at=AT + 8 * H)
    first.refresh_from_db()
    assert first.handover_note == "卡点正常" and first.handed_over_at == AT + 8 * H
    assert Message.objects.filter(
        kind=Kind.ROSTER, user=cw.admin, title__startswith="交接班"
    ).exists()
    with pytest.raises(ValidationError):
        services.shift_handover(scope=scope, shift=first, note="再交", by=cw.cadre, at=AT + 9 * H)


def test_l_3_2_needs_deliveries_and_confirmation(cw: CommandWorld) -> None:
    o = order(cw)
    scope = scope_for_user(cw.cadre)
    checkpoint = o.checkpoints.get(enterprise=cw.world.a1)
    need = services.need_count(
        scope=scope,
        order=o,
        enterprise=None,
        checkpoint=checkpoint,
        day=AT.date(),
        kind="living",
        item="盒饭",
        quantity=80,
        unit="份",
        by=cw.cadre,
        at=AT,
    )
    assert need.enterprise == cw.world.a1
    delivery = services.delivery_plan(
        scope=scope,
        order=o,
        enterprise=cw.world.a2,
        contents="蔬菜包",
        packages=30,
        due_at=AT + 2 * H,
        courier="网格员刘",
        by=cw.cadre,
        at=AT,
    )
    services.delivery_confirm(
        scope=scope, delivery=delivery, receiver="甲二门卫", by=cw.cadre, at=AT + 3 * H
    )
    delivery.refresh_from_db()
    assert delivery.delivered_at == AT + 3 * H and delivery.confirmed_by == "甲二门卫"
    supplies = selectors.supplies_of(scope=scope_for_user(cw.admin), order=o, at=AT + 3 * H)
    assert supplies.deliveries == [(delivery, True)]  # an hour past the set time: late
    with pytest.raises(ValidationError) as twice:
        services.delivery_confirm(scope=scope, delivery=delivery, receiver="x", by=cw.cadre, at=AT)
    assert twice.value.message_dict["__all__"] == [services.ALREADY_DELIVERED]


def test_l_3_2_a_delivery_to_an_enterprise_outside_the_lockdown_is_refused(
    cw: CommandWorld,
) -> None:
    o = order(cw, enterprise_ids=[], area_ids=[cw.area.pk])
    scope = scope_for_user(cw.cadre)
    with pytest.raises(ValidationError) as refused:
        services.delivery_plan(
            scope=scope,
            order=o,
            enterprise=cw.world.a2,
            contents="蔬菜包",
            packages=30,
            due_at=AT + 2 * H,
            courier="网格员刘",
            by=cw.cadre,
            at=AT,
        )
    assert refused.value.message_dict["enterprise"] == [services.NOT_IN_LOCKDOWN]
    with pytest.raises(ValidationError) as need:
        services.need_count(
            scope=scope,
            order=o,
            enterprise=cw.world.a2,
            day=AT.date(),
            kind="medical",
            item="退烧药",
            quantity=0,
            unit="",
            by=cw.cadre,
            at=AT,
        )
    errors = need.value.message_dict
    assert errors["enterprise"] == [services.NOT_IN_LOCKDOWN]
    assert errors["quantity"] == [services.QUANTITY_INVALID]
    assert errors["unit"] == [services.UNIT_REQUIRED]
    assert not Delivery.objects.exists() and not SupplyNeed.objects.exists()


def test_l_3_2_a_shortfall_goes_to_the_county_supply_group(cw: CommandWorld) -> None:
    o = order(cw)
    row = services.shortfall_raise(
        scope=scope_for_user(cw.cadre),
        order=o,
        enterprise=cw.world.a2,
        item="大米",
        short_by=200,
        unit="斤",
        by=cw.cadre,
        at=AT,
    )
    assert row.notified == 1
    message = Message.objects.get(kind=Kind.LIVING_SUPPLIES)
    assert message.user == cw.county_admin and "大米" in message.body
    with pytest.raises(ValidationError) as outside:
        services.shortfall_raise(
            scope=scope_for_user(cw.cadre),
            order=o,
            enterprise=cw.world.b1,
            item="大米",
            short_by=1,
            unit="斤",
            by=cw.cadre,
            at=AT,
        )
    assert outside.value.message_dict["enterprise"] == [services.NOT_IN_LOCKDOWN]
    assert Shortfall.objects.count() == 1
