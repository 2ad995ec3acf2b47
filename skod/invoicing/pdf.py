"""Invoice and credit-note PDF: the invoice DOCUMENT dict -> HTML (Jinja) -> PDF (WeasyPrint).

The document is rendered in its own language (doc["locale"]), whatever the request's language is;
amounts come from integer minor units (Decimal.scaleb, never a float) and are formatted with Babel.
Needs an application context (templates and translation catalogues).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.numbers import format_currency, format_decimal, format_percent
from flask import current_app, render_template
from flask_babel import force_locale

from skod.core import formats
from skod.core.money import CURRENCY_EXPONENTS, Money, decimal_of

TEMPLATE = "invoicing/invoice.html"


class Formats:
    """Babel formatting in one locale and currency, handed to the template as `fmt`."""

    def __init__(self, locale: str, currency: str) -> None:
        self.locale = locale
        self.currency = currency
        self.exponent = CURRENCY_EXPONENTS[currency]

    def amount(self, minor: int) -> str:
        """1234 -> "12,34 €" (fr) / "€12.34" (en)."""
        return Money(minor, self.currency).format(self.locale)

    def whole_amount(self, minor: int) -> str:
        """A legal sum written the usual way: 4000 -> "40 €" (fr) / "EUR 40" (en)."""
        if minor % 10 ** self.exponent:
            return self.amount(minor)
        pattern = "#,##0\u00a0¤" if self.locale == "fr" else "¤¤\u00a0#,##0"
        return format_currency(decimal_of(minor, self.currency), self.currency,
                               format=pattern, currency_digits=False, locale=self.locale)

    def rate(self, bp: int) -> str:
        """Basis points as a percentage: 2000 -> "20 %", 550 -> "5,5 %"."""
        return format_percent(Decimal(bp).scaleb(-4), locale=self.locale,
                              decimal_quantization=False)

    def day(self, value: date | None) -> str:
        """The exact day, e.g. "15 janvier 2026" / "January 15, 2026"."""
        return formats.day(value, self.locale) if value else ""

    def number(self, value: int) -> str:
        return format_decimal(value, locale=self.locale)


def render_html(doc: dict) -> str:
    """The invoice page as HTML, in the document's language."""
    locale = doc.get("locale") or "fr"
    with force_locale(locale):
        return render_template(TEMPLATE, doc=doc, fmt=Formats(locale, doc["currency"]),
                               seller_label=_party_label(doc["seller"]),
                               buyer_label=_party_label(doc["buyer"]))


def render_pdf(doc: dict, *, pdf_variant: str | None = None) -> bytes:
    """The invoice as PDF bytes. `pdf_variant` is WeasyPrint's (e.g. "pdf/a-3b" for Factur-X)."""
    from weasyprint import HTML  # heavy import (Pango, fonts): only when a PDF is made

    html = HTML(string=render_html(doc), base_url=current_app.static_folder)
    options: dict = {"uncompressed_pdf": False}
    if pdf_variant:
        options["pdf_variant"] = pdf_variant
    return html.write_pdf(**options)


def _party_label(party: dict) -> str:
    """Legal name first (what the registers know), else the person's name."""
    return party.get("company_name") or party.get("name") or ""
