"""Forms of oversight: they parse; the services decide (required fields and messages too)."""

from __future__ import annotations

from django import forms

from parkguard.oversight.choices import ApplicationKind, GroupKind, ParticipantsOrigin

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


class ApplicationForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=ApplicationKind.choices)
    title = forms.CharField(label="名称", max_length=100, required=False)
    starts_at = forms.DateTimeField(
        label="开始时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    headcount = forms.IntegerField(label="人数", min_value=0, max_value=1_000_000)
    participants_origin = forms.ChoiceField(
        label="参与人员最远来源", choices=ParticipantsOrigin.choices
    )
    plan = forms.CharField(
        label="防控方案和应急预案（人员管理、场所管理、应急处置）",
        widget=forms.Textarea,
        required=False,
    )


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label="审批结果",
        choices=[("1", "批准"), ("0", "不予批准")],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label="审批意见", max_length=200, required=False)


class GroupForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=GroupKind.choices)
    name = forms.CharField(label="名称", max_length=100, required=False)
    duties = forms.CharField(label="职责", widget=forms.Textarea, required=False)


class MemberForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50, required=False)
    post = forms.CharField(label="职务", max_length=50, required=False)
    duty = forms.CharField(label="分工", max_length=200, required=False)
