"""Headers every command response carries: `Consistency-Token` and, for versioned
aggregates, `ETag`."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from commerce.application.consistency import encode_token


def command_headers(event_ids: Sequence[UUID], version: int | None = None) -> dict[str, str]:
    headers = {"Consistency-Token": encode_token(event_ids)}
    if version is not None:
        headers |= version_headers(version)
    return headers


def version_headers(version: int) -> dict[str, str]:
    """`ETag`: the aggregate's version, which an edit's `If-Match` names."""
    return {"ETag": f'"{version}"'}
