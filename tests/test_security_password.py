"""Changing the password, on the page and through the API: the old one stops working, every
other session ends, the rules of sign-up apply, and a wrong current password changes nothing."""

from __future__ import annotations

from tests import factories as f
from tests.support.api import api

PASSWORD = "kiwi-falcon-2291"
NEW = "otter-lantern-5830"


def _log_in(client, email: str, password: str = PASSWORD) -> int:
    return client.post("/login", data={"email": email, "password": password}).status_code


def test_the_page_changes_the_password_and_logs_out_the_other_sessions(app, client):
    prov = f.provider(client)
    assert _log_in(client, prov["email"]) == 302
    other = app.test_client()
    assert _log_in(other, prov["email"]) == 302
    assert 'href="/dashboard/password"' in client.get("/dashboard/profile").get_data(
        as_text=True)
    wrong = client.post("/dashboard/password",
                        data={"current_password": "not-the-password", "new_password": NEW})
    assert wrong.status_code == 422 and other.get("/dashboard").status_code == 200
    weak = client.post("/dashboard/password",
                       data={"current_password": PASSWORD, "new_password": "password123"})
    assert weak.status_code == 422 and "courant" in weak.get_data(as_text=True).lower()
    done = client.post("/dashboard/password",
                       data={"current_password": PASSWORD, "new_password": NEW})
    assert done.status_code == 302
    assert client.get("/dashboard").status_code == 200  # this browser stays logged in
    assert other.get("/dashboard").status_code == 302  # the other session ended
    fresh = app.test_client()
    assert _log_in(fresh, prov["email"]) == 200  # the old password is refused (form again)
    assert _log_in(fresh, prov["email"], NEW) == 302


def test_the_api_changes_the_password(client):
    prov = f.provider(client)
    path, tok = "/api/v1/me/password", prov["token"]
    status, body = api(client, "POST", path, token=tok,
                       json={"current_password": "nope-nope-nope", "new_password": NEW})
    assert status == 422 and "current_password" in body["error"]["fields"]
    status, body = api(client, "POST", path, token=tok,
                       json={"current_password": PASSWORD, "new_password": prov["email"]})
    assert status == 422 and "new_password" in body["error"]["fields"]
    assert api(client, "POST", path, json={"current_password": PASSWORD,
                                           "new_password": NEW})[0] == 401
    status, _ = api(client, "POST", path, token=tok,
                    json={"current_password": PASSWORD, "new_password": NEW})
    assert status == 204
    assert api(client, "POST", "/api/v1/auth/tokens",
               json={"email": prov["email"], "password": PASSWORD})[0] == 401
    assert api(client, "POST", "/api/v1/auth/tokens",
               json={"email": prov["email"], "password": NEW})[0] == 201
