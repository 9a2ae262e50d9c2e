"""Narrow stored ID masks from first-4/last-4 to first-3/last-2 (issue 8 §4).

Runs on the masks themselves (no decryption): the ledger, the staging rows and the change
history. Audit entries keep the masks they were written with (the chain is append-only).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def remask(apps: Any, schema_editor: Any) -> None:
    from parkguard.people.identity import id_mask_remask

    for name in ("Person", "HistoricalPerson", "PersonImportRow"):
        model = apps.get_model("people", name)
        for row in model.objects.exclude(id_masked="").only("pk", "id_masked").iterator():
            new = id_mask_remask(row.id_masked)
            if new != row.id_masked:
                model.objects.filter(pk=row.pk).update(id_masked=new)


class Migration(migrations.Migration):
    dependencies = [("people", "0006_normalise_identifiers")]

    operations = [migrations.RunPython(remask, migrations.RunPython.noop, elidable=False)]
