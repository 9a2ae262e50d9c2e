"""Writes of testing: plan a round, take tubes (pooled or single), record a result by hand,
report an antigen self-test. Each service asks `require()` first and keeps the person status
current in the same transaction (pending results, latest negative, holds)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from parkguard.duties.choices import DutyKind
from parkguard.duties.services import duty_evidence_record
from parkguard.lib.images import image_type
from parkguard.orgs.access import Scope, require
from parkguard.orgs.models import Enterprise, Jurisdiction, OrgUnit
from parkguard.orgs.services import api_token_create
from parkguard.people.choices import EmploymentStatus
from parkguard.people.models import Person
from parkguard.policy import sample_members
from parkguard.sampling.choices import Column, Result, RoundGroup, RoundKind, SampleKind
from parkguard.sampling.models import (
    AntigenPhoto,
    Lab,
    RoundMember,
    Sample,
    SampleMember,
    SamplingRound,
)
from parkguard.sampling.outcomes import results_followups
from parkguard.sampling.rules import SET_BY_ROUND, testing_rules
from parkguard.status.services import status_results_record

NAME_REQUIRED = "请填写轮次名称"
SHARE_REQUIRED = "抽检轮次需要抽检比例：所采用的规则包未规定，请在本轮填写（0 到 1 之间，如 0.2）"
SHARE_RANGE = "抽检比例应大于 0 且不超过 1"
POOL_SIZE_REQUIRED = "所采用的规则包未规定混管人数上限，请在本轮填写"
POOL_SIZE_RANGE = "混管人数上限应为正整数"
UNIT_REQUIRED = "按部门检测时请选择部门"
UNIT_ELSEWHERE = "所选部门不属于本企业"
NOBODY = "本轮范围内没有在岗人员"
BARCODE_REQUIRED = "请扫描或输入试管条码"
BARCODE_TOO_LONG = "条码过长（最多 40 个字符）"
BARCODE_TAKEN = "该条码已被使用：请换一支试管"
NO_MEMBERS = "请选择本管的受检人员"
SINGLE_ONE = "单管只能有一名受检人员"
POOL_TOO_LARGE = "本管人数 {count} 超过混管上限 {limit} 人"
NOT_IN_ROUND = "所选人员不在本轮检测名单中"
ALREADY_SAMPLED = "{name} 本轮已采样（复核请使用单管复核）"
NOT_PENDING = "该样本已有结果，不能改写"
RESULT_CHOICE = "检测结果应为阴性、阳性或无效"
KIND_CHOICE = "试管类型应为混管或单管"
ANTIGEN_RESULT = "抗原结果应为阴性、阳性或无效"
PHOTO_REQUIRED = "请上传抗原检测结果的照片"
PHOTO_TOO_LARGE = "照片不能超过 {limit} MB"
PHOTO_TYPE = "照片应为 JPEG 或 PNG 格式"
MAPPING_FIELD = "列“{header}”对应的字段不正确"
MAPPING_TOO_LONG = "列名过长（最多 50 个字符）"

# A photo's upload limit (bytes) and the signatures of the image types accepted.
PHOTO_MAX_BYTES = 5 * 1024 * 1024
_ANTIGEN_TYPES = frozenset({"image/jpeg", "image/png"})
BARCODE_MAX = 40
HEADER_MAX = 50


def _round_people(*, enterprise: Enterprise, group: str, org_unit: OrgUnit | None) -> list[int]:
    people = Person.objects.filter(enterprise=enterprise, status=EmploymentStatus.ACTIVE)
    if group == RoundGroup.UNIT:
        people = people.filter(org_unit=org_unit)
    elif group == RoundGroup.WIDE_CONTACT:
        people = people.filter(wide_contact=True)
    return sorted(people.values_list("pk", flat=True))


def _share(value: object) -> Decimal:
    try:
        share = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({"share": SHARE_RANGE}) from None
    if not (Decimal(0) < share <= Decimal(1)):
        raise ValidationError({"share": SHARE_RANGE})
    return share


@transaction.atomic
def round_plan(
    *,
    scope: Scope,
    enterprise: Enterprise,
    name: str,
    on: dt.date,
    kind: str,
    group: str,
    org_unit: OrgUnit | None = None,
    share: object = None,
    pool_size: int | None = None,
    at: dt.datetime,
    by: User | None,
) -> SamplingRound:
    """Plan a testing day (Z-5.2b, J-1.5b): who is in it, the share and the pool size.

    The share and the pool-size limit come from the round if set there, else from the packs
    the park follows; `citation` records which.
    """
    require(scope, "manage_samples", enterprise)
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = NAME_REQUIRED
    if group == RoundGroup.UNIT:
        if org_unit is None:
            errors["org_unit"] = UNIT_REQUIRED
        elif org_unit.enterprise_id != enterprise.pk:
            errors["org_unit"] = UNIT_ELSEWHERE
    rules = testing_rules(park=enterprise.jurisdiction, on=on)
    citation: dict[str, Any] = {"testing": rules.citation}
    share_value: Decimal | None = None
    if kind == RoundKind.SHARE:
        if share not in (None, ""):
            try:
                share_value, citation["share"] = _share(share), SET_BY_ROUND
            except ValidationError as error:
                errors["share"] = error.message_dict["share"][0]
        elif rules.share is not None:
            share_value, citation["share"] = rules.share, rules.share_citation
        else:
            errors["share"] = SHARE_REQUIRED
    if pool_size is not None:
        if pool_size < 1:
            errors["pool_size"] = POOL_SIZE_RANGE
        citation["pool_size"] = SET_BY_ROUND
        size = pool_size
    elif rules.pool_size is not None:
        size, citation["pool_size"] = rules.pool_size, rules.pool_size_citation
    else:
        errors["pool_size"] = POOL_SIZE_REQUIRED
    if errors:
        raise ValidationError(errors)
    people = _round_people(enterprise=enterprise, group=group, org_unit=org_unit)
    if share_value is not None:
        picked = sample_members(
            member_ids=[str(p) for p in people], share=float(share_value), cycle=on.toordinal()
        )
        people = sorted(int(p) for p in picked)
    if not people:
        raise ValidationError({"group": NOBODY})
    row = SamplingRound.objects.create(
        enterprise=enterprise,
        name=name.strip(),
        on=on,
        kind=kind,
        group=group,
        org_unit=org_unit if group == RoundGroup.UNIT else None,
        share=share_value,
        pool_size=size,
        citation=citation,
        created_by=by,
        created_at=at,
    )
    RoundMember.objects.bulk_create([RoundMember(round=row, person_id=p) for p in people])
    return row


@transaction.atomic
def sample_take(
    *,
    scope: Scope,
    round: SamplingRound,
    barcode: str,
    kind: str,
    person_ids: Sequence[int],
    retest_of: Sample | None = None,
    at: dt.datetime,
    by: User | None,
) -> Sample:
    """A tube with its barcode: a pool of up to the round's pool size, or a single tube
    (a retest after a positive pool or an invalid result may re-sample a person)."""
    require(scope, "manage_samples", round)
    code = barcode.strip()
    if not code:
        raise ValidationError({"barcode": BARCODE_REQUIRED})
    if len(code) > BARCODE_MAX:
        raise ValidationError({"barcode": BARCODE_TOO_LONG})
    if Sample.objects.filter(barcode=code).exists():
        raise ValidationError({"barcode": BARCODE_TAKEN})
    ids = sorted(set(person_ids))
    if not ids:
        raise ValidationError({"person_ids": NO_MEMBERS})
    if kind == SampleKind.SINGLE and len(ids) != 1:
        raise ValidationError({"person_ids": SINGLE_ONE})
    if kind not in (SampleKind.SINGLE, SampleKind.POOL):
        raise ValidationError({"kind": KIND_CHOICE})
    if kind == SampleKind.POOL and len(ids) > round.pool_size:
        raise ValidationError(
            {"person_ids": POOL_TOO_LARGE.format(count=len(ids), limit=round.pool_size)}
        )
    planned = set(
        RoundMember.objects.filter(round=round, person_id__in=ids).values_list(
            "person_id", flat=True
        )
    )
    if planned != set(ids):
        raise ValidationError({"person_ids": NOT_IN_ROUND})
    if retest_of is None:
        # Sampled once per round, unless that tube was invalid or a positive pool (re-sample).
        done = Person.objects.filter(
            pk__in=SampleMember.objects.filter(sample__round=round, person_id__in=ids)
            .exclude(sample__result=Result.INVALID)
            .exclude(sample__result=Result.POSITIVE, sample__kind=SampleKind.POOL)
            .values("person_id")
        ).first()
        if done is not None:
            raise ValidationError({"person_ids": ALREADY_SAMPLED.format(name=done.name)})
    sample = Sample.objects.create(
        enterprise=round.enterprise,
        round=round,
        kind=kind,
        barcode=code,
        taken_at=at,
        taken_by=by,
        retest_of=retest_of,
    )
    SampleMember.objects.bulk_create([SampleMember(sample=sample, person_id=p) for p in ids])
    status_results_record(negatives={}, pending_delta=dict.fromkeys(ids, 1), at=at)
    # Being sampled is what a test duty asks (Z-5.2b); the result follows in its own time.
    duty_evidence_record(
        kind=DutyKind.NUCLEIC_ACID,
        evidence=dict.fromkeys(ids, at),
        at=at,
        reference=f"sampling.sample:{sample.pk}",
    )
    return sample


@transaction.atomic
def sample_result_record(
    *, scope: Scope, sample: Sample, result: str, at: dt.datetime, by: User | None
) -> Sample:
    """An officer enters a tube's result by hand (a lab's paper report)."""
    require(scope, "manage_samples", sample)
    if result not in (Result.NEGATIVE, Result.POSITIVE, Result.INVALID):
        raise ValidationError({"result": RESULT_CHOICE})
    locked = Sample.objects.select_for_update().get(pk=sample.pk)
    if locked.result != Result.PENDING:
        raise ValidationError({"result": NOT_PENDING})
    locked.result = result
    locked.result_at = at
    locked.save(update_fields=["result", "result_at"])
    members = list(SampleMember.objects.filter(sample=locked).values_list("person_id", flat=True))
    negatives = dict.fromkeys(members, locked.taken_at) if result == Result.NEGATIVE else {}
    status_results_record(negatives=negatives, pending_delta=dict.fromkeys(members, -1), at=at)
    results_followups(samples=Sample.objects.filter(pk=locked.pk), at=at)
    return locked


def _photo_type(data: bytes) -> str | None:
    """JPEG or PNG only: the formats the antigen page asks for."""
    kind = image_type(data)
    return kind if kind in _ANTIGEN_TYPES else None


@transaction.atomic
def antigen_report(
    *,
    scope: Scope,
    person: Person,
    result: str,
    photo: bytes | None,
    at: dt.datetime,
    by: User | None,
) -> Sample:
    """An employee reports their own antigen self-test with a photo of the cassette.

    The photo is checked by its bytes (JPEG or PNG, at most PHOTO_MAX_BYTES), kept in the
    database and shown only to the enterprise's officers. An antigen negative is not a
    nucleic-acid negative: it does not move `latest_negative_at`. A positive opens a
    POSITIVE hold and alerts the officers.
    """
    require(scope, "report_antigen", person)
    errors: dict[str, str] = {}
    if result not in (Result.NEGATIVE, Result.POSITIVE, Result.INVALID):
        errors["result"] = ANTIGEN_RESULT
    content_type = None
    if not photo:
        errors["photo"] = PHOTO_REQUIRED
    elif len(photo) > PHOTO_MAX_BYTES:
        errors["photo"] = PHOTO_TOO_LARGE.format(limit=PHOTO_MAX_BYTES // (1024 * 1024))
    else:
        content_type = _photo_type(photo)
        if content_type is None:
            errors["photo"] = PHOTO_TYPE
    if errors:
        raise ValidationError(errors)
    sample = Sample.objects.create(
        enterprise_id=person.enterprise_id,
        kind=SampleKind.ANTIGEN,
        taken_at=at,
        taken_by=by,
        result=result,
        result_at=at,
    )
    SampleMember.objects.create(sample=sample, person=person)
    AntigenPhoto.objects.create(
        sample=sample, content=photo, content_type=content_type or "", size=len(photo or b"")
    )
    duty_evidence_record(
        kind=DutyKind.ANTIGEN,
        evidence={person.pk: at},
        at=at,
        reference=f"sampling.sample:{sample.pk}",
    )
    results_followups(samples=Sample.objects.filter(pk=sample.pk), at=at)
    return sample


@transaction.atomic
def lab_mapping_save(
    *, scope: Scope, lab: Lab, enterprise: Enterprise, mapping: dict[str, str]
) -> Lab:
    """Save a lab's column mapping (its header words → our fields) for every later file."""
    require(scope, "import_results", enterprise)
    if enterprise.jurisdiction_id != lab.jurisdiction_id:
        raise ValidationError({"lab": "该检测机构不服务于本企业所在园区"})
    clean: dict[str, str] = {}
    for header, target in mapping.items():
        text = str(header).strip()
        if not text:
            continue
        if len(text) > HEADER_MAX:
            raise ValidationError({"mapping": MAPPING_TOO_LONG})
        if target not in Column.values:
            raise ValidationError({"mapping": MAPPING_FIELD.format(header=text)})
        clean[text] = target
    lab.mapping = clean
    lab.save(update_fields=["mapping"])
    return lab


LAB_NAME_REQUIRED = "请填写检测机构名称"


@transaction.atomic
def lab_create(
    *, scope: Scope, jurisdiction: Jurisdiction, name: str, by: User | None
) -> tuple[Lab, str]:
    """A lab serving the park, with its device token (a park token; the clear token once)."""
    require(scope, "administer", jurisdiction)
    if not name.strip():
        raise ValidationError({"name": LAB_NAME_REQUIRED})
    token, clear = api_token_create(
        name=f"{name.strip()}（检测机构）", created_by=by, jurisdiction=jurisdiction
    )
    lab = Lab.objects.create(jurisdiction=jurisdiction, name=name.strip(), token=token)
    return lab, clear
