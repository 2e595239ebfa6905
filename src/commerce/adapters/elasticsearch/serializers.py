"""The Elasticsearch clients' JSON through msgspec instead of the standard library's `json`.

The API decodes every search response (its biggest JSON) and the worker encodes every bulk
body: with `json` the decoding alone was ~7 % of the API's CPU under the search bench (py-spy).
The client's own serializers keep their rules (what they accept, `default` for the odd type,
empty bodies, NDJSON framing); only the two calls to `json` change.
"""

from __future__ import annotations

from typing import Any

import msgspec
from elastic_transport import Serializer
from elasticsearch.serializer import (
    CompatibilityModeJsonSerializer,
    CompatibilityModeNdjsonSerializer,
    JsonSerializer,
    NdjsonSerializer,
)


class _Json(JsonSerializer):
    def json_dumps(self, data: Any) -> bytes:
        try:
            return msgspec.json.encode(data, enc_hook=self.default)
        except msgspec.EncodeError as error:  # what the caller catches from `json`
            raise TypeError(str(error)) from error

    def json_loads(self, data: bytes) -> Any:
        return msgspec.json.decode(data)  # its DecodeError is a ValueError, as `json`'s is


class _Ndjson(_Json, NdjsonSerializer):
    pass


class _CompatibleJson(_Json, CompatibilityModeJsonSerializer):
    pass


class _CompatibleNdjson(_Json, CompatibilityModeNdjsonSerializer):
    pass


def msgspec_serializers() -> dict[str, Serializer]:
    """For the clients' `serializers=`: every JSON mimetype the client speaks."""
    serializers: list[Serializer] = [_Json(), _Ndjson(), _CompatibleJson(), _CompatibleNdjson()]
    return {serializer.mimetype: serializer for serializer in serializers}
