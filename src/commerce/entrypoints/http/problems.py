"""RFC 9457 problem details: the one place where errors become HTTP responses.

No stack trace, SQL or internal name reaches a client; an unexpected error is logged here with
its traceback and answered with a bare 500.
"""

from __future__ import annotations

import logging
import math
import re
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.types import ExceptionHandlersMap

from commerce.domain.errors import (
    AuthenticationError,
    ConflictError,
    DomainError,
    DomainValidationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    VersionMismatchError,
)
from commerce.domain.pricing import PromoCodeRejectedError
from commerce.domain.values import Money
from commerce.ports.health import DependencyUnavailableError

PROBLEM_MEDIA_TYPE = "application/problem+json"
# Specific problems are named by a URN: stable, comparable, and no pretend web address.
PROBLEM_TYPE_PREFIX = "urn:commerce:problem:"
# Long enough for a restart or a failover to begin, short enough for a person to wait.
RETRY_AFTER_SECONDS = 1

logger = logging.getLogger(__name__)

_MSGSPEC_PATH = re.compile(r" - at `(?P<in_key>key` in `)?\$\.(?P<path>[^`]*)`$")


class FieldError(msgspec.Struct, frozen=True):
    field: str
    message: str


class Problem(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """`type` is `about:blank` for errors that the status code alone explains; specific
    problems (out of stock, stale version, ...) name their own type. A promo code refused
    says why in `reason` (and, below its minimum, how much more to add in `missing`), as
    does a 403 that names its rule (`not_a_verified_buyer`)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None
    reason: str | None = None
    missing: Money | None = None


def status_problem(status: int, detail: str | None = None) -> Problem:
    """A problem that its status code explains: `about:blank`, titled by the status."""
    title = HTTPStatus(status).phrase
    return Problem(type="about:blank", title=title, status=status, detail=detail or title)


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> Response[Problem]:
    return Response(
        problem, status_code=problem.status, media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


def problem_specs(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the problem responses a route may give."""
    return {
        status: ResponseSpec(
            Problem, description=HTTPStatus(status).phrase, media_type=PROBLEM_MEDIA_TYPE
        )
        for status in statuses
    }


def http_exception_to_problem(
    request: Request[Any, Any, Any], exc: HTTPException
) -> Response[Problem]:
    status = exc.status_code
    if status >= 500:
        return unexpected_exception_to_problem(request, exc)
    return problem_response(status_problem(status, exc.detail), headers=exc.headers)


def validation_exception_to_problem(
    _: Request[Any, Any, Any], exc: ValidationException
) -> Response[Problem]:
    """A body or parameter that decoded but broke a rule is a 422 naming each field; a request
    that cannot be read at all is a 400."""
    errors = [
        field_error(str(item.get("key") or "body"), str(item.get("message", "is invalid")))
        for item in exc.extra or []
        if isinstance(item, dict)
    ]
    if not errors:
        return problem_response(
            status_problem(400, "The request could not be read: check its parameters and body.")
        )
    return problem_response(
        Problem(
            type="about:blank",
            title="Validation failed",
            status=422,
            detail="; ".join(f"{e.field}: {e.message}" for e in errors),
            errors=errors,
        )
    )


def field_error(key: str, message: str) -> FieldError:
    """The field a validation message is about, as clients name it."""
    if key == "data":  # Litestar's name for the body
        key = "body"
    # msgspec reports paths as `$.items[0].sku` (or "`key` in `$.attributes`" for a key of a
    # map); clients want `items[0].sku`.
    if found := _MSGSPEC_PATH.search(message):
        key = found["path"]
        message = message[: found.start()] + (" (a key)" if found["in_key"] else "")
    return FieldError(field=key, message=message)


def unexpected_exception_to_problem(
    request: Request[Any, Any, Any], exc: Exception
) -> Response[Problem]:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(status_problem(500, "The server failed; the error has been logged."))


def domain_error_to_problem(_: Request[Any, Any, Any], exc: DomainError) -> Response[Problem]:
    return problem_response(*domain_problem(exc))


def domain_problem(exc: DomainError) -> tuple[Problem, dict[str, str] | None]:
    """One status per kind of domain error; a conflict names its cause in `type`. With the
    headers the answer needs (`Retry-After`, ...)."""
    headers: dict[str, str] | None = None
    if isinstance(exc, PromoCodeRejectedError):
        problem = _code_rejected(exc)
    elif isinstance(exc, DomainValidationError):
        errors = [FieldError(field=exc.field, message=exc.message)]
        problem = Problem(
            type="about:blank",
            title="Validation failed",
            status=422,
            detail=str(exc),
            errors=errors,
        )
    elif isinstance(exc, ConflictError):
        problem = Problem(
            type=f"{PROBLEM_TYPE_PREFIX}{exc.code}", title="Conflict", status=409, detail=str(exc)
        )
    elif isinstance(exc, VersionMismatchError):
        problem = status_problem(412, f"{exc} (If-Match no longer holds): re-read and retry")
    elif isinstance(exc, NotFoundError):
        problem = status_problem(404, "Nothing here, or not yours to see.")
    elif isinstance(exc, PermissionDeniedError):
        problem = _forbidden(exc)
    elif isinstance(exc, AuthenticationError):
        problem = status_problem(401, str(exc))
        headers = {"WWW-Authenticate": "Bearer"}
    elif isinstance(exc, RateLimitedError):
        problem = status_problem(429, str(exc))
        headers = {"Retry-After": str(exc.retry_after)}
    else:
        problem = status_problem(422, str(exc))
    return problem, headers


def _forbidden(exc: PermissionDeniedError) -> Problem:
    """A 403; one that names its rule says so in `type` and `reason`."""
    if exc.reason is None:
        return status_problem(403, str(exc))
    return Problem(
        type=f"{PROBLEM_TYPE_PREFIX}{exc.reason}",
        title="Forbidden",
        status=403,
        detail=str(exc),
        reason=exc.reason,
    )


def _code_rejected(exc: PromoCodeRejectedError) -> Problem:
    rejection = exc.rejection
    return Problem(
        type=f"{PROBLEM_TYPE_PREFIX}promo_code_{rejection.reason.value}",
        title="Promo code not applicable",
        status=422,
        detail=rejection.message,
        errors=[FieldError(field=exc.field, message=rejection.message)],
        reason=rejection.reason.value,
        missing=rejection.missing,
    )


def dependency_unavailable_to_problem(
    request: Request[Any, Any, Any], exc: DependencyUnavailableError
) -> Response[Problem]:
    """A 503 naming the server by its public name (as readiness does); why it failed (an
    address, a driver's message) goes to the log only. `Retry-After` is the error's own when it
    knows one (the time left before a circuit breaker asks the server again)."""
    logger.warning(
        "%s %s: %s unavailable (%s)", request.method, request.url.path, exc.dependency, exc
    )
    detail = f"{exc.dependency} is unavailable for a moment; try again shortly."
    retry_after = RETRY_AFTER_SECONDS
    if exc.retry_after is not None:
        retry_after = max(RETRY_AFTER_SECONDS, math.ceil(exc.retry_after))
    return problem_response(status_problem(503, detail), headers={"Retry-After": str(retry_after)})


# App-level, so they also answer what middleware raises (the bearer token's revocation check).
EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DependencyUnavailableError: dependency_unavailable_to_problem,
    DomainError: domain_error_to_problem,
    ValidationException: validation_exception_to_problem,
    HTTPException: http_exception_to_problem,
    Exception: unexpected_exception_to_problem,
}

__all__ = [
    "EXCEPTION_HANDLERS",
    "PROBLEM_MEDIA_TYPE",
    "FieldError",
    "Problem",
    "domain_problem",
    "problem_response",
    "problem_specs",
    "status_problem",
]
