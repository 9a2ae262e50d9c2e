"""Supervising offices become each park's own data (H-3 is one town's structure).

Every enterprise named one of four fixed categories, each with the office notice H gives
it. For each park (or town) that has enterprises, the data step creates one office row per
category its enterprises used, named after that office, and points the enterprises (and
their history rows) at it. Reversing maps an office back to its category by name; offices
added later fall back to the old default, "industry".
"""

import django.db.models.deletion
from django.db import migrations, models

# Old category value -> (office name, the enterprises it supervises), as the old labels said.
OLD_CATEGORIES = {
    "mines_chemicals": ("应急办", "矿山、危化企业"),
    "industry": ("经发办", "工业及小微企业"),
    "construction": ("规建办", "建筑工地"),
    "food": ("市场监管所", "食品及餐饮"),
}
BASIS = "迁移自原“主管办所类别”（H-3）；请园区按本地职责分工核对"
DEFAULT_CATEGORY = "industry"


def offices_from_categories(apps, schema_editor):
    Enterprise = apps.get_model("orgs", "Enterprise")
    History = apps.get_model("orgs", "HistoricalEnterprise")
    Office = apps.get_model("orgs", "SupervisionOffice")
    offices = {}
    pairs = Enterprise.objects.values_list("jurisdiction_id", "supervision_category").distinct()
    for jurisdiction_id, category in sorted(pairs):
        name, duties = OLD_CATEGORIES.get(category, OLD_CATEGORIES[DEFAULT_CATEGORY])
        office, _ = Office.objects.get_or_create(
            jurisdiction_id=jurisdiction_id,
            name=name,
            defaults={
                "responsibilities": duties,
                "basis": BASIS,
                "order": list(OLD_CATEGORIES).index(category) if category in OLD_CATEGORIES else 0,
            },
        )
        offices[(jurisdiction_id, category)] = office.pk
    for (jurisdiction_id, category), office_id in offices.items():
        Enterprise.objects.filter(
            jurisdiction_id=jurisdiction_id, supervision_category=category
        ).update(supervision_office_id=office_id)
        History.objects.filter(
            jurisdiction_id=jurisdiction_id, supervision_category=category
        ).update(supervision_office_id=office_id)
    if schema_editor.connection.vendor == "postgresql":
        # Check the new foreign keys now, so that dropping the old column in this same
        # transaction does not meet "pending trigger events".
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def categories_from_offices(apps, schema_editor):
    Enterprise = apps.get_model("orgs", "Enterprise")
    History = apps.get_model("orgs", "HistoricalEnterprise")
    Office = apps.get_model("orgs", "SupervisionOffice")
    by_name = {name: category for category, (name, _) in OLD_CATEGORIES.items()}
    for office in Office.objects.all():
        category = by_name.get(office.name, DEFAULT_CATEGORY)
        Enterprise.objects.filter(supervision_office_id=office.pk).update(
            supervision_category=category
        )
        History.objects.filter(supervision_office_id=office.pk).update(
            supervision_category=category
        )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0004_api_token_owner_park"),
    ]

    operations = [
        migrations.CreateModel(
            name="SupervisionOffice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=50, verbose_name="办所名称")),
                (
                    "responsibilities",
                    models.CharField(blank=True, max_length=200, verbose_name="负责的企业类别"),
                ),
                (
                    "basis",
                    models.CharField(blank=True, max_length=200, verbose_name="依据（文件及条款）"),
                ),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="排序")),
                (
                    "jurisdiction",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="supervision_offices",
                        to="orgs.jurisdiction",
                        verbose_name="所属园区/镇街",
                    ),
                ),
            ],
            options={
                "verbose_name": "主管办所",
                "verbose_name_plural": "主管办所",
                "ordering": ["order", "name"],
            },
        ),
        migrations.AddField(
            model_name="enterprise",
            name="supervision_office",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="enterprises",
                to="orgs.supervisionoffice",
                verbose_name="主管办所",
            ),
        ),
        migrations.AddField(
            model_name="historicalenterprise",
            name="supervision_office",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="orgs.supervisionoffice",
                verbose_name="主管办所",
            ),
        ),
        migrations.AddConstraint(
            model_name="supervisionoffice",
            constraint=models.UniqueConstraint(
                fields=("jurisdiction", "name"), name="supervision_office_unique_name"
            ),
        ),
        migrations.RunPython(offices_from_categories, categories_from_offices),
        migrations.RemoveField(
            model_name="enterprise",
            name="supervision_category",
        ),
        migrations.RemoveField(
            model_name="historicalenterprise",
            name="supervision_category",
        ),
    ]
