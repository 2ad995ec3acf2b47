"""Logins that resist guessing: limits per account and address, per address and a high ceiling
per account (a flood from elsewhere never locks the owner out of their own address), the same
hash work for an unknown e-mail, and password rules (NIST SP 800-63B style)."""

from __future__ import annotations

import pytest

from skod.accounts import passwords
from tests import factories as f
from tests.support.api import api

PASSWORD = "kiwi-falcon-2291"


def _from(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def test_twenty_wrong_passwords_lock_the_account_from_that_address(app, client):
    prov = f.provider(client)
    for n in range(20):
        status, _ = api(client, "POST", "/api/v1/auth/tokens", **_from("10.1.0.1"),
                        json={"email": prov["email"], "password": f"wrong-{n}"})
        assert status == 401
    resp = client.post("/api/v1/auth/tokens", json={"email": prov["email"], "password": PASSWORD},
                       **_from("10.1.0.1"))
    assert resp.status_code == 429 and int(resp.headers["Retry-After"]) > 0
    assert resp.get_json()["error"]["code"]
    # the login page shares the counter, with another spelling of the e-mail too
    page = client.post("/login", data={"email": prov["email"].upper(), "password": PASSWORD},
                       **_from("10.1.0.1"))
    assert page.status_code == 429 and "Retry-After" in page.headers
    # a person reads why on the login form itself, in French
    assert "Trop de tentatives" in page.get_data(as_text=True)
    assert 'name="password"' in page.get_data(as_text=True)
    # the owner, from their own address, is not locked out
    status, _ = api(client, "POST", "/api/v1/auth/tokens", **_from("10.1.1.1"),
                    json={"email": prov["email"], "password": PASSWORD})
    assert status == 201
    # another account from the guessing address is not locked either
    other = f.provider(client)
    status, _ = api(client, "POST", "/api/v1/auth/tokens", **_from("10.1.0.1"),
                    json={"email": other["email"], "password": PASSWORD})
    assert status == 201


def test_a_flood_from_another_address_does_not_lock_the_owner_out(app, client):
    prov = f.provider(client)
    statuses = set()
    for n in range(50):
        resp = client.post("/login", data={"email": prov["email"], "password": f"wrong-{n}"},
                           **_from("203.0.113.7"))
        statuses.add(resp.status_code)
    assert 429 in statuses  # the flooding address itself is held back
    page = client.post("/login", data={"email": prov["email"], "password": PASSWORD},
                       **_from("198.51.100.20"))
    assert page.status_code == 302
    status, _ = api(client, "POST", "/api/v1/auth/tokens", **_from("198.51.100.20"),
                    json={"email": prov["email"], "password": PASSWORD})
    assert status == 201


def test_the_per_account_ceiling_holds_over_every_address(app, client):
    prov = f.provider(client)
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "30 per 15 minutes"
    try:
        for n in range(30):  # a guesser spread over 30 addresses
            status, _ = api(client, "POST", "/api/v1/auth/tokens", **_from(f"10.5.0.{n}"),
                            json={"email": prov["email"], "password": f"wrong-{n}"})
            assert status == 401
        status, _ = api(client, "POST", "/api/v1/auth/tokens", **_from("10.5.1.1"),
                        json={"email": prov["email"], "password": PASSWORD})
        assert status == 429
        assert client.post("/login", data={"email": prov["email"], "password": PASSWORD},
                           **_from("10.5.1.1")).status_code == 429
    finally:
        app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "200 per 15 minutes"


def test_the_default_ceiling_is_high(app):
    from limits import parse

    ceiling = parse(app.config["LOGIN_LIMIT_PER_ACCOUNT"])
    per_address = parse(app.config["LOGIN_LIMIT_PER_ACCOUNT_ADDRESS"])
    assert ceiling.amount >= 200 and per_address.amount <= 20


def test_successful_logins_do_not_count(app, client):
    prov = f.provider(client)
    for _ in range(25):
        status, _ = api(client, "POST", "/api/v1/auth/tokens", **_from("10.2.0.1"),
                        json={"email": prov["email"], "password": PASSWORD})
        assert status == 201


def test_one_address_trying_many_accounts_is_limited(app, client):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "5 per 15 minutes"
    try:
        for n in range(5):
            resp = client.post("/login", data={"email": f"nobody{n}@example.test",
                                               "password": "whatever-it-is"}, **_from("10.3.0.1"))
            assert resp.status_code == 200  # the form again, with its error
        resp = client.post("/login", data={"email": "nobody9@example.test",
                                           "password": "whatever-it-is"}, **_from("10.3.0.1"))
        assert resp.status_code == 429
        resp = client.post("/login", data={"email": "nobody9@example.test",
                                           "password": "whatever-it-is"}, **_from("10.3.0.2"))
        assert resp.status_code == 200
    finally:
        app.config["LOGIN_LIMIT_PER_ADDRESS"] = "100 per 15 minutes"


def test_unknown_email_costs_the_same_hash_work(app, client, monkeypatch):
    prov = f.provider(client)
    calls = []
    real = passwords.check_password_hash

    def counting(pwhash: str, password: str) -> bool:
        calls.append(pwhash.split("$", 1)[0])
        return real(pwhash, password)

    monkeypatch.setattr(passwords, "check_password_hash", counting)
    for email in (prov["email"], "nobody@example.test"):
        calls.clear()
        status, _ = api(client, "POST", "/api/v1/auth/tokens", **_from("10.4.0.1"),
                        json={"email": email, "password": "not-the-password"})
        assert status == 401 and len(calls) == 1
        known_method = calls[0]
    calls.clear()
    client.post("/login", data={"email": "nobody@example.test", "password": "x-y-z-w-v-u"},
                **_from("10.4.0.2"))
    assert calls == [known_method]  # one check, with the same hash method and cost


@pytest.mark.parametrize("password", ["password", "12345678", "password123", "azerty123",
                                      "motdepasse", "Password123!", "          ",
                                      "short-1", "aaaaaaaaaaaa", "provider-page-x"])
def test_weak_passwords_are_refused_at_sign_up(client, password):
    status, body = api(client, "POST", "/api/v1/providers", json={
        "email": "newcomer@example.test", "password": password, "name": "Provider Page X",
        "slug": "provider-page-x", "timezone": "Europe/Paris"})
    assert status == 422 and "password" in body["error"]["fields"], body
    status, _ = api(client, "POST", "/api/v1/auth/tokens",
                    json={"email": "newcomer@example.test", "password": password})
    assert status == 401  # no account was made


def test_common_list_and_personal_data():
    assert passwords.problem("password") == "common"
    assert passwords.problem("12345678") == "common"
    assert passwords.problem("jeanne.martin@example.test", email="jeanne.martin@example.test",
                             name="Jeanne Martin", slug="jm") == "personal"
    assert passwords.problem("Jeanne-Martin-1", email="j@example.test",
                             name="Jeanne Martin", slug="jm") == "personal"
    assert passwords.problem("otter-lantern-5830", email="j@example.test", name="Jeanne",
                             slug="jm") is None


def test_the_sign_up_page_explains_a_refused_password_in_french(client):
    resp = client.post("/signup", headers={"Accept-Language": "fr"}, data={
        "email": "lea@example.test", "password": "motdepasse123", "name": "Léa Petit",
        "slug": "lea-petit", "timezone": "Europe/Paris"})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "trop courant" in text
    assert client.get("/dashboard").status_code == 302  # not logged in: no account
