"""Forms of the supplies and disinfection pages: they parse; the services decide."""

from __future__ import annotations

from django import forms

from parkguard.supplies.choices import ItemKind, MoveKind


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=ItemKind.choices)
    name = forms.CharField(label="名称", max_length=60, required=False)
    unit = forms.CharField(label="单位", max_length=10, required=False)
    planned_daily_use = forms.CharField(label="计划日用量", max_length=10, required=False)


class MoveForm(forms.Form):
    item = forms.TypedChoiceField(label="物资", coerce=int)
    kind = forms.ChoiceField(label="类型", choices=MoveKind.choices)
    quantity = forms.CharField(label="数量", max_length=10, required=False)
    org_unit = forms.TypedChoiceField(
        label="领用部门", coerce=int, required=False, empty_value=None
    )
    expires_on = forms.DateField(
        label="到期日",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(label="说明（处置方式）", max_length=200, required=False)

    def __init__(
        self,
        *args: object,
        items: list[tuple[int, str]],
        units: list[tuple[int, str]],
        **kw: object,
    ) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self.fields["item"].choices = items  # type: ignore[attr-defined]
        self.fields["org_unit"].choices = [("", "—"), *units]  # type: ignore[attr-defined]


class MinimumForm(forms.Form):
    days = forms.CharField(label="最低保障天数", max_length=5, required=False)
    basis = forms.CharField(label="依据（文件名称及条款）", max_length=200, required=False)


class AreaForm(forms.Form):
    name = forms.CharField(label="区域名称", max_length=60, required=False)
    kind = forms.ChoiceField(label="区域类别")
    key_area = forms.BooleanField(label="重点区域（多次消杀）", required=False)
    rounds = forms.CharField(label="每个时段消杀次数", max_length=3, initial="1")
    assignee = forms.TypedChoiceField(label="负责人", coerce=int, required=False, empty_value=None)

    def __init__(
        self, *args: object, places: list[str], users: list[tuple[int, str]], **kw: object
    ) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self.fields["kind"].choices = [(p, p) for p in places]  # type: ignore[attr-defined]
        self.fields["assignee"].choices = [("", "—"), *users]  # type: ignore[attr-defined]


class DoneForm(forms.Form):
    note = forms.CharField(label="说明", max_length=200, required=False)
    photo = forms.FileField(label="照片（可选）", required=False)
