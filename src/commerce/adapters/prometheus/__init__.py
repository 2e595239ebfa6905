"""Prometheus metrics, one module per concern; nothing in `application/` or `domain/` imports
them (the dependency-rule test)."""
