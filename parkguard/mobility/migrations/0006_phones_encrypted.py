"""Phone numbers encrypted at rest (issue 18 §5): the column widens for the sealed form and
every stored number is rewritten sealed; the reverse writes the clear numbers back."""

from typing import Any

from django.db import migrations

import parkguard.people.fields
from parkguard.people.fields import open_existing, seal_existing

MODELS = ["Visitor"]


def _seal(apps: Any, schema_editor: Any) -> None:
    for name in MODELS:
        seal_existing(apps.get_model("mobility", name))


def _open(apps: Any, schema_editor: Any) -> None:
    for name in MODELS:
        open_existing(apps.get_model("mobility", name), schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("mobility", "0005_plan_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="visitor",
            name="phone",
            field=parkguard.people.fields.PhoneField(blank=True, verbose_name="手机号"),
        ),
        migrations.RunPython(_seal, _open),
    ]
