"""Batches travel as the same JSON whichever encoder wrote them: a message already queued by
Dramatiq's own encoder is read by ours, and the other way round."""

from __future__ import annotations

import pytest
from dramatiq.encoder import JSONEncoder
from dramatiq.errors import DecodeError

from commerce.adapters.dramatiq.encoder import MsgspecJSONEncoder

MESSAGE = {
    "queue_name": "commerce.products",
    "actor_name": "project_products",
    "args": [[{"event_id": "0b6c", "type": "ProductCreated", "payload": {"name": "Kettle é"}}]],
    "kwargs": {"batch_id": 7},
    "options": {"retries": 2},
    "message_id": "abc",
    "message_timestamp": 1764633600000,
}


def test_either_encoder_reads_what_the_other_wrote() -> None:
    ours, theirs = MsgspecJSONEncoder(), JSONEncoder()

    assert ours.decode(theirs.encode(MESSAGE)) == MESSAGE
    assert theirs.decode(ours.encode(MESSAGE)) == MESSAGE


@pytest.mark.parametrize("garbage", [b"{not json", b'{"a": "\xff"}'])
def test_a_message_that_is_not_json_is_a_dramatiq_decode_error(garbage: bytes) -> None:
    with pytest.raises(DecodeError):
        MsgspecJSONEncoder().decode(garbage)
