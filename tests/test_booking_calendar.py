"""The booking page as a visitor sees it (headless Chromium, 390 px): a month calendar beside
the times whose free days open their times, a time-zone switcher that shows the same slots in
another zone, and the clock of the visitor's language (4:00 PM in English)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import expect

from skod.web.booking_window import open_day, window, zone_words
from skod.web.calendar import months
from tests import factories as f

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize(("locale", "first_column"), [("fr", "lun."), ("en", "Mon")])
def test_a_month_starts_on_the_language_s_first_day_and_marks_free_days(locale, first_column):
    counts = {date(2026, 12, 1): 3}
    [nov, dec] = months({date(2026, 12, 1): "x"}, counts, date(2026, 11, 25),
                        date(2026, 12, 8), locale)
    assert dec.weekdays[0] == first_column
    cells = [c for week in dec.weeks for c in week if c.day]
    assert len(cells) == 31 and [c.free for c in cells if c.free] == [3]
    assert sum(1 for week in nov.weeks for c in week if c.day) == 30


def test_the_window_is_two_weeks_or_one_month_within_the_horizon():
    today = date(2026, 12, 7)
    two_weeks = window(today, None)
    assert (two_weeks.first, two_weeks.last) == (today, date(2026, 12, 20))
    assert (two_weeks.previous, two_weeks.next) == (None, "2027-01")
    this_month = window(today, "2026-12")  # from today, not from the 1st
    assert (this_month.first, this_month.last, this_month.previous) == (
        today, date(2026, 12, 31), None)
    january = window(today, "2027-01")  # across the new year
    assert (january.first, january.last) == (date(2027, 1, 1), date(2027, 1, 31))
    assert (january.previous, january.next) == ("2026-12", "2027-02")
    assert window(today, "2027-06").next is None  # the horizon: six months on
    for nonsense in ("2026-11", "2027-07", "2026-13", "x", "2027-1"):
        assert window(today, nonsense) == two_weeks, nonsense
    days = [{"date": "2027-01-04"}, {"date": "2027-01-05"}]
    assert open_day(days, "2027-01-05") == "2027-01-05"
    assert open_day(days, "2027-01-09") == "2027-01-04" and open_day([], "x") is None


@pytest.mark.parametrize(("tz", "month", "locale", "words"), [
    ("Europe/Paris", 1, "fr", "heure de Paris (CET)"),
    ("Europe/Paris", 7, "fr", "heure de Paris (CEST)"),
    ("Europe/Amsterdam", 1, "fr", "heure d’Amsterdam (CET)"),
    ("Europe/Paris", 7, "en", "Paris time (CEST)"),
    ("America/New_York", 1, "en", "New York time (EST)"),
    ("Asia/Tokyo", 1, "fr", "heure de Tokyo (JST)"),
])
def test_the_zone_is_said_in_words(app, tz, month, locale, words):
    at = datetime(2027, month, 10, 12, tzinfo=UTC)
    with app.test_request_context(f"/?lang={locale}"):
        assert zone_words(tz, at, locale) == words


def _slug(prov: dict) -> str:
    return prov["email"].split("@")[0].replace("provider", "provider-")


@pytest.mark.browser
def test_the_calendar_opens_a_day_and_the_zone_switcher_moves_the_times(_browser, live_server,
                                                                        client):
    prov = f.provider(client, pricing="flat", price={"amount_minor": 9000, "currency": "EUR"})
    context = _browser.new_context(base_url=live_server.url, locale="fr-FR",
                                   timezone_id="Europe/Paris", viewport=PHONE)
    page = context.new_page()
    page.goto(f"/p/{_slug(prov)}/o/{prov['offer_id']}?tz=Europe/Paris")
    expect(page.locator("#zone-words")).to_contain_text("heure de Paris (")
    # the switcher names cities and countries, not tz database ids
    expect(page.locator('#tz option[value="Europe/Paris"]')).to_have_text("Paris — France")
    expect(page.locator('#tz option[value="America/New_York"]')).to_have_text(
        "New York — États-Unis")
    free_days = page.locator("a.cal-day.free")
    assert free_days.count() >= 10
    last = free_days.last
    day = last.get_attribute("data-day")
    last.click()
    expect(page.locator(f"#day-{day}")).to_have_attribute("open", "")
    expect(last).to_have_attribute("aria-current", "date")  # the chosen day is marked
    assert page.locator("a.cal-day[aria-current]").count() == 1
    assert page.locator("#slots details.day[open]").count() == 1
    first_slot = page.locator("#slots .slot span").first
    first_paris = first_slot.text_content()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.evaluate("window.skodSamePage = true")  # gone if the page reloads
    page.select_option("#tz", "America/New_York")
    expect(page.locator("#zone-words")).to_contain_text("heure de New York (")
    expect(page.locator(".tz-switch select")).to_have_value("America/New_York")
    assert "tz=America%2FNew_York" in page.url
    assert first_slot.text_content() != first_paris  # the same instant, another clock
    expect(page.locator(f"#day-{day}")).to_have_attribute("open", "")  # still the chosen day
    assert page.evaluate("window.skodSamePage === true")
    context.close()


@pytest.mark.browser
def test_an_english_visitor_reads_a_12_hour_clock(_browser, live_server, client):
    prov = f.provider(client)
    context = _browser.new_context(base_url=live_server.url, locale="en-US", viewport=PHONE)
    page = context.new_page()
    page.goto(f"/p/{_slug(prov)}/o/{prov['offer_id']}?tz=America/New_York&lang=en")
    labels = page.locator("#slots .slot span").all_text_contents()  # closed days included
    assert labels and all(t.endswith(("AM", "PM")) for t in labels), labels[:3]
    context.close()
