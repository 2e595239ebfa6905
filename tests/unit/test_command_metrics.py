"""Checkouts, payments and refunds are counted by outcome, named after the result or the
domain error's kind, so a dashboard can tell sold out from an outage."""

import asyncio

import pytest
from prometheus_client import REGISTRY

from commerce.adapters.prometheus.commands import CHECKOUTS, counted, failure_kind
from commerce.domain.errors import ConcurrencyError, DomainValidationError, NotFoundError
from commerce.ports.health import DependencyUnavailableError


def checkouts(outcome: str) -> float:
    return REGISTRY.get_sample_value("commerce_checkouts_total", {"outcome": outcome}) or 0.0


async def refuse() -> str:
    raise NotFoundError("no cart")


async def accept() -> str:
    return "order"


def test_a_checkout_is_counted_once_by_its_outcome_whether_it_succeeds_or_fails() -> None:
    placed, missing = checkouts("placed"), checkouts("not_found")

    asyncio.run(counted(CHECKOUTS, accept(), lambda _: "placed"))
    with pytest.raises(NotFoundError):
        asyncio.run(counted(CHECKOUTS, refuse(), lambda _: "placed"))

    assert checkouts("placed") == placed + 1
    assert checkouts("not_found") == missing + 1


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (DomainValidationError("cart", "is empty"), "domain_validation"),
        (ConcurrencyError("moved"), "stale_version"),
        (DependencyUnavailableError("postgres"), "unavailable"),
        (RuntimeError("bug"), "error"),
    ],
)
def test_a_failure_is_named_by_its_kind(error: Exception, kind: str) -> None:
    assert failure_kind(error) == kind
