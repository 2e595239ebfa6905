"""The service's settings: every `COMMERCE_*` environment variable, decoded into one Struct."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from typing import Annotated

import msgspec

PREFIX = "COMMERCE_"
# Variables read by the local stack manager, not by the service.
STACK_PREFIX = "COMMERCE_STACK_"

Port = Annotated[int, msgspec.Meta(ge=1, le=65535)]
Seconds = Annotated[float, msgspec.Meta(gt=0, le=60)]
Currency = Annotated[str, msgspec.Meta(pattern="^[A-Z]{3}$")]


class SettingsError(ValueError):
    """The environment does not describe a valid configuration."""


class Settings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Defaults point at the local stack (`python -m devstack up`), so a checkout runs as it is."""

    database_url: str = "postgresql://commerce:commerce@127.0.0.1:55432/commerce"
    redis_url: str = "redis://127.0.0.1:56379/0"
    elasticsearch_url: str = "http://127.0.0.1:59200"
    currency: Currency = "EUR"
    host: str = "127.0.0.1"
    port: Port = 8000
    workers: Annotated[int, msgspec.Meta(ge=1, le=64)] = 1
    log_level: Annotated[str, msgspec.Meta(pattern="^(DEBUG|INFO|WARNING|ERROR)$")] = "INFO"
    # Log lines as JSON, as readable text, or (auto) text on a terminal and JSON elsewhere.
    log_format: Annotated[str, msgspec.Meta(pattern="^(auto|json|text)$")] = "auto"
    readiness_timeout: Seconds = 2.0
    # How long a query with a Consistency-Token waits for its read model to catch up.
    consistency_wait: Seconds = 2.0
    # The worker refreshes a read model's index at most once per this many seconds while it
    # writes to it, then records the events written meanwhile as projected (what a token waits
    # for): one refresh for many batches, never one per batch (docs/adr/0005).
    projection_refresh_interval: Annotated[float, msgspec.Meta(ge=0.05, le=5)] = 0.5
    # How long a query waits for Elasticsearch (connecting and any retry included) before it
    # answers 503: a shopper's search is answered within 2 s, whatever the cluster does.
    elasticsearch_timeout: Seconds = 1.5
    # After this many failed queries in a row (no answer in time, unreachable, 5xx or 429), the
    # API stops asking Elasticsearch: queries answer 503 at once for the cool-down, then one
    # query probes it; its answer resumes queries, its failure starts another cool-down.
    elasticsearch_breaker_failures: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 5
    elasticsearch_breaker_cool_down: Seconds = 5.0
    # Read-model indices and aliases are named `<prefix>-<model>`; tests use a prefix of their own.
    index_prefix: Annotated[str, msgspec.Meta(pattern="^[a-z0-9][a-z0-9_-]{0,40}$")] = "commerce"
    # Unset, each process makes a random secret: fine for one development process, but
    # tokens then die with the process and are not shared between workers.
    jwt_secret: Annotated[str, msgspec.Meta(min_length=32)] | None = None
    access_token_ttl: Annotated[int, msgspec.Meta(ge=60, le=86400)] = 900
    # How long an order may stay unpaid before the scheduler cancels it (`payment_expired`).
    payment_window: Annotated[int, msgspec.Meta(ge=60, le=30 * 86400)] = 1800
    # A payment or refund left pending this long (a gateway timeout, a crash) is reconciled.
    reconcile_after: Annotated[int, msgspec.Meta(ge=1, le=86400)] = 30
    # How often the scheduler looks for expired orders and pending payments.
    scheduler_interval: Seconds = 5.0
    # A published batch that some consumer has not applied this long after is sent to it
    # again (then after twice as long, ...): what a broker lost is re-sent from the outbox.
    redrive_after: Annotated[int, msgspec.Meta(ge=1, le=3600)] = 30
    # Events applied by every consumer stay in the outbox this long (seconds), then go.
    outbox_retention: Annotated[int, msgspec.Meta(ge=60)] = 7 * 86400
    # The reverse proxies whose X-Forwarded-For names the client (addresses or CIDR networks,
    # comma-separated). Empty: nobody's, so a client cannot pick the address it is counted by.
    trusted_proxies: str = ""
    # Customer emails: the mail server (`smtps://` for TLS; `user:password@` to log in), whom
    # they come from, the store's name they are signed with and where their links point.
    smtp_url: str = "smtp://127.0.0.1:51025"
    smtp_timeout: Seconds = 10.0
    mail_from: Annotated[str, msgspec.Meta(pattern=r"^[^@\s<>]+@[^@\s<>]+$")] = (
        "orders@shop.example"
    )
    store_name: Annotated[
        str, msgspec.Meta(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")
    ] = "Commerce"
    store_url: str = "http://127.0.0.1:8000"
    # An email claimed for sending is not sent by anyone else this long (seconds): longer than
    # a send can take. A worker that died after the mail server took the message, before the
    # sent-log said so, has it sent again once this has passed (docs/adr/0016).
    notification_lease: Annotated[int, msgspec.Meta(ge=1, le=3600)] = 60
    # Where the relay and the worker serve their own `/metrics` (the API serves it on `port`);
    # 0: not at all. The worker's processes share one registry (multiprocess mode).
    relay_metrics_port: Annotated[int, msgspec.Meta(ge=0, le=65535)] = 9101
    worker_metrics_port: Annotated[int, msgspec.Meta(ge=0, le=65535)] = 9102
    metrics_host: str = "127.0.0.1"

    def __post_init__(self) -> None:
        _require_scheme("database_url", self.database_url, ("postgresql", "postgres"))
        _require_scheme("smtp_url", self.smtp_url, ("smtp", "smtps"))
        _require_scheme("store_url", self.store_url, ("http", "https"))
        if self.notification_lease <= self.smtp_timeout:
            raise ValueError("notification_lease must be longer than smtp_timeout")
        _require_scheme("redis_url", self.redis_url, ("redis", "rediss"))
        _require_scheme("elasticsearch_url", self.elasticsearch_url, ("http", "https"))
        for proxy in self.proxies:
            try:
                ipaddress.ip_network(proxy)
            except ValueError:
                raise ValueError(
                    f"trusted_proxies: {proxy!r} is not an IP address or network"
                ) from None

    @property
    def api_url(self) -> str:
        """Where a browser on this machine reaches the API: `host` and `port`, a wildcard bind
        address (`0.0.0.0`, `::`) read as loopback."""
        host = "127.0.0.1" if self.host in ("", "0.0.0.0", "::") else self.host  # noqa: S104
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    @property
    def proxies(self) -> list[str]:
        """`trusted_proxies`, one address or network each."""
        return [item.strip() for item in self.trusted_proxies.split(",") if item.strip()]


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings from `environ` (default: the process environment).

    An unknown `COMMERCE_*` variable is an error rather than silently ignored: a typo in a
    deployment should stop the process, not run it against the default database.
    """
    env = os.environ if environ is None else environ
    raw = {
        name.removeprefix(PREFIX).lower(): value
        for name, value in env.items()
        if name.startswith(PREFIX) and not name.startswith(STACK_PREFIX)
    }
    try:
        return msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as error:
        raise SettingsError(_explain(error)) from None


def _require_scheme(field: str, url: str, schemes: tuple[str, ...]) -> None:
    scheme = url.partition("://")[0].split("+")[0]
    if "://" not in url or scheme not in schemes:
        raise ValueError(f"{field} must be a {' or '.join(schemes)}:// URL")


def _explain(error: msgspec.ValidationError) -> str:
    # msgspec names the offending field as `$.field`; name the variable the operator set.
    message = str(error)
    if "- at `$." in message:
        text, _, path = message.partition(" - at `$.")
        return f"{PREFIX}{path.rstrip('`').upper()}: {text}"
    if "Object contains unknown field `" in message:
        field = message.split("`")[1]
        return f"unknown setting {PREFIX}{field.upper()}"
    return message
