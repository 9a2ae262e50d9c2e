"""Forms of the testing pages: they only parse; the services decide."""

from __future__ import annotations

from django import forms

from parkguard.sampling.choices import Result, RoundGroup, RoundKind, SampleKind

RESULT_CHOICES = [(r.value, r.label) for r in Result if r != Result.PENDING]


class RoundForm(forms.Form):
    name = forms.CharField(label="名称", max_length=80)
    on = forms.DateField(
        label="检测日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    kind = forms.ChoiceField(label="类型", choices=RoundKind.choices)
    group = forms.ChoiceField(label="范围", choices=RoundGroup.choices)
    org_unit = forms.TypedChoiceField(label="部门", required=False, coerce=int, empty_value=None)
    share = forms.CharField(label="抽检比例（留空按规则包）", required=False, max_length=10)
    pool_size = forms.IntegerField(
        label="混管人数上限（留空按规则包）", required=False, min_value=1
    )

    def __init__(self, *args: object, units: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["org_unit"].choices = [("", "——"), *units]  # type: ignore[attr-defined]


class TakeForm(forms.Form):
    barcode = forms.CharField(
        label="试管条码",
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "inputmode": "text",
                "enterkeyhint": "done",
            }
        ),
    )
    kind = forms.ChoiceField(
        label="类型",
        choices=[(SampleKind.POOL.value, "混管"), (SampleKind.SINGLE.value, "单管")],
        initial=SampleKind.POOL,
        widget=forms.RadioSelect,
    )
    person_ids = forms.TypedMultipleChoiceField(
        label="受检人员", coerce=int, widget=forms.CheckboxSelectMultiple
    )
    retest_of = forms.TypedChoiceField(
        label="复核的混管", required=False, coerce=int, empty_value=None
    )

    def __init__(
        self,
        *args: object,
        people: list[tuple[int, str]],
        pools: list[tuple[int, str]],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["person_ids"].choices = people  # type: ignore[attr-defined]
        self.fields["retest_of"].choices = [("", "——"), *pools]  # type: ignore[attr-defined]


class ResultForm(forms.Form):
    result = forms.ChoiceField(label="结果", choices=RESULT_CHOICES)


class AntigenForm(forms.Form):
    result = forms.ChoiceField(label="抗原结果", choices=RESULT_CHOICES, widget=forms.RadioSelect)
    photo = forms.FileField(
        label="检测卡照片",
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png", "capture": "environment"}
        ),
    )


class ImportForm(forms.Form):
    lab = forms.TypedChoiceField(label="检测机构", coerce=int)
    file = forms.FileField(label="结果文件（.csv 或 .xlsx）")
    dry_run = forms.BooleanField(label="试导入（只检查，不写入）", required=False, initial=True)

    def __init__(self, *args: object, labs: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["lab"].choices = labs  # type: ignore[attr-defined]
