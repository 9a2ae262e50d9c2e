"""Forms of the ledger pages; they shape input, the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from parkguard.orgs.choices import JurisdictionKind
from parkguard.orgs.models import Enterprise, OrgUnit
from parkguard.orgs.selectors import enterprise_places, unit_paths
from parkguard.people.choices import EmploymentStatus, StaffCategory
from parkguard.people.models import Person
from parkguard.people.selectors import search_check


def unit_field_paths(field: forms.Field, enterprise: Enterprise) -> None:
    """An org-unit choice lists the enterprise's units by path (生产部/一车间/甲班), sorted."""
    paths = unit_paths(enterprise_ids=[enterprise.pk])
    ordered = sorted(paths, key=lambda pk: paths[pk])
    field.queryset = OrgUnit.objects.filter(pk__in=ordered)  # type: ignore[attr-defined]
    field.label_from_instance = lambda unit: paths.get(unit.pk, unit.name)  # type: ignore[attr-defined]
    empty = field.empty_label  # type: ignore[attr-defined]
    blank = [("", empty)] if empty is not None else []
    field.choices = [*blank, *((pk, paths[pk]) for pk in ordered)]  # type: ignore[attr-defined]


PERSON_FIELDS = [
    "name",
    "phone",
    "category",
    "org_unit",
    "post",
    "wide_contact",
    "labour_agency",
    "workshop",
    "dormitory",
    "shift",
    "home_community",
    "home_grid",
    "home_address",
    "vaccination_doses",
    "status",
    "joined_on",
    "left_on",
]


class PersonForm(forms.ModelForm):
    """Create (the ID number is required) or edit (a new ID number only to correct it)."""

    id_number = forms.CharField(label="身份证号", max_length=30, required=True)

    class Meta:
        model = Person
        fields = PERSON_FIELDS
        widgets = {
            "joined_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "left_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "phone": forms.TextInput(attrs={"type": "tel", "inputmode": "numeric"}),
        }

    def __init__(self, *args: Any, enterprise: Enterprise, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        editing = self.instance.pk is not None
        if editing:
            self.fields["id_number"].required = False
            self.fields["id_number"].label = "更正身份证号"
            self.fields[
                "id_number"
            ].help_text = f"当前：{self.instance.id_masked}；仅在需要更正时填写"
            self.initial["phone"] = ""
            self.fields["phone"].required = False
            self.fields["phone"].label = "更换手机号"
            self.fields["phone"].help_text = f"当前：{self.instance.phone_masked}；留空则不变"
        self.order_fields(["name", "id_number"])
        self.fields["id_number"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        unit_field_paths(self.fields["org_unit"], enterprise)
        places = enterprise_places(enterprise=enterprise)
        self.fields["home_community"].queryset = places.filter(  # type: ignore[attr-defined]
            kind=JurisdictionKind.COMMUNITY
        )
        self.fields["home_grid"].queryset = places.filter(  # type: ignore[attr-defined]
            kind=JurisdictionKind.GRID
        )

    def _post_clean(self) -> None:
        # The service validates identity and rules, and writes atomically.
        pass


class FilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, max_length=50)

    def clean_q(self) -> str:
        value = str(self.cleaned_data.get("q") or "")
        try:
            search_check(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        return value

    category = forms.ChoiceField(
        label="人员类别", required=False, choices=[("", "全部类别"), *StaffCategory.choices]
    )
    status = forms.ChoiceField(
        label="在岗状态", required=False, choices=[("", "全部状态"), *EmploymentStatus.choices]
    )
    org_unit = forms.ModelChoiceField(
        label="部门/班组", required=False, queryset=OrgUnit.objects.none(), empty_label="全部单元"
    )
    post = forms.CharField(label="岗位", required=False, max_length=50)
    wide_contact = forms.ChoiceField(
        label="接触面广岗位",
        required=False,
        choices=[("", "不限"), ("1", "仅接触面广岗位"), ("0", "其他岗位")],
    )

    def __init__(self, *args: Any, enterprise: Enterprise, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field_paths(self.fields["org_unit"], enterprise)


class FindForm(forms.Form):
    """A whole ID number or phone, sent by POST so it never lands in a URL, a log or the history."""

    id_number = forms.CharField(
        label="身份证号或手机号",
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class RevealForm(forms.Form):
    reason = forms.CharField(label="查看事由", max_length=200)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="新状态", choices=EmploymentStatus.choices)
    on = forms.DateField(
        label="日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label="说明", required=False, max_length=200)


class HouseholdForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    relation = forms.CharField(label="关系", max_length=20)
    phone = forms.CharField(label="手机号", max_length=20, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label="台账文件（.xlsx 或 .csv）")


class ExportForm(forms.Form):
    reason = forms.CharField(label="导出完整号码的事由", max_length=200)


class ConflictReviewForm(forms.Form):
    id_digest = forms.CharField(max_length=64, widget=forms.HiddenInput)
    note = forms.CharField(label="处理说明", max_length=200)


class LookupForm(forms.Form):
    """A pasted list of ID numbers (协查), one per line; POSTed, never in a URL."""

    numbers = forms.CharField(
        label="身份证号（每行一个）",
        max_length=64 * 1024,
        widget=forms.Textarea(attrs={"rows": 10, "autocomplete": "off", "spellcheck": "false"}),
    )


class RosterSearchForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, max_length=50)

    def clean_q(self) -> str:
        value = str(self.cleaned_data.get("q") or "")
        try:
            search_check(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        return value
