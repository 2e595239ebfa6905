"""Errors the domain raises; the HTTP edge maps each kind to one status code."""


class DomainError(Exception):
    """A rule of the business was broken."""


class DomainValidationError(DomainError):
    """A value is not acceptable (422)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotFoundError(DomainError):
    """The thing does not exist, or is not the caller's to see (404)."""


class ConflictError(DomainError):
    """The request conflicts with the current state (409)."""

    code = "conflict"


class ConcurrencyError(ConflictError):
    """Someone else changed the aggregate since it was read (409, or 412 with If-Match)."""

    code = "stale_version"


class AlreadyExistsError(ConcurrencyError):
    """A new aggregate's id was taken meanwhile: by someone else, or by an earlier attempt of
    the same request (409)."""


class PermissionDeniedError(DomainError):
    """Authenticated, but not allowed (403). A `reason` names the rule, for clients to act on."""

    reason: str | None = None


class VersionMismatchError(DomainError):
    """The caller asked to change version N (`If-Match`) but the aggregate has moved (412)."""


class AuthenticationError(DomainError):
    """The credentials do not identify anyone (401). The message never says which part was
    wrong, so it cannot tell whether an account exists."""


class RateLimitedError(DomainError):
    """Too many attempts: try again in `retry_after` seconds (429)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)
