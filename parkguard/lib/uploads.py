"""The one place an uploaded file is read (issue 18 §6): never past its limit.

Every upload of every app (spreadsheets: the people ledger, lab results, risk areas; rule
packs; photos) is read by `upload_read`, which refuses a file by its declared size before
reading a byte, then reads it in chunks and stops at the first byte past the limit (the
declared size is not trusted). What comes after is the caller's: a spreadsheet is then
measured by `people.sheets.sheet_scan` (rows, decompressed size), a photo's type by
`lib.images.image_type`. `tests/test_upload_limits.py` keeps every upload path here.

The request itself was already bounded by `RequestGuardMiddleware` (Content-Length).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

UPLOAD_TOO_LARGE = "文件大小超过上限 {limit}，请压缩或拆分后重新上传"
UPLOAD_EMPTY = "上传的文件是空的，请重新选择文件"


class Upload(Protocol):
    """A Django UploadedFile or File (its `size` is read if it has one)."""

    def chunks(self, chunk_size: int | None = None) -> Iterable[bytes]: ...


class UploadRefused(ValueError):
    """An upload refused as a whole; `message` is the Chinese text for the uploader."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def size_label(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit / 1024 / 1024:g} MB"
    return f"{limit / 1024:g} KB"


def upload_read(upload: Upload, *, max_bytes: int) -> bytes:
    """The upload's bytes, at most `max_bytes`; UploadRefused if it is larger or empty."""
    too_large = UploadRefused(UPLOAD_TOO_LARGE.format(limit=size_label(max_bytes)))
    if (getattr(upload, "size", None) or 0) > max_bytes:
        raise too_large
    data = bytearray()
    for chunk in upload.chunks():
        data += chunk
        if len(data) > max_bytes:
            raise too_large
    if not data:
        raise UploadRefused(UPLOAD_EMPTY)
    return bytes(data)
