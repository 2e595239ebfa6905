"""The `promotions` read model (staff's sales and promo codes): mapping, document builder,
projector, query builder, the twin's matching, and the rebuild from the write side."""
