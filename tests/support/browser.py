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
