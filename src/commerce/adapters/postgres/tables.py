"""SQLAlchemy Core tables: the write side's schema. Alembic migrations create them."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Sequence,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

outbox = Table(
    "outbox",
    metadata,
    # `id` orders claims; it is never a high-water mark, because ids commit out of order.
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("type", Text, nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("aggregate_type", Text, nullable=False),
    Column("aggregate_id", Text, nullable=False),
    Column("aggregate_version", Integer, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("payload", JSONB, nullable=False),
    Column("trace_context", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("published_at", DateTime(timezone=True), nullable=True),
    # The batch the relay first published the event in (`outbox_batches.id`).
    Column("batch_id", BigInteger, nullable=True),
    Index("ix_outbox_unpublished", "id", postgresql_where=text("published_at IS NULL")),
    Index("ix_outbox_batch_id", "batch_id"),
)

# One row per published batch: which consumers it went to, which are known to have applied it,
# and when to look again. Handing a batch to the broker is not delivery (docs/adr/0007).
outbox_batch_ids = Sequence("outbox_batch_ids", metadata=metadata)

outbox_batches = Table(
    "outbox_batches",
    metadata,
    # Drawn from `outbox_batch_ids` by the claim itself: a new id for every publication, so
    # receipts for a publication whose relay died before committing never settle another.
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("consumers", ARRAY(Text), nullable=False),
    Column("applied_by", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("redrives", Integer, nullable=False, server_default=text("0")),
    Column("check_at", DateTime(timezone=True), nullable=False),
    Column("complete", Boolean, nullable=False, server_default=text("false")),
    Index("ix_outbox_batches_due", "check_at", postgresql_where=text("NOT complete")),
)

products = Table(
    "products",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("brand", Text, nullable=False),
    Column("category", Text, nullable=False),
    Column("images", JSONB, nullable=False),
    Column("attributes", JSONB, nullable=False),
    Column("archived", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

product_variants = Table(
    "product_variants",
    metadata,
    # The primary key makes a SKU unique across the whole catalogue, whatever the concurrency.
    Column("sku", Text, primary_key=True),
    Column("product_id", UUID(as_uuid=True), ForeignKey("products.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("price_amount", BigInteger, nullable=False),
    Column("currency", Text, nullable=False),
    Column("attributes", JSONB, nullable=False),
    Column("retired", Boolean, nullable=False),
    CheckConstraint("price_amount > 0", name="price_positive"),
    Index("ix_product_variants_product_id", "product_id"),
)

stock_items = Table(
    "stock_items",
    metadata,
    Column("sku", Text, ForeignKey("product_variants.sku"), primary_key=True),
    Column("product_id", UUID(as_uuid=True), nullable=False),
    Column("version", Integer, nullable=False),
    Column("on_hand", Integer, nullable=False),
    Column("reserved", Integer, nullable=False),
    Column("sold", Integer, nullable=False, server_default=text("0")),
    # The database itself refuses negative stock, whatever a handler computes.
    CheckConstraint("reserved >= 0", name="reserved_not_negative"),
    CheckConstraint("on_hand >= reserved", name="on_hand_covers_reserved"),
    CheckConstraint("sold >= 0", name="sold_not_negative"),
    # A product's stock, as the read models' rebuild and verification read it, batch by batch.
    Index("ix_stock_items_product_id", "product_id"),
)

carts = Table(
    "carts",
    metadata,
    Column("customer_id", UUID(as_uuid=True), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("lines", JSONB, nullable=False),
    Column("promo_code", Text, nullable=True),
)

order_numbers = Sequence("order_numbers", metadata=metadata, start=1)

orders = Table(
    "orders",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("number", Text, nullable=False, unique=True),
    Column("customer_id", UUID(as_uuid=True), nullable=False),
    Column("customer_email", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("cancel_reason", Text, nullable=True),
    Column("reservation_released", Boolean, nullable=False),
    Column("lines", JSONB, nullable=False),
    Column("total_amount", BigInteger, nullable=False),
    # The code's discount: the subtotal (after sale prices) is the total plus this.
    Column("discount_amount", BigInteger, nullable=False, server_default=text("0")),
    Column("promo_code", Text, nullable=True),
    Column("currency", Text, nullable=False),
    Column("shipping_address", JSONB, nullable=False),
    Column("billing_address", JSONB, nullable=False),
    # Payments (with their refunds) live in the order's row: one version guards them all.
    Column("payments", JSONB, nullable=False),
    Column("shipment", JSONB, nullable=True),
    Column("timeline", JSONB, nullable=False),
    Column("placed_at", DateTime(timezone=True), nullable=False),
    Column("payment_due_at", DateTime(timezone=True), nullable=False),
    # When the oldest payment or refund still waiting for the gateway's answer started.
    Column("unsettled_since", DateTime(timezone=True), nullable=True),
    Index(
        "ix_orders_awaiting_payment",
        "payment_due_at",
        postgresql_where=text("status IN ('awaiting_payment', 'partially_paid')"),
    ),
    Index(
        "ix_orders_unsettled",
        "unsettled_since",
        postgresql_where=text("unsettled_since IS NOT NULL"),
    ),
    # Whether a customer may review a product: their delivered orders, few per customer.
    Index(
        "ix_orders_customer_id_delivered",
        "customer_id",
        postgresql_where=text("status = 'delivered'"),
    ),
)

# Which order holds a payment; the key also makes a payment id unique across orders.
order_payments = Table(
    "order_payments",
    metadata,
    Column("payment_id", UUID(as_uuid=True), primary_key=True),
    Column("order_id", UUID(as_uuid=True), ForeignKey("orders.id"), nullable=False),
)

promo_codes = Table(
    "promo_codes",
    metadata,
    Column("code", Text, primary_key=True),  # upper case (`normalize_code`)
    Column("version", Integer, nullable=False),
    Column("terms", JSONB, nullable=False),
    # Also in `terms`; here so that the database itself refuses a redemption too many.
    Column("max_redemptions", Integer, nullable=True),
    Column("redeemed", Integer, nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint(
        "redeemed >= 0 AND (max_redemptions IS NULL OR redeemed <= max_redemptions)",
        name="redeemed_within_limits",
    ),
    Index("ix_promo_codes_created_at_code", "created_at", "code"),
)

# One row per order that redeemed a code and has not given it back: a customer's uses.
promo_code_redemptions = Table(
    "promo_code_redemptions",
    metadata,
    Column("order_id", UUID(as_uuid=True), primary_key=True),
    Column("code", Text, ForeignKey("promo_codes.code"), nullable=False),
    Column("customer_id", UUID(as_uuid=True), nullable=False),
    Column("redeemed_at", DateTime(timezone=True), nullable=False),
    Index("ix_promo_code_redemptions_code_customer_id", "code", "customer_id"),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("version", Integer, nullable=False),
    # Stored lower-cased (the check says so), so the unique constraint is case-insensitive.
    Column("email", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("roles", JSONB, nullable=False),
    Column("shipping_address", JSONB, nullable=True),
    Column("billing_address", JSONB, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # `domain.account.Communications`: "all", or "essential" (order emails only).
    Column("communications", Text, nullable=False, server_default="all"),
    CheckConstraint("email = lower(email)", name="email_lower_case"),
)

account_payment_methods = Table(
    "account_payment_methods",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("account_id", UUID(as_uuid=True), ForeignKey("accounts.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("brand", Text, nullable=False),
    Column("last4", Text, nullable=False),
    Column("exp_month", Integer, nullable=False),
    Column("exp_year", Integer, nullable=False),
    # The payment gateway's token for the card: never a card number, never in a response.
    Column("token", Text, nullable=False),
    Index("ix_account_payment_methods_account_id", "account_id"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    # Keys are per caller: two customers may well pick the same key.
    Column("scope", Text, primary_key=True),
    Column("key", Text, primary_key=True),
    Column("fingerprint", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # While the request runs; a later claim may take over a key whose lease ran out.
    Column("lease_until", DateTime(timezone=True), nullable=False),
    # The response, once the request succeeded: then every retry replays it.
    Column("completed_at", DateTime(timezone=True), nullable=True),
    Column("response_status", Integer, nullable=True),
    Column("response_body", LargeBinary, nullable=True),
    Column("response_media_type", Text, nullable=True),
    Column("response_headers", JSONB, nullable=True),
)

# The sandbox payment gateway's own ledger (adapters/payments/sandbox.py): it stands in for a
# remote gateway, so nothing of the write side refers to it.
sandbox_charges = Table(
    "sandbox_charges",
    metadata,
    # The caller's idempotency key: one charge per key, whatever the concurrency.
    Column("key", Text, primary_key=True),
    Column("token", Text, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", Text, nullable=False),
    Column("succeeded", Boolean, nullable=False),
    Column("charge_id", Text, nullable=True),
    Column("failure_reason", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("amount > 0", name="amount_positive"),
)

sandbox_refunds = Table(
    "sandbox_refunds",
    metadata,
    Column("key", Text, primary_key=True),
    Column("refund_id", Text, nullable=False),
    Column("charge_key", Text, ForeignKey("sandbox_charges.key"), nullable=False),
    # In the charge's currency.
    Column("amount", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("amount > 0", name="amount_positive"),
    Index("ix_sandbox_refunds_charge_key", "charge_key"),
)


# Revoked access tokens, the record (Redis holds a cache of it): one row per signed-out token,
# and one per account whose other tokens a password change revoked. Rows go once the tokens
# they revoke have expired anyway.
revoked_tokens = Table(
    "revoked_tokens",
    metadata,
    Column("token_id", Text, primary_key=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

revoked_account_tokens = Table(
    "revoked_account_tokens",
    metadata,
    Column("account_id", UUID(as_uuid=True), primary_key=True),
    Column("issued_until", DateTime(timezone=True), nullable=False),
    Column("kept_token_id", Text, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

# Sales (catalogue discounts). `terms` holds the sale's terms but its product ids, which are a
# column of their own (up to 10 000): pricing reads only the ones it asks about. The targets
# are JSON arrays of strings (`?|` finds any of several), not SQL arrays: a commit writes rows
# from one array per column (`bulk.py`), and arrays of arrays do not nest.
sales = Table(
    "sales",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("terms", JSONB, nullable=False),
    Column("product_ids", JSONB, nullable=False),
    Column("categories", JSONB, nullable=False),
    # `domain.pricing.brand_key` of each brand named.
    Column("brand_keys", JSONB, nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("started", Boolean, nullable=False),
    Column("ended", Boolean, nullable=False),
    Column("ended_early", Boolean, nullable=False),
    Column("deleted", Boolean, nullable=False),
    # When the scheduler next has a start or an end to record (`Sale.next_due_at`).
    Column("next_due_at", DateTime(timezone=True), nullable=True),
    Index("ix_sales_next_due_at", "next_due_at", postgresql_where=text("next_due_at IS NOT NULL")),
    Index("ix_sales_ends_at", "ends_at", postgresql_where=text("NOT deleted")),
    Index("ix_sales_created_at_id", "created_at", "id"),
)

# The sent-log of customer emails (ports/notification_log.py): one row per event and recipient,
# claimed (until `claimed_until`) before the mail server is called, then marked sent.
notifications_sent = Table(
    "notifications_sent",
    metadata,
    Column("event_id", UUID(as_uuid=True), primary_key=True),
    Column("recipient_id", UUID(as_uuid=True), primary_key=True),
    Column("claimed_until", DateTime(timezone=True), nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
)

# Customers waiting for an out-of-stock variant; a row goes once its email is sent. Only stock
# events newer than `stock_version` (the variant's when they asked) may announce it.
back_in_stock_requests = Table(
    "back_in_stock_requests",
    metadata,
    Column("sku", Text, primary_key=True),
    Column("customer_id", UUID(as_uuid=True), ForeignKey("accounts.id"), primary_key=True),
    Column("stock_version", Integer, nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
)

# One review per customer and product (the unique constraint holds it whatever the concurrency).
reviews = Table(
    "reviews",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("product_id", UUID(as_uuid=True), ForeignKey("products.id"), nullable=False),
    Column("customer_id", UUID(as_uuid=True), nullable=False),
    Column("author", Text, nullable=False),  # the display name, never the email
    Column("stars", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("hidden", Boolean, nullable=False),
    Column("posted_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("stars BETWEEN 1 AND 5", name="stars_1_to_5"),
    UniqueConstraint("product_id", "customer_id"),
)

# Each product's rating: the counted (not hidden) reviews and the sum of their stars, changed in
# the same commit as the review that moves them (`domain.rating`).
product_ratings = Table(
    "product_ratings",
    metadata,
    Column("product_id", UUID(as_uuid=True), ForeignKey("products.id"), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("count", Integer, nullable=False),
    Column("stars", BigInteger, nullable=False),
    CheckConstraint("count >= 0 AND stars BETWEEN count AND 5 * count", name="within_bounds"),
)
