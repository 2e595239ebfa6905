"""The email templates: what a customer reads, and nothing they typed becomes markup."""

from commerce.adapters.notify.templates import JinjaEmailTemplates

TEMPLATES = JinjaEmailTemplates("Kettle & Co", "https://kettle.example/")
ORDER = {"number": "C-000123", "total": "40.00 EUR", "link": "/v1/orders/o-1"}


def test_a_name_with_markup_is_escaped_in_the_html_and_left_as_typed_in_the_text() -> None:
    email = TEMPLATES.render("order_delivered", {**ORDER, "customer_name": "<b>Ada</b> & co"})

    assert "Hello &lt;b&gt;Ada&lt;/b&gt; &amp; co," in email.html
    assert "<b>Ada</b>" not in email.html
    assert email.text.startswith("Hello <b>Ada</b> & co,")


def test_the_shipped_email_names_the_carrier_the_tracking_number_and_links_the_order() -> None:
    values = {**ORDER, "customer_name": "Ada", "carrier": "DHL", "tracking_number": "JD0142"}

    email = TEMPLATES.render("order_shipped", values)

    assert email.subject == "Order C-000123 has shipped"
    assert "Tracking number: JD0142" in email.text
    assert "https://kettle.example/v1/orders/o-1" in email.text
    assert 'href="https://kettle.example/v1/orders/o-1"' in email.html
    assert email.text.rstrip().endswith("Kettle & Co")


def test_a_cancelled_order_with_nothing_paid_says_there_is_nothing_to_refund() -> None:
    values = {**ORDER, "customer_name": "Ada", "reason": "payment_expired", "refund": None}

    email = TEMPLATES.render("order_cancelled", values)

    assert "was cancelled because it was not paid in time." in email.text
    assert "Nothing was charged" in email.text
