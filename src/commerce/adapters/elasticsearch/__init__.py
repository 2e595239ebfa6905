"""elasticsearch adapters."""
