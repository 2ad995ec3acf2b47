"""The app on SQLite, `make run`'s embedded default, for the SQLite route walk
(tests/test_sqlite_walk.py): its own database file migrated by Alembic as `flask db upgrade`
does, the suite's Stripe emulator, and a site seeded the real way (the API, the sweep) with
every kind of row a page or an API route reads.

The session's `app` (PostgreSQL) is left as it was: the current Celery app (each app has its
own, the last created is the one shared tasks go to) and the emulator's idempotency keys and
clock are put back when the SQLite app is done.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select

from tests import board_support as boards
from tests import factories as f
from tests.dunning_support import project_debt, receivable_of
from tests.support import clock
from tests.support.api import api
from tests.support.stripe_helpers import CARD_OK

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def sqlite_app(instance: Path, emulator, keys: dict):  # noqa: ANN001 - StripeEmulator
    """The app on `instance`/skod.sqlite, migrated to the head, Celery eager, e-mails to files."""
    from celery import current_app as current_celery
    from flask_migrate import upgrade

    from skod import create_app
    from skod.extensions import db

    url = f"sqlite:///{instance / 'skod.sqlite'}"
    before = current_celery._get_current_object()
    app = create_app({
        "TESTING": True, "WTF_CSRF_ENABLED": False, "SQLALCHEMY_DATABASE_URI": url,
        "SKOD_INSTANCE_PATH": str(instance), "STRIPE_API_BASE": emulator.base_url,
        "STRIPE_JS_URL": emulator.js_url, "MAIL_BACKEND": "outbox",
        "STRIPE_MAX_REQUESTS_PER_SECOND": 1000, "RATE_LIMIT_REDIS_URL": None, **keys})
    app.extensions["celery"].conf.update(task_always_eager=True, task_eager_propagates=True,
                                         broker_url="memory://")
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision="heads")
    emulator.forget_idempotency()  # ids start at 1 here too: no reply meant for another run
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        # put back the Celery app that was current, unless an app created meanwhile (the
        # session's, when the walk ran first) made its own current: that one stays
        if current_celery._get_current_object() is app.extensions["celery"]:
            before.set_current()
            before.set_default()
        emulator.forget_idempotency()
        emulator.set_clock(None)


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def seed(app, client, card_pm, now: datetime) -> dict:  # noqa: ANN001
    """A provider with a call offer and a question offer; a booking held on a card; a question
    paid and answered (its invoice); a project whose milestone charge failed (a debt) and
    that the sweep takes to step 0; a debt that the sweep takes to its recourse file; board
    rows at every step, paid, written off and paused. Returns the ids, tokens and links."""
    from tests.test_dunning_provider_api import business_morning, provider_id
    from tests.test_dunning_recourse import debt_at_step_three

    prov = f.provider(client)
    pid = provider_id(app, prov)
    # first: its invoice is dated 90 days back, and numbers follow dates (a later one first
    # would date it today)
    recourse = debt_at_step_three(app, pid, now, amount=120_000, kind="business")
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=2), now))
    f.pay(client, booking, card_pm(CARD_OK).id)
    question, asked = _paid_question(client, card_pm, prov)
    _, project, milestone = project_debt(client, card_pm, prov=prov)
    f.tick(app, business_morning(now))  # on SQLite: step 0 of the project's debt, step 4
    debt = receivable_of(app, f"milestone:{milestone['id']}")
    boards.seed(app, pid, now, _board_debts(now))
    return {"prov": prov, "pid": pid, "booking": booking, "question": question,
            "asked": asked, "project": project, "milestone": milestone, "debt": debt,
            "recourse": recourse, "today": clock.paris_today(now),
            **_rows(app, debt, recourse["id"])}


def _paid_question(client, card_pm, prov: dict) -> tuple[dict, dict]:  # noqa: ANN001
    """A question offer, a question asked and paid, answered by the provider (captured)."""
    status, offer = api(client, "POST", "/api/v1/offers", token=prov["token"], json={
        "kind": "message", "title": "Une question",
        "price": {"amount_minor": 1500, "currency": "EUR"}})
    assert status == 201, offer
    status, asked = api(client, "POST", "/api/v1/messages", json={
        "offer_id": offer["id"], "body": "Comment déclarer ma TVA\u202f?", "accept_terms": True,
        "client": {"email": "asker@example.test", "name": "Sam Asker", "kind": "consumer"}})
    assert status == 201, asked
    status, body = api(client, "POST", f"/api/v1/messages/{asked['id']}/payment-method",
                       json={"payment_method": card_pm(CARD_OK).id},
                       token=asked["client_token"])
    assert status == 200, body
    status, body = api(client, "POST", f"/api/v1/messages/{asked['id']}/reply",
                       json={"body": "Voici la réponse."}, token=prov["token"])
    assert status == 200, body
    return offer, asked


def _board_debts(now: datetime) -> list[boards.Debt]:
    """Cases at every step and age, money in before and after steps, this month and earlier."""
    day = timedelta(days=1)
    return [
        boards.Debt("EUR", "open", -1, 5_000, days_late=-3),
        boards.Debt("EUR", "open", 0, 8_000, 2_000, days_late=10, steps={0: now - 9 * day},
                    payments=[(now - 12 * day, 1_000), (now - 2 * day, 1_000)]),
        boards.Debt("EUR", "open", 1, 9_000, days_late=20,
                    steps={0: now - 19 * day, 1: now - 12 * day}),
        boards.Debt("EUR", "paused", 2, 12_000, days_late=35,
                    steps={0: now - 34 * day, 1: now - 27 * day, 2: now - 20 * day}),
        boards.Debt("EUR", "paid", 1, 4_000, 4_000, days_late=40, closed_at=now - day,
                    steps={0: now - 30 * day, 1: now - 3 * day, 2: None},
                    payments=[(now - day, 4_000)]),
        boards.Debt("EUR", "paid", 0, 3_000, 0, days_late=60, closed_at=now - 50 * day,
                    steps={0: now - 55 * day}, payments=[(now - 50 * day, None)]),
        boards.Debt("EUR", "written_off", 3, 20_000, days_late=70, closed_at=now - day),
        boards.Debt("USD", "open", 0, 7_500, days_late=50, steps={0: now - 40 * day}),
    ]


def _rows(app, debt, recourse_id: int) -> dict:  # noqa: ANN001 - a detached Receivable
    """Ids the routes take that the API did not answer: payment, invoice, notice, file; and
    the client links of the debt's pay page and of the invoice."""
    from skod.dunning.debts import links
    from skod.dunning.debts.document_models import RecourseFile
    from skod.dunning.debts.models import DunningStep
    from skod.extensions import db
    from skod.invoicing.models import Invoice
    from skod.payments.models import Payment

    with app.app_context():
        invoice = db.session.scalar(select(Invoice).where(Invoice.message_id.is_not(None)))
        step3 = db.session.scalar(select(DunningStep).where(
            DunningStep.receivable_id == recourse_id, DunningStep.step == 3))
        return {
            "payment_id": db.session.scalar(select(Payment.id).where(
                Payment.status == "captured").order_by(Payment.id)),
            "invoice_id": invoice.id, "invoice_link": _path(links.invoice_url(invoice)),
            "notice_id": step3.notice_id,
            "file_id": db.session.scalar(select(RecourseFile.id)),
            "pay_link": _path(links.pay_url(debt)),
        }
