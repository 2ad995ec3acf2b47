"""Security headers on every response, cookie flags, and production settings that refuse to be
unsafe with live Stripe keys."""

from __future__ import annotations

import pytest

from skod import config
from tests import factories as f

SAFE_LIVE = {
    "STRIPE_SECRET_KEY": "sk_live_abc",
    "SECRET_KEY": "x7Gq2vR9pL4mZ8wK1nT6yB3cF5hJ0dS-aE",
    "STRIPE_WEBHOOK_SECRET": "whsec_4eC39HqLyjWDarjtT1zdp7dc8f2Kq0Xz",
    "PUBLIC_URL": "https://skod.example",
}


def _assert_secure_headers(resp) -> None:
    csp = resp.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "https://js.stripe.com" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_headers_on_a_page_an_api_answer_and_an_error(app, client):
    prov = f.provider(client)
    page = client.get("/login")
    answer = client.get("/api/v1/me", headers={"Authorization": f"Bearer {prov['token']}"})
    missing = client.get("/no-such-page")
    api_missing = client.get("/api/v1/bookings/999999")
    assert (page.status_code, answer.status_code, missing.status_code) == (200, 200, 404)
    for resp in (page, answer, missing, api_missing):
        _assert_secure_headers(resp)
        # the tests' PUBLIC_URL is http: no HSTS, no forced https
        assert "Strict-Transport-Security" not in resp.headers
    # the emulator's Stripe.js is allowed where the tests point STRIPE_JS_URL
    origin = "/".join(app.config["STRIPE_JS_URL"].split("/")[:3])
    assert origin in page.headers["Content-Security-Policy"]


def test_session_cookie_flags(client):
    prov = f.provider(client)
    resp = client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain-http PUBLIC_URL in tests


def test_https_public_url_gives_hsts_and_secure_cookies(app, monkeypatch):
    from skod import create_app

    monkeypatch.setenv("PUBLIC_URL", "https://skod.example")
    https_app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False,
                            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                            "RATE_LIMIT_REDIS_URL": None})
    assert https_app.config["SESSION_COOKIE_SECURE"] is True
    assert https_app.config["REMEMBER_COOKIE_SECURE"] is True
    resp = https_app.test_client().get("/login", base_url="https://skod.example")
    assert resp.status_code == 200  # no redirect loop: TLS ends at the proxy
    assert "max-age=" in resp.headers["Strict-Transport-Security"]
    _assert_secure_headers(resp)
    # behind a proxy that sends plain http and no X-Forwarded-Proto: HSTS all the same
    for headers in ({}, {"X-Forwarded-Proto": "http"}):
        for path in ("/login", "/no-such-page", "/api/v1/me"):
            resp = https_app.test_client().get(path, base_url="http://skod.example",
                                               headers=headers)
            assert resp.headers["Strict-Transport-Security"].startswith("max-age=31536000"), path


@pytest.mark.parametrize(("setting", "value"), [
    ("SECRET_KEY", None),
    ("SECRET_KEY", ""),
    ("SECRET_KEY", "x"),
    ("SECRET_KEY", "dev-only-not-secret"),
    ("SECRET_KEY", "a" * 31),
    ("SECRET_KEY", "a" * 32),
    ("SECRET_KEY", "ab" * 24),
    ("SECRET_KEY", "0123456789" * 2 + "abc"),
    ("STRIPE_WEBHOOK_SECRET", "x"),
    ("STRIPE_WEBHOOK_SECRET", "whsec_"),
    ("STRIPE_WEBHOOK_SECRET", "whsec_short"),
    ("STRIPE_WEBHOOK_SECRET", "sk_live_4eC39HqLyjWDarjtT1zdp7dc8f2Kq0Xz"),
    ("PUBLIC_URL", "https://"),
    ("PUBLIC_URL", "https:///path"),
    ("PUBLIC_URL", "skod.example"),
    ("STRIPE_API_BASE", "http://127.0.0.1:8420"),
    ("STRIPE_API_BASE", "https://api.stripe.com.evil.test"),
    ("STRIPE_WEBHOOK_SECRET", ""),
    ("STRIPE_WEBHOOK_SECRET", "whsec_local"),
    ("STRIPE_WEBHOOK_SECRET", "whsec_new,whsec_local"),
    ("PUBLIC_URL", "http://skod.example"),
    ("PUBLIC_URL", ""),
])
@pytest.mark.parametrize("live_key", ["sk_live_abc", "rk_live_abc"])
def test_live_keys_refuse_each_unsafe_setting(monkeypatch, setting, value, live_key):
    for name in (*SAFE_LIVE, "STRIPE_PUBLISHABLE_KEY", "STRIPE_API_BASE"):
        monkeypatch.delenv(name, raising=False)
    overrides = {**SAFE_LIVE, "STRIPE_SECRET_KEY": live_key}
    if value is None:
        del overrides[setting]
    else:
        overrides[setting] = value
    with pytest.raises(RuntimeError, match=setting):
        config.load(overrides)
    config.load({**SAFE_LIVE, "STRIPE_SECRET_KEY": live_key})  # the safe set starts


def test_development_mode_keeps_the_local_defaults(monkeypatch):
    for name in SAFE_LIVE:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SKOD_DEV", "1")
    cfg = config.load()
    assert cfg["SECRET_KEY"] == config.DEV_SECRET_KEY and cfg["SESSION_COOKIE_SECURE"] is False


@pytest.mark.parametrize("secret", [None, "", config.DEV_SECRET_KEY])
def test_outside_development_mode_the_dev_key_is_refused(monkeypatch, secret):
    """Test keys, no SKOD_DEV (a staging site): no dev key, no empty key."""
    monkeypatch.delenv("SKOD_DEV", raising=False)
    monkeypatch.delenv("STRIPE_SECRET_KEY", raising=False)
    if secret is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        config.load()
    monkeypatch.setenv("SECRET_KEY", "a-real-random-staging-key-0123456789")
    assert config.load()["SECRET_KEY"] == "a-real-random-staging-key-0123456789"


def test_development_mode_with_live_keys_still_refuses_the_dev_key(monkeypatch):
    monkeypatch.setenv("SKOD_DEV", "1")
    overrides = {**SAFE_LIVE}
    del overrides["SECRET_KEY"]
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        config.load(overrides)


def test_make_run_sets_development_mode_and_says_so():
    from pathlib import Path

    script = (Path(__file__).resolve().parents[1] / "scripts" / "dev.sh").read_text()
    assert "export SKOD_DEV=1" in script and "development (SKOD_DEV=1)" in script
