"""The provider's profile page (/dashboard/profile) and the banner of missing invoice details.

Pages are read in English (?lang=en, kept in the session) so that the French translations of
the new texts, added later, do not break the assertions.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from skod.accounts.models import Provider
from skod.extensions import db

SIGNUP = {"email": "paul@example.test", "password": "kiwi-falcon-2291", "name": "Paul Durand",
          "slug": "paul", "timezone": "Europe/Paris"}
COMPLETE = {"company_name": "Paul Durand Conseil", "legal_form": "SASU",
            "siren": "732 829 320", "vat_number": "fr 44 732829320",
            "address": "12 rue des Lilas\n75011 Paris", "vat_regime": "2000",
            "payment_terms_days": "30",
            "mediator": "CM2C, 14 rue Saint-Jean, 75017 Paris, www.cm2c.net",
            "trade_register": "rcs", "registry_city": "Paris", "share_capital": "1 000",
            "vat_on_debits": "y"}
BANNER = 'class="card accept legal-banner"'
WORDS = {"company_name": "your company name", "legal_form": "your legal form",
         "siren": "your SIREN", "address": "your address", "vat": "your VAT regime",
         "vat_number": "your VAT number", "mediator": "your consumer mediator"}


def _text(resp) -> str:
    return resp.get_data(as_text=True)


def _provider(app) -> dict:
    with app.app_context():
        row = db.session.scalar(select(Provider).where(Provider.email == SIGNUP["email"]))
        legal = row.legal() | {"missing": row.missing_legal()}
        db.session.remove()
        return legal


def _missing_shown(page: str) -> list[str]:
    match = re.search(r'data-missing="([^"]*)"', page)
    return match.group(1).split() if match else []


@pytest.fixture
def provider(client):
    """A provider signed up without any legal data, logged in, reading pages in English."""
    assert client.post("/signup", data=SIGNUP).status_code == 302
    client.get("/dashboard?lang=en")
    return client


def test_anonymous_visitor_is_sent_to_login(client):
    resp = client.get("/dashboard/profile")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert client.post("/dashboard/profile", data=COMPLETE).status_code == 302


def test_banner_lists_what_invoices_miss(provider):
    expected = ["company_name", "legal_form", "siren", "address", "vat", "mediator"]
    for url in ("/dashboard", "/dashboard/offers"):
        page = _text(provider.get(url))
        assert BANNER in page and _missing_shown(page) == expected
        for key in expected:
            assert f"<li>{WORDS[key]}</li>" in page
        assert WORDS["vat_number"] not in page
        assert 'href="/dashboard/profile"' in page and "before you sell" in page.lower()


def test_complete_profile_is_stored_and_the_banner_goes(provider, app):
    page = _text(provider.get("/dashboard/profile"))
    assert 'name="siren"' in page and 'value="franchise"' in page and BANNER in page
    resp = provider.post("/dashboard/profile", data=COMPLETE)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/dashboard/profile")
    assert _provider(app) == {
        "company_name": "Paul Durand Conseil", "legal_form": "SASU", "siren": "732829320",
        "vat_number": "FR44732829320", "address": "12 rue des Lilas\n75011 Paris",
        "vat_rate_bp": 2000, "vat_exempt_mention": None, "payment_terms_days": 30,
        "mediator": "CM2C, 14 rue Saint-Jean, 75017 Paris, www.cm2c.net", "registry": "rcs",
        "registry_city": "Paris", "share_capital_minor": 100_000, "vat_on_debits": True,
        "missing": []}
    saved = _text(provider.get("/dashboard/profile"))
    assert "Your profile is saved." in saved and BANNER not in saved
    assert 'value="732829320"' in saved and 'value="1000.00"' in saved
    assert re.search(r'<input checked[^>]* value="2000"', saved)
    assert BANNER not in _text(provider.get("/dashboard"))
    assert BANNER not in _text(provider.get("/dashboard/offers"))


def test_vat_regime_sets_the_rate_or_the_exemption_mention(provider, app):
    franchise = dict(COMPLETE, vat_regime="franchise", vat_number="")
    assert provider.post("/dashboard/profile", data=franchise).status_code == 302
    legal = _provider(app)
    assert legal["vat_exempt_mention"] == "TVA non applicable, art. 293 B du CGI"
    assert legal["vat_rate_bp"] is None and legal["vat_number"] is None
    assert legal["missing"] == []  # no VAT number needed under the franchise

    assert provider.post("/dashboard/profile",
                         data=dict(franchise, vat_regime="2000")).status_code == 302
    legal = _provider(app)
    assert legal["vat_rate_bp"] == 2000 and legal["vat_exempt_mention"] is None
    assert legal["missing"] == ["vat_number"]
    page = _text(provider.get("/dashboard"))
    assert _missing_shown(page) == ["vat_number"] and "<li>your VAT number</li>" in page

    assert provider.post("/dashboard/profile",
                         data=dict(franchise, vat_regime="550")).status_code == 302
    assert _provider(app)["vat_rate_bp"] == 550


def test_a_vat_setting_from_the_api_is_kept_when_no_choice_is_made(provider, app):
    with app.app_context():
        row = db.session.scalar(select(Provider).where(Provider.email == SIGNUP["email"]))
        row.vat_rate_bp = 850  # overseas rate, set through the API
        db.session.commit()
        db.session.remove()
    page = _text(provider.get("/dashboard/profile"))
    assert "Current setting: VAT at 8.5 %" in page and " checked" not in page
    no_choice = {k: v for k, v in COMPLETE.items() if k != "vat_regime"}
    assert provider.post("/dashboard/profile", data=no_choice).status_code == 302
    assert _provider(app)["vat_rate_bp"] == 850


@pytest.mark.parametrize("field, value, message", [
    ("siren", "12345678", "9 digits."),
    ("siren", "12345678A", "9 digits."),
    ("vat_number", "123456789", "Two letters, then up to 18 letters or digits"),
    ("vat_number", "FR" + "1" * 19, "Two letters, then up to 18 letters or digits"),
    ("payment_terms_days", "90", "From 0 to 60 days."),
    ("vat_regime", "1900", "Not a valid choice"),
])
def test_bad_input_is_shown_and_changes_nothing(provider, app, field, value, message):
    before = _provider(app)
    resp = provider.post("/dashboard/profile", data=dict(COMPLETE, **{field: value}))
    page = _text(resp)
    assert resp.status_code == 422 and message in page
    assert re.search(r'<div class="field has-error">\s*<label for="' + field, page) \
        or 'class="field choices has-error"' in page
    assert 'value="Paul Durand Conseil"' in page  # what was typed stays in the form
    assert _provider(app) == before


def test_the_profile_form_needs_its_csrf_token(provider, app):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert provider.post("/dashboard/profile", data=COMPLETE).status_code == 400
        page = _text(provider.get("/dashboard/profile"))
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        resp = provider.post("/dashboard/profile", data=dict(COMPLETE, csrf_token=token))
        assert resp.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert _provider(app)["siren"] == "732829320"


@pytest.mark.parametrize(("lang", "said", "not_said"), [
    ("en", "Your prices include VAT", "added to your prices"),
    ("fr", "Vos prix s’entendent TTC", "ajouté à vos prix")])
def test_the_vat_hint_says_prices_include_vat(provider, lang, said, not_said):
    page = _text(provider.get(f"/dashboard/profile?lang={lang}"))
    assert said in page and not_said not in page


def test_a_company_is_asked_for_its_register_and_capital(provider, app):
    bare = {k: v for k, v in COMPLETE.items()
            if k not in ("trade_register", "registry_city", "share_capital", "vat_on_debits")}
    assert provider.post("/dashboard/profile", data=bare).status_code == 302
    assert _provider(app)["missing"] == ["registry", "registry_city", "share_capital"]
    page = _text(provider.get("/dashboard/profile"))
    assert _missing_shown(page) == ["registry", "registry_city", "share_capital"]
    assert "your share capital" in page
    bad = provider.post("/dashboard/profile", data=dict(COMPLETE, share_capital="ten"))
    assert bad.status_code == 422 and _provider(app)["share_capital_minor"] is None
    sole = dict(bare, legal_form="EI")  # a sole trader not registered: nothing more to give
    assert provider.post("/dashboard/profile", data=sole).status_code == 302
    assert _provider(app)["missing"] == []
