"""schemathesis over every operation of /api/openapi.json with a provider's token: no answer is
a server error, and every answer (status, content type, body) is what the document says.

Bounded: FUZZ_EXAMPLES examples per operation (env SKOD_FUZZ_EXAMPLES to go further locally).
The number of requests sent is printed at the end of the module.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories
from tests.support.api import api

FUZZ_EXAMPLES = int(os.environ.get("SKOD_FUZZ_EXAMPLES", "25"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
SENT = {"requests": 0}


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    yield
    line = f"\nschemathesis: {SENT['requests']} requests sent over every API operation"
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(line)


@pytest.fixture
def provider_token(client, now):
    """The provider (id 1, ids start again at 1 in every test) with rows the generated ids
    can reach: a call offer, a message offer, a booking, a question and a project."""
    prov = factories.provider(client)
    token = prov["token"]
    factories.book(client, prov["offer_id"], factories.start_in(timedelta(days=3), now))
    status, offer = api(client, "POST", "/api/v1/offers", token=token, json={
        "kind": "message", "title": "Ask", "price": {"amount_minor": 900, "currency": "EUR"}})
    assert status == 201, offer
    status, body = api(client, "POST", "/api/v1/messages", json={
        "offer_id": offer["id"], "body": "A question?", "accept_terms": True,
        "client": {"email": "c@example.test", "name": "C"}})
    assert status == 201, body
    status, body = api(client, "POST", "/api/v1/projects", token=token, json={
        "title": "Site", "currency": "EUR", "client": {"email": "c@example.test", "name": "C"},
        "milestones": [{"title": "M1", "amount_minor": 10_000, "expected_on": "2030-01-01"}]})
    assert status == 201, body
    return token


def _document() -> dict:
    """The document as the app serves it (an app on an in-memory database: nothing is run)."""
    from skod import create_app

    doc_app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return doc_app.test_client().get("/api/openapi.json").get_json()


# schemathesis' lazy fixture loader does not support pytest 9: the schema is loaded at import.
schema = schemathesis.openapi.from_dict(_document())


@schema.parametrize()
@settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_operation(case, app, provider_token):
    SENT["requests"] += 1
    case.call_and_validate(app=app, headers={"Authorization": f"Bearer {provider_token}"},
                           checks=CHECKS)
