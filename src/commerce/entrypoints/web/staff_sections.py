"""The staff's sections and the role each needs, in one place: the staff landing page and the
sections' navigation show a member only what their roles open (the routes' guards decide)."""

from __future__ import annotations

import msgspec

from commerce.ports.auth import Principal


class Section(msgspec.Struct, frozen=True):
    key: str
    title: str
    path: str
    roles: tuple[str, ...]
    about: str


SECTIONS = (
    Section("orders", "Orders", "/staff/orders", ("operator",), "Find, ship, refund or cancel."),
    Section(
        "products",
        "Products",
        "/staff/products",
        ("operator", "stock_operator"),
        "Create, edit and archive products; each product's stock.",
    ),
    Section("sales", "Sales", "/staff/sales", ("operator",), "Time-boxed price cuts."),
    Section(
        "promo-codes", "Promo codes", "/staff/promo-codes", ("operator",), "Codes at checkout."
    ),
)


def sections_for(principal: Principal | None) -> list[Section]:
    if principal is None:
        return []
    return [s for s in SECTIONS if any(principal.may_act_as(role) for role in s.roles)]
