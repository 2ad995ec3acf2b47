"""Project pages: the provider's form and page (test client), the client's page in Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.support import clock
from tests.support.api import api
from tests.test_projects_api import new_project, read


def _login(client, prov: dict) -> None:
    resp = client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    assert resp.status_code == 302


def _client_address(app, project_id: int) -> str | None:
    from skod.extensions import db
    from skod.projects.models import Project

    with app.app_context():
        return db.session.get(Project, project_id).client.address


def test_provider_creates_a_project_from_the_form(client, outbox, now):
    prov = f.provider(client)
    _login(client, prov)
    assert client.get("/projects/new").status_code == 200
    when = clock.paris_day(now, 4).isoformat()
    resp = client.post("/projects/new", data={
        "client_name": "Eve", "client_email": "eve@example.test", "client_kind": "consumer",
        "client_address": "8 rue Neuve\n33000 Bordeaux", "title": "Logo", "currency": "EUR",
        "deposit_percent": "20", "approval": "client",
        "m0_title": "Sketches", "m0_amount": "150,50", "m0_expected_on": when,
        "m1_title": "", "m1_amount": "", "m1_expected_on": ""})
    assert resp.status_code == 302
    project_id = int(resp.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/projects/{project_id}").get_data(as_text=True)
    assert "Sketches" in page and "150,50" in page
    body = api(client, "GET", f"/api/v1/projects/{project_id}", token=prov["token"])[1]
    assert (body["approval"], body["deposit"], body["milestones"][0]["amount_minor"]) == (
        "client", 3010, 15050)
    assert _client_address(client.application, project_id) == "8 rue Neuve\n33000 Bordeaux"
    assert len(outbox.to("eve@example.test")) == 1
    assert "Logo" in client.get("/projects").get_data(as_text=True)


def test_the_form_refuses_bad_input_and_creates_nothing(client):
    prov = f.provider(client)
    _login(client, prov)
    resp = client.post("/projects/new", data={
        "client_name": "Eve", "client_email": "eve@example.test", "title": "Logo",
        "currency": "EUR", "m0_title": "Sketches", "m0_amount": "-3", "m0_expected_on": ""})
    assert resp.status_code == 200 and "flash error" in resp.get_data(as_text=True)
    assert api(client, "GET", "/api/v1/projects", token=prov["token"]) == (200, [])


def test_client_page_needs_the_right_token(client):
    prov = f.provider(client)
    a = new_project(client, prov)
    b = new_project(client, prov, email="other@example.test")
    assert client.get(f"/pr/{a['id']}/{a['client_token']}").status_code == 200
    assert client.get(f"/pr/{b['id']}/{a['client_token']}").status_code == 404
    other = f.provider(client)
    _login(client, other)
    assert client.get(f"/projects/{a['id']}").status_code == 404


@pytest.mark.browser
def test_client_accepts_saves_the_card_and_pays_the_deposit(browser_page, client, stripe_raw):
    page = browser_page
    prov = f.provider(client)
    project = new_project(client, prov, deposit=30)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(project["accept_url"])
    page.click("#accept-button")  # terms not accepted yet: refused on the page
    expect(page.locator('[data-error-for="accept_terms"]')).to_be_visible()
    page.check("#accept_terms")
    box = page.locator("#card-element")
    for placeholder, value in (("number", "4242424242424242"), ("exp_month", "12"),
                               ("exp_year", "30"), ("cvc", "123"), ("postal_code", "75001")):
        box.locator(f'input[placeholder="{placeholder}"]').fill(value)
    page.click("#accept-button")
    expect(page.locator("#project-status")).to_have_class(re.compile("status-accepted"),
                                                          timeout=15_000)
    expect(page.locator("#accept")).to_have_count(0)
    body = read(client, project)
    [deposit] = body["payments"]
    assert (deposit["status"], deposit["amount_captured"]) == ("captured", 18000)
    assert f.captured_at_emulator(stripe_raw, deposit["stripe_payment_intent_id"]) == 18000
    assert body["milestones"][0]["status"] == "in_progress"
    expect(page.locator("#total-paid")).to_contain_text("180,00")


@pytest.mark.browser
def test_client_authorizes_a_milestone_on_the_page_after_an_off_session_refusal(
        browser_page, client, card_pm, stripe_raw):
    """The bank asked for the client (3-D Secure off-session): the project page shows the
    authorize form; a card typed there, with its challenge, places the milestone's hold."""
    from tests.support.stripe_helpers import CARD_3DS_ALWAYS as CARD_3DS
    from tests.test_projects_api import accept

    prov = f.provider(client)
    project = new_project(client, prov, milestones=[("Build", 7000, 3)], email="sca@example.test")
    pm = card_pm(CARD_3DS).id
    first = accept(client, project, pm)
    stripe_raw.v1.setup_intents.confirm(first["client_secret"].split("_secret_")[0])
    assert accept(client, project, pm) == {"status": "accepted"}
    assert read(client, project)["milestones"][0]["status"] == "action_required"
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(project["accept_url"])
    box = page.locator("#authorize-form #card-element")
    for placeholder, value in (("number", CARD_3DS), ("exp_month", "12"), ("exp_year", "30"),
                               ("cvc", "123"), ("postal_code", "75001")):
        box.locator(f'input[placeholder="{placeholder}"]').fill(value)
    page.click("#authorize-button")
    page.get_by_role("button", name="Complete authentication").click()  # saving the card
    page.get_by_role("button", name="Complete authentication").click()  # the hold itself
    expect(page.locator("#authorize")).to_have_count(0, timeout=15_000)
    [milestone] = read(client, project)["milestones"]
    assert milestone["status"] == "in_progress"
    hold = milestone["payments"][-1]
    pi = stripe_raw.v1.payment_intents.retrieve(hold["stripe_payment_intent_id"])
    assert (hold["status"], pi["status"], pi["amount"]) == ("held", "requires_capture", 7000)
