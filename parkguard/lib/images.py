"""An uploaded photo's type, read from its first bytes (its declared name and type are not
trusted): JPEG, PNG and WebP, the formats phone cameras save."""

from __future__ import annotations

_SIGNATURES = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))


def image_type(head: bytes) -> str | None:
    """The image's content type from its first bytes, or None if it is not a photo."""
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None
