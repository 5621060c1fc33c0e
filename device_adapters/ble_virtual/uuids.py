"""UUIDs from bumble's form to bleak's (lower-case, 128-bit, dashed)."""

from __future__ import annotations

import uuid

from bumble.core import UUID


def to_bleak(value: UUID) -> str:
    """bumble keeps 16- and 32-bit UUIDs short and bytes little-endian; bleak wants the full 128-bit string."""
    return str(uuid.UUID(bytes=value.to_bytes(force_128=True)[::-1]))


def from_le_bytes(data: bytes) -> str:
    """A UUID as it appears in advertising data (2, 4 or 16 bytes, little-endian)."""
    return to_bleak(UUID.from_bytes(bytes(data)))
