"""In-memory twin of the notifier: keeps what it was given; refuses while told to."""

from __future__ import annotations

from commerce.ports.notifier import Email, NotificationFailedError


class InMemoryNotifier:
    def __init__(self) -> None:
        self.sent: list[Email] = []
        self.refusing = False

    async def send(self, email: Email) -> None:
        if self.refusing:
            raise NotificationFailedError("the in-memory mail server refuses messages")
        self.sent.append(email)
