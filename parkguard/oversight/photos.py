"""Photos of findings and evidence: read, measured and typed from their bytes (Z-6).

An upload's declared name and type are not trusted: the size is counted while reading and the
type comes from the file's first bytes (JPEG, PNG, WebP, the formats phone cameras save).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import ValidationError

from parkguard.lib.images import image_type
from parkguard.lib.uploads import UPLOAD_EMPTY, UploadRefused, upload_read

PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTOS_MAX = 6
PHOTO_TOO_LARGE = "照片过大：每张不能超过 8 MB"
PHOTO_BAD_TYPE = "只能上传 JPEG、PNG 或 WebP 格式的照片"
PHOTO_TOO_MANY = "一次最多上传 6 张照片"
PHOTO_EMPTY = "照片文件是空的"


class Upload(Protocol):
    def chunks(self, chunk_size: int | None = None) -> Iterable[bytes]: ...


@dataclass(frozen=True)
class CheckedPhoto:
    content: bytes
    content_type: str


def photo_type(head: bytes) -> str | None:
    """The image type from the first bytes, or None if it is not a photo we accept."""
    return image_type(head)


def photos_check(uploads: Iterable[Upload], *, field: str) -> list[CheckedPhoto]:
    """Read each upload up to the limit; ValidationError at `field` for a bad one."""
    items = list(uploads)
    if len(items) > PHOTOS_MAX:
        raise ValidationError({field: PHOTO_TOO_MANY})
    checked = []
    for upload in items:
        try:
            data = upload_read(upload, max_bytes=PHOTO_MAX_BYTES)
        except UploadRefused as refused:
            empty = refused.message == UPLOAD_EMPTY
            raise ValidationError({field: PHOTO_EMPTY if empty else PHOTO_TOO_LARGE}) from None
        kind = photo_type(bytes(data[:16]))
        if kind is None:
            raise ValidationError({field: PHOTO_BAD_TYPE})
        checked.append(CheckedPhoto(content=data, content_type=kind))
    return checked
