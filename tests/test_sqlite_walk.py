"""Every route works on SQLite, the database `make run` serves by default: the rest of the suite
runs on PostgreSQL, where SQL only PostgreSQL knows (LATERAL, array_agg, date arithmetic) passes
unseen. On an app migrated by Alembic on its own SQLite file and seeded the real way
(tests/sqlite_support.py), every HTML route and every operation of the OpenAPI document is
requested with real ids, and the receivables board with each filter: no answer is a 5xx. And
the board's figures on SQLite equal PostgreSQL's over the same rows.

Reads first (the pages as the data stands), then every form post and API write with an empty
body (each must be refused or done in words, never crash), then the reads again on what the
writes left. Guard: a route added to the app fails here until it has a URL below.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from skod.dunning.board.table import SORTS
from skod.dunning.receivables.queries import STATUS_FILTERS
from tests.sqlite_support import seed, sqlite_app
from tests.support.api import api

PASSWORD = "kiwi-falcon-2291"
#: the API's path parameters -> the seeded row each one names (a key of `seed`'s answer)
API_PARAMS = {"offer_id": "offer_id", "booking_id": "booking_id", "message_id": "message_id",
              "project_id": "project_id", "milestone_id": "milestone_id",
              "payment_id": "payment_id", "invoice_id": "invoice_id",
              "receivable_id": "debt_id", "notice_id": "notice_id", "file_id": "file_id",
              "slug": "slug", "attachment_id": "one", "action": "pause", "answer": "accept",
              "client_id": "client_id",
              # a token no one has: revoking the walk's own token would end the walk
              "token_id": "no_token"}
#: the query a read needs to reach its database (its required parameters)
API_QUERIES = {
    "/api/v1/offers/{offer_id}/slots": "from={today}&to={later}",
    "/api/v1/penalties": "amount_minor=12000&currency=EUR&due={today}&paid={later}"
                         "&client_kind=business",
    "/api/v1/receivables": "status=owed&page=1&per_page=5",
}


@pytest.fixture(scope="module")
def site(stripe_emulator, tmp_path_factory):
    """(the SQLite app, a test client logged in as the provider, the seeded rows)."""
    from tests.conftest import STRIPE_PUBLISHABLE_KEY, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET
    from tests.support import clock
    from tests.support.stripe_helpers import create_card_pm, make_client

    keys = {"STRIPE_SECRET_KEY": STRIPE_SECRET_KEY, "STRIPE_WEBHOOK_SECRET": STRIPE_WEBHOOK_SECRET,
            "STRIPE_PUBLISHABLE_KEY": STRIPE_PUBLISHABLE_KEY}
    stripe = make_client(stripe_emulator.base_url, STRIPE_SECRET_KEY)
    instance = Path(tmp_path_factory.mktemp("sqlite-instance"))
    with sqlite_app(instance, stripe_emulator, keys) as app:
        client = app.test_client()
        rows = seed(app, client, lambda number: create_card_pm(stripe, number), clock.current())
        _log_in(client, rows["prov"]["email"])
        yield app, client, rows


def _log_in(client, email: str) -> None:
    resp = client.post("/login", data={"email": email, "password": PASSWORD})
    assert resp.status_code == 302, resp.status_code


def _values(rows: dict) -> dict:
    """Every value a URL is made of, by name."""
    prov, booking, asked, project = rows["prov"], rows["booking"], rows["asked"], rows["project"]
    return {
        "offer_id": prov["offer_id"], "question_offer": rows["question"]["id"],
        "no_token": 987654,
        "booking_id": booking["id"], "message_id": asked["id"], "project_id": project["id"],
        "milestone_id": rows["milestone"]["id"], "payment_id": rows["payment_id"],
        "invoice_id": rows["invoice_id"], "debt_id": rows["debt"].id,
        "client_id": rows["debt"].client_id, "notice_id": rows["notice_id"],
        "file_id": rows["file_id"], "recourse_id": rows["recourse"]["id"],
        "slug": prov["email"].split("@")[0].replace("provider", "provider-"),
        "one": 1, "pause": "pause", "accept": "accept",
        "manage": _path_of(booking["manage_url"]), "ask": _path_of(asked["message_url"]),
        "accept_url": _path_of(project["accept_url"]), "pay": rows["pay_link"],
        "invoice_link": rows["invoice_link"], "today": rows["today"],
        "later": rows["today"] + timedelta(days=20), "provider_email": prov["email"],
    }


def _path_of(url: str) -> str:
    return "/" + url.split("://", 1)[-1].split("/", 1)[1] if "://" in url else url


def html_urls(v: dict) -> dict[str, list[str]]:
    """endpoint -> the URLs requested (with each method it takes); logging out comes last."""
    return {**_public_urls(v), **_provider_urls(v), "web.logout": ["/logout"]}


def _public_urls(v: dict) -> dict[str, list[str]]:
    """The client's pages and links, the public pages, the webhook and the files."""
    pay, manage = v["pay"], v["manage"]
    return {
        "web.landing": ["/"], "web.login": ["/login"], "web.signup": ["/signup"],
        "web.provider_page": [f"/p/{v['slug']}"],
        "web.book_page": [f"/p/{v['slug']}/o/{v['offer_id']}",
                          # the month navigation, a day and a zone; then nonsense in each
                          f"/p/{v['slug']}/o/{v['offer_id']}?tz=America/New_York&month=2027-01"
                          "&day=2027-01-05",
                          f"/p/{v['slug']}/o/{v['offer_id']}?tz=Nowhere&month=2026-13&day=x"],
        "web.provider_photo": [f"/p/{v['slug']}/photo.jpg"],
        "messages_pages.ask_page": [f"/p/{v['slug']}/m/{v['question_offer']}"],
        "web.manage": [manage], "web.manage_cancel": [manage + "/cancel"],
        "web.manage_ics": [manage + "/invite.ics"], "web.client_move": [manage + "/move"],
        "web.client_answer": [manage + "/proposal/accept"],
        "messages_pages.client_page": [v["ask"]],
        "messages_pages.client_attachment": [v["ask"] + "/a/1"],
        "projects_pages.client_page": [v["accept_url"]],
        "projects_pages.client_action": [f"{v['accept_url']}/m/{v['milestone_id']}/approve"],
        "pay_pages.pay_page": [pay], "pay_pages.plan_card": [pay + "/plan"],
        "pay_pages.plan": [pay + "/plan"], "pay_pages.dispute": [pay + "/dispute"],
        "pay_pages.promise": [pay + "/promise"], "pay_pages.invoice_pdf": [pay + "/invoice.pdf"],
        "invoices.client_pdf": [v["invoice_link"]],
        "webhooks.healthz": ["/healthz"], "webhooks.stripe_webhook": ["/stripe/webhook"],
        "static": ["/static/css/skod.css"],
    }


def _provider_urls(v: dict) -> dict[str, list[str]]:
    """The provider's pages and forms; the receivables board with every status filter."""
    case = f"/dashboard/receivables/{v['debt_id']}"
    board = [f"/dashboard/receivables?status={s}&page=2" for s in (*STATUS_FILTERS, "nope")]
    # the table: every sort both ways, with the search, the stage and the days-late range
    board += [f"/dashboard/receivables?sort={s}&dir={d}&q=a_%25&stage=0&late_min=0"
              f"&late_max=400" for s in SORTS for d in ("asc", "desc")]
    return {
        "web.dashboard": ["/dashboard"], "web.save_availability": ["/dashboard/availability"],
        "web.booking_action": [f"/dashboard/bookings/{v['booking_id']}/cancel"],
        "web.provider_move": [f"/dashboard/bookings/{v['booking_id']}/move"],
        "web.offers": ["/dashboard/offers"], "web.create_offer": ["/dashboard/offers"],
        "web.edit_offer": [f"/dashboard/offers/{v['question_offer']}"],
        "web.offer_action": [f"/dashboard/offers/{v['question_offer']}/pause"],
        "web.change_password": ["/dashboard/password"], "web.profile": ["/dashboard/profile"],
        "web.public_profile": ["/dashboard/public-profile"],
        "web.refund_payment": [f"/dashboard/payments/{v['payment_id']}/refund"],
        "web.stripe_status": ["/dashboard/stripe"],
        "web.api_tokens": ["/dashboard/tokens"],
        "web.revoke_api_token": [f"/dashboard/tokens/{v['no_token']}/revoke"],
        "web.ask_password_reset": ["/password-reset"],
        "web.reset_password": ["/password-reset/not-a-token"],
        "web.stripe_onboarding": ["/dashboard/stripe/onboarding"],
        "web.stripe_refresh": ["/dashboard/stripe/refresh"],
        "web.stripe_return": ["/dashboard/stripe/return"],
        "web.stripe_oauth": ["/dashboard/stripe/oauth"],
        "web.stripe_oauth_return": ["/dashboard/stripe/oauth/return?code=ac_nope&state=x"],
        "dunning_pages.receivable_list": ["/dashboard/receivables", "/dashboard/receivables"
                                          "?page=3", *board],
        "dunning_pages.board_bulk": ["/dashboard/receivables/bulk"],
        "dunning_pages.board_export": ["/dashboard/receivables.csv",
                                       "/dashboard/receivables.csv?sort=age&q=e&late_min=x"],
        "dunning_pages.receivable_case": [case, f"/dashboard/receivables/{v['recourse_id']}"],
        "dunning_pages.receivable_action": [f"{case}/{a}" for a in ("pause", "remind",
                                                                   "mark-paid", "write-off",
                                                                   "refund-credit")],
        "dunning_pages.dispute_action": [f"{case}/dispute/{a}" for a in (
            "answer", "accept-part", "accept-all", "reject", "nope")],
        "dunning_pages.reminder_settings": ["/dashboard/reminders"],
        "dunning_pages.penalty_calculator": [
            "/dashboard/penalties", "/dashboard/penalties?amount=2000&due=2025-01-10&"
            "until=2025-03-11&payments=09%2F02%2F2025+1200", "/dashboard/penalties?amount=x"],
        "dunning_pages.client_file": [f"/dashboard/clients/{v['client_id']}"],
        "dunning_pages.bank_import": ["/dashboard/receivables/bank-import"],
        "dunning_pages.bank_line_review": [f"/dashboard/receivables/bank-lines/{v['one']}/{d}"
                                           for d in ("accept", "dismiss", "nope")],
        "dunning_pages.bank_surplus_refunded": [f"{case}/bank-surplus/{v['one']}/refunded",
                                                f"{case}/bank-surplus/999999/refunded"],
        "dunning_pages.notice_pdf": [f"/dashboard/formal-notices/{v['notice_id']}.pdf"],
        "dunning_pages.notice_action": [f"/dashboard/formal-notices/{v['notice_id']}/posting"],
        "dunning_pages.recourse_download": [f"/dashboard/recourse-files/{v['file_id']}.zip"],
        "dunning_pages.recourse_insolvency": [
            f"/dashboard/recourse-files/{v['file_id']}/insolvency"],
        "dunning_pages.recourse_route": [f"/dashboard/recourse-files/{v['file_id']}/route"],
        "messages_pages.inbox": ["/inbox"],
        "messages_pages.inbox_message": [f"/inbox/{v['message_id']}"],
        "messages_pages.inbox_attachment": [f"/inbox/{v['message_id']}/a/1"],
        "messages_pages.inbox_decline": [f"/inbox/{v['message_id']}/decline"],
        "messages_pages.inbox_reply": [f"/inbox/{v['message_id']}/reply"],
        "invoices.invoice_list": ["/invoices", "/invoices?status=unpaid"],
        "invoices.invoice_csv": ["/invoices.csv"],
        "invoices.invoice_pdf": [f"/invoices/{v['invoice_id']}/pdf"],
        "projects_pages.project_list": ["/projects"], "projects_pages.project_new": [
            "/projects/new"], "projects_pages.project_page": [f"/projects/{v['project_id']}"],
        "projects_pages.milestone_action": [
            f"/projects/{v['project_id']}/milestones/{v['milestone_id']}/start"],
    }


def api_operations(doc: dict, v: dict) -> list[tuple[str, str]]:
    """(method, path) of every operation of the document, its parameters filled in."""
    ops = []
    for template, item in doc["paths"].items():
        path = template
        for name, key in API_PARAMS.items():
            path = path.replace("{" + name + "}", str(v[key]))
        assert "{" not in path, f"no value for a parameter of {template}"
        if template in API_QUERIES:
            path += "?" + API_QUERIES[template].format(**v)
        ops += [(method.upper(), path) for method in item
                if method in ("get", "post", "put", "patch", "delete")]
    return ops


def _client_token(path: str, rows: dict) -> str | None:
    """The token a client of that route holds (its booking's, question's, project's, pay link)."""
    for prefix, token in (("/api/v1/bookings/", rows["booking"]["client_token"]),
                          ("/api/v1/messages/", rows["asked"]["client_token"]),
                          ("/api/v1/projects/", rows["project"]["client_token"]),
                          ("/api/v1/milestones/", rows["project"]["client_token"]),
                          ("/api/v1/pay/", rows["pay_link"].rsplit("/", 1)[1])):
        if path.startswith(prefix):
            return token
    return None


def test_every_route_has_a_url(site):
    app, _, rows = site
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if not r.rule.startswith("/api/")}
    urls = html_urls(_values(rows))
    assert endpoints - set(urls) == set(), "add a URL for these routes"
    assert set(urls) - endpoints == set(), "routes gone: remove them here"


def _is_file(path: str) -> bool:
    """A download (PDF, ZIP, CSV, calendar): rendered from rows the writes do not touch."""
    return path.endswith((".pdf", "/pdf", ".zip", ".csv", ".ics")) or path.startswith("/i/")


def _walk(client, app, rows: dict, writes: bool, files: bool = True) -> list[str]:
    """Every route once with the reads (`writes` False) or the writes: the 5xx answers."""
    v = _values(rows)
    methods = {r.endpoint: r.methods - {"HEAD", "OPTIONS"} for r in app.url_map.iter_rules()}
    failed = []
    for endpoint, paths in html_urls(v).items():
        for method in sorted(methods[endpoint]):
            if (method == "GET") == writes:
                continue
            for path in paths if files else [p for p in paths if not _is_file(p)]:
                resp = client.open(path, method=method, data={})
                if resp.status_code >= 500:
                    failed.append(f"{method} {path}: {resp.status_code}")
    doc = client.get("/api/openapi.json").get_json()
    for method, path in api_operations(doc, v):
        if (method == "GET") == writes or (not files and _is_file(path)):
            continue
        for token in (rows["prov"]["token"], _client_token(path, rows)):
            status, body = api(client, method, path, token=token,
                               json=None if method == "GET" else {})
            if status >= 500:
                failed.append(f"{method} {path}: {status} {body}")
    return failed


def test_every_route_answers_without_a_server_error_on_sqlite(site):
    app, client, rows = site
    board = client.get("/dashboard/receivables")
    assert board.status_code == 200 and b"recouvr" in board.data.lower(), board.status_code
    failed = _walk(client, app, rows, writes=False)
    failed += _walk(client, app, rows, writes=True)
    _log_in(client, rows["prov"]["email"])  # a write logged out or changed the session
    failed += _walk(client, app, rows, writes=False, files=False)
    assert failed == [], "\n".join(failed)


def test_receivables_api_filters_and_pages_on_sqlite(site):
    _, client, rows = site
    token, debt = rows["prov"]["token"], rows["debt"]
    queries = [f"status={s}" for s in STATUS_FILTERS] + [
        "page=2&per_page=3", "step=0", "step=-1", f"client_id={debt.client_id}"]
    for query in queries:
        status, body = api(client, "GET", f"/api/v1/receivables?{query}", token=token)
        assert status == 200, (query, body)


def _board_of(app, client, now) -> object:  # noqa: ANN001
    """A new provider's board over the board tests' rows and one case at each age edge."""
    from skod.dunning.board import summary as board
    from tests import factories as f
    from tests.board_support import Debt, seed
    from tests.test_dunning_board import _debts
    from tests.test_dunning_provider_api import provider_id

    pid = provider_id(app, f.provider(client))
    edges = [Debt("EUR", "open", 0, 1_000 + days, days_late=days)
             for days in (-30, 0, 7, 8, 15, 16, 30, 31, 45, 46)]
    seed(app, pid, now, _debts(now) + edges)
    with app.app_context():
        summary = board.summary(pid, now)
    summary.provider_id = None
    return summary


def test_the_board_counts_the_same_on_sqlite_as_on_postgresql(site, app, client, now):
    """Same rows, same figures (ages, month, rates): SQLite's board is not only up, it is right
    (a date subtraction, for one, runs there but means something else)."""
    lite, lite_client, _ = site
    assert _board_of(lite, lite_client, now) == _board_of(app, client, now)


def commands(v: dict) -> dict[str, list[str]]:
    """`flask skod ...` command -> the arguments it is run with (a real day, a real row)."""
    days = ["--from", str(v["today"] - timedelta(days=120)), "--to", str(v["later"])]
    return {
        "tick": ["--at", f"{v['later']}T09:00:00+00:00"], "seed-demo": [], "connect-demo": [],
        "reconcile": [], "invoices export": days, "events list": ["--status", "all"],
        "events replay": ["1"], "rates list": [],
        "rates set": ["2030-H1", "--ecb", "2.15", "--legal-private", "8.16", "--legal-other",
                      "3.71", "--source", "arrêté (test)", "--verified"],
        "penalties": ["--amount", "1200.00", "--due", str(v["today"] - timedelta(days=60)),
                      "--paid", str(v["today"]), "--client", "business", "--json",
                      "--payment", f"{v['today'] - timedelta(days=30)}:200.00"],
        "bank import": [str(Path(__file__).parent / "data" / "camt053_sample.xml"),
                        "--provider", v["provider_email"]],
    }


def _names(group, prefix: str = "") -> set[str]:  # noqa: ANN001 - a click group
    found = set()
    for name, command in group.commands.items():
        sub = getattr(command, "commands", None)
        found |= _names(command, f"{prefix}{name} ") if sub is not None else {prefix + name}
    return found


def test_every_command_runs_on_sqlite(site):
    """`make run`'s operators type these on the SQLite file: each ends in words, never in a
    traceback (an error of input exits with a message and a non-zero code)."""
    from skod.cli import skod_cli

    app, _, rows = site
    runs = commands(_values(rows))
    assert _names(skod_cli) == set(runs), "give the new command its arguments here"
    crashed = {}
    for name, args in runs.items():
        result = app.test_cli_runner().invoke(args=["skod", *name.split(), *args])
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            crashed[name] = repr(result.exception)
    assert crashed == {}
