"""The search page's URL state, and the session's renewal: pure functions."""

from datetime import timedelta
from urllib.parse import parse_qsl

import pytest

from commerce.domain.errors import DomainValidationError
from commerce.entrypoints.web.cookies import secured
from commerce.entrypoints.web.search_state import range_value, search_params, search_query
from commerce.entrypoints.web.session import needs_renewal
from commerce.ports.product_search import PriceRange, ProductQuery
from tests.support import NOW, bearer_principal


def test_a_search_url_reads_back_as_the_query_that_wrote_it() -> None:
    query = search_query(
        [
            ("q", "kettle"),
            ("brand", "Acme"),
            ("brand", "Zed"),
            ("category", "kitchen"),
            ("attr.color", "red"),
            ("price", "1000-2500"),
            ("in_stock", "1"),
            ("sort", "price_asc"),
        ]
    )

    assert query == ProductQuery(
        q="kettle",
        brands=("Acme", "Zed"),
        categories=("kitchen",),
        attributes=(("color", "red"),),
        price_min=1000,
        price_max=2499,  # the range's end is exclusive, `price_max` inclusive
        in_stock=True,
        sort="price_asc",
        limit=24,
    )
    assert search_query(parse_qsl(search_params(query))) == query
    page_two = parse_qsl(search_params(query, cursor="abc"))
    assert search_query(page_two) == ProductQuery(**{**_fields(query), "cursor": "abc"})


def test_a_rating_threshold_reads_back_from_the_url_and_stays_on_the_next_page() -> None:
    query = search_query([("rating_min", "3"), ("sort", "rating")])

    assert query == ProductQuery(rating_min=3, sort="rating", limit=24)
    assert search_query(parse_qsl(search_params(query))) == query
    page_two = search_query(parse_qsl(search_params(query, cursor="abc")))
    assert (page_two.rating_min, page_two.cursor) == (3, "abc")


def test_empty_fields_of_the_search_form_ask_for_nothing() -> None:
    query = search_query(
        [("q", " "), ("price", ""), ("sort", ""), ("on_sale", ""), ("rating_min", "")]
    )

    assert query == ProductQuery(limit=24)
    assert search_params(query) == ""


def test_a_price_facet_range_is_the_price_parameter_that_picks_it() -> None:
    picked = search_query([("price", range_value(PriceRange(from_=0, to=1000, count=3)))])
    open_ended = search_query([("price", range_value(PriceRange(from_=5000, to=None, count=1)))])

    assert (picked.price_min, picked.price_max) == (None, 999)
    assert (open_ended.price_min, open_ended.price_max) == (5000, None)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ([("price", "cheap")], "price"),
        ([("price", "3000-1000")], "price"),
        ([("sort", "random")], "sort"),
        ([("rating_min", "5")], "rating_min"),
        ([("rating_min", "4.5")], "rating_min"),
        ([("rating_min", "good")], "rating_min"),
        ([("q", "x" * 201)], "q"),
        ([("brand", "b")] * 21, "brand"),
        ([("attr.", "red")], "attr."),
    ],
)
def test_a_search_url_the_page_would_not_write_is_refused_naming_the_parameter(
    params: list[tuple[str, str]], field: str
) -> None:
    with pytest.raises(DomainValidationError) as refused:
        search_query(params)

    assert refused.value.field == field


def test_a_session_is_renewed_past_half_its_token_life_and_not_before() -> None:
    principal = bearer_principal(issued_at=NOW, ttl=timedelta(minutes=15))

    assert not needs_renewal(principal, NOW + timedelta(minutes=7))
    assert needs_renewal(principal, NOW + timedelta(minutes=8))


def test_a_cookie_is_marked_secure_once() -> None:
    assert secured(b"session=abc; HttpOnly; Path=/") == b"session=abc; HttpOnly; Path=/; Secure"
    assert secured(b"session=abc; Secure; HttpOnly") == b"session=abc; Secure; HttpOnly"


def _fields(query: ProductQuery) -> dict[str, object]:
    return {name: getattr(query, name) for name in query.__struct_fields__}
