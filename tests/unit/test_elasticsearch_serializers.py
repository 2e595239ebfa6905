"""The Elasticsearch clients speak JSON through msgspec, with the client's own rules."""

import uuid
from datetime import UTC, datetime

import pytest
from elastic_transport import SerializationError

from commerce.adapters.elasticsearch.client import create_client, create_sync_client
from commerce.adapters.elasticsearch.serializers import msgspec_serializers

JSON = "application/vnd.elasticsearch+json"
NDJSON = "application/vnd.elasticsearch+x-ndjson"


def test_every_client_of_the_service_uses_them_for_every_json_mimetype() -> None:
    ours = {mimetype: type(s) for mimetype, s in msgspec_serializers().items()}
    for client in (create_client("http://localhost:9", 1), create_sync_client("http://x:9", 1)):
        for mimetype, kind in ours.items():
            assert type(client.transport.serializers.get_serializer(mimetype)) is kind


def test_a_bulk_body_is_one_json_line_per_operation_with_ids_and_dates_as_text() -> None:
    product_id = uuid.uuid4()
    when = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
    body = msgspec_serializers()[NDJSON].dumps(
        [{"index": {"_id": str(product_id)}}, {"id": product_id, "at": when, "name": "Café"}]
    )

    assert body.decode() == (
        f'{{"index":{{"_id":"{product_id}"}}}}\n'
        f'{{"id":"{product_id}","at":"2026-12-02T07:00:00Z","name":"Café"}}\n'
    )


def test_a_response_decodes_as_the_standard_library_would_and_an_empty_one_is_none() -> None:
    json = msgspec_serializers()[JSON]

    assert json.loads('{"hits":{"total":{"value":3},"max_score":1.5,"n":"é"}}'.encode()) == {
        "hits": {"total": {"value": 3}, "max_score": 1.5, "n": "é"}
    }
    assert json.loads(b"") is None


def test_what_is_not_json_is_the_clients_serialization_error() -> None:
    json = msgspec_serializers()[JSON]

    with pytest.raises(SerializationError):
        json.loads(b"{not json")
    with pytest.raises(SerializationError):
        json.dumps({"value": object()})
