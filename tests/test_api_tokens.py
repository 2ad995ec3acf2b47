"""API tokens a provider controls: created with an expiry, listed with their creation and last
use, revoked one by one (API and dashboard) or all at once with a password change; an expired or
revoked token is refused (401)."""

from __future__ import annotations

from datetime import timedelta

from skod.accounts.models import ApiToken
from skod.core.clock import parse_iso, utcnow
from skod.extensions import db
from tests import factories as f
from tests.support.api import api

PASSWORD = "kiwi-falcon-2291"
NEW = "otter-lantern-5830"


def _new_token(client, email: str, **extra) -> tuple[int, dict]:
    return api(client, "POST", "/api/v1/auth/tokens",
               json={"email": email, "password": PASSWORD, **extra})


def test_create_with_expiry_list_and_revoke(app, client):
    prov = f.provider(client)
    status, made = _new_token(client, prov["email"], expires_in_days=7)
    assert status == 201 and made["token"].startswith("skp_") and made["id"]
    life = parse_iso(made["expires_at"]) - parse_iso(made["created_at"])
    assert life == timedelta(days=7)
    # the default is 90 days
    status, default = _new_token(client, prov["email"])
    assert parse_iso(default["expires_at"]) - parse_iso(default["created_at"]) == timedelta(
        days=90)
    assert api(client, "GET", "/api/v1/me", token=made["token"])[0] == 200
    status, listed = api(client, "GET", "/api/v1/auth/tokens", token=default["token"])
    assert status == 200
    by_id = {t["id"]: t for t in listed}
    assert made["id"] in by_id and "token" not in by_id[made["id"]]
    assert by_id[made["id"]]["last_used_at"] and not by_id[made["id"]]["expired"]
    assert by_id[made["id"]]["expires_at"] == made["expires_at"]
    # another provider cannot see nor revoke it
    other = f.provider(client)
    status, theirs = api(client, "GET", "/api/v1/auth/tokens", token=other["token"])
    assert made["id"] not in {t["id"] for t in theirs}
    assert api(client, "DELETE", f"/api/v1/auth/tokens/{made['id']}",
               token=other["token"])[0] == 404
    assert api(client, "GET", "/api/v1/me", token=made["token"])[0] == 200
    # revoked: refused at once, gone from the list, a second revoke is 404
    assert api(client, "DELETE", f"/api/v1/auth/tokens/{made['id']}",
               token=default["token"])[0] == 204
    status, body = api(client, "GET", "/api/v1/me", token=made["token"])
    assert status == 401 and body["error"]["code"]
    assert made["id"] not in {t["id"] for t in api(client, "GET", "/api/v1/auth/tokens",
                                                   token=default["token"])[1]}
    assert api(client, "DELETE", f"/api/v1/auth/tokens/{made['id']}",
               token=default["token"])[0] == 404
    assert api(client, "GET", "/api/v1/me", token=default["token"])[0] == 200


def test_expiry_bounds_are_checked(client):
    prov = f.provider(client)
    for days in (0, 366, "30", None):
        status, body = _new_token(client, prov["email"], expires_in_days=days)
        assert status == 422 and "expires_in_days" in str(body["error"]), days
    assert _new_token(client, prov["email"], expires_in_days=365)[0] == 201


def test_an_expired_token_is_refused(app, client):
    prov = f.provider(client)
    status, made = _new_token(client, prov["email"], expires_in_days=1)
    assert api(client, "GET", "/api/v1/me", token=made["token"])[0] == 200
    with app.app_context():
        row = db.session.get(ApiToken, made["id"])
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert api(client, "GET", "/api/v1/me", token=made["token"])[0] == 401
    status, listed = api(client, "GET", "/api/v1/auth/tokens", token=prov["token"])
    assert {t["id"]: t["expired"] for t in listed}[made["id"]] is True


def test_a_token_made_before_expiries_ends_90_days_after_its_creation(app, client):
    prov = f.provider(client)
    status, made = _new_token(client, prov["email"])
    with app.app_context():
        row = db.session.get(ApiToken, made["id"])
        row.expires_at = None
        row.created_at = utcnow() - timedelta(days=89)
        db.session.commit()
    assert api(client, "GET", "/api/v1/me", token=made["token"])[0] == 200
    with app.app_context():
        db.session.get(ApiToken, made["id"]).created_at = utcnow() - timedelta(days=90, seconds=1)
        db.session.commit()
    assert api(client, "GET", "/api/v1/me", token=made["token"])[0] == 401


def test_the_dashboard_lists_and_revokes_tokens(app, client):
    prov = f.provider(client)
    status, made = _new_token(client, prov["email"])
    assert client.post("/login", data={"email": prov["email"], "password": PASSWORD}
                       ).status_code == 302
    page = client.get("/dashboard/tokens").get_data(as_text=True)
    assert f"/dashboard/tokens/{made['id']}/revoke" in page
    assert 'href="/dashboard/tokens"' in client.get("/dashboard/profile").get_data(as_text=True)
    resp = client.post(f"/dashboard/tokens/{made['id']}/revoke")
    assert resp.status_code == 302
    assert api(client, "GET", "/api/v1/me", token=made["token"])[0] == 401
    assert api(client, "GET", "/api/v1/me", token=prov["token"])[0] == 200
    assert f"/dashboard/tokens/{made['id']}/revoke" not in client.get(
        "/dashboard/tokens").get_data(as_text=True)


def test_the_revoke_button_needs_the_form_token(app, client):
    prov = f.provider(client)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = client.get("/login").get_data(as_text=True)
        csrf = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
        assert client.post("/login", data={"email": prov["email"], "password": PASSWORD,
                                           "csrf_token": csrf}).status_code == 302
        status, listed = api(client, "GET", "/api/v1/auth/tokens", token=prov["token"])
        token_id = listed[0]["id"]
        client.post(f"/dashboard/tokens/{token_id}/revoke")  # no CSRF token: nothing happens
        assert api(client, "GET", "/api/v1/me", token=prov["token"])[0] == 200
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_a_password_change_can_revoke_every_token(app, client):
    prov = f.provider(client)
    second = _new_token(client, prov["email"])[1]["token"]
    # without the field the tokens stay
    assert api(client, "POST", "/api/v1/me/password", token=prov["token"],
               json={"current_password": PASSWORD, "new_password": NEW})[0] == 204
    assert api(client, "GET", "/api/v1/me", token=second)[0] == 200
    assert api(client, "POST", "/api/v1/me/password", token=prov["token"],
               json={"current_password": NEW, "new_password": PASSWORD,
                     "revoke_tokens": True})[0] == 204
    assert api(client, "GET", "/api/v1/me", token=second)[0] == 401
    assert api(client, "GET", "/api/v1/me", token=prov["token"])[0] == 401
    # the page's checkbox does the same
    third = _new_token(client, prov["email"])[1]["token"]
    client.post("/login", data={"email": prov["email"], "password": PASSWORD})
    assert 'name="revoke_tokens"' in client.get("/dashboard/password").get_data(as_text=True)
    assert client.post("/dashboard/password", data={
        "current_password": PASSWORD, "new_password": NEW, "revoke_tokens": "y"}
    ).status_code == 302
    assert api(client, "GET", "/api/v1/me", token=third)[0] == 401
