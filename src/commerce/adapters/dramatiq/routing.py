"""Who receives event batches, and the Dramatiq queue and actor of each.

The relay sends every claimed batch to every consumer: the read models (each applies the
events it cares about and records all of them as seen, so a consistency token never waits
for an event a read model does not use), the order saga (which reacts to cancellations) and
the customer emails.
Each consumer has a queue of its own, so one that fails and retries never holds up another.
"""

READ_MODELS: tuple[str, ...] = ("products", "orders", "carts", "reviews", "promotions")
ORDER_SAGA = "order_saga"
NOTIFICATIONS = "notifications"
CONSUMERS: tuple[str, ...] = (*READ_MODELS, ORDER_SAGA, NOTIFICATIONS)
# The consumers whose backlog holds the relay back. Not the emails: a mail server that is down
# retries their batches into the dead letters (`commerce events replay` sends them again)
# rather than stop the read models and the saga.
PACING: tuple[str, ...] = (*READ_MODELS, ORDER_SAGA)


def queue_name(consumer: str) -> str:
    return f"events-{consumer}"


def actor_name(consumer: str) -> str:
    return f"handle_{consumer}"
