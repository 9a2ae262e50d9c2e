"""Forms of manual status overrides: they only parse; the rules are in status.overrides."""

from __future__ import annotations

from django import forms

from parkguard.status.choices import OverrideAction


class OverrideRequestForm(forms.Form):
    action = forms.ChoiceField(label="操作", choices=OverrideAction.choices)
    person = forms.IntegerField(label="人员", min_value=1)
    hold = forms.IntegerField(label="限制", min_value=1, required=False)
    reason = forms.CharField(label="理由", max_length=300, required=False)


class OverrideDecisionForm(forms.Form):
    approve = forms.BooleanField(label="批准", required=False)
    note = forms.CharField(label="复核意见", max_length=300, required=False)
