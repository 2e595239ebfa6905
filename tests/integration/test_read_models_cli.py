"""`commerce read-models ensure` prepares the indices that `make run` needs."""

import uuid

import pytest
from click.testing import CliRunner
from elasticsearch import Elasticsearch

from commerce.entrypoints.cli import main
from commerce.settings import Settings


def test_ensure_creates_the_products_alias_and_is_idempotent(
    stack_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("COMMERCE_INDEX_PREFIX", prefix)
    client = Elasticsearch(stack_settings.elasticsearch_url)
    try:
        first = CliRunner().invoke(main, ["read-models", "ensure"])
        second = CliRunner().invoke(main, ["read-models", "ensure"])

        assert first.exit_code == 0, first.output
        assert second.exit_code == 0, second.output
        assert client.indices.exists_alias(name=f"{prefix}-products")
    finally:
        for name in client.indices.get(index=f"{prefix}-*", allow_no_indices=True):
            client.indices.delete(index=name)
        client.close()
