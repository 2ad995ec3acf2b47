"""The `web` blueprint and what every page template gets: language links, locale, Stripe.js URL."""

from __future__ import annotations

from flask import Blueprint, current_app, request, url_for
from flask_babel import get_locale

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
            "stripe_key": current_app.config["STRIPE_PUBLISHABLE_KEY"]}
