"""Forms of oversight: they parse; the services decide (required fields and messages too)."""

from __future__ import annotations

from django import forms

from parkguard.oversight.choices import (
    ApplicationKind,
    CaseChannel,
    CaseKind,
    GroupKind,
    ParticipantsOrigin,
    TrainingKind,
)
from parkguard.oversight.selectors import SectionSpec

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


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
        label="开始时间",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
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


# --- plans, drills, training (Z-4.1, J-2.2) ----------------------------------------------
class PlanSubmitForm(forms.Form):
    """A plan's title and one text box per section the packs in force ask for."""

    title = forms.CharField(label="预案名称", max_length=100, required=False)

    def __init__(self, *args: object, sections: list[SectionSpec], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.sections = sections
        for s in sections:
            self.fields[s.field] = forms.CharField(
                label=s.title,
                help_text=f"{s.hint}。依据：{s.basis}" if s.hint else f"依据：{s.basis}",
                widget=forms.Textarea,
                required=False,
            )

    def texts(self) -> dict[str, str]:
        return {s.key: self.cleaned_data.get(s.field, "") for s in self.sections}


class PlanDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label="审批结果",
        choices=[("1", "批准"), ("0", "退回修改")],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label="审批意见（退回时必填）", widget=forms.Textarea, required=False)


class DrillForm(forms.Form):
    scenario = forms.CharField(label="演练内容", max_length=200, required=False)
    planned_on = forms.DateField(label="计划日期", widget=DATE)
    guided_by = forms.CharField(label="指导单位（如属地社区）", max_length=100, required=False)


class DrillRecordForm(forms.Form):
    held_on = forms.DateField(label="演练日期", widget=DATE, required=False)
    participants = forms.IntegerField(
        label="参演人数", min_value=0, max_value=1_000_000, required=False
    )
    summary = forms.CharField(label="演练情况", widget=forms.Textarea, required=False)
    gaps = forms.CharField(label="发现的问题（每行一项）", widget=forms.Textarea, required=False)

    def gap_lines(self) -> list[str]:
        return [line for line in self.cleaned_data.get("gaps", "").splitlines() if line.strip()]


class GapFixForm(forms.Form):
    note = forms.CharField(label="整改情况", max_length=200, required=False)


class GapLedgerForm(forms.Form):
    owner_name = forms.CharField(label="整改责任人", max_length=50, required=False)
    deadline = forms.DateField(label="整改期限", widget=DATE, required=False)


class TrainingForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=TrainingKind.choices)
    topic = forms.CharField(label="主题", max_length=200, required=False)
    held_on = forms.DateField(label="日期", widget=DATE)
    organiser = forms.CharField(label="组织单位", max_length=100, required=False)
    audience = forms.CharField(label="对象", max_length=100, required=False)
    attendees = forms.IntegerField(label="人数", min_value=0, max_value=1_000_000, required=False)


# --- hotline and requests (B-3, L-3.1) ----------------------------------------------------
class CaseForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=CaseKind.choices)
    channel = forms.ChoiceField(
        label="渠道", choices=[c for c in CaseChannel.choices if c[0] != CaseChannel.ENTERPRISE]
    )
    caller_name = forms.CharField(label="来电人（可匿名）", max_length=50, required=False)
    caller_phone = forms.CharField(label="联系电话（可不填）", max_length=20, required=False)
    about = forms.TypedChoiceField(label="所涉企业（可不选）", coerce=int, required=False)
    subject = forms.CharField(label="事由", max_length=100, required=False)
    text = forms.CharField(label="内容", widget=forms.Textarea, required=False)

    def __init__(
        self,
        *args: object,
        enterprises: list[tuple[int, str]],
        own: bool = False,
        **kwargs: object,
    ):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["about"].choices = [("", "—"), *enterprises]  # type: ignore[attr-defined]
        if own:  # an enterprise's own request: no channel, no caller, no enterprise named
            for name in ("channel", "caller_name", "caller_phone", "about"):
                del self.fields[name]
            self.fields["kind"].choices = [  # type: ignore[attr-defined]
                c for c in CaseKind.choices if c[0] != CaseKind.REPORT
            ]


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(label="承办人", coerce=int)

    def __init__(self, *args: object, staff: list[tuple[int, str]], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["assignee"].choices = staff  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    answer = forms.CharField(label="答复", widget=forms.Textarea, required=False)
