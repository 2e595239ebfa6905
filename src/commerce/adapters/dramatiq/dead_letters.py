"""Messages Dramatiq parked after their last retry, and sending them again.

Dramatiq's Redis broker keeps them per queue in `<namespace>:<queue>.XQ` (ids by time) and
`<namespace>:<queue>.XQ.msgs` (the messages), for `dead_message_ttl` (7 days).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import dramatiq
from dramatiq.brokers.redis import RedisBroker


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    queue: str
    actor: str
    error: str
    events: int


def _keys(broker: RedisBroker, queue: str) -> tuple[str, str]:
    parked = f"{broker.namespace}:{queue}.XQ"
    return parked, parked + ".msgs"


def _load(broker: RedisBroker, queue: str) -> list[tuple[str, dramatiq.Message]]:  # type: ignore[type-arg]
    _, messages = _keys(broker, queue)
    raw = cast(dict[bytes, bytes], broker.client.hgetall(messages))
    return [(key.decode(), dramatiq.Message.decode(data)) for key, data in sorted(raw.items())]


def dead_letters(broker: RedisBroker, queue: str) -> list[DeadLetter]:
    return [
        DeadLetter(
            message_id=message_id,
            queue=queue,
            actor=message.actor_name,
            error=_last_line(str(message.options.get("traceback", ""))),
            events=len(message.args[0]) if message.args else 0,
        )
        for message_id, message in _load(broker, queue)
    ]


def _last_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[-1] if lines else ""


def replay(broker: RedisBroker, queue: str) -> int:
    """Send every parked message of `queue` again, with a fresh retry budget."""
    parked, messages = _keys(broker, queue)
    count = 0
    for message_id, message in _load(broker, queue):
        fresh = message.copy(options={})
        broker.enqueue(fresh)
        broker.client.zrem(parked, message_id)
        broker.client.hdel(messages, message_id)
        count += 1
    return count


def parked_counts(broker: RedisBroker, queues: Sequence[str]) -> dict[str, int]:
    """How many messages each queue has parked, without loading them."""
    with broker.client.pipeline(transaction=False) as pipe:
        for queue in queues:
            pipe.hlen(_keys(broker, queue)[1])
        counts = cast(list[int], pipe.execute())
    return dict(zip(queues, counts, strict=True))
