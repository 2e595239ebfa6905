"""payments adapters: the sandbox gateway."""
