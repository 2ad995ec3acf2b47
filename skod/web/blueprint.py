"""The `web` blueprint and what every page template gets: language links, locale, Stripe.js URL."""

from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, current_app, request, url_for
from flask_babel import get_locale

from skod.accounts import bank
from skod.core import formats
from skod.payments import connect

bp = Blueprint("web", __name__)


def current_locale() -> str:
    """"fr" or "en": the language of this request."""
    locale = get_locale()
    return locale.language if locale else "fr"


def lang_url(code: str) -> str:
    """This page's URL in language `code` (other query arguments kept)."""
    args = {k: v for k, v in request.args.items() if k != "lang"}
    if request.endpoint is None:
        return f"?lang={code}"
    return url_for(request.endpoint, **(request.view_args or {}), **args, lang=code)


@bp.app_context_processor
def page_globals() -> dict:
    return {"lang_url": lang_url, "current_locale": current_locale,
            "stripe_js_url": current_app.config["STRIPE_JS_URL"],
            "stripe_key": current_app.config["STRIPE_PUBLISHABLE_KEY"],
            "can_take_payments": connect.can_take_payments,
            "stripe_account_of": lambda provider: connect.account_of(provider) or ""}


@bp.app_template_filter("moment")
def moment_filter(dt: datetime | None, tz: str) -> str:
    """{{ instant|moment(reader_tz) }}: "mercredi 25 novembre 2026, 16:30 (CET)"."""
    return formats.moment(dt, tz, current_locale())


@bp.app_template_filter("day")
def day_filter(value: date | None, style: str = "long") -> str:
    """{{ a_date|day }}: "25 novembre 2026", never 2026-11-25."""
    return formats.day(value, current_locale(), style) if value else "-"


@bp.app_template_filter("iban")
def iban_filter(value: str | None) -> str:
    """{{ an_iban|iban }}: grouped by four, as banks print it and people copy it."""
    return bank.grouped(value)
