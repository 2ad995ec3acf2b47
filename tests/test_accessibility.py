"""Every HTML page a client or a provider reaches, at a phone's width and in French: it passes
axe-core (the npm package, pinned in package-lock.json and injected by the test) with no serious
or critical violation, and, like every e-mail sent on the way, it shows no ISO date, no time with
seconds and no internal code (card_declined, awaiting_card).

The pages are visited with real data made through the API (a call booked, a question asked, a
project whose milestone charge was refused and became a debt), so what axe checks is what a user
sees. A guard test keeps the list honest: a new HTML page must be added here, or listed as not
a page (files, feeds).
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests import factories as f
from tests.dunning_support import project_debt, receivable_of
from tests.support.api import api
from tests.support.browser import log_in

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
#: what a user must never meet; "moderate" and "minor" are reported by axe but not failed on
BLOCKING = ("serious", "critical")
#: card fields are Stripe's own iframe in production (the emulator's fake Stripe.js draws plain
#: inputs in their place): their accessibility is Stripe's, not ours
NOT_OURS = [["#card-element"], ["[data-stripe-element]"]]

#: what a reader must never see: 2026-11-25, 16:30:00, snake_case codes of the database or Stripe
ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
SECONDS = re.compile(r"\b\d{1,2}:\d{2}:\d{2}\b")
RAW_CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
#: addresses and links may hold anything: they are left out before the search
LINKS = re.compile(r"\S+@\S+|https?://\S+")

#: GET routes that answer something other than an HTML page (files, feeds, the health check)
NOT_PAGES = {
    "web.manage_ics", "invoices.client_pdf", "invoices.invoice_csv", "invoices.invoice_pdf",
    "messages_pages.inbox_attachment", "messages_pages.client_attachment",
    "pay_pages.invoice_pdf", "webhooks.healthz", "static", "web.provider_photo",
    "dunning_pages.recourse_download", "dunning_pages.notice_pdf",
    "dunning_pages.board_export",
    # Stripe's return/refresh addresses and the OAuth return: they redirect, never a page
    "web.stripe_return", "web.stripe_refresh", "web.stripe_oauth_return",
}
#: every HTML page, by endpoint (the keys of `_urls`)
PAGES = {
    "web.landing", "web.login", "web.signup", "web.provider_page", "web.book_page",
    "messages_pages.ask_page", "web.manage", "messages_pages.client_page",
    "projects_pages.client_page", "pay_pages.pay_page", "pay_pages.plan_card",
    "web.dashboard", "web.offers", "web.change_password", "web.profile",
    "dunning_pages.receivable_list", "dunning_pages.receivable_case",
    "dunning_pages.receivable_action", "dunning_pages.reminder_settings",
    "dunning_pages.penalty_calculator",
    "dunning_pages.client_file", "messages_pages.inbox", "messages_pages.inbox_message",
    "invoices.invoice_list", "projects_pages.project_list", "projects_pages.project_page",
    "projects_pages.project_new", "web.client_move", "web.provider_move",
    "web.public_profile", "web.edit_offer", "dunning_pages.notice_action",
    "web.stripe_status",
    "web.api_tokens", "web.ask_password_reset", "web.reset_password",
}


def test_every_html_page_is_checked(app):
    """A GET route that is neither a listed page nor a file fails here until it is listed."""
    endpoints = {r.endpoint for r in app.url_map.iter_rules()
                 if "GET" in r.methods and not r.rule.startswith("/api/")}
    assert endpoints - PAGES - NOT_PAGES == set()
    assert endpoints >= PAGES


def _site(app, client, card_pm) -> dict:
    """A provider with a call offer and a question offer, a booking, a question asked and a
    refused milestone charge (a debt with its case): the URL of every page."""
    prov, project, milestone = project_debt(client, card_pm, kind="business")
    slug = prov["offer"].get("provider_slug") or prov["email"].split("@")[0].replace(
        "provider", "provider-")
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=2)))
    status, question_offer = api(client, "POST", "/api/v1/offers", token=prov["token"], json={
        "kind": "message", "title": "Une question", "price": {"amount_minor": 1500,
                                                                "currency": "EUR"}})
    assert status == 201, question_offer
    status, asked = api(client, "POST", "/api/v1/messages", json={
        "offer_id": question_offer["id"], "body": "Comment déclarer ma TVA ?",
        "accept_terms": True, "client": {"email": "asker@example.test", "name": "Sam Asker",
                                         "kind": "consumer"}})
    assert status == 201, asked
    from skod.dunning.debts import links

    with app.app_context():
        debt = receivable_of(app, f"milestone:{milestone['id']}")
        pay = links.pay_url(debt)
        reset = _reset_link(debt.provider_id)
    provider = _provider_urls(debt, asked, project, booking["id"], question_offer)
    provider["dunning_pages.notice_action"] = (
        f"/dashboard/formal-notices/{_formal_notice(app, debt)}/posting")
    _bank_proposal(app, debt)
    public = _public_urls(slug, prov, question_offer, booking, asked, project, pay)
    public |= {"web.ask_password_reset": "/password-reset", "web.reset_password": reset}
    return {"prov": prov, "public": public, "provider": provider}


def _bank_proposal(app, debt) -> None:  # noqa: ANN001 - a detached Receivable
    """A transfer of the debt's balance with no reference on the provider's bank statement:
    proposed for review, so the receivables page shows its review buttons too."""
    from skod.core.money import decimal_of
    from skod.dunning.bank_statements import importing, reading
    from tests.support import clock

    now = clock.current()
    amount = decimal_of(debt.balance_minor, debt.currency)
    data = f"date,amount,reference\n{clock.paris_today(now)},{amount},VIREMENT\n".encode()
    with app.app_context():
        source, lines = reading.read(data)
        report = importing.import_statement(debt.provider_id, lines, source, now)
        assert report.count("proposed") == 1


def _reset_link(provider_id: int) -> str:
    """The page a password-reset e-mail's link opens (a valid link)."""
    from skod.accounts import password_reset
    from skod.accounts.models import Provider
    from skod.core.clock import utcnow
    from skod.extensions import db

    # the app reads links on its own clock (the real one)
    token = password_reset.make_token(db.session.get(Provider, provider_id), utcnow())
    return f"/password-reset/{token}"


def _formal_notice(app, debt) -> int:  # noqa: ANN001 - a detached Receivable
    """The debt's mise en demeure as step 3 leaves it (sent, to post by registered mail): its
    section on the case page and its posting form are checked too."""
    from skod.dunning.debts.document_models import MiseEnDemeure
    from skod.dunning.debts.models import DunningStep
    from skod.extensions import db
    from tests.support import clock

    now = clock.current()
    with app.app_context():
        notice = MiseEnDemeure(
            provider_id=debt.provider_id, client_id=debt.client_id, client_email="x@example.test",
            status="sent", created_at=now, sent_at=now, issued_on=clock.paris_today(now),
            deadline=clock.paris_today(now) + timedelta(days=8), currency="EUR",
            total_minor=11_000, pdf=b"%PDF-1.7", mail_task="open")
        db.session.add(notice)
        db.session.flush()
        db.session.add(DunningStep(receivable_id=debt.id, step=3, claimed_at=now, sent_at=now,
                                   status="sent", channel="letter", notice_id=notice.id))
        db.session.commit()
        return notice.id


def _public_urls(slug, prov, question_offer, booking, asked, project, pay) -> dict[str, str]:
    return {
        "web.landing": "/", "web.login": "/login", "web.signup": "/signup",
        "web.provider_page": f"/p/{slug}",
        "web.book_page": f"/p/{slug}/o/{prov['offer_id']}",
        "messages_pages.ask_page": f"/p/{slug}/m/{question_offer['id']}",
        "web.manage": booking["manage_url"], "web.client_move": booking["manage_url"] + "/move",
        "messages_pages.client_page": asked["message_url"],
        "projects_pages.client_page": project["accept_url"],
        "pay_pages.pay_page": pay, "pay_pages.plan_card": f"{pay}/plan",
    }


def _provider_urls(debt, asked, project, booking_id: int,
                   question_offer: dict) -> dict[str, str]:
    return {
        "web.dashboard": "/dashboard", "web.offers": "/dashboard/offers",
        "web.stripe_status": "/dashboard/stripe",
        "web.provider_move": f"/dashboard/bookings/{booking_id}/move",
        "web.edit_offer": f"/dashboard/offers/{question_offer['id']}",
        "web.public_profile": "/dashboard/public-profile",
        "web.change_password": "/dashboard/password", "web.profile": "/dashboard/profile",
        "web.api_tokens": "/dashboard/tokens",
        "dunning_pages.receivable_list": "/dashboard/receivables",
        "dunning_pages.receivable_case": f"/dashboard/receivables/{debt.id}",
        "dunning_pages.receivable_action": f"/dashboard/receivables/{debt.id}/pause",
        "dunning_pages.reminder_settings": "/dashboard/reminders",
        "dunning_pages.penalty_calculator": "/dashboard/penalties?amount=2000&due=2025-01-10&"
                                            "until=2025-03-11&payments=09%2F02%2F2025+1200",
        "dunning_pages.client_file": f"/dashboard/clients/{debt.client_id}",
        "messages_pages.inbox": "/inbox", "messages_pages.inbox_message": f"/inbox/{asked['id']}",
        "invoices.invoice_list": "/invoices", "projects_pages.project_list": "/projects",
        "projects_pages.project_page": f"/projects/{project['id']}",
        "projects_pages.project_new": "/projects/new",
    }


_RUN_AXE = """async (exclude) => {
  const result = await axe.run({exclude: exclude}, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


def unreadable(text: str) -> list[str]:
    """ISO dates, seconds and raw codes found in a text a person reads."""
    text = LINKS.sub(" ", text)
    return [m.group(0) for pattern in (ISO_DAY, SECONDS, RAW_CODE) for m in pattern.finditer(text)]


def _violations(page: Page, url: str, status: int = 200) -> list[dict]:
    response = page.goto(url)
    assert response is not None and response.status == status, (url, response and
                                                                  response.status)
    found = [dict(v, url=url) for v in _axe(page) if v["impact"] in BLOCKING]
    words = unreadable(page.locator("body").inner_text())
    return found + ([{"url": url, "impact": "text", "id": "unreadable", "help": "shown as is",
                      "nodes": words}] if words else [])


def _mail_text(msg) -> str:  # noqa: ANN001 - an EmailMessage
    part = msg.get_body(preferencelist=("plain",))
    return f"{msg['Subject']}\n{part.get_content() if part else ''}"


def _axe(page: Page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(_RUN_AXE, NOT_OURS)


@pytest.fixture
def axe_page(_browser, live_server):
    """A phone-sized page whose CSP lets the test inject axe (the app's own CSP forbids
    injected scripts, rightly)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make test` installs it (npm ci)")
    context = _browser.new_context(base_url=live_server.url, locale="fr-FR",
                                   viewport=PHONE, bypass_csp=True)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize(("text", "found"), [
    ("Le 25 novembre 2026 à 16:30 (CET)", []),
    ("Due 2026-11-25", ["2026-11-25"]),
    ("à 16:30:00 heure normale", ["16:30:00"]),
    ("échec (card_declined)", ["card_declined"]),
    ("écrivez à dana_debtor@example.test ou https://x.test/a_b", []),
])
def test_unreadable_texts_are_found(text, found):
    assert unreadable(text) == found


@pytest.mark.browser
def test_the_check_finds_what_it_must(axe_page):
    """The harness itself: an image without text and a field without label are caught."""
    axe_page.set_content('<html lang="fr"><head><title>t</title></head><body><main>'
                         '<img src="/static/x.png"><input type="text"></main></body></html>')
    assert {"image-alt", "label"} <= {v["id"] for v in _axe(axe_page)
                                      if v["impact"] in BLOCKING}


@pytest.mark.browser
def test_client_and_provider_pages_have_no_serious_accessibility_violation(app, client, card_pm,
                                                                         axe_page, outbox):
    outbox.clear()
    site = _site(app, client, card_pm)
    mails = {m["Subject"]: unreadable(_mail_text(m)) for m in outbox.messages()}
    assert len(mails) >= 4 and not any(mails.values()), mails
    assert set(site["public"]) | set(site["provider"]) == PAGES
    found = [v for url in site["public"].values() for v in _violations(axe_page, url)]
    found += _violations(axe_page, "/no-such-page", 404)  # the error page
    found += _violations(axe_page, "/password-reset/not-a-link", 410)  # a used reset link
    log_in(axe_page, site["prov"]["email"])
    found += [v for url in site["provider"].values() for v in _violations(axe_page, url)]
    # a paused offer's link: the "not available right now" page (409)
    ask_url = site["public"]["messages_pages.ask_page"]
    status, _ = api(client, "POST", f"/api/v1/offers/{ask_url.rsplit('/', 1)[1]}/pause",
                    token=site["prov"]["token"])
    assert status == 200
    found += _violations(axe_page, ask_url, 409)
    assert found == [], "\n".join(
        f"{v['url']}: {v['impact']} {v['id']} ({v['help']}) at {v['nodes']}" for v in found)
