"""Writes of the rules app: a park adopts or drops a pack, with its parameter values; a park
admin uploads a pack (a draft), proposes it, and a second admin of the park publishes it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from parkguard.audit.services import audit_record
from parkguard.orgs.access import Scope, require
from parkguard.orgs.models import Jurisdiction
from parkguard.policy import PackError, PackIssue, PolicyInputError
from parkguard.policy.context import Params
from parkguard.policy.loading import canonical_text
from parkguard.policy.lock import digest_of
from parkguard.policy.validation import validate_text
from parkguard.rules.choices import UploadStatus
from parkguard.rules.models import PackAdoption, UploadedPack
from parkguard.rules.registry import park_registry, registry
from parkguard.rules.selectors import PACK_NOT_FOUND, upload_check

PACK_UNKNOWN = PACK_NOT_FOUND
PUBLISHED_IMMUTABLE = "该版本已发布，内容不可修改；如需修改，请另存为新版本（version 加 1）"
NOT_A_DRAFT = "只有草稿可以提请发布或发布"
NOT_PROPOSED = "请先由一位园区管理员提请发布，再由另一位管理员批准"
SAME_PERSON = "提请发布的人不能自己批准：发布须由本园区的另一位管理员批准"
STILL_INVALID = "规则包有错误，不能发布"


def params_check(
    *, pack_id: str, on: datetime, params: dict[str, Any], park: Jurisdiction | None = None
) -> dict[str, Any]:
    """The park's parameter values, checked against the pack version in force (else the newest)."""
    packs = park_registry(park.pk) if park is not None else registry()
    try:
        versions = packs.versions(pack_id)
    except PolicyInputError:
        raise ValidationError({"pack_id": PACK_UNKNOWN}) from None
    pack = next((p for p in versions if packs.is_in_force(p, on.date())), versions[-1])
    try:
        Params(pack, params)
    except PolicyInputError as exc:
        field = exc.path.removeprefix("params.") or "params"
        raise ValidationError(
            {field: f"{exc.message}（{exc.detail}）" if exc.detail else exc.message}
        ) from None
    return params


@transaction.atomic
def pack_adopt(
    *,
    scope: Scope,
    park: Jurisdiction,
    pack_id: str,
    params: dict[str, Any],
    by: User,
    at: datetime,
) -> PackAdoption:
    """Follow a pack (or change its parameters); a park admin only; a bad value changes nothing."""
    require(scope, "adopt", park)
    params = params_check(pack_id=pack_id, on=at, params=params, park=park)
    before = PackAdoption.objects.filter(jurisdiction=park, pack_id=pack_id).first()
    adoption, _ = PackAdoption.objects.update_or_create(
        jurisdiction=park,
        pack_id=pack_id,
        defaults={"params": params, "adopted_by": by, "adopted_at": at},
    )
    detail: dict[str, Any] = {"pack_id": pack_id, "params": params}
    if before is not None:
        detail["params_before"] = before.params
    audit_record(
        actor=by,
        action="pack_adopt" if before is None else "pack_params_change",
        at=at,
        target=adoption,
        jurisdiction_id=park.pk,
        detail=detail,
    )
    return adoption


@transaction.atomic
def pack_drop(*, scope: Scope, adoption: PackAdoption, by: User, at: datetime) -> None:
    """Stop following a pack; a park admin of the adopting park only."""
    require(scope, "adopt", adoption.jurisdiction)
    audit_record(
        actor=by,
        action="pack_drop",
        at=at,
        target=adoption,
        jurisdiction_id=adoption.jurisdiction_id,
        detail={"pack_id": adoption.pack_id},
    )
    adoption.delete()


class UploadRefused(Exception):
    """An upload with mistakes: nothing was written. `issues` name file, line, path, message."""

    def __init__(self, issues: tuple[PackIssue, ...]) -> None:
        super().__init__("；".join(str(i) for i in issues))
        self.issues = issues


@transaction.atomic
def pack_upload(
    *, scope: Scope, park: Jurisdiction, file: str, text: str, by: User, at: datetime
) -> UploadedPack:
    """Store a pack a park admin wrote as a draft of the park (a new draft, or the new text
    of the park's draft of the same id and version). Never in force until published. A text
    with mistakes, or a version already published, raises `UploadRefused`: nothing written."""
    require(scope, "upload_pack", park)
    text = canonical_text(text)
    try:
        spec = validate_text(text, file=file)
    except PackError as exc:
        raise UploadRefused(exc.issues) from None
    existing = (
        UploadedPack.objects.select_for_update()
        .filter(jurisdiction=park, pack_id=spec.id, version=spec.version)
        .first()
    )
    if existing is not None and not existing.is_draft:
        raise UploadRefused((PackIssue(file, "version", PUBLISHED_IMMUTABLE, existing.key),))
    check = upload_check(park=park, file=file, text=text, status=UploadStatus.DRAFT)
    if check.pack is None:
        raise UploadRefused(check.issues)
    pack = check.pack
    if existing is None:
        upload = UploadedPack.objects.create(
            jurisdiction=park,
            pack_id=pack.id,
            version=pack.version,
            title=pack.meta.title,
            file=file,
            text=text,
            uploaded_by=by,
            uploaded_at=at,
        )
    else:
        upload = existing
        upload.title, upload.file, upload.text = pack.meta.title, file, text
        upload.uploaded_by, upload.uploaded_at = by, at
        upload.proposed_by = upload.proposed_at = None  # new text: propose it afresh
        upload.save()
    audit_record(
        actor=by,
        action="pack_upload",
        at=at,
        target=upload,
        jurisdiction_id=park.pk,
        detail={"pack": upload.key, "file": file, "sha256": digest_of(text)},
    )
    return upload


def _publishable(upload: UploadedPack) -> None:
    if not upload.is_draft:
        raise ValidationError({"status": NOT_A_DRAFT})
    check = upload_check(
        park=upload.jurisdiction, file=upload.file, text=upload.text, status=UploadStatus.PUBLISHED
    )
    if check.pack is None:
        raise ValidationError({"text": [STILL_INVALID, *(str(i) for i in check.issues)]})


@transaction.atomic
def pack_propose(*, scope: Scope, upload: UploadedPack, by: User, at: datetime) -> UploadedPack:
    """A park admin asks for the draft to be published (another admin must approve)."""
    require(scope, "publish_pack", upload.jurisdiction)
    upload = UploadedPack.objects.select_for_update().get(pk=upload.pk)
    _publishable(upload)
    upload.proposed_by, upload.proposed_at = by, at
    upload.save(update_fields=["proposed_by", "proposed_at"])
    audit_record(
        actor=by,
        action="pack_propose",
        at=at,
        target=upload,
        jurisdiction_id=upload.jurisdiction_id,
        detail={"pack": upload.key, "sha256": digest_of(upload.text)},
    )
    return upload


@transaction.atomic
def pack_publish(*, scope: Scope, upload: UploadedPack, by: User, at: datetime) -> UploadedPack:
    """A second park admin approves: the draft becomes a published version of the park,
    fingerprinted (sha256 of its canonical text) and immutable from now on."""
    require(scope, "publish_pack", upload.jurisdiction)
    upload = UploadedPack.objects.select_for_update().get(pk=upload.pk)
    _publishable(upload)
    if upload.proposed_by_id is None:
        raise ValidationError({"status": NOT_PROPOSED})
    if upload.proposed_by_id == by.pk:
        raise ValidationError({"status": SAME_PERSON})
    upload.status = UploadStatus.PUBLISHED
    upload.digest = digest_of(upload.text)
    upload.published_by, upload.published_at = by, at
    upload.save(update_fields=["status", "digest", "published_by", "published_at"])
    audit_record(
        actor=by,
        action="pack_publish",
        at=at,
        target=upload,
        jurisdiction_id=upload.jurisdiction_id,
        detail={
            "pack": upload.key,
            "sha256": upload.digest,
            "proposed_by": upload.proposed_by.username if upload.proposed_by else "",
            "proposed_at": upload.proposed_at.isoformat() if upload.proposed_at else "",
            "published_by": by.username,
            "published_at": at.isoformat(),
        },
    )
    return upload
