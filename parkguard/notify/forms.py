"""Forms of the notification pages; they shape input, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from parkguard.notify.choices import WEBHOOK_KINDS, Vendor
from parkguard.orgs.models import Enterprise, Jurisdiction


class WebhookForm(forms.Form):
    owner = forms.ChoiceField(label="所属", required=False)
    name = forms.CharField(label="名称", max_length=60, required=False)
    vendor = forms.ChoiceField(label="类型", choices=Vendor.choices, required=False)
    url = forms.CharField(
        label="Webhook 地址",
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "url"}),
        help_text="从群机器人设置中复制完整地址；保存后只显示开头几位。修改时留空表示不变。",
    )
    signed = forms.BooleanField(label="加签（钉钉、飞书）", required=False)
    secret = forms.CharField(
        label="加签密钥",
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="保存后不再显示；修改时留空表示不变。",
    )
    kinds = forms.MultipleChoiceField(
        label="推送的消息类别",
        required=False,
        choices=[(k.value, k.label) for k in WEBHOOK_KINDS],
        widget=forms.CheckboxSelectMultiple,
    )
    enabled = forms.BooleanField(label="启用", required=False)

    def __init__(
        self,
        *args: Any,
        enterprises: QuerySet[Enterprise] | None = None,
        parks: QuerySet[Jurisdiction] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if enterprises is None and parks is None:
            del self.fields["owner"]  # editing: the owner does not change
            return
        choices = [(f"e:{e.pk}", e.name) for e in enterprises or []]
        choices += [(f"j:{p.pk}", f"{p.name}（园区）") for p in parks or []]
        field = self.fields["owner"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class ReminderConfigForm(forms.Form):
    declare_remind_at = forms.TimeField(
        label="未申报提醒时间",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text="到此时仍未申报的员工收到提醒；留空表示不提醒。",
        error_messages={"invalid": "时间格式应为 时:分，例如 09:30"},
    )
    digest_at = forms.TimeField(
        label="未申报汇总时间",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text="到此时把未申报人员名单发给各企业的管理员和防疫专员；留空表示不发。",
        error_messages={"invalid": "时间格式应为 时:分，例如 10:00"},
    )
