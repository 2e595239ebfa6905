"""Which read models receive events, and the Dramatiq queue and actor of each.

The relay sends every claimed batch to every projection; each applies the events it cares
about and records all of them as seen, so a consistency token never waits for an event a read
model does not use.
"""

PROJECTIONS: tuple[str, ...] = ("products",)


def queue_name(projection: str) -> str:
    return f"projection-{projection}"


def actor_name(projection: str) -> str:
    return f"project_{projection}"
