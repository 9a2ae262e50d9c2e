"""The audit log as park and enterprise admins search it (issue 18 §1): the filters, in
Chinese, and the one read of the entries, through `access.visible(..., "read_audit")`.

The page lives here, not in `parkguard.audit`: the audit app sits below orgs (everything
writes to it), and deciding who reads it is orgs' business.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone

from parkguard.audit.labels import ACTION_LABELS, action_label
from parkguard.audit.models import AuditEvent
from parkguard.lib.logmask import mask_numbers
from parkguard.orgs.access import Scope, visible
from parkguard.orgs.models import Enterprise

DATE_ORDER = "结束日期不能早于开始日期"
TEXT_MAX = 50


def _type_labels() -> dict[str, str]:
    """Model class name -> its Chinese name, for the object column and the object search."""
    labels: dict[str, str] = {}
    for model in apps.get_models():
        labels.setdefault(model.__name__, str(model._meta.verbose_name))
    return labels


def readable_enterprises(scope: Scope) -> QuerySet[Enterprise]:
    """The enterprises whose entries the caller may read, for the enterprise select."""
    return visible(scope, Enterprise, "read_audit").order_by("name")


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label="操作", required=False)
    actor = forms.CharField(label="操作人", required=False, max_length=TEXT_MAX)
    text = forms.CharField(label="对象或事由", required=False, max_length=TEXT_MAX)
    date_from = forms.DateField(
        label="开始日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "请输入有效的日期，如 2022-11-15"},
    )
    date_to = forms.DateField(
        label="结束日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "请输入有效的日期，如 2022-11-15"},
    )
    enterprise = forms.TypedChoiceField(label="企业", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, enterprises: QuerySet[Enterprise], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        actions = sorted(ACTION_LABELS, key=lambda a: action_label(a))
        action_field = self.fields["action"]
        assert isinstance(action_field, forms.ChoiceField)
        action_field.choices = [("", "全部操作"), *((a, action_label(a)) for a in actions)]
        action_field.error_messages["invalid_choice"] = "请从列表中选择操作"
        enterprise_field = self.fields["enterprise"]
        assert isinstance(enterprise_field, forms.ChoiceField)
        enterprise_field.choices = [("", "全部企业"), *((e.pk, e.name) for e in enterprises)]
        enterprise_field.error_messages["invalid_choice"] = "请从列表中选择企业"
        for name in ("actor", "text"):
            self.fields[name].error_messages["max_length"] = f"最多 {TEXT_MAX} 个字"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", DATE_ORDER)
        return data


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_entries(*, scope: Scope, filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    """The entries the caller may read, newest first, narrowed by the (clean) filters."""
    entries = visible(scope, AuditEvent, "read_audit")
    if filters.get("action"):
        entries = entries.filter(action=filters["action"])
    actor = (filters.get("actor") or "").strip()
    if actor:
        entries = entries.filter(
            Q(actor_label__icontains=actor)
            | Q(actor__first_name__icontains=actor)
            | Q(actor__last_name__icontains=actor)
        )
    text = (filters.get("text") or "").strip()
    if text:
        types = [name for name, label in _type_labels().items() if text in label]
        query = Q(reason__icontains=text) | Q(target_type__iexact=text) | Q(target_type__in=types)
        if text.isdigit():
            query |= Q(target_id=text)
        entries = entries.filter(query)
    if filters.get("date_from"):
        entries = entries.filter(at__gte=_day_start(filters["date_from"]))
    if filters.get("date_to"):
        entries = entries.filter(at__lt=_day_start(filters["date_to"] + dt.timedelta(days=1)))
    if filters.get("enterprise"):
        entries = entries.filter(enterprise_id_ref=filters["enterprise"])
    return entries.select_related("actor").order_by("-at", "-id")


@dataclass(frozen=True)
class Row:
    """One entry as the page shows it: nothing but masked text."""

    at: dt.datetime
    actor: str
    action: str
    target: str
    reason: str
    enterprise: str


def audit_rows(entries: list[AuditEvent]) -> list[Row]:
    """The page's rows. Digit runs of phone or ID length are masked again, whatever a
    reason or label was written with."""
    names = dict(
        Enterprise.objects.filter(
            pk__in={e.enterprise_id_ref for e in entries if e.enterprise_id_ref}
        ).values_list("pk", "name")
    )
    types = _type_labels()
    rows = []
    for e in entries:
        actor = e.actor_label
        if e.actor is not None and e.actor.get_full_name():
            actor = f"{e.actor.get_full_name()}（{e.actor_label}）"
        target = ""
        if e.target_type:
            target = types.get(e.target_type, e.target_type)
            target += f" #{e.target_id}" if e.target_id else ""
        rows.append(
            Row(
                at=timezone.localtime(e.at),
                actor=mask_numbers(actor),
                action=action_label(e.action),
                target=mask_numbers(target),
                reason=mask_numbers(e.reason),
                enterprise=names.get(e.enterprise_id_ref or 0, ""),
            )
        )
    return rows
