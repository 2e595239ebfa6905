"""Schemathesis fuzzes every operation in the OpenAPI document against the live API: no 5xx,
and every response matches the schema (status code, content type, body, headers)."""

import httpx
import pytest
import schemathesis
from schemathesis.specs.openapi.schemas import OpenApiSchema

from tests.support import bearer


@pytest.fixture(scope="session")
def api_schema(fuzzed_api_url: str) -> OpenApiSchema:
    return schemathesis.openapi.from_url(f"{fuzzed_api_url}/schema/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_every_operation_honours_the_schema_and_never_fails_with_a_5xx(
    case: schemathesis.Case,
) -> None:
    case.call_and_validate()


@schema.parametrize()
def test_every_operation_honours_the_schema_for_a_signed_in_caller_too(
    case: schemathesis.Case,
) -> None:
    """As an admin (who may act in every role), so the fuzz reaches past the guards into the
    handlers of customer and staff routes, not only their 401s. A token per case: the fuzz
    also calls `logout`, which revokes the token it is sent with."""
    case.call_and_validate(headers=bearer("admin"))


def test_the_live_api_reports_ready_and_serves_its_docs(api_url: str) -> None:
    assert httpx.get(f"{api_url}/health/ready").json()["status"] == "ready"
    assert httpx.get(f"{api_url}/schema").status_code == 200
