"""What every read model's index shares: its settings, creating it behind its alias, checking
at start-up that the server takes its mapping, and the errors of both."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from elasticsearch import ApiError, Elasticsearch

# What to do about a read model that only events build (no rebuild from the write side yet).
REPLAY_REMEDY = (
    "delete its index and project the events again (`commerce read-models rebuild` covers "
    "products, reviews and promotions only)"
)


class IndexMappingError(RuntimeError):
    """The server refused the read model's index or mapping."""


class ProjectionWriteError(RuntimeError):
    """Elasticsearch refused a write, or it kept conflicting; the worker retries the batch."""


def alias_of(index_prefix: str, name: str) -> str:
    """What readers and writers of a read model name: its index hides behind this alias."""
    return f"{index_prefix}-{name}"


class IndexedProjection:
    """What every read model's projection shares: its alias under the service's index prefix,
    its index settings, and creating that index with its mapping. A subclass names the read
    model, its mapping and what to do when the server refuses it, and projects events."""

    name: str
    mapping: Mapping[str, Any]
    remedy: str = REPLAY_REMEDY

    def __init__(
        self,
        index_prefix: str,
        *,
        replicas: int = 0,
        refresh_interval: str = "1s",
        max_attempts: int = 8,
    ) -> None:
        self.alias = alias_of(index_prefix, self.name)
        self.replicas = replicas  # one or more on a cluster of several nodes
        self.refresh_interval = refresh_interval
        self.max_attempts = max_attempts  # of a versioned write that keeps conflicting

    def ensure_index(self, client: Elasticsearch) -> None:
        ensure_index(
            client,
            self.alias,
            self.mapping,
            replicas=self.replicas,
            refresh_interval=self.refresh_interval,
            remedy=self.remedy,
        )


def serving(client: Elasticsearch, index: str, replicas: int, refresh_interval: str) -> None:
    """A freshly loaded index (loaded without replicas or refreshes) made ready to serve."""
    client.indices.put_settings(
        index=index,
        settings={"number_of_replicas": replicas, "refresh_interval": refresh_interval},
    )
    client.indices.refresh(index=index)
    client.cluster.health(index=index, wait_for_status="yellow", timeout="30s")


def index_settings(replicas: int, refresh_interval: str, shards: int = 1) -> dict[str, Any]:
    return {
        "number_of_shards": shards,
        "number_of_replicas": replicas,
        # Explicit: an index left at the default stops refreshing while idle.
        "refresh_interval": refresh_interval,
    }


def ensure_index(
    client: Elasticsearch,
    alias: str,
    mapping: Mapping[str, Any],
    *,
    replicas: int,
    refresh_interval: str,
    remedy: str,
) -> None:
    """Create `<alias>-v<mapping version>` with the alias if no index holds the alias yet;
    otherwise put the mapping on the index behind it (adds new fields, and proves the server
    accepts it). Raises `IndexMappingError`, saying `remedy`, when the server refuses."""
    if client.indices.exists_alias(name=alias):
        try:
            client.indices.put_mapping(
                index=alias,
                dynamic=mapping["dynamic"],
                meta=mapping["_meta"],
                properties=mapping["properties"],
            )
        except ApiError as error:
            raise IndexMappingError(
                f"the index behind {alias!r} does not take the current mapping "
                f"({error_reason(error)}); {remedy}"
            ) from error
        return
    index = f"{alias}-v{mapping['_meta']['mapping_version']}"
    try:
        create_index(client, index, replicas, refresh_interval, alias=alias, mapping=mapping)
    except IndexMappingError as error:
        if "resource_already_exists" not in str(error):
            raise
        # Another worker created it at the same moment; the alias came with it.


def create_index(
    client: Elasticsearch,
    index: str,
    replicas: int,
    refresh_interval: str,
    *,
    mapping: Mapping[str, Any],
    alias: str | None = None,
) -> None:
    try:
        client.indices.create(
            index=index,
            settings=index_settings(replicas, refresh_interval),
            mappings=mapping,
            aliases={alias: {}} if alias else None,
        )
    except ApiError as error:
        model = mapping.get("_meta", {}).get("model", "read model")
        raise IndexMappingError(
            f"Elasticsearch refused the {model} index {index!r}: {error_reason(error)}. The "
            "mapping uses only field types and analysers of the bare server (no "
            "analysis-common, mapper-extras or lang-painless); check the server's version "
            "and modules"
        ) from error


def error_reason(error: ApiError) -> str:
    info = error.info if isinstance(error.info, dict) else {}
    cause = info.get("error", {})
    if isinstance(cause, dict):
        return f"{cause.get('type', 'error')}: {cause.get('reason', error.message)}"
    return str(error.message)


def indices_behind(client: Elasticsearch, alias: str) -> list[str]:
    if not client.indices.exists_alias(name=alias):
        return []
    return sorted(client.indices.get_alias(name=alias).body)


def swap_alias(client: Elasticsearch, alias: str, index: str) -> list[str]:
    """Point `alias` at `index` alone, atomically; the indices it left."""
    old = indices_behind(client, alias)
    actions: list[dict[str, Any]] = [{"remove": {"index": name, "alias": alias}} for name in old]
    actions.append({"add": {"index": index, "alias": alias}})
    client.indices.update_aliases(actions=actions)
    return old
