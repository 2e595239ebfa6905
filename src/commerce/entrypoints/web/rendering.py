"""Pages: the Jinja2 environment, and what every template may use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.template.config import TemplateConfig

from commerce.application.consistency import encode_token
from commerce.domain.values import Money
from commerce.entrypoints.http.consistency import is_stale
from commerce.entrypoints.web.assets import asset_url
from commerce.entrypoints.web.cookies import CONSISTENCY, CONSISTENCY_MAX_AGE, cookie
from commerce.entrypoints.web.staff_sections import sections_for
from commerce.ports.auth import Principal

TEMPLATES = Path(__file__).with_name("templates")


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine, engine_callback=_setup)


def _setup(engine: JinjaTemplateEngine) -> None:
    environment = engine.engine
    environment.filters["money"] = _money
    environment.globals.update(
        asset_url=asset_url,
        shopper=shopper,
        stale=is_stale,
        staff_sections=lambda request: sections_for(shopper(request)),
    )
    environment.trim_blocks = environment.lstrip_blocks = True


def _money(value: Money | None) -> str:
    return "" if value is None else value.formatted()


def shopper(request: Request[Any, Any, Any]) -> Principal | None:
    user = request.scope.get("user")
    return user if isinstance(user, Principal) else None


def page(name: str, status_code: int = 200, **context: Any) -> Template:
    return Template(template_name=name, context=context, status_code=status_code)


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    """A request htmx made to swap part of a page (it says so in `HX-Request`); not one that
    restores a page from history, which wants the whole page."""
    headers = request.headers
    return headers.get("hx-request") == "true" and "hx-history-restore-request" not in headers


def after_command(path: str, event_ids: list[Any]) -> Redirect:
    """Post/redirect/get: the next page, which waits for the command's writes to be read
    (the same token the API sends in `Consistency-Token`, carried in a cookie)."""
    cookies = (
        [cookie(CONSISTENCY, encode_token(event_ids), CONSISTENCY_MAX_AGE)] if event_ids else []
    )
    return Redirect(path, status_code=303, cookies=cookies)


def local_path(target: str | None, default: str = "/") -> str:
    """Where to go next, if it is a path of this site (never another's: no `//host`)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return default
