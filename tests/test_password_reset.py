"""Password reset by e-mail: the same 202 and the same work for an unknown e-mail (and no
e-mail), a signed link that works once and for one hour, every session (and optionally every
token) ended after it, the per-account login ceiling lifted."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from skod.accounts import password_reset, passwords
from skod.accounts.models import Provider
from skod.core.clock import utcnow
from skod.extensions import db, limiter
from skod.notifications import mail
from tests import factories as f
from tests.support.api import api

PASSWORD = "kiwi-falcon-2291"
NEW = "otter-lantern-5830"
LINK = re.compile(r"https?://[^\s\"<]+/password-reset/([A-Za-z0-9_.\-]+)")


@pytest.fixture(autouse=True)
def _fresh_counters(app):
    limiter.reset()
    yield
    limiter.reset()


def _link_in(message) -> str:
    text = message.get_body(("plain",)).get_content()
    found = LINK.search(text)
    assert found, text
    return found.group(1)


def _log_in(client, email: str, password: str) -> int:
    return client.post("/login", data={"email": email, "password": password}).status_code


def test_request_use_once_and_sessions_end(app, client, outbox):
    prov = f.provider(client)
    other = app.test_client()
    assert _log_in(other, prov["email"], PASSWORD) == 302
    outbox.clear()
    resp = client.post("/api/v1/auth/password-reset", json={"email": prov["email"].upper()})
    assert resp.status_code == 202
    [message] = outbox.to(prov["email"])
    assert "mot de passe" in str(message["Subject"]).lower()  # French, like the other e-mails
    token = _link_in(message)
    page = client.get(f"/password-reset/{token}")
    assert page.status_code == 200 and 'name="new_password"' in page.get_data(as_text=True)
    weak = client.post(f"/password-reset/{token}", data={"new_password": "password123"})
    assert weak.status_code == 422  # the rules of sign-up; the link still works
    done = client.post(f"/password-reset/{token}", data={"new_password": NEW})
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    assert other.get("/dashboard").status_code == 302  # every session ended
    assert _log_in(app.test_client(), prov["email"], PASSWORD) == 200  # old one refused
    assert _log_in(app.test_client(), prov["email"], NEW) == 302
    # used once: the second use is refused, on the page and through the API
    assert client.get(f"/password-reset/{token}").status_code == 410
    assert client.post(f"/password-reset/{token}", data={"new_password": PASSWORD}
                       ).status_code == 410
    status, body = api(client, "POST", "/api/v1/auth/password-reset/confirm",
                       json={"token": token, "new_password": PASSWORD})
    assert status == 422 and body["error"]["code"] == "reset_link_invalid"
    assert _log_in(app.test_client(), prov["email"], NEW) == 302
    # tokens stay unless asked
    assert api(client, "GET", "/api/v1/me", token=prov["token"])[0] == 200


def test_the_api_resets_and_can_revoke_every_token(app, client, outbox):
    prov = f.provider(client)
    outbox.clear()
    assert api(client, "POST", "/api/v1/auth/password-reset", json={"email": prov["email"]}
               )[0] == 202
    token = _link_in(outbox.to(prov["email"])[0])
    assert api(client, "POST", "/api/v1/auth/password-reset/confirm",
               json={"token": token, "new_password": NEW, "revoke_tokens": True})[0] == 204
    assert api(client, "GET", "/api/v1/me", token=prov["token"])[0] == 401
    assert api(client, "POST", "/api/v1/auth/tokens",
               json={"email": prov["email"], "password": NEW})[0] == 201


def test_unknown_email_same_answer_same_work_no_mail(app, client, outbox, monkeypatch):
    prov = f.provider(client)
    work = []
    real_check, real_build = passwords.check_password_hash, mail.build
    monkeypatch.setattr(passwords, "check_password_hash",
                        lambda h, p: work.append("hash") or real_check(h, p))
    monkeypatch.setattr(mail, "build", lambda **kw: work.append("mail") or real_build(**kw))
    answers = {}
    for email in (prov["email"], "nobody@example.test"):
        outbox.clear()
        work.clear()
        resp = client.post("/api/v1/auth/password-reset", json={"email": email})
        answers[email] = (resp.status_code, resp.get_data(), sorted(work))
        sent = len(outbox)
    assert sent == 0  # no e-mail for the unknown address
    assert answers[prov["email"]] == answers["nobody@example.test"]
    assert answers["nobody@example.test"][0] == 202
    # the page says the same words either way
    pages = [client.post("/password-reset", data={"email": e}, follow_redirects=True)
             .get_data(as_text=True) for e in (prov["email"], "nobody@example.test")]
    assert pages[0] == pages[1] and "Si un compte" in pages[0]


def test_a_link_older_than_one_hour_or_forged_is_refused(app, client):
    prov = f.provider(client)
    with app.test_request_context():
        row = db.session.scalar(db.select(Provider).where(Provider.email == prov["email"]))
        now = utcnow()
        old = password_reset.make_token(row, now - timedelta(minutes=61))
        fresh = password_reset.make_token(row, now - timedelta(minutes=59))
        # the clock is injected: the same link read one hour and a second later is over
        assert password_reset.read(fresh, now) is not None
        assert password_reset.read(fresh, now + timedelta(minutes=1, seconds=1)) is None
    assert client.get(f"/password-reset/{old}").status_code == 410
    assert client.post(f"/password-reset/{old}", data={"new_password": NEW}).status_code == 410
    forged = fresh[:-2] + ("AA" if not fresh.endswith("AA") else "BB")
    assert client.get(f"/password-reset/{forged}").status_code == 410
    assert client.get(f"/password-reset/{fresh}").status_code == 200
    assert _log_in(app.test_client(), prov["email"], PASSWORD) == 302  # nothing changed


def test_a_reset_lifts_the_per_account_ceiling(app, client, outbox):
    prov = f.provider(client)
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "30 per 15 minutes"
    try:
        for n in range(30):
            api(client, "POST", "/api/v1/auth/tokens", environ_base={"REMOTE_ADDR": f"10.9.0.{n}"},
                json={"email": prov["email"], "password": f"wrong-{n}"})
        assert api(client, "POST", "/api/v1/auth/tokens", json={"email": prov["email"],
                                                                "password": PASSWORD})[0] == 429
        outbox.clear()
        client.post("/password-reset", data={"email": prov["email"]})
        token = _link_in(outbox.to(prov["email"])[0])
        assert client.post(f"/password-reset/{token}", data={"new_password": NEW}
                           ).status_code == 302
        assert api(client, "POST", "/api/v1/auth/tokens", json={"email": prov["email"],
                                                                "password": NEW})[0] == 201
    finally:
        app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "200 per 15 minutes"


def test_the_login_page_links_to_the_reset_page(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/password-reset"' in page
    assert client.get("/password-reset").status_code == 200


def test_reset_requests_are_limited(app, client, outbox):
    prov = f.provider(client)
    outbox.clear()
    statuses = [client.post("/api/v1/auth/password-reset", json={"email": prov["email"]}
                            ).status_code for _ in range(7)]
    assert statuses[:5] == [202] * 5 and statuses[-1] == 429
    assert len(outbox.to(prov["email"])) == 5


def test_the_email_speaks_the_account_language(client, outbox):
    status, _ = api(client, "POST", "/api/v1/providers", json={
        "email": "jane@example.test", "password": PASSWORD, "name": "Jane Doe",
        "slug": "jane-doe", "timezone": "Europe/London", "locale": "en"})
    assert status == 201
    outbox.clear()
    client.post("/api/v1/auth/password-reset", json={"email": "jane@example.test"})
    [message] = outbox.to("jane@example.test")
    assert message["Subject"] == "Reset your Skod password"
    assert "within one hour" in message.get_body(("plain",)).get_content()
    _link_in(message)
