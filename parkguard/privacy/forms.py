"""Forms of the subject-rights and retention pages: they parse; the services decide."""

from __future__ import annotations

from django import forms

from parkguard.privacy.choices import CorrectionField, CorrectionState
from parkguard.privacy.retention import KIND_CHOICES


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(label="需要更正的内容", choices=CorrectionField.choices)
    text = forms.CharField(
        label="哪里不对，应当是什么",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AnswerForm(forms.Form):
    state = forms.ChoiceField(
        label="答复",
        choices=[
            (CorrectionState.CORRECTED, CorrectionState.CORRECTED.label),
            (CorrectionState.REFUSED, CorrectionState.REFUSED.label),
        ],
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label="答复内容（更正了什么，或不予更正的理由）",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PurgeForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label="清除的数据",
        choices=KIND_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    until = forms.DateField(
        label="清除截止日期（疫情结束之日，含当日）",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(label="理由", max_length=300, required=False)


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        label="复核", choices=[("1", "批准并立即清除"), ("0", "驳回")], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label="复核意见", max_length=200, required=False)
