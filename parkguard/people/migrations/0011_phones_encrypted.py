"""Phone numbers encrypted at rest (issue 18 §5): the column widens for the sealed form and
every stored number is rewritten sealed; the reverse writes the clear numbers back."""

from typing import Any

from django.db import migrations

import parkguard.people.fields
from parkguard.people.fields import open_existing, seal_existing

MODELS = ["Person", "HistoricalPerson", "HouseholdMember", "PersonImportRow"]


def _seal(apps: Any, schema_editor: Any) -> None:
    for name in MODELS:
        seal_existing(apps.get_model("people", name))


def _open(apps: Any, schema_editor: Any) -> None:
    for name in MODELS:
        open_existing(apps.get_model("people", name), schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0010_leaner_import_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="historicalperson",
            name="phone",
            field=parkguard.people.fields.PhoneField(verbose_name="手机号"),
        ),
        migrations.AlterField(
            model_name="householdmember",
            name="phone",
            field=parkguard.people.fields.PhoneField(blank=True, verbose_name="手机号"),
        ),
        migrations.AlterField(
            model_name="person",
            name="phone",
            field=parkguard.people.fields.PhoneField(verbose_name="手机号"),
        ),
        migrations.AlterField(
            model_name="personimportrow",
            name="phone",
            field=parkguard.people.fields.PhoneField(),
        ),
        migrations.RunPython(_seal, _open),
    ]
