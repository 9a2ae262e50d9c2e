"""Joins the park-zones and junction-gate branches of response's migrations."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("response", "0005_junction_gate"),
        ("response", "0005_park_zones"),
    ]

    operations = []
