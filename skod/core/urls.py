"""Absolute addresses for e-mails, PDFs and Stripe's return URLs: PUBLIC_URL is the one origin
people and Stripe reach the app at (a request's own host may be a proxy's)."""

from __future__ import annotations

from flask import current_app


def public_url(path: str = "") -> str:
    """PUBLIC_URL without its trailing slash, followed by `path` (which starts with "/")."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + path
