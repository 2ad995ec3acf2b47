"""The booking page in headless Chromium, at 390 px and 1,280 px, in French and English: back
from the booked page it shows that booking and no other time chosen (and "Book" then books
nothing); the month navigation and the chosen day (aria-current) redraw in place, without a
reload; a form error leaves the chosen day and time as they were; the offers page keeps the
opening hours after an error in the new-offer form. axe passes on what is shown."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from skod.core.clock import iso
from tests import factories as f
from tests.support.api import api
from tests.support.browser import fill_card, log_in
from tests.support.stripe_helpers import CARD_DECLINED, CARD_OK
from tests.test_accessibility import AXE, BLOCKING, _axe, unreadable

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 900}
LOOKS = [pytest.param("fr", PHONE, id="fr-390"), pytest.param("en", WIDE, id="en-1280")]
WORDS = {
    "fr": {"booked": "Vous avez réservé cet appel", "see": "Voir votre réservation",
           "pick": "Merci de choisir un créneau.", "next": "Mois suivant",
           "previous": "Mois précédent", "zone": "heure de Paris (", "terms": "conditions"},
    "en": {"booked": "You have booked this call", "see": "See your booking",
           "pick": "Please choose a time.", "next": "Next month", "previous": "Previous month",
           "zone": "Paris time (", "terms": "terms"},
}


@pytest.fixture
def open_page(_browser, live_server):
    """open_page(locale, viewport) -> a page of its own context (CSP bypassed: axe is
    injected), in the visitor's zone Europe/Paris."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make test` installs it (npm ci)")
    contexts = []

    def make(locale: str, viewport: dict) -> Page:
        context = _browser.new_context(base_url=live_server.url, viewport=viewport,
                                       locale="fr-FR" if locale == "fr" else "en-GB",
                                       timezone_id="Europe/Paris", bypass_csp=True)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def _slug(prov: dict) -> str:
    return prov["email"].split("@")[0].replace("provider", "provider-")


def _book_url(prov: dict, locale: str) -> str:
    return f"/p/{_slug(prov)}/o/{prov['offer_id']}?lang={locale}"


def _readable_and_accessible(page: Page) -> None:
    found = [v for v in _axe(page) if v["impact"] in BLOCKING]
    assert not found, found
    assert not unreadable(page.locator("body").inner_text())
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _choose(page: Page, value: str) -> None:
    day = page.locator("details.day", has=page.locator(f'input[value="{value}"]'))
    if day.get_attribute("open") is None:
        day.locator("summary").click()
    page.locator(f'label.slot:has(input[value="{value}"])').click()


def _fill(page: Page, card: str = CARD_OK) -> None:
    page.fill("#name", "Camille Client")
    page.fill("#email", "camille@example.test")
    page.check("#accept_terms")
    fill_card(page, card, postal_code="75001")


def _bookings(client, prov: dict) -> list[dict]:
    status, rows = api(client, "GET", "/api/v1/bookings", token=prov["token"])
    assert status == 200
    return rows


@pytest.mark.parametrize(("locale", "viewport"), LOOKS)
def test_back_after_booking_shows_the_booking_never_another_time(open_page, client, locale,
                                                                 viewport, now):
    words = WORDS[locale]
    prov = f.provider(client)
    page = open_page(locale, viewport)
    page.goto(_book_url(prov, locale))
    page.wait_for_url(re.compile(r"[?&]tz="))
    start = iso(f.start_in(timedelta(days=1), now))
    _choose(page, start)
    _fill(page)
    page.click("#book-button")
    page.wait_for_url(re.compile(r"/b/\d+/[^/]+$"), timeout=20_000)
    booked_path = re.search(r"/b/\d+/[^/?#]+", page.url).group(0)
    [row] = _bookings(client, prov)
    assert row["status"] == "held"

    page.go_back()
    page.wait_for_url(re.compile(r"/p/"))
    notice = page.locator("#booked-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(words["booked"])
    expect(page.locator("#booked-link")).to_have_text(words["see"])
    assert booked_path in page.locator("#booked-link").get_attribute("href")
    # no time is chosen in its place (the booked one left the list)
    expect(page.locator(f'input[name=start_at][value="{start}"]')).to_have_count(0)
    assert page.locator("input[name=start_at]:checked").count() == 0
    _readable_and_accessible(page)
    # "Book" again without a time books nothing: it asks for a time
    page.click("#book-button")
    expect(page.locator('[data-error-for="start_at"]')).to_have_text(words["pick"])
    assert len(_bookings(client, prov)) == 1
    page.locator("#booked-link").click()
    page.wait_for_url(re.compile(booked_path + "$"))


def test_after_a_declined_card_another_time_is_booked_with_the_same_form(open_page, client,
                                                                          now):
    """The form's token books once per time tried: a declined card, then another time and a
    good card, makes the second booking (the first, left without a card, expires)."""
    prov = f.provider(client)
    page = open_page("fr", PHONE)
    page.goto(_book_url(prov, "fr"))
    page.wait_for_url(re.compile(r"[?&]tz="))
    _choose(page, iso(f.start_in(timedelta(days=1), now)))
    _fill(page, CARD_DECLINED)
    page.click("#book-button")
    expect(page.locator('[data-error-for="card"]')).to_be_visible()
    _choose(page, iso(f.start_in(timedelta(days=2), now)))
    _fill(page)
    page.click("#book-button")
    page.wait_for_url(re.compile(r"/b/\d+/[^/]+$"), timeout=20_000)
    rows = sorted(_bookings(client, prov), key=lambda b: b["id"])
    assert [b["status"] for b in rows] == ["awaiting_card", "held"], rows


@pytest.mark.parametrize(("locale", "viewport"), LOOKS)
def test_month_navigation_and_the_chosen_day_redraw_in_place(open_page, client, locale,
                                                             viewport, now):
    words = WORDS[locale]
    prov = f.provider(client)
    page = open_page(locale, viewport)
    page.goto(_book_url(prov, locale))
    page.wait_for_url(re.compile(r"[?&]tz="))
    expect(page.locator("#zone-words")).to_contain_text(words["zone"])
    page.fill("#name", "Camille Client")  # kept while the times are redrawn
    page.evaluate("window.skodSamePage = true")
    first_caption = page.locator(".month caption").first.text_content()
    page.get_by_role("link", name=words["next"]).click()
    page.wait_for_url(re.compile(r"month=\d{4}-\d{2}"))
    expect(page.locator(".month caption").first).not_to_have_text(first_caption)
    assert page.locator(".month").count() == 1  # one whole month
    days = page.locator("a.cal-day.free")
    assert days.count() >= 28  # the factory's provider is open every day
    chosen = days.nth(9)
    day = chosen.get_attribute("data-day")
    chosen.click()
    expect(chosen).to_have_attribute("aria-current", "date")
    expect(page.locator(f"#day-{day}")).to_have_attribute("open", "")
    assert page.locator("a.cal-day[aria-current]").count() == 1
    assert page.locator("#slots details.day[open]").count() == 1
    _readable_and_accessible(page)
    page.get_by_role("link", name=words["previous"]).click()
    expect(page.locator(".month caption").first).to_have_text(first_caption)
    assert page.evaluate("window.skodSamePage === true")  # never reloaded
    expect(page.locator("#name")).to_have_value("Camille Client")


@pytest.mark.parametrize(("locale", "viewport"), LOOKS)
def test_a_form_error_keeps_the_chosen_day_and_time(open_page, client, locale, viewport, now):
    prov = f.provider(client)
    page = open_page(locale, viewport)
    page.goto(_book_url(prov, locale))
    page.wait_for_url(re.compile(r"[?&]tz="))
    start = f.start_in(timedelta(days=5), now)
    value = iso(start)
    _choose(page, value)
    day = page.locator("details.day", has=page.locator(f'input[value="{value}"]'))
    date = day.get_attribute("data-date")
    expect(page.locator(f'a.cal-day[data-day="{date}"]')).to_have_attribute("aria-current",
                                                                          "date")
    page.fill("#name", "Camille Client")
    page.fill("#email", "camille@example.test")
    page.click("#book-button")  # the terms are not accepted
    expect(page.locator('[data-error-for="accept_terms"]')).to_be_visible()
    expect(day).to_have_attribute("open", "")
    expect(page.locator(f'input[value="{value}"]')).to_be_checked()
    # the time is taken meanwhile: the list is redrawn on the same day, without that time
    f.book(client, prov["offer_id"], start, email="other@example.test")
    page.check("#accept_terms")
    _fill(page)
    page.click("#book-button")
    expect(page.locator("#form-error")).to_be_visible()
    expect(page.locator(f'input[value="{value}"]')).to_have_count(0)
    expect(page.locator(f"#day-{date}")).to_have_attribute("open", "")
    expect(page.locator(f'a.cal-day[data-day="{date}"]')).to_have_attribute("aria-current",
                                                                          "date")
    _readable_and_accessible(page)


@pytest.mark.parametrize(("locale", "viewport"), LOOKS)
def test_an_offer_form_error_keeps_the_opening_hours(open_page, client, locale, viewport):
    """The bug: the hours form came back empty after the offer form's error, and saving it
    then wiped the hours."""
    prov = f.provider(client)
    page = open_page(locale, viewport)
    log_in(page, prov["email"])
    page.goto(f"/dashboard/offers?lang={locale}")
    saved = {d: page.locator(f"#hours-{d}").input_value() for d in ("mon", "sat")}
    assert all(saved.values()), saved
    page.locator("#offer-form").locator("xpath=..").locator("summary").click()
    page.fill("#offer-title", "")
    page.fill("#offer-price", "12,50")
    page.click("#offer-form button[type=submit]")
    expect(page.locator("#offer-form .has-error, #offer-form .error").first).to_be_visible()
    for name, value in saved.items():  # the other form still holds the saved hours
        expect(page.locator(f"#hours-{name}")).to_have_value(value)
    expect(page.locator("#hours-timezone")).to_have_value("Europe/Paris")
    _readable_and_accessible(page)
    # saving the hours now keeps them (nothing wiped)
    page.locator("#hours-sat").locator("xpath=ancestor::form").locator(
        "button[type=submit]").click()
    page.wait_for_url(re.compile(r"/dashboard/offers$"))
    for name, value in saved.items():
        expect(page.locator(f"#hours-{name}")).to_have_value(value)
