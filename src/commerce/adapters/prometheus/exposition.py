"""Serving a process's own `/metrics` (the relay's; the worker's is Dramatiq's exposition
server, reading the multiprocess folder `worker_metrics_folder` gives it)."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from prometheus_client import start_http_server

logger = logging.getLogger(__name__)
# Names the folder `worker_metrics_environment` made, so the worker removes it when it ends
# (a `dramatiq_prom_db` someone set by hand is theirs, and left alone). Not `COMMERCE_*`: those
# are settings, and an unknown one is refused.
OWN_FOLDER = "commerce_worker_metrics_folder"
PREFIX = "commerce-worker-metrics-"
# The pid of the worker a folder belongs to (Prometheus reads only the `*.db` files there).
OWNER = "owner.pid"


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
    fresh folder, and its exposition server (Dramatiq's Prometheus middleware) sums them.
    Called in the process that becomes Dramatiq's main one (`exec` keeps the pid)."""
    remove_orphaned_worker_metrics_folders()
    folder = tempfile.mkdtemp(prefix=PREFIX)
    Path(folder, OWNER).write_text(str(os.getpid()))
    return {
        OWN_FOLDER: folder,
        "PROMETHEUS_MULTIPROC_DIR": folder,
        "dramatiq_prom_db": folder,
        "dramatiq_prom_host": host,
        "dramatiq_prom_port": str(port),
    }


def worker_metrics_configured() -> bool:
    """Set by `commerce worker` (above); a bare `dramatiq` run has no metrics server."""
    return "dramatiq_prom_port" in os.environ


def remove_worker_metrics_folder() -> None:
    """Remove the folder `worker_metrics_environment` made, once the worker's processes ended:
    each start makes a new one, which would otherwise stay behind in the temporary folder."""
    if folder := os.environ.get(OWN_FOLDER):
        shutil.rmtree(folder, ignore_errors=True)


def remove_orphaned_worker_metrics_folders() -> None:
    """Remove the folders of workers that ended without removing theirs (killed with SIGKILL,
    or the machine stopped): their owner is no longer running. A folder whose owner is not
    written yet is being made, and is left alone."""
    for folder in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
        try:
            owner = int((folder / OWNER).read_text())
        except (OSError, ValueError):
            continue
        if not _running(owner):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True
