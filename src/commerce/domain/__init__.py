"""Aggregates, value objects, domain events and errors. Pure Python: no I/O, no framework."""
