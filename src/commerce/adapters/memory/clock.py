"""A clock a test sets and moves."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta


@dataclass
class FixedClock:
    current: datetime = field(default_factory=lambda: datetime(2026, 11, 23, 10, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta
