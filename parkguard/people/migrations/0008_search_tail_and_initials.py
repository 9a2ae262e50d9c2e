"""Search by the last 6 characters of an ID number and by pinyin initials (issue 9 §2).

`id_tail` grows from 4 to 6 characters: backfilled by decrypting each stored number once
(the clear value never leaves this function); `name_initials` is filled from the name.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models


def backfill(apps: Any, schema_editor: Any) -> None:
    from parkguard.people.identity import UNDECRYPTABLE, id_cipher, id_tail
    from parkguard.people.pinyin import name_initials

    person = apps.get_model("people", "Person")
    cipher = id_cipher()
    for row in person.objects.only("pk", "name", "id_encrypted", "id_tail").iterator():
        values: dict[str, str] = {"name_initials": name_initials(row.name)}
        try:
            values["id_tail"] = id_tail(cipher.decrypt(row.id_encrypted))
        except RuntimeError as exc:  # another key set: keep the 4-character tail
            assert str(exc) == UNDECRYPTABLE
        person.objects.filter(pk=row.pk).update(**values)


class Migration(migrations.Migration):
    dependencies = [("people", "0007_mask_hides_birth_digits")]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="id_tail",
            field=models.CharField(editable=False, max_length=6),
        ),
        migrations.AlterField(
            model_name="historicalperson",
            name="id_tail",
            field=models.CharField(editable=False, max_length=6),
        ),
        migrations.AlterField(
            model_name="personimportrow",
            name="id_tail",
            field=models.CharField(max_length=6),
        ),
        migrations.AddField(
            model_name="person",
            name="name_initials",
            field=models.CharField(
                blank=True, editable=False, max_length=50, verbose_name="姓名拼音首字母"
            ),
        ),
        migrations.AddField(
            model_name="historicalperson",
            name="name_initials",
            field=models.CharField(
                blank=True, editable=False, max_length=50, verbose_name="姓名拼音首字母"
            ),
        ),
        migrations.AddField(
            model_name="personimportrow",
            name="name_initials",
            field=models.CharField(default="", max_length=50),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                fields=["enterprise", "name_initials"],
                name="person_ent_initials",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
    ]
