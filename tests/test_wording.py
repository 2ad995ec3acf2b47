"""Explanations that read right (#13 point 6): plurals of minutes, a flat call's price for its
slot, the fee named as a fee, deposit and approval lines that follow the project, the client
on the provider's e-mail, business fields only for a business, VAT wording."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from skod.web import display


def _terms(**kw) -> SimpleNamespace:
    base = {"pricing": "per_minute", "price_minor": 150, "currency": "EUR", "minimum_minutes": 0,
            "duration_minutes": 30, "late_cancel_fee_percent": 0}
    return SimpleNamespace(**(base | kw))


@pytest.mark.parametrize(("locale", "one", "two"), [
    ("en", "(minimum 1 minute)", "(minimum 2 minutes)"),
    ("fr", "(minimum 1 minute)", "(minimum 2 minutes)")])
def test_minutes_are_singular_for_one_and_plural_above(app, locale, one, two):
    with app.test_request_context(), force_locale(locale):
        assert display.price_words(_terms(minimum_minutes=1), locale).endswith(one)
        assert display.price_words(_terms(minimum_minutes=2), locale).endswith(two)
        held = " ".join(display.terms_lines(_terms(duration_minutes=1), locale))
        assert ("× 1 scheduled minute)" if locale == "en" else "× 1 minute prévue)") in held
