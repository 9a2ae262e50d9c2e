"""Phone numbers encrypted at rest (issue 18 §5): the column widens for the sealed form and
every stored number is rewritten sealed; the reverse writes the clear numbers back."""

from typing import Any

from django.db import migrations

import parkguard.people.fields
from parkguard.people.fields import open_existing, seal_existing

MODELS = ["CrewMember", "Driver"]


def _seal(apps: Any, schema_editor: Any) -> None:
    for name in MODELS:
        seal_existing(apps.get_model("logistics", name))


def _open(apps: Any, schema_editor: Any) -> None:
    for name in MODELS:
        open_existing(apps.get_model("logistics", name), schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("logistics", "0003_parcels"),
    ]

    operations = [
        migrations.AlterField(
            model_name="crewmember",
            name="phone",
            field=parkguard.people.fields.PhoneField(verbose_name="电话"),
        ),
        migrations.AlterField(
            model_name="driver",
            name="phone",
            field=parkguard.people.fields.PhoneField(verbose_name="电话"),
        ),
        migrations.RunPython(_seal, _open),
    ]
