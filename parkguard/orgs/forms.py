"""Forms of the organisation pages; the rules live in services, forms only shape input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from parkguard.orgs.choices import ENTERPRISE_HOSTS, JurisdictionKind
from parkguard.orgs.models import Enterprise, Jurisdiction, OrgUnit, SupervisionOffice
from parkguard.orgs.selectors import offices_for_hosts


class EnterpriseForm(forms.ModelForm):
    class Meta:
        model = Enterprise
        fields = [
            "name",
            "credit_code",
            "jurisdiction",
            "legal_representative",
            "industry",
            "supervision_office",
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

    # Decided by the park, not by the enterprise itself: where it belongs, the office that
    # supervises it (H-3), and the whitelist of enterprises key to supply chains (J-2.5).
    PARK_FIELDS = ("jurisdiction", "supervision_office", "whitelisted")

    def __init__(
        self, *args: Any, jurisdictions: Any = None, park_level: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        hosts = Jurisdiction.objects.filter(kind__in=ENTERPRISE_HOSTS)
        if jurisdictions is not None:
            hosts = hosts.filter(pk__in=jurisdictions)
        # Communities of the same county as the parks on offer.
        roots = {path.split("/")[1] for path in hosts.values_list("path", flat=True)}
        in_county = Q(pk__in=[])
        for root in roots:
            in_county |= Q(path__startswith=f"/{root}/")
        communities = Jurisdiction.objects.filter(in_county, kind=JurisdictionKind.COMMUNITY)
        self.fields["jurisdiction"].queryset = hosts  # type: ignore[attr-defined]
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        office = self.fields["supervision_office"]
        office.queryset = offices_for_hosts(hosts)  # type: ignore[attr-defined]
        office.help_text = "园区在“园区总览 → 主管办所”中设置本园区的办所"
        if not park_level:
            for name in self.PARK_FIELDS:
                del self.fields[name]

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


class SupervisionOfficeForm(forms.ModelForm):
    class Meta:
        model = SupervisionOffice
        fields = ["name", "responsibilities", "basis", "order"]
        help_texts = {
            "responsibilities": "如：非煤矿山、危化、烟花爆竹企业",
            "basis": "设置依据，如：红炉府发〔2021〕10号 三、（三）人员分工",
        }

    def validate_unique(self) -> None:
        pass  # the service checks names, with its own message

    def _post_clean(self) -> None:
        pass


TOKEN_TARGET_REQUIRED = "请选择令牌限定的企业或园区（二选一）"


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="设备名称", max_length=80, help_text="如：东门门岗闸机、某检测机构"
    )
    enterprise = forms.ModelChoiceField(
        label="限定到企业", queryset=Enterprise.objects.none(), required=False
    )
    park = forms.ModelChoiceField(
        label="或限定到园区", queryset=Jurisdiction.objects.none(), required=False
    )

    def __init__(self, *args: Any, enterprises: Any, parks: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises  # type: ignore[attr-defined]
        self.fields["park"].queryset = parks  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("enterprise") is None) == (data.get("park") is None):
            self.add_error("enterprise", TOKEN_TARGET_REQUIRED)
        return data


class AccountForm(forms.Form):
    """A new account at a park or an enterprise; the service decides which roles are allowed."""

    login = forms.CharField(
        label="登录名",
        max_length=150,
        help_text="工号、拼音或手机号；字母、数字和 @ . + - _",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    full_name = forms.CharField(label="姓名", max_length=150)
    role = forms.ChoiceField(label="角色")
    org_unit = forms.ModelChoiceField(
        label="负责单元（班组长）", queryset=OrgUnit.objects.none(), required=False
    )
    community = forms.ModelChoiceField(
        label="所在社区（社区联络员）", queryset=Jurisdiction.objects.none(), required=False
    )

    def __init__(
        self,
        *args: Any,
        roles: list[tuple[str, str]],
        units: Any = None,
        communities: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles  # type: ignore[attr-defined]
        if units is None:
            del self.fields["org_unit"]
        else:
            self.fields["org_unit"].queryset = units  # type: ignore[attr-defined]
        if communities is None:
            del self.fields["community"]
        else:
            self.fields["community"].queryset = communities  # type: ignore[attr-defined]


class RoleGrantForm(forms.Form):
    """Another role for an existing account: a role at one of the caller's places."""

    grant = forms.ChoiceField(label="新增角色")
    org_unit = forms.ModelChoiceField(
        label="负责单元（班组长）", queryset=OrgUnit.objects.none(), required=False
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], units: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["grant"].choices = choices  # type: ignore[attr-defined]
        self.fields["org_unit"].queryset = units  # type: ignore[attr-defined]


class ActivationForm(forms.Form):
    """The first login: login name, the one-time code from the sheet, a new password twice."""

    login = forms.CharField(
        label="登录名",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    code = forms.CharField(
        label="激活码",
        max_length=40,
        help_text="纸条上的12位数字，空格可不输入",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    password1 = forms.CharField(
        label="新密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="再次输入新密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class PlaceForm(forms.Form):
    """A community (under a town or street) or a grid (under a community) of the county."""

    kind = forms.ChoiceField(
        label="类型",
        choices=[
            (JurisdictionKind.COMMUNITY.value, JurisdictionKind.COMMUNITY.label),
            (JurisdictionKind.GRID.value, JurisdictionKind.GRID.label),
        ],
    )
    parent = forms.ModelChoiceField(
        label="上级（镇、街道或村（社区））", queryset=Jurisdiction.objects.none()
    )
    name = forms.CharField(label="名称", max_length=100)
    code = forms.CharField(label="行政区划代码", max_length=12, required=False)

    def __init__(self, *args: Any, parents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        self.fields["parent"].label_from_instance = (  # type: ignore[attr-defined]
            lambda j: f"{j.name}（{j.get_kind_display()}）"
        )
