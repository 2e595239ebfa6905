"""Receipts: a consumer that applied a batch adds its name to the batch's set in the broker's
Redis. The relay reads them to settle batches in PostgreSQL; one that Redis lost only makes the
relay send the batch again (docs/adr/0007)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

import msgspec
from dramatiq.brokers.redis import RedisBroker

from commerce.adapters.dramatiq.routing import queue_name

# Far longer than any batch stays unsettled: the relay looks within seconds, or minutes when
# it backs off; past this, a missing receipt means one more (harmless) delivery.
RECEIPT_TTL_S = 86_400


def _key(broker: RedisBroker, batch_id: int) -> str:
    return f"{broker.namespace}:applied:{batch_id}"


def record_receipt(broker: RedisBroker, batch_id: int, consumer: str) -> None:
    with broker.client.pipeline(transaction=False) as pipe:
        pipe.sadd(_key(broker, batch_id), consumer)
        pipe.expire(_key(broker, batch_id), RECEIPT_TTL_S)
        pipe.execute()


def busy_queues(broker: RedisBroker, consumers: Sequence[str]) -> set[str]:
    """Consumers whose queue holds messages: waiting, taken by a worker and not acknowledged,
    or delayed for a retry."""
    return {consumer for consumer, held in queued(broker, consumers).items() if held}


def _held(broker: RedisBroker, consumer: str) -> tuple[str, str]:
    """Where Dramatiq's Redis broker keeps a queue's messages until they are acknowledged:
    waiting or taken by a worker, and delayed for a retry."""
    full = f"{broker.namespace}:{queue_name(consumer)}"
    return f"{full}.msgs", f"{full}.DQ.msgs"


def queued(broker: RedisBroker, consumers: Sequence[str]) -> dict[str, int]:
    """How many messages each consumer's queue holds."""
    with broker.client.pipeline(transaction=False) as pipe:
        for consumer in consumers:
            for key in _held(broker, consumer):
                pipe.hlen(key)
        counts = cast(list[int], pipe.execute())
    return {
        consumer: waiting + delayed
        for consumer, waiting, delayed in zip(consumers, counts[::2], counts[1::2], strict=True)
    }


class _Event(msgspec.Struct):
    occurred_at: datetime


class _Batch(msgspec.Struct):
    args: tuple[list[_Event]]  # the message's only argument: the batch's envelopes


_BATCH = msgspec.json.Decoder(_Batch)


def oldest_held(broker: RedisBroker, consumers: Sequence[str]) -> dict[str, datetime | None]:
    """When the oldest event occurred among the batches each consumer's queue holds (None:
    it holds none). The relay keeps every queue to a few dozen batches, so reading them all
    is cheap."""
    with broker.client.pipeline(transaction=False) as pipe:
        for consumer in consumers:
            for key in _held(broker, consumer):
                pipe.hvals(key)
        replies = cast(list[list[bytes]], pipe.execute())
    found: dict[str, datetime | None] = {}
    for consumer, waiting, delayed in zip(consumers, replies[::2], replies[1::2], strict=True):
        times = [e.occurred_at for raw in waiting + delayed for e in _BATCH.decode(raw).args[0]]
        found[consumer] = min(times, default=None)
    return found


def read_receipts(broker: RedisBroker, batch_ids: Sequence[int]) -> dict[int, set[str]]:
    with broker.client.pipeline(transaction=False) as pipe:
        for batch_id in batch_ids:
            pipe.smembers(_key(broker, batch_id))
        replies = cast(list[set[bytes]], pipe.execute())
    return {
        batch_id: {name.decode() for name in names}
        for batch_id, names in zip(batch_ids, replies, strict=True)
    }
