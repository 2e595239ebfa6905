"""Command and query handlers, one module per use case. Depends on domain and ports only."""
