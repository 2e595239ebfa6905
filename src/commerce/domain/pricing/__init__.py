"""Prices that move: sales (catalogue discounts), promo codes, and the one function that
prices items with them (`quote.price`). The cart's offers and its pricing live in `cart`."""

from commerce.domain.pricing.cart import NotForSaleError, Offer, PricedCart, PricedLine, price_cart
from commerce.domain.pricing.discount import Discount
from commerce.domain.pricing.promo_code import (
    PROMO_CODE_EVENTS,
    PromoCode,
    PromoCodeCreated,
    PromoCodeDisabled,
    PromoCodeRedeemed,
    PromoCodeRedemptionReturned,
    PromoTerms,
    normalize_code,
)
from commerce.domain.pricing.quote import (
    PriceBreakdown,
    PricingLine,
    QuotedLine,
    SalePrice,
    best_sale_price,
    price,
    sale_price,
)
from commerce.domain.pricing.rejection import CodeRejection, PromoCodeRejectedError, RejectionReason
from commerce.domain.pricing.sale import (
    SALE_EVENTS,
    ProductRef,
    Sale,
    SaleCreated,
    SaleDeleted,
    SaleEnded,
    SaleNotStartedError,
    SaleStarted,
    SaleStatus,
    SaleTargets,
    SaleTerms,
    brand_key,
)

__all__ = [
    "PROMO_CODE_EVENTS",
    "SALE_EVENTS",
    "CodeRejection",
    "Discount",
    "NotForSaleError",
    "Offer",
    "PriceBreakdown",
    "PricedCart",
    "PricedLine",
    "PricingLine",
    "ProductRef",
    "PromoCode",
    "PromoCodeCreated",
    "PromoCodeDisabled",
    "PromoCodeRedeemed",
    "PromoCodeRedemptionReturned",
    "PromoCodeRejectedError",
    "PromoTerms",
    "QuotedLine",
    "RejectionReason",
    "Sale",
    "SaleCreated",
    "SaleDeleted",
    "SaleEnded",
    "SaleNotStartedError",
    "SalePrice",
    "SaleStarted",
    "SaleStatus",
    "SaleTargets",
    "SaleTerms",
    "best_sale_price",
    "brand_key",
    "normalize_code",
    "price",
    "price_cart",
    "sale_price",
]
