"""Forms of the organisation pages; the rules live in services, forms only shape input."""

from __future__ import annotations

from typing import Any

from django import forms

from parkguard.orgs.choices import ENTERPRISE_HOSTS, JurisdictionKind
from parkguard.orgs.models import Enterprise, Jurisdiction, OrgUnit


class EnterpriseForm(forms.ModelForm):
    class Meta:
        model = Enterprise
        fields = [
            "name",
            "credit_code",
            "jurisdiction",
            "legal_representative",
            "industry",
            "supervision_category",
            "address",
            "contact_phone",
            "whitelisted",
            "community",
            "purchase_channels",
            "sales_channels",
        ]
        widgets = {
            "purchase_channels": forms.Textarea(attrs={"rows": 2}),
            "sales_channels": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, jurisdictions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hosts = Jurisdiction.objects.filter(kind__in=ENTERPRISE_HOSTS)
        communities = Jurisdiction.objects.filter(kind=JurisdictionKind.COMMUNITY)
        if jurisdictions is not None:
            hosts = hosts.filter(pk__in=jurisdictions)
        self.fields["jurisdiction"].queryset = hosts  # type: ignore[attr-defined]
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]

    def validate_unique(self) -> None:
        # Uniqueness is checked by the service, with its own messages.
        pass

    def _post_clean(self) -> None:
        # Skip model validation here: the service validates and writes atomically.
        pass


class OrgUnitForm(forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = ["name", "kind", "parent", "responsible_name", "responsible_phone"]

    def __init__(self, *args: Any, enterprise: Enterprise, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = OrgUnit.objects.filter(enterprise=enterprise).exclude(kind="team")
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        self.fields["parent"].required = False

    def _post_clean(self) -> None:
        pass
