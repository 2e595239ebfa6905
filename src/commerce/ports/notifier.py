"""Emails to customers: the message as the core composes it, and the port that sends it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import msgspec


class Email(msgspec.Struct, frozen=True, kw_only=True):
    """One email to one customer. `message_id` is derived from what it announces (never random),
    so a message sent again after a crash carries the same `Message-ID` and a mail client or a
    support person can tell it is the same one."""

    message_id: str
    to: str
    subject: str
    text: str
    html: str


class NotificationFailedError(Exception):
    """The mail server did not take the message (refused, unreachable, timed out): the send may
    be tried again later."""


class Notifier(Protocol):
    async def send(self, email: Email) -> None:
        """Hand `email` to the mail server; return once it has accepted it. Raise
        `NotificationFailedError` when it did not."""
        ...


class RenderedEmail(msgspec.Struct, frozen=True, kw_only=True):
    subject: str
    text: str
    html: str


class EmailTemplates(Protocol):
    def render(self, template: str, values: Mapping[str, object]) -> RenderedEmail:
        """The subject, plain text and HTML of `template` filled with `values` (the HTML
        escaped, so a customer's name can never become markup)."""
        ...
