"""The `reviews` read model: a product's listed reviews, their histogram, and the rebuild."""
