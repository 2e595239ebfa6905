"""The search page's "Customer rating" filter, with in-memory twins: whole-star thresholds as
radio buttons with the rating facet's disjunctive counts, kept in the URL across "load more",
sorts and the htmx fragment."""

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from commerce.adapters.memory.clock import FixedClock
from commerce.container import Container
from commerce.domain.events import EventEnvelope
from commerce.entrypoints.web.search_state import PAGE_SIZE
from tests.product_events import a_product, rated
from tests.storefront import browser, search_index, storefront_container
from tests.support import NOW


@pytest.fixture
def container() -> Container:
    return storefront_container(FixedClock(NOW))


@pytest.fixture
def client(container: Container) -> Iterator[TestClient[Litestar]]:
    with browser(container) as client:
        yield client


def rated_product(name: str, *stars: int, brand: str = "Acme") -> list[EventEnvelope]:
    product, created = a_product(name, brand=brand)
    return [*created, *(rated(product, *stars)[1] if stars else [])]


@pytest.fixture
def three_kettles(container: Container) -> None:
    """Rated 4.67 of 5 (3), 3.0 of 5 (1) and not at all."""
    search_index(container).project(
        [
            *rated_product("Loved kettle", 5, 5, 4),
            *rated_product("Middling kettle", 3),
            *rated_product("Unrated kettle", brand="Zed"),
        ]
    )


def choice(text: str, stars: int) -> str:
    """The rating radio button as the page draws it, checked or not."""
    start = text.index(f'id="f-rating-{stars}"')
    return text[text.rindex("<input", 0, start) : text.index(">", start) + 1]


@pytest.mark.usefixtures("three_kettles")
def test_the_rating_filter_shows_only_products_rated_at_or_above_the_chosen_stars(
    client: TestClient[Litestar],
) -> None:
    four_up = client.get("/", params={"rating_min": "4"})
    three_up = client.get("/", params={"rating_min": "3"})

    assert four_up.status_code == 200
    assert "1 product" in four_up.text
    assert "Loved kettle" in four_up.text
    assert "Rated 4.7 of 5 (3)" in four_up.text
    assert "Middling kettle" not in four_up.text
    assert "checked" in choice(four_up.text, 4)
    assert "2 products" in three_up.text
    assert "Unrated kettle" not in three_up.text


@pytest.mark.usefixtures("three_kettles")
def test_the_rating_group_names_each_threshold_in_words_with_counts_that_ignore_its_own_choice(
    client: TestClient[Litestar],
) -> None:
    page = client.get("/", params={"rating_min": "4"}).text

    assert "<legend>Customer rating</legend>" in page
    assert '<label for="f-rating-any">Any rating</label>' in page
    assert "4 stars and up" in page
    # Chosen 4 stars, the page still says how many 3 stars and up would show.
    assert _count_after(page, "3 stars and up") == 2
    assert _count_after(page, "4 stars and up") == 1
    # Every other filter does narrow the counts: Zed's only kettle has no rating.
    zed = client.get("/", params={"brand": "Zed"}).text
    assert "Customer rating" not in zed


def test_load_more_keeps_the_rating_filter(
    client: TestClient[Litestar], container: Container
) -> None:
    events = [rated_product(f"Loved kettle {n}", 5) for n in range(PAGE_SIZE + 1)]
    events.append(rated_product("Middling kettle", 3))
    search_index(container).project([event for product in events for event in product])

    first = client.get("/", params={"rating_min": "4", "sort": "newest"})
    more = _load_more_link(first.text)
    assert parse_qs(urlsplit(more).query)["rating_min"] == ["4"]
    rest = client.get(more, headers={"HX-Request": "true"})

    assert rest.status_code == 200
    assert rest.text.count('class="card"') == 1
    assert "Middling kettle" not in rest.text


@pytest.mark.usefixtures("three_kettles")
def test_the_htmx_fragment_and_a_sort_change_keep_the_chosen_rating(
    client: TestClient[Litestar],
) -> None:
    fragment = client.get(
        "/", params={"rating_min": "3", "sort": "price_asc"}, headers={"HX-Request": "true"}
    )

    assert fragment.text.lstrip().startswith('<div id="results"')
    assert "checked" in choice(fragment.text, 3)
    assert "checked" not in choice(fragment.text, 4)
    assert "Unrated kettle" not in fragment.text


@pytest.mark.parametrize("value", ["5", "0", "3.5", "four", "nan", "-1"])
def test_a_rating_the_page_does_not_offer_is_a_page_naming_the_parameter(
    client: TestClient[Litestar], value: str
) -> None:
    answer = client.get("/", params={"rating_min": value})

    assert answer.status_code == 422
    assert "rating_min: pick one of the ratings" in answer.text


@pytest.mark.usefixtures("three_kettles")
def test_any_rating_shows_every_product_again(client: TestClient[Litestar]) -> None:
    page = client.get("/", params={"rating_min": ""})

    assert page.status_code == 200
    assert "3 products" in page.text
    assert "checked" in page.text[page.text.index('id="f-rating-any"') :].split(">", 1)[0]


def _count_after(page: str, label: str) -> int:
    start = page.index(label)
    count = page[page.index('class="count">(', start) + len('class="count">(') :]
    return int(count[: count.index(")")])


def _load_more_link(page: str) -> str:
    start = page.index('href="/?', page.index('id="more"')) + len('href="')
    return page[start : page.index('"', start)].replace("&amp;", "&")
