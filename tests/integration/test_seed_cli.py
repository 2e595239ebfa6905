"""`commerce seed` writes the demo catalogue's pictures under the address shoppers reach the
service at: the API's own by default, a proxy's when told."""

import asyncio
import json

import asyncpg
import pytest
from click.testing import CliRunner
from sqlalchemy import make_url

from commerce.entrypoints.cli import main
from commerce.settings import Settings
from tests.databases import fresh_database


def seeded_images(
    stack_settings: Settings, monkeypatch: pytest.MonkeyPatch, *args: str
) -> set[str]:
    with fresh_database(stack_settings) as url:
        monkeypatch.setenv("COMMERCE_DATABASE_URL", url)
        answer = CliRunner().invoke(main, ["seed", "--products", "20", "--seed", "1", *args])
        assert answer.exit_code == 0, answer.output
        return asyncio.run(_images(url))


async def _images(url: str) -> set[str]:
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch("SELECT images::text AS images FROM products")
    finally:
        await connection.close()
    return {image for row in rows for image in json.loads(row["images"])}


def test_seeding_a_docker_like_api_bound_to_every_address_points_pictures_at_loopback(
    stack_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMMERCE_HOST", "0.0.0.0")  # noqa: S104 (as the Dockerfile binds)
    monkeypatch.setenv("COMMERCE_PORT", "8123")

    images = seeded_images(stack_settings, monkeypatch)

    assert images
    assert all(image.startswith("http://127.0.0.1:8123/static/demo/") for image in images)


def test_seeding_for_a_proxy_points_pictures_at_its_public_address(
    stack_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    images = seeded_images(
        stack_settings, monkeypatch, "--image-base-url", "https://shop.example.com/"
    )

    assert images
    assert all(image.startswith("https://shop.example.com/static/demo/") for image in images)
