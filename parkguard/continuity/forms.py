"""Forms of the continuity pages: they parse; the services decide."""

from __future__ import annotations

from django import forms

from parkguard.continuity.choices import PostKind, PostRole, Utility

DATE = {"type": "date"}


class StartForm(forms.Form):
    reason = forms.CharField(label="启动原因", max_length=200, required=False)
    incident = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class EndForm(forms.Form):
    reason = forms.CharField(label="解除原因", max_length=200, required=False)


class MemberForm(forms.Form):
    person = forms.TypedChoiceField(label="人员", coerce=int)

    def __init__(self, *args: object, people: list[tuple[int, str]], **kw: object) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self.fields["person"].choices = people  # type: ignore[attr-defined]


class DayForm(forms.Form):
    on = forms.DateField(
        label="日期", required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    meals_served = forms.CharField(label="实供餐数", max_length=7, required=False)
    beds_provided = forms.CharField(label="已安排床位", max_length=7, required=False)
    medical_requests = forms.CharField(label="就医需求（人次）", max_length=7, required=False)
    medical_met = forms.CharField(label="已解决就医需求", max_length=7, required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)


class PostForm(forms.Form):
    name = forms.CharField(label="岗位或工序名称", max_length=60, required=False)
    kind = forms.ChoiceField(label="类别", choices=PostKind.choices)
    minimum = forms.CharField(label="最低在岗人数", max_length=4, required=False)


class StaffForm(forms.Form):
    post = forms.TypedChoiceField(label="岗位", coerce=int)
    person = forms.TypedChoiceField(label="人员", coerce=int)
    role = forms.ChoiceField(label="身份", choices=PostRole.choices)

    def __init__(
        self,
        *args: object,
        posts: list[tuple[int, str]],
        people: list[tuple[int, str]],
        **kw: object,
    ) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self.fields["post"].choices = posts  # type: ignore[attr-defined]
        self.fields["person"].choices = people  # type: ignore[attr-defined]


class RotaForm(StaffForm):
    role = None  # type: ignore[assignment]
    on = forms.DateField(
        label="日期", required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    shift = forms.CharField(label="班次", max_length=20, required=False)


class LeaveForm(forms.Form):
    person = forms.TypedChoiceField(label="人员", coerce=int)
    starts_on = forms.DateField(
        label="开始", required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label="结束", required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    reason = forms.CharField(label="事由", max_length=100, required=False)

    def __init__(self, *args: object, people: list[tuple[int, str]], **kw: object) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self.fields["person"].choices = people  # type: ignore[attr-defined]


class FaultForm(forms.Form):
    utility = forms.ChoiceField(label="类别", choices=Utility.choices)
    enterprise = forms.TypedChoiceField(label="企业", coerce=int, required=False, empty_value=None)
    location = forms.CharField(label="位置", max_length=100, required=False)
    description = forms.CharField(label="故障情况", max_length=300, required=False)

    def __init__(
        self, *args: object, enterprises: list[tuple[int, str]] | None, **kw: object
    ) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        if enterprises is None:
            del self.fields["enterprise"]
        else:
            self.fields["enterprise"].choices = [("", "园区公共设施"), *enterprises]  # type: ignore[attr-defined]


class AssignForm(forms.Form):
    assignee = forms.CharField(label="抢修单位/人员", max_length=100, required=False)


class RepairForm(forms.Form):
    note = forms.CharField(label="修复说明", max_length=200, required=False)
