"""The commerce service: a hexagonal CQRS e-commerce backend."""

__version__ = "0.1.0"
