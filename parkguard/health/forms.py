"""Forms of the health pages. They parse; the rules live in services.py."""

from __future__ import annotations

from django import forms

from parkguard.health.choices import CodeColour, ReadingSource, VaccineKind


class DeclarationForm(forms.Form):
    """Ten seconds a day: the symptom choices are the ones the pack in force lists."""

    # A text field: the service gives the Chinese message for "abc", 25 or 45 ℃.
    temperature = forms.CharField(
        label="体温（℃）",
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    symptoms = forms.MultipleChoiceField(
        label="今天是否有以下症状", required=False, widget=forms.CheckboxSelectMultiple
    )
    case_contact = forms.BooleanField(label="近期接触过确诊或疑似病例", required=False)
    household_travel = forms.BooleanField(label="共同生活者近期有外出行程", required=False)
    household_travel_note = forms.CharField(
        label="共同生活者行程（去了哪里、何时返回）", max_length=200, required=False
    )
    code_colour = forms.ChoiceField(
        label="我的健康码颜色", choices=CodeColour.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args: object, symptoms: tuple[str, ...] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["symptoms"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(s, s) for s in symptoms]


class ReadingForm(forms.Form):
    person = forms.IntegerField(label="人员", widget=forms.HiddenInput)
    temperature = forms.CharField(
        label="体温（℃）",
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 5}),
    )
    source = forms.ChoiceField(label="测温点", choices=ReadingSource.choices)
    place = forms.CharField(label="位置", max_length=50, required=False)


class AlertCloseForm(forms.Form):
    note = forms.CharField(label="处置说明", max_length=200, required=False)


class _PersonChoice(forms.Form):
    person = forms.TypedChoiceField(label="人员", coerce=int)

    def __init__(self, *args: object, people: list[tuple[int, str]] = (), **kwargs: object) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["person"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "请选择"), *people]


class SickLeaveForm(_PersonChoice):
    reason = forms.CharField(label="病因/症状", max_length=200, required=False)
    started_on = forms.DateField(
        label="开始日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class ReturnForm(forms.Form):
    returned_on = forms.DateField(
        label="返岗日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label="返岗说明", max_length=200, required=False)


class SummaryForm(forms.Form):
    signer_name = forms.CharField(label="汇总人（签字）", max_length=50, required=False)
    note = forms.CharField(label="备注", max_length=300, required=False)


class VaccinationForm(_PersonChoice):
    dose = forms.IntegerField(label="剂次", min_value=1, max_value=10)
    given_on = forms.DateField(
        label="接种日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    kind = forms.ChoiceField(label="疫苗类型", choices=VaccineKind.choices)
