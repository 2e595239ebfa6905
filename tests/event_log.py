"""A minimal read model of the tests' own, so pipeline tests pin the relay, Redis and the
worker rather than a particular projection; and its fixture, for any module that defines a
`settings` fixture with an index prefix of its own."""

from collections.abc import Callable, Iterator, Sequence

import pytest
from elasticsearch import Elasticsearch

from commerce.domain.events import EventEnvelope
from commerce.entrypoints.actors import projection_runner
from commerce.settings import Settings
from projections.runner import ProjectionRunner


class EventLog:
    """Indexes each event under its id (so redelivery is harmless); fails while told to."""

    name = "eventlog"

    def __init__(self, alias: str) -> None:
        self.alias = alias
        self.failures_left = 0

    def ensure_index(self, client: Elasticsearch) -> None:
        if not client.indices.exists(index=self.alias):
            client.indices.create(
                index=self.alias,
                settings={"number_of_replicas": 0, "refresh_interval": "1s"},
            )

    def project(self, client: Elasticsearch, events: Sequence[EventEnvelope]) -> bool:
        if self.failures_left:
            self.failures_left -= 1
            raise ConnectionError("elasticsearch is down")
        for event in events:
            client.index(index=self.alias, id=str(event.event_id), document={"type": event.type})
        return bool(events)


@pytest.fixture
def event_log(settings: Settings) -> Iterator[EventLog]:
    projection = EventLog(f"{settings.index_prefix}-eventlog")
    yield projection
    client = Elasticsearch(settings.elasticsearch_url)
    client.indices.delete(index=projection.alias, ignore_unavailable=True)
    client.close()


EventLogRunner = Callable[[Settings], ProjectionRunner]


@pytest.fixture
def event_log_runner(event_log: EventLog) -> Iterator[EventLogRunner]:
    """Runners of the event log on the given settings, stopped before its index is deleted
    (else their refresh thread refreshes a deleted index when pytest exits)."""
    runners: list[ProjectionRunner] = []

    def runner(settings: Settings) -> ProjectionRunner:
        runners.append(projection_runner(event_log, settings))
        return runners[-1]

    yield runner
    for made in runners:
        made.close()
