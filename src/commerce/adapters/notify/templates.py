"""Email templates: `templates/<name>.txt` (which also sets the `subject`) and
`templates/<name>.html`, in this package and nowhere else."""

from __future__ import annotations

from collections.abc import Mapping

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from commerce.ports.notifier import RenderedEmail


class Store:
    """What every email says about the store: its name, and the address its links start with."""

    def __init__(self, name: str, url: str) -> None:
        self.name = name
        self.url = url.rstrip("/")


class JinjaEmailTemplates:
    def __init__(self, store_name: str, store_url: str) -> None:
        self._store = Store(store_name, store_url)
        # Autoescape for HTML only: escaping plain text would show customers `&amp;`.
        self._env = Environment(
            loader=PackageLoader("commerce.adapters.notify", "templates"),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
        )

    def render(self, template: str, values: Mapping[str, object]) -> RenderedEmail:
        context = {**values, "store": self._store}
        text = self._env.get_template(f"{template}.txt").make_module(context)
        subject = " ".join(str(getattr(text, "subject", "")).split())  # one line: a header
        html = self._env.get_template(f"{template}.html").render(context, subject=subject)
        return RenderedEmail(subject=subject, text=str(text).strip() + "\n", html=html)
