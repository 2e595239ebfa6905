"""The demo catalogue's pictures are the storefront's own files: every kind has one, each is a
small titled SVG, and a seeded product's image address is served by the app itself."""

from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.unit_of_work import InMemoryStore, InMemoryUnitOfWork
from commerce.entrypoints.cli import main
from commerce.entrypoints.seed import KINDS, Kind, picture, seed_catalog
from commerce.entrypoints.web.assets import STATIC, asset_url
from tests.storefront import browser, storefront_container
from tests.support import NOW

SVG = "{http://www.w3.org/2000/svg}"
SAME_AS_THE_STYLESHEET = (
    "cache-control",
    "content-security-policy",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
)


async def seeded(count: int, image_base_url: str) -> InMemoryStore:
    store, clock = InMemoryStore(), FixedClock()
    await seed_catalog(
        lambda: InMemoryUnitOfWork(store, clock),
        clock,
        count,
        currency="EUR",
        seed=7,
        image_base_url=image_base_url,
    )
    return store


async def test_a_seeded_products_pictures_are_served_by_the_app_as_svg_with_the_usual_headers() -> (
    None
):
    store = await seeded(60, "http://shop.local")
    images = {image for product in store.products.values() for image in product.details.images}

    with browser(storefront_container(FixedClock(NOW))) as client:
        stylesheet = client.get(asset_url("storefront.css"))
        answers = [client.get(image) for image in sorted(images)]

    assert len(images) == len(KINDS)  # 60 products cover every kind, one picture each
    for answer in answers:
        assert answer.status_code == 200, answer.url
        assert answer.headers["content-type"] == "image/svg+xml"
        for header in SAME_AS_THE_STYLESHEET:
            assert answer.headers[header] == stylesheet.headers[header], header
    # Opened on its own, a picture may load and run nothing.
    assert answers[0].headers["content-security-policy"].startswith("default-src 'none'")


async def test_behind_a_proxy_the_pictures_are_addressed_under_its_public_address() -> None:
    store = await seeded(5, "https://shop.example.com/store/")

    for product in store.products.values():
        assert product.details.images == [
            f"https://shop.example.com/store/static/demo/{product.details.category.split('/')[1]}.svg"
        ]


@pytest.mark.parametrize(
    "base", ["shop.example.com", "ftp://shop.example.com", "http://", "http://x/?a=1"]
)
async def test_an_image_base_url_that_is_no_http_address_is_refused_before_anything_is_written(
    base: str,
) -> None:
    store, clock = InMemoryStore(), FixedClock()

    with pytest.raises(ValueError, match=r"address|query"):
        await seed_catalog(
            lambda: InMemoryUnitOfWork(store, clock),
            clock,
            5,
            currency="EUR",
            seed=7,
            image_base_url=base,
        )
    assert store.products == {}
    assert store.outbox == []


def test_commerce_seed_names_a_bad_image_base_url_and_touches_no_database() -> None:
    answer = CliRunner().invoke(main, ["seed", "--image-base-url", "shop.example.com"])

    assert answer.exit_code == 2
    assert "--image-base-url" in answer.output
    assert "is not an http:// or https:// address" in answer.output


def test_every_demo_kind_has_its_picture_and_every_picture_a_kind() -> None:
    pictures = {picture(kind) for kind in KINDS}

    assert len(pictures) == len(KINDS)
    assert {f"demo/{path.name}" for path in (STATIC / "demo").iterdir()} == pictures


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.category)
def test_each_demo_picture_is_a_small_square_svg_with_a_title(kind: Kind) -> None:
    path = STATIC / picture(kind)
    root = ElementTree.parse(path).getroot()  # noqa: S314 (our own file)

    assert root.tag == f"{SVG}svg"
    _, _, width, height = root.attrib["viewBox"].split()
    assert width == height
    title = root.find(f"{SVG}title")
    assert title is not None
    assert (title.text or "").strip()
    assert 200 <= path.stat().st_size <= 2048
