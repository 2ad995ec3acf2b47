"""No cross-site request forgery through the API, and sessions that end on logout.

A browser sends the provider's session cookie with any cross-site form post; the API must not
take it as a login (it answers 401 and changes nothing). Logout ends every copy of a session.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from skod.accounts.models import Provider
from skod.calls.models import Booking
from skod.extensions import db
from skod.projects.models import Milestone
from tests import factories as f
from tests.support.api import api
from tests.test_projects_api import new_project, read
from tests.test_refunds import _ended_call

PASSWORD = "kiwi-falcon-2291"
EVIL = {"Origin": "https://evil.example", "Referer": "https://evil.example/page"}


def _log_in(client, email: str) -> None:
    resp = client.post("/login", data={"email": email, "password": PASSWORD})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]


def _forged(client, method: str, path: str, form: dict | None = None):
    """What another site's <form method=post action=...> sends: the cookie, a form body, no
    Authorization header."""
    return client.open(path, method=method, data=form or {}, headers=EVIL)


def test_cross_site_refund_is_refused_and_refunds_nothing(app, client, card_pm, stripe_raw):
    prov, _b, payment = _ended_call(client, card_pm)
    _log_in(client, prov["email"])
    resp = _forged(client, "POST", f"/api/v1/payments/{payment['id']}/refund",
                   {"amount_minor": "1500", "reason": "forged"})
    assert resp.status_code == 401
    assert f.refunds_at_emulator(stripe_raw, payment["stripe_payment_intent_id"]) == []
    with app.app_context():
        from skod.payments.models import Payment

        assert db.session.get(Payment, payment["id"]).status == "captured"


@pytest.mark.parametrize("action", ["cancel", "end", "no-show", "start"])
def test_cross_site_booking_actions_are_refused(app, client, card_pm, action):
    prov = f.provider(client)
    b = f.book(client, prov["offer_id"], f.start_in(timedelta(days=2)))
    f.pay(client, b, card_pm().id)
    _log_in(client, prov["email"])
    before = f.get(client, b, prov["token"])["status"]
    resp = _forged(client, "POST", f"/api/v1/bookings/{b['id']}/{action}", {"minutes": "5"})
    assert resp.status_code == 401
    with app.app_context():
        assert db.session.get(Booking, b["id"]).status == before


def test_cross_site_milestone_cancel_is_refused(app, client):
    prov = f.provider(client)
    milestone = read(client, new_project(client, prov))["milestones"][0]
    _log_in(client, prov["email"])
    resp = _forged(client, "POST", f"/api/v1/milestones/{milestone['id']}/cancel")
    assert resp.status_code == 401
    with app.app_context():
        assert db.session.get(Milestone, milestone["id"]).status == milestone["status"]


def test_cross_site_profile_and_offer_changes_are_refused(app, client):
    prov = f.provider(client)
    _log_in(client, prov["email"])
    resp = _forged(client, "PATCH", "/api/v1/me", {"name": "Forged"})
    assert resp.status_code == 401
    resp = client.open("/api/v1/offers", method="POST", headers=EVIL, json={
        **{k: prov["offer"][k] for k in ("kind", "title", "duration_minutes", "pricing")},
        "price": {"amount_minor": 1, "currency": "EUR"}})
    assert resp.status_code == 401
    status, offers = api(client, "GET", "/api/v1/offers", token=prov["token"])
    assert status == 200 and [o["id"] for o in offers] == [prov["offer_id"]]
    with app.app_context():
        from sqlalchemy import select

        names = db.session.scalars(select(Provider.name).where(Provider.email == prov["email"]))
        assert list(names) == [prov["email"].split("@")[0].replace("provider", "Provider ")]


def test_session_cookie_is_not_an_api_login_even_same_site(client):
    prov = f.provider(client)
    _log_in(client, prov["email"])
    assert client.get("/api/v1/me").status_code == 401
    assert api(client, "GET", "/api/v1/me", token=prov["token"])[0] == 200


def test_a_session_copied_before_logout_is_refused_after_it(app, client):
    prov = f.provider(client)
    _log_in(client, prov["email"])
    assert client.get("/dashboard").status_code == 200
    copied = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/dashboard").status_code == 200  # the copy works while logged in
    assert client.post("/logout").status_code == 302
    assert thief.get("/dashboard").status_code == 302  # to the login page
    assert client.get("/dashboard").status_code == 302
    _log_in(client, prov["email"])  # a new login works again
    assert client.get("/dashboard").status_code == 200
    assert thief.get("/dashboard").status_code == 302


def test_password_change_ends_every_session(app, client):
    prov = f.provider(client)
    _log_in(client, prov["email"])
    assert client.get("/dashboard").status_code == 200
    with app.test_request_context():
        from sqlalchemy import select

        from skod.accounts import services

        provider = db.session.scalar(select(Provider).where(Provider.email == prov["email"]))
        services.change_password(provider, PASSWORD, "otter-lantern-5830")
    assert client.get("/dashboard").status_code == 302
    resp = client.post("/login", data={"email": prov["email"], "password": "otter-lantern-5830"})
    assert resp.status_code == 302 and client.get("/dashboard").status_code == 200
