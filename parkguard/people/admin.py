from __future__ import annotations

from django.contrib import admin

from parkguard.orgs.scoped_admin import ScopedAdmin
from parkguard.people.models import Person


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    """Read-only: the ledger is edited on its own pages, where ID numbers are validated."""

    list_display = ["name", "enterprise", "category", "id_masked", "phone_shown", "status"]
    list_filter = ["category", "status"]
    # Names only: a masked field in search or lookups is an oracle (issue 8 §5).
    search_fields = ["name"]
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

    @admin.display(description="手机号（脱敏）")
    def phone_shown(self, obj: Person) -> str:
        return obj.phone_masked
