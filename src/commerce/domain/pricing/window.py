"""The time a sale or a promo code may be used: from `starts_at` (included) to `ends_at`
(excluded)."""

from __future__ import annotations

from datetime import datetime

from commerce.domain.errors import DomainValidationError


def check_window(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    """A window with a future, in instants that say their time zone."""
    for field, instant in (("starts_at", starts_at), ("ends_at", ends_at)):
        if instant.tzinfo is None:
            raise DomainValidationError(field, "must include a time zone (e.g. Z for UTC)")
    if ends_at <= starts_at:
        raise DomainValidationError("ends_at", "must be after starts_at")
    if ends_at <= now:
        raise DomainValidationError("ends_at", "must be in the future")
