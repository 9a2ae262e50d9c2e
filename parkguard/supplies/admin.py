from __future__ import annotations

from django.contrib import admin

from parkguard.orgs.scoped_admin import ScopedAdmin
from parkguard.supplies.models import DisinfectionArea, SupplyItem


@admin.register(SupplyItem)
class SupplyItemAdmin(ScopedAdmin):
    # Stock changes only through the services (receipts, issues...), so the ledger stays whole.
    read_only = True
    list_display = ["name", "kind", "on_hand", "unit", "enterprise"]
    readonly_fields = ["on_hand", "expires_on"]


@admin.register(DisinfectionArea)
class DisinfectionAreaAdmin(ScopedAdmin):
    read_only = True
    list_display = ["name", "kind", "key_area", "rounds", "enterprise"]
