"""A ModelAdmin base that serves only what orgs.access lets the user see."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.filters import SimpleListFilter
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from parkguard.orgs.access import scope_of, visible
from parkguard.orgs.choices import Role

# What the built-in list filters put in the URL after a declared field: equality, emptiness,
# a related object's id, and a date filter's range. No prefix, substring or regex lookups.
FILTER_SUFFIXES = frozenset(
    {"", "exact", "isnull", "in", "id__exact", "id__isnull", "id__in", "gte", "lt"}
)


class ScopedAdmin(admin.ModelAdmin):
    """Back-office for superusers and park admins, each within their own scope.

    Only the lookups the admin's own `list_filter` (and `date_hierarchy`) produce are
    accepted in the changelist URL: Django would otherwise take any lookup on a local field
    (`?phone__startswith=138`), an oracle that rebuilds a masked value digit by digit.
    Anything else is refused with a 400 (issue 8 §5).
    """

    read_only = False

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        if not self._declared_lookup(lookup, request):
            return False
        return super().lookup_allowed(lookup, value, request)

    def _declared_lookup(self, lookup: str, request: HttpRequest) -> bool:
        for item in self.get_list_filter(request):
            if isinstance(item, type) and issubclass(item, SimpleListFilter):
                if lookup == item.parameter_name:
                    return True
                continue
            field = item[0] if isinstance(item, list | tuple) else item
            if not isinstance(field, str):
                continue
            if lookup == field or (
                lookup.startswith(f"{field}__")
                and lookup.removeprefix(f"{field}__") in FILTER_SUFFIXES
            ):
                return True
        hierarchy = self.date_hierarchy
        return (
            bool(hierarchy)
            and lookup.split("__")[0] == hierarchy
            and lookup.rsplit("__", 1)[-1] in {"year", "month", "day", "gte", "lt"}
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return visible(scope_of(request), super().get_queryset(request))

    def _allowed(self, request: HttpRequest) -> bool:
        return request.user.is_active and scope_of(request).has_role(Role.PARK_ADMIN)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request) and not self.read_only

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request) and not self.read_only

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser and not self.read_only
