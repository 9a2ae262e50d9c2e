"""Free text shown to others (issue 18): an ID number or a mobile number typed into a reason, a
note or a finding is shown masked, on pages (`|free_text`) and in JSON (`FreeText`), with the
platform's own masks; what was typed is stored unchanged. B-2.2 (personal data only to those
who may see it)."""

from __future__ import annotations

import datetime as dt
import inspect
import re
import typing
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client
from ninja import Schema

import parkguard
from parkguard.lib.free_text import free_text_mask
from parkguard.orgs.access import scope_for_user
from parkguard.people.identity import id_mask, phone_mask
from parkguard.status import overrides
from parkguard.status.choices import HoldKind, OverrideAction
from parkguard.status.models import StatusHold, StatusOverride
from parkguard.status.services import status_hold_open
from tests.factories import World

Clients = Callable[[str | None], Client]
ID = "450222199001011234"
ID_X = "11010519491231002X"
PHONE = "13812345678"


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        (f"张三{ID}已隔离", f"张三{id_mask(ID)}已隔离"),
        (f"身份证 {ID_X.lower()}", f"身份证 {id_mask(ID_X)}"),
        ("４５０２２２１９９００１０１１２３４", id_mask(ID)),  # full-width digits
        ("450222 19900101 1234", id_mask(ID)),  # grouped 6-8-4
        ("450222150101123", id_mask("450222150101123")),  # a 15-digit old ID number
        (f"联系{PHONE}。", f"联系{phone_mask(PHONE)}。"),
        ("+8613812345678", phone_mask(PHONE)),
        ("138 1234 5678 / 138-1234-5678", f"{phone_mask(PHONE)} / {phone_mask(PHONE)}"),
        (f"{PHONE}，{ID}", f"{phone_mask(PHONE)}，{id_mask(ID)}"),
        # Left as typed: dates, times, counts, short codes, other long runs.
        ("2022-11-15 08:30 复测 3 次，体温 37.6", "2022-11-15 08:30 复测 3 次，体温 37.6"),
        ("订单 2022111512345678901", "订单 2022111512345678901"),
        ("座机 023-12345678，工号 A12345", "座机 023-12345678，工号 A12345"),
        ("", ""),
    ],
)
def test_it_masks_id_and_mobile_numbers_and_nothing_else(typed: str, shown: str) -> None:
    assert free_text_mask(typed) == shown


def test_the_filter_masks_before_other_filters_and_escapes_as_usual() -> None:
    template = Template(
        "{{ t|free_text|linebreaksbr }}|{{ l|free_text|join:'、' }}|{{ n|free_text }}"
    )
    out = template.render(Context({"t": f"<b>{ID}</b>\n下一行", "l": [PHONE, "口罩"], "n": None}))
    assert out == f"&lt;b&gt;{id_mask(ID)}&lt;/b&gt;<br>下一行|{phone_mask(PHONE)}、口罩|None"


# --- every template and every JSON answer that shows free text masks it -------------------
FREE_TEXT_NAMES = (
    r"(?:[a-z_]*_reason|reason|[a-z_]*_note|note|description|summary|text|item_text|answer"
    r"|remarks|contents|purpose|route|travel_history|body)"
)
SHOWN = re.compile(r"\{\{\s*((?:[a-z_][a-z0-9_]*\.)+" + FREE_TEXT_NAMES + r")\s*(\|[^}]*)?\}\}")


def _widget(expr: str) -> bool:
    """`{{ form.reason }}` renders an input (the author's own text), not a text to read."""
    first = expr.split(".")[0]
    return first == "form" or first.endswith("_form")


def test_every_template_shows_free_text_through_the_filter() -> None:
    unmasked = []
    templates = Path(settings.BASE_DIR) / "templates"
    for path in sorted(templates.rglob("*.html")):
        for match in SHOWN.finditer(path.read_text(encoding="utf-8")):
            expr, filters = match.group(1), (match.group(2) or "").replace(" ", "")
            if not _widget(expr) and not filters.startswith("|free_text"):
                unmasked.append(f"{path.relative_to(templates)}: {match.group(0)}")
    assert not unmasked, "先经 |free_text 再显示：\n" + "\n".join(unmasked)


def _out_schemas() -> list[type[Schema]]:
    found: list[type[Schema]] = []
    root = Path(parkguard.__file__).parent
    for path in sorted(root.glob("*/api.py")):
        module = __import__(f"parkguard.{path.parent.name}.api", fromlist=["_"])
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, Schema) or cls.__module__ != module.__name__:
                continue
            if cls.__name__.endswith("Out"):
                found.append(cls)
    return found


def _texty(annotation: object) -> bool:
    """Does the field hold text (`str`, optional, in a list, as a dict's values)?"""
    if annotation is str:
        return True
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is dict:
        return _texty(args[1])
    return any(_texty(arg) for arg in args)


def _masks(annotation: object, metadata: list[object]) -> bool:
    if any(getattr(m, "func", None) is free_text_mask for m in metadata):
        return True
    return any(
        _masks(arg, list(getattr(arg, "__metadata__", ()))) for arg in typing.get_args(annotation)
    )


def test_every_api_answer_shows_free_text_masked() -> None:
    """Output schemas (`…Out`) declare a free-text field as `FreeText`; input ones must not
    (the stored text stays as typed)."""
    names = re.compile(f"^{FREE_TEXT_NAMES}$|^notes$|^subject$|^reviewed_note$")
    schemas = _out_schemas()
    assert len(schemas) > 50
    unmasked = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in schemas
        for name, field in cls.model_fields.items()
        if names.match(name)
        and _texty(field.annotation)
        and not _masks(field.annotation, list(field.metadata))
    ]
    assert not unmasked, "输出字段应声明为 FreeText：\n" + "\n".join(unmasked)


# --- one reason, typed with an ID and a phone, as its readers see it ------------------------
AT = dt.datetime(2022, 11, 15, 8, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_a_typed_id_and_phone_in_a_reason_are_masked_to_the_reader_and_stored_as_typed(
    world: World, client_as: Clients
) -> None:
    status_hold_open(
        person_ids=[world.a1_person.pk],
        kind=HoldKind.FEVER,
        reason="体温 37.6 ℃",
        citation={},
        source="health.alert:1",
        at=AT,
    )
    hold = StatusHold.objects.get(person=world.a1_person, kind=HoldKind.FEVER)
    officer = world.users["a1_officer"]
    typed = f"复测正常，本人身份证 {ID}，联系电话 {PHONE}"
    proposal = overrides.status_override_request(
        scope=scope_for_user(officer),
        person=world.a1_person,
        action=OverrideAction.RELEASE,
        hold=hold,
        reason=typed,
        by=officer,
        at=AT,
    )
    shown = f"复测正常，本人身份证 {id_mask(ID)}，联系电话 {phone_mask(PHONE)}"
    reader = client_as("park_a_admin")  # the second person, who reviews it

    page = reader.get(f"/status/enterprises/{world.a1.pk}/").content.decode()
    assert shown in page
    assert ID not in page and PHONE not in page

    answer = reader.get(f"/api/v1/status/enterprises/{world.a1.pk}/overrides")
    assert answer.status_code == 200
    [row] = [r for r in answer.json() if r["id"] == proposal.pk]
    assert row["reason"] == shown
    assert ID not in answer.content.decode() and PHONE not in answer.content.decode()

    proposal.refresh_from_db()
    assert proposal.reason == typed
    assert StatusOverride.objects.get(pk=proposal.pk).reason == typed
