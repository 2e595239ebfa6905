"""The `carts` read model: mapping, document builder, projector and query builder."""
