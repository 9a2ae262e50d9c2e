"""Writes of the person ledger; each one atomic, identity validated first."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from parkguard.orgs.models import Enterprise
from parkguard.people.identity import IdentityError, IdNumber, id_encrypt, id_parse, phone_parse
from parkguard.people.models import EmploymentEvent, Person

PERSON_DUPLICATE = "本企业台账中已有此身份证号的人员"


def person_identity_fields(id_number: IdNumber) -> dict[str, Any]:
    """The stored forms of an ID number: digest, ciphertext, mask, tail, and what it implies."""
    return {
        "id_digest": id_number.digest,
        "id_encrypted": id_encrypt(id_number.value),
        "id_masked": id_number.masked,
        "id_tail": id_number.value[-4:],
        "birth_date": id_number.birth_date,
        "gender": id_number.gender,
    }


def person_build(
    *, enterprise: Enterprise, id_number: str, phone: str, today: dt.date, **fields: Any
) -> Person:
    """A validated, unsaved Person; raises ValidationError naming the bad fields."""
    errors: dict[str, str] = {}
    parsed: IdNumber | None = None
    try:
        parsed = id_parse(id_number, today=today)
    except IdentityError as exc:
        errors["id_number"] = exc.message
    try:
        phone = phone_parse(phone)
    except IdentityError as exc:
        errors["phone"] = exc.message
    if errors or parsed is None:
        raise ValidationError(errors)
    return Person(enterprise=enterprise, phone=phone, **person_identity_fields(parsed), **fields)


@transaction.atomic
def person_create(
    *, enterprise: Enterprise, id_number: str, phone: str, today: dt.date, **fields: Any
) -> Person:
    """Add a person to an enterprise's ledger and record when they joined."""
    person = person_build(
        enterprise=enterprise, id_number=id_number, phone=phone, today=today, **fields
    )
    if Person.objects.filter(enterprise=enterprise, id_digest=person.id_digest).exists():
        raise ValidationError({"id_number": PERSON_DUPLICATE})
    person.full_clean(exclude=["id_encrypted"])
    person.save()
    EmploymentEvent.objects.create(
        person=person, status=person.status, on=person.joined_on or today, note="建档"
    )
    return person
