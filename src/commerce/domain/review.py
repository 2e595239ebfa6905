"""A review of a product by a customer who received it: one per customer and product.

Posting again replaces the review (the same review, a new version: `ReviewEdited`), so a
customer counts once in the product's rating. Staff may hide a review (abuse, spam) and show it
again; a hidden review stays hidden when its author edits it, and counts in no rating. Every
event carries the whole review as it stands after the change, so the read model keeps the
newest event of each review (by version) and nothing else.

Who may review is decided outside (a delivered order holding the product is read from the
orders); the review only checks its own text. Reviewers are shown by a display name made from
their account's name (`display_name`), never by their email.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

import msgspec

from commerce.domain.aggregate import Aggregate
from commerce.domain.errors import DomainValidationError, PermissionDeniedError
from commerce.domain.events import DomainEvent
from commerce.domain.values import control_characters_problem

MIN_STARS = 1
MAX_STARS = 5
TITLE_MAX_LENGTH = 120
BODY_MAX_LENGTH = 5000


class ReviewText(msgspec.Struct, frozen=True, kw_only=True):
    """What the reviewer wrote: `stars` 1-5, a one-line `title`, and a `body` (may be empty;
    line breaks and tabs allowed)."""

    stars: int
    title: str
    body: str = ""

    def checked(self) -> ReviewText:
        """The text with its title trimmed; `DomainValidationError` naming the field that
        breaks a rule."""
        if not MIN_STARS <= self.stars <= MAX_STARS:
            raise DomainValidationError("rating", f"must be {MIN_STARS} to {MAX_STARS} stars")
        title = self.title.strip()
        if not title:
            raise DomainValidationError("title", "must not be blank")
        _check_text("title", title, TITLE_MAX_LENGTH, multiline=False)
        _check_text("body", self.body, BODY_MAX_LENGTH, multiline=True)
        return msgspec.structs.replace(self, title=title)


def _check_text(field: str, text: str, max_length: int, *, multiline: bool) -> None:
    if len(text) > max_length:
        raise DomainValidationError(field, f"must be at most {max_length} characters")
    if problem := control_characters_problem(text, multiline=multiline):
        raise DomainValidationError(field, problem)


def display_name(account_name: str) -> str:
    """How a reviewer is shown: the first word of their name and the initial of the last
    (`Ada Lovelace` -> `Ada L.`); a one-word name as it is."""
    parts = account_name.split()
    if not parts:
        return "A customer"
    if len(parts) == 1:
        return parts[0]
    return f"{parts[0]} {parts[-1][0]}."


class ReviewEvent(DomainEvent, frozen=True, kw_only=True):
    """The review as it stands after the change."""

    review_id: UUID
    product_id: UUID
    customer_id: UUID
    author: str
    text: ReviewText
    hidden: bool
    posted_at: datetime
    updated_at: datetime


class ReviewPosted(ReviewEvent, frozen=True, kw_only=True):
    pass


class ReviewEdited(ReviewEvent, frozen=True, kw_only=True):
    """The author posted again: the text replaced (stars, title, body)."""

    previous_stars: int


class ReviewHidden(ReviewEvent, frozen=True, kw_only=True):
    """By staff, `at`; `updated_at` stays the author's last change."""

    at: datetime


class ReviewShown(ReviewEvent, frozen=True, kw_only=True):
    at: datetime


REVIEW_EVENTS = (ReviewPosted, ReviewEdited, ReviewHidden, ReviewShown)


class NotAVerifiedBuyerError(PermissionDeniedError):
    reason = "not_a_verified_buyer"

    def __init__(self) -> None:
        super().__init__(
            "only a customer with a delivered order of this product may review it: "
            "you can review it once your order has been delivered"
        )


class Review(Aggregate):
    aggregate_type: ClassVar[str] = "review"

    def __init__(
        self,
        *,
        review_id: UUID,
        product_id: UUID,
        customer_id: UUID,
        author: str,
        text: ReviewText,
        posted_at: datetime,
        updated_at: datetime,
        hidden: bool = False,
        version: int = 0,
    ) -> None:
        super().__init__(version)
        self.id = review_id
        self.product_id = product_id
        self.customer_id = customer_id
        self.author = author
        self.text = text
        self.posted_at = posted_at
        self.updated_at = updated_at
        self.hidden = hidden

    @property
    def aggregate_id(self) -> str:
        return str(self.id)

    @property
    def counted(self) -> bool:
        """Whether its stars count in the product's rating."""
        return not self.hidden

    @classmethod
    def post(
        cls,
        *,
        review_id: UUID,
        product_id: UUID,
        customer_id: UUID,
        author: str,
        text: ReviewText,
        now: datetime,
    ) -> Review:
        review = cls(
            review_id=review_id,
            product_id=product_id,
            customer_id=customer_id,
            author=author,
            text=text.checked(),
            posted_at=now,
            updated_at=now,
        )
        review._record(ReviewPosted(**review._fields()))
        return review

    def replace(self, text: ReviewText, author: str, now: datetime) -> bool:
        """The author's new text; False (and no event) when it is the same as before."""
        text = text.checked()
        if text == self.text and author == self.author:
            return False
        previous = self.text.stars
        self.text, self.author, self.updated_at = text, author, now
        self._record(ReviewEdited(**self._fields(), previous_stars=previous))
        return True

    def hide(self, now: datetime) -> bool:
        """Taken out of the listing and the rating; False if hidden already."""
        if self.hidden:
            return False
        self.hidden = True
        self._record(ReviewHidden(**self._fields(), at=now))
        return True

    def show(self, now: datetime) -> bool:
        """Listed and counted again; False if not hidden."""
        if not self.hidden:
            return False
        self.hidden = False
        self._record(ReviewShown(**self._fields(), at=now))
        return True

    def _fields(self) -> dict[str, Any]:
        return {
            "review_id": self.id,
            "product_id": self.product_id,
            "customer_id": self.customer_id,
            "author": self.author,
            "text": self.text,
            "hidden": self.hidden,
            "posted_at": self.posted_at,
            "updated_at": self.updated_at,
        }
