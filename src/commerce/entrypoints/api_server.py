"""The API's uvicorn server, and the light main module its processes run from.

uvicorn spawns each API process, which imports the parent's main module before it can answer
uvicorn's health ping, and uvicorn kills a process that does not answer in time. From the
`commerce` script that main module was the whole CLI (4 s of CPU; past 30 s on a loaded 2-core
box): a process still starting was killed, spawned again and killed again, so the API never
came up. With several processes `commerce serve` therefore replaces itself with
`python -m commerce.entrypoints.api_server`, whose imports are uvicorn and the settings: each
process answers at once and loads the app afterwards, while the ping thread keeps answering.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from commerce.entrypoints.logs import logging_config
from commerce.settings import Settings, load_settings

# How long uvicorn waits for a process's health ping before it kills the process as hung. Only
# a process whose every thread is stuck misses it; a dead one is noticed at once anyway.
WORKER_HEALTHCHECK_TIMEOUT = 30  # seconds


def serve_api(settings: Settings, host: str, port: int) -> None:
    """Serve in this process, or, with several processes, from this light module."""
    if settings.workers == 1:
        _run_uvicorn(settings, host, port)
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(  # noqa: S606 (our own interpreter and module)
        sys.executable, [sys.executable, "-m", __name__, host, str(port)]
    )


def _run_uvicorn(settings: Settings, host: str, port: int) -> None:
    with shared_metrics(settings.workers):
        uvicorn.run(
            "commerce.entrypoints.http.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=settings.workers,
            http="httptools",
            loop="uvloop",
            log_level=settings.log_level.lower(),
            # Applied in each API process; requests are logged by the app, with their trace.
            log_config=logging_config("api", settings.log_level, settings.log_format),
            access_log=False,
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_TIMEOUT,
            **forwarded_for_options(settings),
        )


@contextmanager
def shared_metrics(workers: int) -> Iterator[None]:
    """With several API processes, each writes its metrics to files in one folder and
    `/metrics` sums them all (prometheus_client's multiprocess mode, which Litestar's controller
    reads when PROMETHEUS_MULTIPROC_DIR is set); otherwise it would report only the process
    that happened to answer. A folder of the operator's is kept; one made here is removed."""
    if workers == 1 or os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="commerce-metrics-") as folder:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
        try:
            yield
        finally:
            del os.environ["PROMETHEUS_MULTIPROC_DIR"]


def forwarded_for_options(settings: Settings) -> dict[str, Any]:
    """uvicorn believes X-Forwarded-For only from `COMMERCE_TRUSTED_PROXIES`. Left to itself it
    would trust loopback, or whatever its own FORWARDED_ALLOW_IPS says; with no proxy
    configured it reads no such header at all, and the peer's address is the client's."""
    return {"proxy_headers": bool(settings.proxies), "forwarded_allow_ips": settings.proxies}


if __name__ == "__main__":
    _run_uvicorn(load_settings(), sys.argv[1], int(sys.argv[2]))
