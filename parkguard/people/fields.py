"""A model field for phone numbers, encrypted at rest (issue 18 §5).

Code reads and writes clear numbers (`person.phone`, `filter(phone=...)`); the column holds
only the sealed form (`identity.phone_seal`). Exact lookups work because sealing is
deterministic; prefix or substring lookups find nothing, by design.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from parkguard.people.identity import phone_open, phone_seal

# "p1:" + base64 of a 12-byte nonce, the number and a 16-byte tag: room for 20 characters of
# any script (a row written before normalisation may hold full-width digits, 3 bytes each).
SEALED_LENGTH = 160


class PhoneField(models.CharField):
    """A mainland phone number, stored encrypted; blank stays blank."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["max_length"] = SEALED_LENGTH
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)
        return name, path, args, kwargs

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return phone_open(value) if value else value

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return phone_open(value) if isinstance(value, str) and value else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return phone_seal(value) if isinstance(value, str) and value else value


def seal_existing(model: type[models.Model], *, field: str = "phone") -> None:
    """Data migrations: rewrite every stored phone of `model` in its sealed form (idempotent:
    a sealed value reads back clear and seals to the same value)."""
    rows = list(model._default_manager.exclude(**{field: ""}).values_list("pk", field))
    for pk, clear in rows:
        model._default_manager.filter(pk=pk).update(**{field: clear})


def open_existing(model: type[models.Model], schema_editor: Any, *, field: str = "phone") -> None:
    """Reverse of `seal_existing`: write the clear numbers back (raw SQL, past the field)."""
    table = model._meta.db_table
    q = schema_editor.connection.ops.quote_name
    pk = model._meta.pk.column
    rows = list(model._default_manager.exclude(**{field: ""}).values_list("pk", field))
    with schema_editor.connection.cursor() as cursor:
        for key, clear in rows:
            cursor.execute(
                f"UPDATE {q(table)} SET {q(field)} = %s WHERE {q(pk)} = %s", [clear, key]
            )


def phone_models() -> list[type[models.Model]]:
    """Every installed model with an encrypted phone (for re-sealing after a key rotation)."""
    from django.apps import apps

    return [
        m
        for m in apps.get_models()
        if any(isinstance(f, PhoneField) for f in m._meta.concrete_fields)
    ]
