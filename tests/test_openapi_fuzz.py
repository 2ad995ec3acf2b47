"""schemathesis over every operation of /api/openapi.json with a provider's token: no answer is
a server error, and every answer (status, content type, body) is what the document says.

Bounded: FUZZ_EXAMPLES examples per operation (env SKOD_FUZZ_EXAMPLES to go further locally).
The number of requests sent is printed at the end of the module.
"""

from __future__ import annotations

import os

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

FUZZ_EXAMPLES = int(os.environ.get("SKOD_FUZZ_EXAMPLES", "12"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
SENT = {"requests": 0}


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    line = f"schemathesis: {SENT['requests']} requests sent over every API operation"
    if reporter is not None:
        reporter.write_line(line)
    print(line)


@pytest.fixture
def provider_token(client):
    return factories.provider(client)["token"]


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
