"""Fold credit codes typed with look-alike characters (issue 8 §2); report, never merge.

An enterprise whose folded code belongs to another enterprise keeps its stored code and is
reported, so a person decides which record is right.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def renormalise(apps: Any, schema_editor: Any) -> list[str]:
    from parkguard.lib.identifiers import identifier_ascii

    Enterprise = apps.get_model("orgs", "Enterprise")
    report: list[str] = []
    for enterprise in Enterprise.objects.order_by("id").iterator():
        code = identifier_ascii(enterprise.credit_code)
        if code == enterprise.credit_code:
            continue
        if code is None:
            report.append(f"企业 #{enterprise.pk}：统一社会信用代码含无法识别的字符，未处理")
            continue
        twin = Enterprise.objects.filter(credit_code=code).exclude(pk=enterprise.pk).first()
        if twin is not None:
            report.append(
                f"企业 #{enterprise.pk} 与企业 #{twin.pk} 是同一统一社会信用代码：未合并，请核对"
            )
            continue
        enterprise.credit_code = code
        enterprise.save(update_fields=["credit_code"])
    for line in report:
        print(f"  orgs.0005: {line}")
    return report


class Migration(migrations.Migration):
    dependencies = [("orgs", "0004_supervision_office")]

    operations = [migrations.RunPython(renormalise, migrations.RunPython.noop, elidable=False)]
