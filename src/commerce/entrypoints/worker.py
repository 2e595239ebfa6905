"""The worker process: `commerce worker`, or `dramatiq commerce.entrypoints.worker`.

Dramatiq imports this module and serves the broker it finds here, with one actor per read
model (projections/runner.py, run by commerce/entrypoints/actors.py), one for the order
saga and one for the customer emails.
"""

import logging
from typing import Any

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from commerce.adapters.dramatiq.broker import redis_broker
from commerce.adapters.dramatiq.liveness import Heartbeat
from commerce.adapters.prometheus.exposition import worker_metrics_configured
from commerce.adapters.telemetry.setup import stop_tracing
from commerce.entrypoints.actors import BatchConsumer, declare_actor, projection_runner
from commerce.entrypoints.customer_emails import customer_emails
from commerce.entrypoints.logs import configure_logging
from commerce.entrypoints.order_saga import order_saga
from commerce.entrypoints.tracing import trace_process
from commerce.settings import Settings, load_settings
from projections.registry import projections_for

# The orders read model also retries a batch whose order's earlier event is still on its way
# (worker threads take batches out of order): retry soon and often rather than back off long.
RETRY_POLICIES: dict[str, dict[str, int]] = {"orders": {"max_retries": 100, "max_backoff": 2_000}}


def declare_actors(broker: RedisBroker, settings: Settings) -> list[dramatiq.Actor[Any, None]]:
    consumers: list[BatchConsumer] = [
        projection_runner(projection, settings)
        for projection in projections_for(settings.index_prefix)
    ]
    consumers += [order_saga(settings), customer_emails(settings)]
    return [
        declare_actor(broker, consumer, **RETRY_POLICIES.get(consumer.name, {}))
        for consumer in consumers
    ]


class ExportSpans(dramatiq.Middleware):
    """A worker process ends without running `atexit`: what its tracer holds is sent first."""

    def after_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        stop_tracing()


settings = load_settings()
configure_logging("worker", settings.log_level, settings.log_format)
# One line per Elasticsearch request is noise at INFO; failures still log as warnings.
logging.getLogger("elastic_transport").setLevel(logging.WARNING)
broker = redis_broker(settings.redis_url)
if trace_process("worker"):
    broker.add_middleware(ExportSpans())
broker.add_middleware(Heartbeat(settings.redis_url))
if worker_metrics_configured():
    from dramatiq.middleware.prometheus import Prometheus  # reads its settings when imported

    broker.add_middleware(Prometheus())
dramatiq.set_broker(broker)
actors = declare_actors(broker, settings)
