"""Look-alike digits (issue 8 §2): one number, one identity, on every path.

Full-width, superscript and circled digits fold to ASCII (NFKC) before any check, digest or
storage, in the form, the API and the import; what is still not ASCII is refused with a
Chinese message, never a 500. Requirements: B-2.2 (one personal file per person), Z-3.1
(the enterprise ledger counts each person once).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parkguard.orgs import services as org_services
from parkguard.orgs.access import SYSTEM
from parkguard.orgs.models import Enterprise
from parkguard.people import identity, services
from parkguard.people.identity import id_decrypt, id_encrypt, id_parse, phone_parse
from parkguard.people.models import Person, PersonImport
from tests.factories import TODAY, World, valid_credit_code, valid_id
from tests.people import sheets as build

Clients = Callable[[str | None], Client]

FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
CIRCLED = str.maketrans("123456789", "①②③④⑤⑥⑦⑧⑨")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _clear(person: Person) -> str:
    return id_decrypt(person.id_encrypted)


@pytest.mark.parametrize("table", [FULL_WIDTH, SUPERSCRIPT, CIRCLED], ids=["full", "sup", "circ"])
def test_it_folds_look_alike_digits_to_the_same_digest(table: dict[int, str]) -> None:
    """B-2.2: the same number typed with look-alikes is the same person."""
    number = valid_id(11)
    parsed = id_parse(number.translate(table), today=TODAY)
    assert parsed.value == number
    assert parsed.digest == id_parse(number, today=TODAY).digest


def test_it_refuses_digits_that_stay_non_ascii_with_a_chinese_message() -> None:
    with pytest.raises(identity.IdentityError) as caught:
        id_parse(valid_id(12).translate(ARABIC_INDIC), today=TODAY)
    assert caught.value.message == identity.ID_CHARSET
    with pytest.raises(identity.IdentityError) as caught:
        phone_parse("١٣٨١٢٣٤٥٦٧٨")
    assert caught.value.message == identity.PHONE_CHARSET
    # id_check, the import's hot path, refuses them too (it used to crash in calc_check_digit)
    with pytest.raises(identity.IdentityError):
        identity.id_check("١" * 18, today=TODAY)


def test_it_folds_full_width_phones() -> None:
    assert phone_parse("１３８１２３４５６７８") == "13812345678"
    assert phone_parse("＋８６ １３８-１２３４-５６７８") == "13812345678"


def test_it_refuses_a_region_code_the_data_file_only_half_knows() -> None:
    """450207 is listed without a county: a clear message, not a KeyError (issue 8 §6)."""
    body = "45020719900101123"
    from stdnum.cn import ric

    with pytest.raises(identity.IdentityError) as caught:
        id_parse(body + ric.calc_check_digit(body + "0"), today=TODAY)
    assert caught.value.message == identity.ID_REGION


def test_the_form_refuses_a_full_width_copy_of_an_existing_person(
    world: World, client_as: Clients
) -> None:
    number = _clear(world.a1_person)
    response = client_as("a1_officer").post(
        f"/enterprises/{world.a1.pk}/people/new/",
        {
            "name": "影子",
            "id_number": number.translate(FULL_WIDTH),
            "phone": "13900000001",
            "category": "regular",
            "status": "active",
            "vaccination_doses": "0",
        },
    )
    assert response.status_code == 200
    assert services.PERSON_DUPLICATE in response.content.decode()
    assert not Person.objects.filter(name="影子").exists()


@pytest.mark.parametrize("table", [SUPERSCRIPT, CIRCLED, ARABIC_INDIC], ids=["sup", "circ", "ar"])
def test_the_api_never_answers_500_to_look_alike_digits(
    world: World, client_as: Clients, table: dict[int, str]
) -> None:
    body = {
        "name": "影子",
        "id_number": _clear(world.a1_person).translate(table),
        "phone": "13900000001",
        "category": "regular",
    }
    response = client_as("a1_officer").post(
        f"/api/v1/enterprises/{world.a1.pk}/people", body, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    messages = {e["msg"] for e in response.json()["detail"]}
    expected = identity.ID_CHARSET if table is ARABIC_INDIC else services.PERSON_DUPLICATE
    assert messages == {expected}
    assert Person.objects.filter(enterprise=world.a1).count() == 2


def test_the_api_stores_a_full_width_phone_as_ascii(world: World, client_as: Clients) -> None:
    response = client_as("a1_officer").patch(
        f"/api/v1/people/{world.a1_person.pk}",
        {"phone": "１３９００００００２２"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    world.a1_person.refresh_from_db()
    assert world.a1_person.phone == "13900000022"


def test_the_import_matches_a_full_width_copy_to_the_existing_person(
    world: World, client_as: Clients
) -> None:
    number = _clear(world.a1_person)
    client = client_as("a1_officer")
    data = build.xlsx([build.row(1, id_number=number.translate(FULL_WIDTH), name="甲一张三")])
    response = client.post(
        f"/enterprises/{world.a1.pk}/people/import/", {"file": SimpleUploadedFile("a.xlsx", data)}
    )
    assert response.status_code == 302
    batch = PersonImport.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert (batch.create_count, batch.update_count, batch.errors) == (0, 1, [])


def test_the_import_lists_non_ascii_digits_as_a_row_error(world: World, client_as: Clients) -> None:
    client = client_as("a1_officer")
    data = build.csv([build.row(1, id_number=build.person_id(1).translate(ARABIC_INDIC))])
    response = client.post(
        f"/enterprises/{world.a1.pk}/people/import/", {"file": SimpleUploadedFile("a.csv", data)}
    )
    assert response.status_code == 302
    batch = PersonImport.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert [e["message"] for e in batch.errors] == [identity.ID_CHARSET]


def test_credit_codes_fold_the_same_way(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        org_services.enterprise_create(
            scope=SYSTEM,
            name="影子公司",
            credit_code=world.a1.credit_code.translate(FULL_WIDTH),
            jurisdiction=world.park_a,
            legal_representative="某",
            industry="制造",
        )
    assert caught.value.message_dict == {"credit_code": [org_services.CREDIT_CODE_TAKEN]}
    with pytest.raises(ValidationError) as caught:
        org_services.credit_code_clean(valid_credit_code(9).translate(ARABIC_INDIC))
    assert caught.value.message_dict == {"credit_code": [org_services.CREDIT_CODE_CHARSET]}


def _store_raw(person: Person, number: str) -> None:
    """What rows written before the fix look like: the look-alike text digested as typed."""
    Person.objects.filter(pk=person.pk).update(
        id_digest=identity.id_digest(number), id_encrypted=id_encrypt(number)
    )


def test_the_migration_renormalises_rows_and_reports_what_it_did_not_merge(
    world: World,
) -> None:
    """Cross-enterprise twins join the conflict view; a same-enterprise twin is reported."""
    migration = importlib.import_module("parkguard.people.migrations.0006_normalise_identifiers")
    a1_number = _clear(world.a1_person)
    # A2 got a full-width copy of A1's person: after the migration the park sees a conflict.
    _store_raw(world.a2_person, a1_number.translate(FULL_WIDTH))
    # A1 got a second, full-width copy of its own person: reported, not merged, not deleted.
    _store_raw(world.a1_employee_person, a1_number.translate(FULL_WIDTH))
    Person.objects.filter(pk=world.b1_person.pk).update(phone="１３８０００００３０１")

    report = migration.renormalise(apps, None)

    world.a2_person.refresh_from_db()
    assert world.a2_person.id_digest == world.a1_person.id_digest
    assert _clear(world.a2_person) == a1_number
    world.a1_employee_person.refresh_from_db()
    assert world.a1_employee_person.id_digest != world.a1_person.id_digest
    assert _clear(world.a1_employee_person) == a1_number.translate(FULL_WIDTH)
    world.b1_person.refresh_from_db()
    assert world.b1_person.phone == "13800000301"
    assert Person.objects.count() == 4
    assert any(f"#{world.a1_employee_person.pk}" in line and "未合并" in line for line in report)
    assert any(f"#{world.a2_person.pk}" in line and "冲突" in line for line in report)
    assert not any(a1_number in line for line in report), "the report shows masked numbers"


def test_the_credit_code_migration_folds_and_reports(world: World) -> None:
    migration = importlib.import_module("parkguard.orgs.migrations.0005_normalise_credit_codes")
    Enterprise.objects.filter(pk=world.a2.pk).update(
        credit_code=valid_credit_code(7).translate(FULL_WIDTH)
    )
    Enterprise.objects.filter(pk=world.b1.pk).update(
        credit_code=world.a1.credit_code.translate(FULL_WIDTH)
    )
    report = migration.renormalise(apps, None)
    world.a2.refresh_from_db()
    world.b1.refresh_from_db()
    assert world.a2.credit_code == valid_credit_code(7)
    assert world.b1.credit_code == world.a1.credit_code.translate(FULL_WIDTH)
    assert len(report) == 1 and f"#{world.b1.pk}" in report[0]
