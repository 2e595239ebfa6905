"""The local stack: PostgreSQL, Redis and Elasticsearch as real servers, without Docker.

Binaries come from Debian's packages (installed with apt-get when missing and running as root)
and Elasticsearch from its Maven Central distribution. When run as root, the servers run as
an unprivileged system user, since PostgreSQL and Elasticsearch refuse to run as root.

A tool of the checkout, not of the service: it is not in the `commerce` wheel (a deployment
brings its own servers) and runs as `.venv/bin/python -m devstack up|down|status|env|run`
from the checkout's root (docs/adr/0011).
"""
