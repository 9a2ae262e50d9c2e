"""Reads of subject rights: a person's own access log (who viewed or changed their data and
why), their whole record across apps, and the correction requests an officer must answer.

The person alone may read their access log and record (`view_own_record`, an own-only
grant): not their officer, not the park. What the record holds is found by walking every
model that points at the person, so a new app's records join it without a change here;
only secrets (digests, ciphertexts, nonces, photos) and other people's data are left out.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from parkguard.audit.labels import action_label
from parkguard.audit.models import AuditEvent, AuditSubject
from parkguard.orgs.access import Scope, get_visible_or_404, visible
from parkguard.orgs.models import Jurisdiction
from parkguard.people.identity import phone_mask
from parkguard.people.models import Person
from parkguard.people.selectors import PersonChange, person_changes
from parkguard.privacy.choices import CorrectionState
from parkguard.privacy.models import CorrectionRequest, Purge

# Never shown, even to the person: lookup digests, ciphertexts, signed-link nonces, blobs.
SECRET_FIELDS = frozenset(
    {
        "id_digest",
        "id_encrypted",
        "id_cipher",
        "id_tail",
        "name_initials",
        "digest",
        "link_nonce",
        "nonce",
        "payload",
        "content",
        "mac",
        "phone_digest",
        "phone_encrypted",
    }
)
# Relations to the person that hold someone else's personal data (the visitors they host):
# those people have their own rights; the record names only how many there were.
OTHERS = {("mobility.Visitor", "host")}
OTHERS_NOTE = "涉及他人的个人信息，只列条数。"


def _person_relations() -> list[tuple[type[Model], str]]:
    """Every model that points at a person (a foreign key, or many-to-many as samples do),
    with the field that does; the through tables and change-history copies are skipped."""
    found: list[tuple[type[Model], str]] = []
    through = set()
    for model in apps.get_models():
        for f in model._meta.many_to_many:
            if f.related_model is Person:
                through.add(f.remote_field.through)
                found.append((model, f.name))
    for model in apps.get_models():
        if model in through or model is Person or model._meta.app_label == "audit":
            continue
        if (model._meta.model_name or "").startswith("historical"):
            continue
        for concrete in model._meta.concrete_fields:
            if concrete.is_relation and concrete.related_model is Person:
                found.append((model, concrete.name))
    return sorted(found, key=lambda item: (item[0]._meta.app_label, item[0]._meta.model_name))


def own_person(*, scope: Scope, person_id: int) -> Person:
    """The caller's own ledger file, or a 404 (another person's file, even for an officer)."""
    return get_visible_or_404(
        scope, Person.objects.select_related("enterprise"), "view_own_record", pk=person_id
    )


def own_people(*, scope: Scope) -> QuerySet[Person]:
    return Person.objects.filter(pk__in=scope.person_ids).select_related("enterprise")


@dataclass(frozen=True)
class AccessEntry:
    """One audited action on the person's data, as the person sees it."""

    at: dt.datetime
    who: str
    what: str
    why: str
    own: bool  # the person's own action (their download, their request)


def person_access_log(
    *, person: Person, user_ids: frozenset[int], limit: int = 200
) -> list[AccessEntry]:
    """Audited actions concerning `person`, newest first: by the subject index, and for
    entries written before it existed, by their target. One indexed query each."""
    by_subject = AuditSubject.objects.filter(person_id_ref=person.pk).values("event_id")
    events = (
        AuditEvent.objects.filter(
            Q(pk__in=by_subject) | Q(target_type="Person", target_id=str(person.pk))
        )
        .only("at", "actor_id_ref", "actor_label", "action", "reason")
        .order_by("-at", "-id")[:limit]
    )
    return [
        AccessEntry(
            at=e.at,
            who="本人" if e.actor_id_ref in user_ids else (e.actor_label or "系统"),
            what=action_label(e.action),
            why=e.reason,
            own=e.actor_id_ref in user_ids,
        )
        for e in events
    ]


def person_edits(*, person: Person) -> list[PersonChange]:
    return person_changes(person=person, limit=50)


def own_corrections(*, person: Person) -> QuerySet[CorrectionRequest]:
    return CorrectionRequest.objects.filter(person=person).order_by("-filed_at", "-id")


# --- the whole record ---------------------------------------------------------------------


@dataclass
class Section:
    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    note: str = ""


def _text(obj: Model, f: Any) -> str:
    value = getattr(obj, f.attname)
    if value is None or value == "":
        return ""
    if f.is_relation:
        related = getattr(obj, f.name, None)
        return str(related) if related is not None else ""
    if f.choices:
        return str(getattr(obj, f"get_{f.name}_display")())
    if f.name == "phone" or f.name.endswith("_phone"):
        return phone_mask(str(value))
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal | int | float):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _fields(model: type[Model], *, skip: str = "") -> list[Any]:
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in SECRET_FIELDS
        and f.name != skip
        and not f.primary_key
        and f.get_internal_type() != "BinaryField"
        and not f.name.startswith("history_")
    ]


# Fields with no Chinese name of their own (Django's default is the English attribute name).
_LABELS = {"created_at": "创建时间", "updated_at": "更新时间", "user": "账号", "role": "角色"}


def _label(f: Any) -> str:
    name = str(f.verbose_name)
    return _LABELS.get(f.name, name) if name == f.name.replace("_", " ") else name


def _section(title: str, model: type[Model], rows: list[Model], *, skip: str = "") -> Section:
    fields = _fields(model, skip=skip)
    return Section(
        title=title[:31],
        headers=[_label(f) for f in fields],
        rows=[[_text(row, f) for f in fields] for row in rows],
    )


def person_record(*, scope: Scope, person: Person) -> list[Section]:
    """Everything ParkGuard holds about the person, one section per kind of record."""
    get_visible_or_404(scope, Person, "view_own_record", pk=person.pk)
    basic = _fields(Person)
    sections = [
        Section(
            "基本信息",
            ["项目", "内容"],
            [[_label(f), _text(person, f)] for f in basic],
            note="身份证号只显示脱敏形式；本人可向防疫专员申请核对完整号码。",
        )
    ]
    for model, path in _person_relations():
        rows = list(model._default_manager.filter(**{path: person}).distinct())
        name = str(model._meta.verbose_name_plural)
        if (model._meta.label, path) in OTHERS:
            if rows:
                sections.append(Section(name, ["条数"], [[str(len(rows))]], note=OTHERS_NOTE))
            continue
        if rows:
            sections.append(_section(name, model, rows, skip=path))
    user_ids = frozenset({scope.user_id} if scope.user_id else set())
    log = person_access_log(person=person, user_ids=user_ids, limit=10_000)
    sections.append(
        Section(
            "谁查看或修改了我的信息",
            ["时间", "操作人", "操作", "事由"],
            [[f"{timezone.localtime(e.at):%Y-%m-%d %H:%M}", e.who, e.what, e.why] for e in log],
        )
    )
    edits = person_edits(person=person)
    sections.append(
        Section(
            "档案修改记录",
            ["时间", "修改人", "类型", "修改的项目"],
            [
                [f"{timezone.localtime(c.at):%Y-%m-%d %H:%M}", c.who, c.kind, "、".join(c.fields)]
                for c in edits
            ],
        )
    )
    return sections


# --- officers and the park ----------------------------------------------------------------


def corrections_for(*, scope: Scope, enterprise_id: int) -> QuerySet[CorrectionRequest]:
    """An enterprise's correction requests, open ones first by deadline."""
    return (
        visible(scope, CorrectionRequest, "answer_correction")
        .filter(enterprise_id=enterprise_id)
        .select_related("person")
        .order_by("answered_at", "due_at", "id")
    )


def corrections_overdue(
    *, scope: Scope, park: Jurisdiction, at: dt.datetime
) -> QuerySet[CorrectionRequest]:
    return (
        visible(scope, CorrectionRequest, "oversee_corrections")
        .filter(
            enterprise__jurisdiction__path__startswith=park.path,
            state=CorrectionState.OPEN,
            due_at__lt=at,
        )
        .select_related("enterprise")
        .order_by("due_at", "id")
    )


def park_purges(*, scope: Scope, park: Jurisdiction) -> QuerySet[Purge]:
    return (
        visible(scope, Purge, "purge_data")
        .filter(jurisdiction=park)
        .select_related("requested_by", "decided_by")
        .order_by("-requested_at", "-id")
    )
