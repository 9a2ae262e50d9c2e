from __future__ import annotations

from django.contrib import admin

from parkguard.orgs.scoped_admin import ScopedAdmin
from parkguard.people.models import Person


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    """Read-only: the ledger is edited on its own pages, where ID numbers are validated."""

    list_display = ["name", "enterprise", "category", "id_masked", "phone_masked", "status"]
    list_filter = ["category", "status"]
    search_fields = ["name", "id_tail"]
    fields = (
        "name",
        "enterprise",
        "org_unit",
        "category",
        "id_masked",
        "gender",
        "birth_date",
        "post",
        "wide_contact",
        "labour_agency",
        "status",
        "joined_on",
        "left_on",
    )
    readonly_fields = fields
    read_only = True
