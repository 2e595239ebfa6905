"""Serving a process's own `/metrics` (the relay's; the worker's is Dramatiq's exposition
server, reading the multiprocess folder `worker_metrics_folder` gives it)."""

from __future__ import annotations

import logging
import os
import tempfile

from prometheus_client import start_http_server

logger = logging.getLogger(__name__)


def serve_metrics(host: str, port: int, process: str) -> None:
    """Serve `/metrics` on a thread; port 0 is off. A port already taken is logged, not fatal:
    the process's work matters more than its figures."""
    if not port:
        return
    try:
        start_http_server(port, addr=host)
    except OSError as error:
        logger.warning("%s metrics not served on %s:%d: %s", process, host, port, error)
    else:
        logger.info("%s metrics on http://%s:%d/metrics", process, host, port)


def worker_metrics_environment(host: str, port: int) -> dict[str, str]:
    """The variables with which every Dramatiq process of one worker writes its metrics to one
    fresh folder, and its exposition server (Dramatiq's Prometheus middleware) sums them."""
    folder = tempfile.mkdtemp(prefix="commerce-worker-metrics-")
    return {
        "PROMETHEUS_MULTIPROC_DIR": folder,
        "dramatiq_prom_db": folder,
        "dramatiq_prom_host": host,
        "dramatiq_prom_port": str(port),
    }


def worker_metrics_configured() -> bool:
    """Set by `commerce worker` (above); a bare `dramatiq` run has no metrics server."""
    return "dramatiq_prom_port" in os.environ
