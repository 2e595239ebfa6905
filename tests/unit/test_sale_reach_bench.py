"""The sale-reach benchmark compares like with like: its bare `_bulk` of partial updates writes
the very values the products projection shows for the same sale, started and ended."""

import uuid
from datetime import timedelta

from commerce.domain.pricing import Sale, SaleTargets
from projections.products.document import document, state_from_snapshot
from projections.products.sale_state import record_of
from tests.bench_modules import bench_module

sale_reach = bench_module("sale_reach")


def test_the_bare_update_writes_what_the_projection_shows_for_a_sale_and_after_its_end() -> None:
    products, _ = sale_reach.catalogue(10)  # 1005 takes 100.5 off: rounded up
    sale = Sale.create(
        sale_id=uuid.uuid4(),
        name="Bench sale",
        discount=sale_reach.DISCOUNT,
        applies_to=SaleTargets(categories=(sale_reach.CATEGORY,)),
        starts_at=sale_reach.NOW,
        ends_at=sale_reach.NOW + timedelta(days=1),
        currency="EUR",
        now=sale_reach.NOW,
    )
    sale.catch_up(sale_reach.NOW)
    sale_id = str(sale.id)

    for product in products:
        on_sale = document(state_from_snapshot(product, [], [record_of(sale)]))
        ended = document(state_from_snapshot(product, []))
        bare_on = sale_reach.bare_fields(product, sale_id, sale_reach.DISCOUNT)
        bare_off = sale_reach.bare_fields(product, sale_id, None)

        assert bare_on == {field: on_sale[field] for field in bare_on}
        assert bare_off == {field: ended[field] for field in bare_off}
        assert bare_on["on_sale"]
        assert bare_on["sale_price"] < product.variants[0].price.amount
