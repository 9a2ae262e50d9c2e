"""Forms of oversight: they parse; the services decide (required fields and messages too)."""

from __future__ import annotations

from django import forms

DATE = forms.DateInput(attrs={"type": "date"})


class PlanForm(forms.Form):
    enterprise = forms.TypedChoiceField(label="企业", coerce=int)
    planned_on = forms.DateField(label="计划日期", widget=DATE)
    purpose = forms.CharField(label="督查重点", max_length=200, required=False)

    def __init__(self, *args: object, enterprises: list[tuple[int, str]], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["enterprise"].choices = enterprises  # type: ignore[attr-defined]


class FindingForm(forms.Form):
    item_key = forms.CharField(label="检查项", max_length=120, required=False)
    description = forms.CharField(label="问题描述", widget=forms.Textarea, required=False)
    owner_name = forms.CharField(label="整改责任人", max_length=50, required=False)
    deadline = forms.DateField(label="整改期限", widget=DATE, required=False)


class ReplyForm(forms.Form):
    text = forms.CharField(label="整改情况", widget=forms.Textarea, required=False)


class CloseForm(forms.Form):
    note = forms.CharField(label="复核意见", max_length=200, required=False)


class ReopenForm(forms.Form):
    reason = forms.CharField(label="退回理由", max_length=200, required=False)
    deadline = forms.DateField(label="新的整改期限（可不填）", widget=DATE, required=False)


class ReportForm(forms.Form):
    deadline = forms.DateField(label="限期整改期限", widget=DATE, required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)


class ChecklistItemForm(forms.Form):
    kind = forms.CharField(label="类别", max_length=30, required=False)
    text = forms.CharField(label="检查内容", max_length=200, required=False)
    basis = forms.CharField(label="依据", max_length=200, required=False)
