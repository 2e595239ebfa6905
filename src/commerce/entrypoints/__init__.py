"""Process entry points: the HTTP API, the CLI and the local stack manager."""
