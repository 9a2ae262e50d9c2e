"""The audit log as park and enterprise admins search it (issue 18 §1): the filters, in
Chinese, and the one read of the entries, through `access.visible(..., "read_audit")`.

The page lives here, not in `parkguard.audit`: the audit app sits below orgs (everything
writes to it), and deciding who reads it is orgs' business.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django import forms
from django.apps import apps
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from parkguard.audit.labels import ACTION_LABELS, action_label
from parkguard.audit.models import AuditEvent, AuditSubject
from parkguard.audit.services import audit_record
from parkguard.lib import xlsx
from parkguard.lib.logmask import mask_numbers
from parkguard.orgs.access import Scope, require_at_all, visible
from parkguard.orgs.choices import Role
from parkguard.orgs.models import Enterprise, Membership

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
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "请输入有效的日期，如 2022-11-15"},
    )
    date_to = forms.DateField(
        label="结束日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
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


def audit_entries(
    *, scope: Scope, filters: dict[str, Any], action: str = "read_audit"
) -> QuerySet[AuditEvent]:
    """The entries the caller may read (or, `action="export_audit"`, export), newest first,
    narrowed by the (clean) filters."""
    entries = visible(scope, AuditEvent, action)
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


# The audit export (issue 18 §1): the search of the page, as CSV or .xlsx, for park admins.
EXPORT_FORMATS = {"csv": "CSV", "xlsx": "Excel"}
EXPORT_MAX_ROWS = 20_000  # one file; a wider search is refused with a Chinese error
EXPORT_TOO_MANY = "符合条件的记录超过 {limit} 条，请缩小日期范围或增加条件后再导出"
SUBJECTS_CHUNK = 500  # event ids per query (SQLite's bound on query parameters)
EXPORT_HEAD = ("时间", "操作人", "操作", "对象", "事由", "企业")
FILTER_LABELS = {
    "action": "操作",
    "actor": "操作人",
    "text": "对象或事由",
    "date_from": "开始日期",
    "date_to": "结束日期",
    "enterprise": "企业",
}


class ExportRefused(Exception):
    """The export was not made; the message is Chinese and says why (no file, no entry)."""


def filter_summary(filters: dict[str, Any]) -> str:
    """The filters as the audit entry of an export records them, in Chinese and masked
    (a phone number typed into the actor search stays out of the log)."""
    parts = []
    for name, label in FILTER_LABELS.items():
        value = filters.get(name)
        if value in (None, ""):
            continue
        if name == "action":
            value = action_label(str(value))
        elif name == "enterprise":
            value = Enterprise.objects.filter(pk=value).values_list("name", flat=True).first()
        parts.append(f"{label}={value}")
    return mask_numbers("；".join(parts) or "全部记录")


def audit_export(
    *, scope: Scope, filters: dict[str, Any], fmt: str, at: dt.datetime, by: User | None
) -> tuple[bytes, int]:
    """The caller's search as a file (`fmt` "csv" or "xlsx"), rows masked as the page shows
    them, cells neutralised; audited as `read_audit` with the filters in its reason, once for
    each park the caller administers. Returns (file, rows). Refuses (`ExportRefused`) a search
    of more than EXPORT_MAX_ROWS entries, writing nothing."""
    require_at_all(scope, "export_audit")
    if fmt not in EXPORT_FORMATS:
        raise ExportRefused("请选择导出格式：CSV 或 Excel")
    entries = audit_entries(scope=scope, filters=filters, action="export_audit")
    found = list(entries[: EXPORT_MAX_ROWS + 1])
    if len(found) > EXPORT_MAX_ROWS:
        raise ExportRefused(EXPORT_TOO_MANY.format(limit=EXPORT_MAX_ROWS))
    rows = [
        (
            f"{r.at:%Y-%m-%d %H:%M:%S}",
            r.actor,
            r.action,
            r.target,
            xlsx.free_text(r.reason),
            r.enterprise,
        )
        for r in audit_rows(found)
    ]
    if fmt == "csv":
        data = xlsx.csv_bytes(EXPORT_HEAD, rows)
    else:
        buffer = io.BytesIO()
        book = xlsx.workbook(buffer, in_memory=True)
        sheet = book.add_worksheet("审计日志")
        sheet.write_row(0, 0, EXPORT_HEAD, book.add_format({"bold": True}))
        for number, row in enumerate(rows, start=1):
            sheet.write_row(number, 0, row)
        sheet.set_column(0, 0, 20)
        sheet.set_column(4, 4, 40)
        book.close()
        data = buffer.getvalue()
    reason = f"导出审计日志（{EXPORT_FORMATS[fmt]}，{len(rows)} 条）：{filter_summary(filters)}"
    # The people the exported entries concern see the export in their own access log.
    subjects: set[int] = set()
    ids = [e.pk for e in found]
    for start in range(0, len(ids), SUBJECTS_CHUNK):
        chunk = ids[start : start + SUBJECTS_CHUNK]
        subjects.update(
            AuditSubject.objects.filter(event__in=chunk).values_list("person_id_ref", flat=True)
        )
    held = Membership.objects.filter(user=by, role=Role.PARK_ADMIN, jurisdiction__isnull=False)
    parks: list[int | None] = [*sorted(set(held.values_list("jurisdiction_id", flat=True)))]
    with transaction.atomic():
        for park in parks or [None]:
            audit_record(
                actor=by,
                action="read_audit",
                at=at,
                jurisdiction_id=park,
                enterprise_id=filters.get("enterprise"),
                reason=reason,
                detail={"export": fmt, "rows": len(rows)},
                subjects=subjects,
            )
    return data, len(rows)
