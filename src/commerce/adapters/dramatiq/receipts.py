"""Receipts: a consumer that applied a batch adds its name to the batch's set in the broker's
Redis. The relay reads them to settle batches in PostgreSQL; one that Redis lost only makes the
relay send the batch again (docs/adr/0007)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

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


def queued(broker: RedisBroker, consumers: Sequence[str]) -> dict[str, int]:
    """How many messages each consumer's queue holds (Dramatiq's Redis broker keeps each in
    `<queue>.msgs` or `<queue>.DQ.msgs` until it is acknowledged)."""
    with broker.client.pipeline(transaction=False) as pipe:
        for consumer in consumers:
            full = f"{broker.namespace}:{queue_name(consumer)}"
            pipe.hlen(f"{full}.msgs")
            pipe.hlen(f"{full}.DQ.msgs")
        counts = cast(list[int], pipe.execute())
    return {
        consumer: waiting + delayed
        for consumer, waiting, delayed in zip(consumers, counts[::2], counts[1::2], strict=True)
    }


def read_receipts(broker: RedisBroker, batch_ids: Sequence[int]) -> dict[int, set[str]]:
    with broker.client.pipeline(transaction=False) as pipe:
        for batch_id in batch_ids:
            pipe.smembers(_key(broker, batch_id))
        replies = cast(list[set[bytes]], pipe.execute())
    return {
        batch_id: {name.decode() for name in names}
        for batch_id, names in zip(batch_ids, replies, strict=True)
    }
