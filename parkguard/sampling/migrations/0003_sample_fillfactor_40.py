"""On PostgreSQL, a little more room in the pages of `sampling_sample`: a result adds
`result_at`, `lab_id` and `result_import_id` (24 bytes) to the row, and at fillfactor 45 about
one new version in eleven no longer fitted its page, so that update was not HOT and wrote to
every index of the table. 40 leaves room for all of them (see docs/sampling.md, Speed)."""

from __future__ import annotations

from django.db import migrations


def _fillfactor(value: int):  # type: ignore[no-untyped-def]
    def apply(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(f"ALTER TABLE sampling_sample SET (fillfactor = {value})")

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("sampling", "0002_fillfactor"),
    ]

    operations = [
        migrations.RunPython(_fillfactor(40), _fillfactor(45)),
    ]
