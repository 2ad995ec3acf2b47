"""Browser-test steps shared by the page tests (Playwright, headless Chromium)."""

from __future__ import annotations

import re

from playwright.sync_api import Page


def log_in(page: Page, email: str, password: str = "kiwi-falcon-2291") -> None:
    """Sign a provider in through the login form; returns on the dashboard."""
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/dashboard$"))


def fill_card(page: Page, number: str, box: str = "#card-element",
              postal_code: str | None = None) -> None:
    """The emulator's Card Element fields (any future expiry, any CVC); `postal_code` for the
    booking page's element, which asks for one."""
    fields = [("number", number), ("exp_month", "12"), ("exp_year", "30"), ("cvc", "123")]
    if postal_code is not None:
        fields.append(("postal_code", postal_code))
    element = page.locator(box)
    for placeholder, value in fields:
        element.locator(f'input[placeholder="{placeholder}"]').fill(value)
