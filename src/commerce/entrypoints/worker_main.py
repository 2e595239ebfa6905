"""What `commerce worker` runs: Dramatiq's own command line, logging in the service's schema.

Dramatiq is told not to set logging up (`--skip-logging`): this, its main process, logs as
every other process does, and each worker process it starts does the same on importing
`commerce.entrypoints.worker`; their lines reach this process's stderr through Dramatiq's
pipes, whole.
"""

import sys

from dramatiq.cli import main

from commerce.adapters.prometheus.exposition import remove_worker_metrics_folder
from commerce.entrypoints.logs import configure_logging
from commerce.settings import load_settings

if __name__ == "__main__":
    settings = load_settings()
    configure_logging("worker", settings.log_level, settings.log_format)
    try:
        code = main()  # type: ignore[no-untyped-call]
    finally:
        remove_worker_metrics_folder()
    sys.exit(code)
