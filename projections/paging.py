"""What every list over a read model shares: how far hits are counted, and the opaque cursor
that carries the last hit's sort values to the next page."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import msgspec

from commerce.ports.product_search import InvalidCursorError, Total

# Hits are counted exactly up to here; beyond, a total says "at least".
TRACK_TOTAL_HITS = 10_000
# The largest value a `long` sort field holds; a cursor beyond it was not handed out.
LONG = 2**63 - 1

S = TypeVar("S", bound=msgspec.Struct)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_millis(moment: datetime) -> int:
    """Milliseconds since the epoch, rounded down as Elasticsearch stores a date and hands it
    back as a sort value (a naive datetime is taken as UTC): what the twins compare with."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def encode_cursor(position: msgspec.Struct) -> str:
    raw = msgspec.json.encode(position)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, shape: type[S], refusal: str) -> S:
    """The position a cursor holds; `InvalidCursorError(refusal)` when it holds none."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return msgspec.json.decode(raw, type=shape)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise InvalidCursorError(refusal) from None


def total_of(count: int, track_total_hits: int) -> Total:
    """A count of matches as Elasticsearch reports it when it stops at `track_total_hits`."""
    if count <= track_total_hits:
        return Total(value=count, relation="eq")
    return Total(value=track_total_hits, relation="gte")
