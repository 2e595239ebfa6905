"""The sent-log: which notification has been sent, so each is sent once per event.

A notification is keyed by the event it announces and its recipient. A sender claims it before
sending: the claim is a lease, so a sender that dies holding one (after the mail server took
the message, before the log says so) does not block it forever; once the lease has run out,
the next delivery of the event takes the claim over and sends again, with the same
`Message-ID`. That window is the only one where a customer may get a message twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol
from uuid import UUID


class Claim(StrEnum):
    TAKEN = "taken"  # yours to send: nobody sent it, nobody else holds a live claim
    SENT = "sent"  # sent already: nothing to do
    HELD = "held"  # another sender holds a live claim: try again after its lease


class NotificationLog(Protocol):
    async def claim(
        self, event_id: UUID, recipient: UUID, *, now: datetime, lease: timedelta
    ) -> Claim:
        """Claim the notification of `event_id` to `recipient` until `now + lease`."""
        ...

    async def mark_sent(self, event_id: UUID, recipient: UUID, *, now: datetime) -> None:
        """Record it sent: no claim is granted for it again."""
        ...

    async def release(self, event_id: UUID, recipient: UUID) -> None:
        """Give a claim back after a failed send, so the retry need not wait for the lease."""
        ...
