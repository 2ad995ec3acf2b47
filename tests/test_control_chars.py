"""Control characters are refused at entry, before anything is stored or held: every one-line
field of the API (422 naming the field) and of the pages (a form message), multi-line texts keep
line breaks and tabs only. JSON that no parser should walk (100,000 deep, lone surrogates) is a
400 on every JSON route of the OpenAPI document."""

from __future__ import annotations

import json
from datetime import timedelta

import marshmallow
import pytest
from werkzeug.datastructures import MultiDict

from skod.core import forms as core_forms
from skod.core import schemas as core_schemas
from skod.core.text import LINE_MESSAGE, TEXT_MESSAGE
from tests import factories as f
from tests.support.api import api

#: CR LF, every C0, DEL and every C1: none of them in a one-line field
LINE_BAD = ["\r\n", *(chr(c) for c in range(0x20)), *(chr(c) for c in range(0x7F, 0xA0))]
#: what a multi-line text refuses: the same but tab, LF and CR
TEXT_BAD = [c for c in LINE_BAD if c not in ("\t", "\n", "\r", "\r\n")]


def _all_subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_all_subclasses(sub)]
    return found


def _skod_schemas(app) -> list[type]:  # noqa: ARG001 - the app imports every API module
    return sorted({c for c in _all_subclasses(marshmallow.Schema)
                   if c.__module__.startswith("skod.")}, key=lambda c: c.__qualname__)


def _string_fields(schema: marshmallow.Schema) -> list[tuple[str, bool]]:
    """(data key, multi-line?) of each top-level string field a body can set."""
    return [(field.data_key or name, isinstance(field, core_schemas.Text))
            for name, field in schema.load_fields.items()
            if isinstance(field, marshmallow.fields.String)]


def test_every_api_schema_derives_from_the_guarded_base(app):
    assert _skod_schemas(app)
    unguarded = [c.__qualname__ for c in _skod_schemas(app)
                 if not issubclass(c, core_schemas.Schema)]
    assert unguarded == []


def test_every_string_field_of_every_api_schema_refuses_control_characters(app):
    """Table-driven over the whole API: each schema, each string field, each character."""
    checked = 0
    for cls in _skod_schemas(app):
        schema = cls()
        for key, multiline in _string_fields(schema):
            for bad in (TEXT_BAD if multiline else LINE_BAD):
                with pytest.raises(marshmallow.ValidationError) as err:
                    schema.load({key: f"a{bad}b"}, partial=True)
                expected = TEXT_MESSAGE if multiline else LINE_MESSAGE
                assert err.value.messages.get(key) == [expected], (cls.__qualname__, key, bad)
                checked += 1
            if multiline:  # line breaks and tabs stay
                errors = _errors(schema, {key: "a\r\n\tb\nc"})
                assert key not in errors, (cls.__qualname__, key, errors)
    assert checked > 1000


def _errors(schema: marshmallow.Schema, data: dict) -> dict:
    try:
        schema.load(data, partial=True)
    except marshmallow.ValidationError as err:
        return err.messages if isinstance(err.messages, dict) else {"_": err.messages}
    return {}


def test_strings_inside_lists_and_dicts_are_guarded_too(app):
    from skod.catalog.schemas import AvailabilitySchema

    errors = _errors(AvailabilitySchema(), {"timezone": "Europe/Paris",
                                            "weekly": {"mon": [["09:00\r\n", "10:00"]]}})
    assert "weekly" in errors, errors


def _count(app, model) -> int:
    from skod.extensions import db

    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


SIGN_UP = {"email": "new@example.test", "password": "a long passphrase 42", "name": "New",
           "slug": "new-one", "timezone": "Europe/Paris"}


@pytest.mark.parametrize("field", ["name", "slug", "timezone", "password"])
def test_sign_up_refuses_each_control_character_in_each_field(app, client, field):
    from skod.accounts.models import Provider

    for bad in LINE_BAD:
        status, body = api(client, "POST", "/api/v1/providers",
                           json={**SIGN_UP, field: f"Ab{bad}cd"})
        assert status == 422 and field in body["error"]["fields"], (repr(bad), body)
    assert _count(app, Provider) == 0


CLIENT = {"email": "c@example.test", "name": "Alex Client", "kind": "business",
          **f.BUSINESS, "legal_form": "SAS"}


def _intents(stripe_raw) -> int:
    listed = stripe_raw.v1.payment_intents.list(params={"limit": 100})
    return sum(1 for _ in listed.auto_paging_iter())


@pytest.mark.parametrize("field", ["name", "company_name", "legal_form", "siren", "address"])
def test_a_booking_with_a_bad_client_field_stores_and_holds_nothing(app, client, stripe_raw,
                                                                     now, field):
    from skod.calls.models import Booking

    prov = f.provider(client)
    start = f.start_in(timedelta(hours=5), now).isoformat()  # near: a hold would be placed
    intents = _intents(stripe_raw)
    bads = TEXT_BAD if field == "address" else LINE_BAD
    for bad in bads:
        status, body = api(client, "POST", "/api/v1/bookings", json={
            "offer_id": prov["offer_id"], "start_at": start, "accept_terms": True,
            "client": {**CLIENT, field: f"55210{bad}0554"}})
        assert status == 422, (repr(bad), body)
        assert field in body["error"]["fields"]["client"], body
    assert _count(app, Booking) == 0
    assert _intents(stripe_raw) == intents


def test_the_payment_method_route_refuses_a_bad_value_and_places_no_intent(app, client,
                                                                            stripe_raw, now):
    from skod.payments.models import Payment

    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(hours=5), now))
    intents, payments = _intents(stripe_raw), _count(app, Payment)
    for bad in LINE_BAD:
        status, body = api(client, "POST", f"/api/v1/bookings/{booking['id']}/payment-method",
                           json={"payment_method": f"pm_card_visa{bad}"},
                           token=booking["client_token"])
        assert status == 422 and "payment_method" in body["error"]["fields"], (repr(bad), body)
    assert _intents(stripe_raw) == intents
    assert _count(app, Payment) == payments


@pytest.mark.parametrize(("path", "payload", "field", "multiline"), [
    ("/api/v1/offers", {"title": "T", "duration_minutes": 30,
                        "price": {"amount_minor": 900, "currency": "EUR"}}, "title", False),
    ("/api/v1/offers", {"title": "T", "duration_minutes": 30,
                        "price": {"amount_minor": 900, "currency": "EUR"}}, "description", True),
    ("/api/v1/projects", {"title": "P", "currency": "EUR",
                          "client": {"email": "c@example.test", "name": "C"},
                          "milestones": [{"title": "M", "amount_minor": 1000,
                                          "expected_on": "2030-01-01"}]}, "title", False),
])
def test_provider_routes_refuse_and_keep_texts(app, client, path, payload, field, multiline):
    prov = f.provider(client)
    for bad in (TEXT_BAD if multiline else LINE_BAD):
        status, body = api(client, "POST", path, token=prov["token"],
                           json={**payload, field: f"x{bad}y"})
        assert status == 422 and field in body["error"]["fields"], (repr(bad), body)
    if multiline:
        status, body = api(client, "POST", path, token=prov["token"],
                           json={**payload, field: "line one\r\nline\ttwo\n"})
        assert status == 201, body


# --- JSON that no parser should walk -------------------------------------------------------
def _json_operations(client) -> list[tuple[str, str]]:
    doc = client.get("/api/openapi.json").get_json()
    ops = []
    for path, item in doc["paths"].items():
        for method in item:
            if method in ("post", "put", "patch", "delete"):
                ops.append((method.upper(), path.replace("{", "").replace("}", "")))
    return [(m, "/".join("1" if p.endswith("_id") or p == "id" else p
                         for p in path.split("/"))) for m, path in ops]


def test_json_nested_100000_deep_is_400_on_every_json_route(app, client):
    prov = f.provider(client)
    deep = "[" * 100_000 + "]" * 100_000
    ops = _json_operations(client)
    assert len(ops) > 20
    for method, path in [*ops, ("POST", "/login"), ("POST", "/signup")]:
        resp = client.open(path, method=method, data=deep, content_type="application/json",
                           headers={"Authorization": f"Bearer {prov['token']}"})
        assert resp.status_code == 400, (method, path, resp.status_code)
        assert resp.get_json()["error"]["code"] == "malformed_json"


def test_json_at_64_levels_still_parses():
    from skod.core.json_input import depth_exceeds

    assert not depth_exceeds(b"[" * 64 + b"]" * 64)
    assert depth_exceeds(b"[" * 65 + b"]" * 65)
    assert not depth_exceeds(json.dumps({"a": "[[[[" * 100}).encode())  # brackets in strings
    assert not depth_exceeds(json.dumps({"a": '\\"[[[' * 100}).encode())


def test_a_lone_surrogate_is_400_on_every_json_route(app, client):
    from skod.accounts.models import Provider

    prov = f.provider(client)
    before = _count(app, Provider)
    raw = '{"email": "x@example.test", "name": "X\\ud800", "password": "p", "slug": "s"}'
    for method, path in _json_operations(client):
        resp = client.open(path, method=method, data=raw, content_type="application/json",
                           headers={"Authorization": f"Bearer {prov['token']}"})
        assert resp.status_code == 400, (method, path, resp.status_code)
    assert _count(app, Provider) == before


# --- Pages ---------------------------------------------------------------------------------
def _form_classes() -> list[type]:
    import skod.dunning.pay_page.pages  # noqa: F401  (every page module: their forms are defined)
    import skod.web.views  # noqa: F401

    return sorted(set(_all_subclasses(core_forms.Form)), key=lambda c: c.__qualname__)


def test_every_page_form_derives_from_the_guarded_base(app):
    from flask_wtf import FlaskForm

    unguarded = [c.__qualname__ for c in _all_subclasses(FlaskForm)
                 if c.__module__.startswith("skod.") and not issubclass(c, core_forms.Form)]
    assert unguarded == []


def test_every_text_field_of_every_page_form_refuses_control_characters(app):
    """Table-driven over every form of the pages: each text field, each character."""
    from wtforms import StringField, TextAreaField

    checked = 0
    for cls in _form_classes():
        for bad_for_line in (True, False):
            with app.test_request_context("/", method="POST"):
                fields = [n for n, fld in cls(meta={"csrf": False})._fields.items()
                          if isinstance(fld, StringField)
                          and isinstance(fld, TextAreaField) != bad_for_line]
            for name in fields:
                for bad in (LINE_BAD if bad_for_line else TEXT_BAD):
                    with app.test_request_context("/", method="POST",
                                                  data=MultiDict({name: f"12{bad}34"})):
                        form = cls(meta={"csrf": False})
                        form.validate()
                        expected = core_forms.LINE_ERROR if bad_for_line else core_forms.TEXT_ERROR
                        assert str(expected) in [str(e) for e in form[name].errors], (
                            cls.__qualname__, name, repr(bad), form[name].errors)
                        checked += 1
    assert checked > 1000


def test_the_sign_up_page_says_it_and_stores_nothing(app, client):
    from skod.accounts.models import Provider

    for field in ("name", "company_name", "legal_form", "slug"):
        resp = client.post("/signup?lang=en", data={**SIGN_UP, field: "Eve\r\nBcc: x"})
        assert resp.status_code in (200, 422), resp.status_code
        assert "Line breaks and other control characters" in resp.get_data(as_text=True)
    assert _count(app, Provider) == 0


def test_the_profile_page_says_it_and_keeps_addresses_on_several_lines(app, client):
    prov = f.provider(client)
    assert client.post("/login", data={"email": prov["email"],
                                       "password": "kiwi-falcon-2291"}).status_code == 302
    client.get("/dashboard?lang=en")
    resp = client.post("/dashboard/profile", data={"company_name": "ACME\r\nBcc: x",
                                                   "address": "1 rue A\r\n75001 Paris"})
    assert "Line breaks and other control characters" in resp.get_data(as_text=True)
    resp = client.post("/dashboard/profile", data={"company_name": "ACME",
                                                   "address": "1 rue A\x07\r\n75001 Paris"})
    assert "Control characters other than line breaks" in resp.get_data(as_text=True)


def test_the_project_pages_plain_forms_refuse_and_change_nothing(app, client, card_pm):
    """/projects/new goes through the API's schema; a milestone's note is checked on its own."""
    from tests.test_projects_api import accepted_project, act
    from tests.test_projects_api import read as read_project

    prov, project, body = accepted_project(client, card_pm, approval="client",
                                           milestones=[("Audit", 5000, 1)])
    assert client.post("/login", data={"email": prov["email"],
                                       "password": "kiwi-falcon-2291"}).status_code == 302
    before = api(client, "GET", "/api/v1/projects", token=prov["token"])[1]
    resp = client.post("/projects/new", data={
        "client_name": "Eve\r\nBcc: x@evil.test", "client_email": "eve@example.test",
        "title": "Logo", "currency": "EUR", "m0_title": "Sketches", "m0_amount": "150",
        "m0_expected_on": ""})
    assert resp.status_code == 200 and "flash error" in resp.get_data(as_text=True)
    assert api(client, "GET", "/api/v1/projects", token=prov["token"])[1] == before
    m = body["milestones"][0]
    if m["status"] == "pending":
        act(client, m["id"], "start", prov["token"])
    resp = client.post(f"/projects/{project['id']}/milestones/{m['id']}/complete",
                       data={"note": "done\x07"})
    assert resp.status_code == 302
    assert read_project(client, project)["milestones"][0]["status"] == "in_progress"
