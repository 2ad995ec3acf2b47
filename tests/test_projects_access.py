"""Who may touch a project: its provider, its client token; bad input changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests import factories as f
from tests.support.api import api
from tests.support.stripe_helpers import CARD_OK
from tests.test_projects_api import accepted_project, day, new_project, read


def test_another_providers_token_gets_404(client, card_pm):
    prov, project, body = accepted_project(client, card_pm, milestones=[("Build", 7000, 3)])
    other = f.provider(client)
    m = body["milestones"][0]
    assert api(client, "GET", f"/api/v1/projects/{project['id']}", token=other["token"])[0] == 404
    for action in ("complete", "cancel", "start"):
        status, err = api(client, "POST", f"/api/v1/milestones/{m['id']}/{action}", json={},
                          token=other["token"])
        assert (status, err["error"]["code"]) == (404, "not_found")
    assert api(client, "PATCH", f"/api/v1/milestones/{m['id']}", json={"title": "x"},
               token=other["token"])[0] == 404
    status, listed = api(client, "GET", "/api/v1/projects", token=other["token"])
    assert (status, listed) == (200, [])
    assert read(client, project)["milestones"][0]["status"] == "in_progress"


def test_client_token_of_project_a_cannot_touch_project_b(client, card_pm):
    prov, a, _ = accepted_project(client, card_pm, approval="client",
                                  milestones=[("Build", 7000, 3)])
    b = new_project(client, prov, approval="client", milestones=[("Other", 5000, 2)],
                    email="b@example.test")
    status, _ = api(client, "POST", f"/api/v1/projects/{b['id']}/payment-method",
                    json={"payment_method": "pm_x"}, token=a["client_token"])
    assert status == 404
    assert api(client, "GET", f"/api/v1/projects/{b['id']}", token=a["client_token"])[0] == 404
    mb = read(client, b)["milestones"][0]
    for action, payload in (("approve", {}), ("contest", {"reason": "no"}), ("authorize", {})):
        status, _ = api(client, "POST", f"/api/v1/milestones/{mb['id']}/{action}",
                        json=payload, token=a["client_token"])
        assert status == 404
    assert read(client, b)["status"] == "sent"


def test_client_cannot_do_the_providers_steps(client, card_pm):
    prov, project, body = accepted_project(client, card_pm, milestones=[("Build", 7000, 3)])
    m = body["milestones"][0]
    status, err = api(client, "POST", f"/api/v1/milestones/{m['id']}/complete", json={},
                      token=project["client_token"])
    assert (status, err["error"]["code"]) == (403, "forbidden")
    assert api(client, "GET", f"/api/v1/projects/{project['id']}")[0] == 401


def test_bad_input_is_422_and_creates_nothing(client):
    prov = f.provider(client)
    good = {"client": {"email": "c@example.test", "name": "C"}, "title": "T", "currency": "EUR",
            "approval": "none", "milestones": [{"title": "M", "amount_minor": 100,
                                                "expected_on": day(3)}]}
    bad = [
        {"milestones": []},
        {"milestones": [{"title": "M", "amount_minor": 0, "expected_on": day(3)}]},
        {"milestones": [{"title": "M", "amount_minor": "12", "expected_on": day(3)}]},
        {"milestones": [{"title": "M", "amount_minor": 100, "expected_on": day(-1)}]},
        {"currency": "XXX"}, {"deposit_percent": 101}, {"approval": "maybe"},
        {"client": {"email": "not-an-email", "name": "C"}},
    ]
    for change in bad:
        status, err = api(client, "POST", "/api/v1/projects", token=prov["token"],
                          json=good | change)
        assert (status, err["error"]["code"]) == (422, "invalid"), change
    assert api(client, "GET", "/api/v1/projects", token=prov["token"]) == (200, [])
    assert api(client, "POST", "/api/v1/projects", json=good)[0] == 401


def test_plan_edits_before_start_and_refusals_after(client, card_pm):
    prov = f.provider(client)
    project = new_project(client, prov, deposit=50, milestones=[("A", 1000, 2), ("B", 1000, 5)])
    body = read(client, project)
    a, b = body["milestones"]
    status, edited = api(client, "PATCH", f"/api/v1/milestones/{b['id']}",
                         json={"amount_minor": 3000}, token=prov["token"])
    assert status == 200 and edited["deposit_credit_minor"] == 2000  # 50 % of 4000, from B
    status, added = api(client, "POST", f"/api/v1/projects/{project['id']}/milestones",
                        token=prov["token"], json={"title": "C", "amount_minor": 500,
                                                   "expected_on": day(9)})
    assert status == 201 and added["position"] == 3
    assert read(client, project)["deposit"] == 2250
    status, _ = api(client, "PATCH", f"/api/v1/milestones/{a['id']}",
                    json={"amount_minor": -5}, token=prov["token"])
    assert status == 422
    f_accept = api(client, "POST", f"/api/v1/projects/{project['id']}/payment-method",
                   json={"payment_method": card_pm(CARD_OK).id}, token=project["client_token"])
    assert f_accept == (200, {"status": "accepted"})
    body = read(client, project)
    assert body["total_paid"] == 2250 and body["total_remaining"] == 4500 - 2250
    status, err = api(client, "PATCH", f"/api/v1/milestones/{a['id']}", json={"title": "A2"},
                      token=prov["token"])
    assert (status, err["error"]["code"]) == (409, "invalid_state")  # started
    status, cancelled = api(client, "POST", f"/api/v1/milestones/{added['id']}/cancel",
                            json={}, token=prov["token"])
    assert status == 200 and cancelled["status"] == "cancelled"


@pytest.mark.parametrize(("at", "expected_on", "refused"), [
    (datetime(2026, 12, 14, 23, 30, tzinfo=UTC), date(2026, 12, 14), True),  # 00:30 in Paris
    (datetime(2026, 12, 14, 22, 30, tzinfo=UTC), date(2026, 12, 14), False),  # 23:30 in Paris
    (datetime(2026, 12, 14, 23, 30, tzinfo=UTC), date(2026, 12, 15), False),
])
def test_a_past_milestone_day_is_the_providers_past_day(app, client, at, expected_on, refused):
    """From 23:00 UTC it is tomorrow in Paris: the provider's yesterday is refused then, and
    their today is not (the check used the UTC date)."""
    from skod.core.errors import Invalid
    from skod.projects import setup

    prov = f.provider(client)
    provider_id = api(client, "GET", "/api/v1/me", token=prov["token"])[1]["id"]
    data = {"milestones": [{"expected_on": expected_on}]}
    with app.app_context():
        if refused:
            with pytest.raises(Invalid):
                setup.create_project(provider_id, data, at)
        else:  # past the date check, the incomplete data stops it
            with pytest.raises(KeyError):
                setup.create_project(provider_id, data, at)
