"""The bearer tokens: verified once per process, but every use still checks expiry, and a
forged or tampered token is refused every time it is shown."""

import uuid
from datetime import timedelta

import pytest

from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.security.jwt_tokens import JwtTokenIssuer
from commerce.ports.auth import InvalidTokenError

SECRET = "unit-test-secret-0123456789-abcdef-0123456789"


def test_a_token_that_verified_before_is_refused_once_it_has_expired() -> None:
    clock = FixedClock()
    issuer = JwtTokenIssuer(SECRET, ttl_seconds=60, clock=clock)
    token = issuer.issue(uuid.uuid4(), frozenset({"customer"})).access_token

    assert issuer.verify(token).roles == frozenset({"customer"})
    clock.advance(timedelta(seconds=61))

    with pytest.raises(InvalidTokenError, match="expired"):
        issuer.verify(token)


def test_a_tampered_token_is_refused_every_time_it_is_shown() -> None:
    clock = FixedClock()
    issuer = JwtTokenIssuer(SECRET, ttl_seconds=60, clock=clock)
    token = issuer.issue(uuid.uuid4(), frozenset({"customer"})).access_token
    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload}.{signature[:-2]}AA"

    for _ in range(2):
        with pytest.raises(InvalidTokenError, match="invalid"):
            issuer.verify(tampered)
    assert issuer.verify(token).roles == frozenset({"customer"})


def test_a_token_signed_with_another_secret_is_refused_even_if_this_one_was_seen() -> None:
    clock = FixedClock()
    ours = JwtTokenIssuer(SECRET, ttl_seconds=60, clock=clock)
    theirs = JwtTokenIssuer("another-secret-0123456789-abcdef-0123456789", 60, clock)
    token = theirs.issue(uuid.uuid4(), frozenset({"admin"})).access_token

    assert theirs.verify(token).roles == frozenset({"admin"})
    with pytest.raises(InvalidTokenError):
        ours.verify(token)
