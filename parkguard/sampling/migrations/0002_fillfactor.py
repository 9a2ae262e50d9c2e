"""On PostgreSQL, leave room in the pages of the rows a lab import updates in bulk (samples
and person status), so that those updates are HOT updates that touch no index."""

from __future__ import annotations

from django.db import migrations


def _fillfactor(value: int):  # type: ignore[no-untyped-def]
    def apply(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in ("sampling_sample", "status_personstatus"):
            schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {value})")

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("sampling", "0001_tests_and_lab_imports"),
        ("status", "0001_person_status"),
    ]

    operations = [
        migrations.RunPython(_fillfactor(45), _fillfactor(100)),
    ]
