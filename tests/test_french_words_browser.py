"""The forms' refusals in Chromium (#23 point 6), at a phone's width and a laptop's, in French
and in English: the offer form's price beyond Stripe's ceiling and the project form without a
milestone say so in the page's language, on the field concerned (never "price" or
"milestones", never an amount in cents), the rest of what was typed kept, and axe passes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.support.browser import log_in
from tests.test_accessibility import BLOCKING, PHONE, _axe, axe_page  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser
LAPTOP = {"width": 1280, "height": 800}
SAID = {"fr": ("Un montant de 0,01 à 999\u202f999,99.", "Indiquez de 1 à 50 étapes"),
        "en": ("An amount from 0.01 to 999,999.99.", "Give from 1 to 50 milestones")}


@pytest.mark.parametrize(("lang", "size"), [("fr", PHONE), ("fr", LAPTOP), ("en", PHONE),
                                            ("en", LAPTOP)])
def test_form_refusals_are_in_words_on_their_fields(client, axe_page, lang, size):  # noqa: F811
    page = axe_page
    page.set_viewport_size(size)
    prov = f.provider(client)
    log_in(page, prov["email"])
    page.goto(f"/dashboard/offers?lang={lang}")
    page.locator("#offer-form").locator("xpath=..").locator("summary").click()
    page.fill("#offer-title", "Trop cher")
    page.fill("#offer-price", "2000000")
    page.click("#offer-form button[type=submit]")
    price = page.locator(".field.has-error", has=page.locator("#offer-price"))
    expect(price.locator(".error")).to_have_text(SAID[lang][0])
    expect(page.locator("#offer-title")).to_have_value("Trop cher")
    shown = page.locator("main").inner_text()  # no field's name, no amount in cents
    assert not re.search(r"(check the form|vérifier le formulaire)|99999999", shown), shown
    found = [v for v in _axe(page) if v["impact"] in BLOCKING]
    page.goto("/projects/new")
    page.fill("#client_name", "Eve Martin")
    page.fill("#client_email", "eve@example.test")
    page.fill("#title", "Logo")
    page.click("#project-form button[type=submit]")
    expect(page.locator("#project-form .error").first).to_contain_text(SAID[lang][1])
    expect(page.locator("#title")).to_have_value("Logo")
    shown = page.locator("main").inner_text()
    assert not re.search(r"(Please check|Vérifiez)\W+milestones", shown), shown
    found += [v for v in _axe(page) if v["impact"] in BLOCKING]
    assert found == [], found
