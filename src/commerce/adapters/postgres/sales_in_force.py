"""The sales pricing reads, until the sales table exists on this branch.

Pricing (the cart, the quote, checkout) asks `uow.sales.sales_in_force(at, products)`; the
sales repository, written in parallel, answers it from its table. Until it is merged here, no
sale is ever in force in PostgreSQL: prices are list prices.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from commerce.domain.pricing import ProductRef, Sale


class PostgresSalesInForce:
    async def sales_in_force(self, at: datetime, products: Iterable[ProductRef]) -> list[Sale]:
        return []
