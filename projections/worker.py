"""The projection worker process: `commerce worker`, or `dramatiq projections.worker`.

Dramatiq imports this module and serves the broker it finds here, with one actor per read
model (projections/runner.py).
"""

import logging
from typing import Any

import dramatiq

from commerce.adapters.dramatiq.broker import redis_broker
from commerce.settings import Settings, load_settings
from projections.base import Projection
from projections.products import products_projection
from projections.runner import ProjectionRunner, declare_actor


def projections_for(settings: Settings) -> list[Projection]:
    return [products_projection(settings.index_prefix)]


def declare_actors(broker: dramatiq.Broker, settings: Settings) -> list[dramatiq.Actor[Any, None]]:
    return [
        declare_actor(broker, ProjectionRunner(projection, settings))
        for projection in projections_for(settings)
    ]


settings = load_settings()
# One line per Elasticsearch request is noise at INFO; failures still log as warnings.
logging.getLogger("elastic_transport").setLevel(logging.WARNING)
broker = redis_broker(settings.redis_url)
dramatiq.set_broker(broker)
actors = declare_actors(broker, settings)
