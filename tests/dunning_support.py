"""Helpers of the dunning tests: debts made the real way (a delivered milestone whose
off-session charge the card refuses), instants inside and outside the sending window, and
reading a case back."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tests import factories as f
from tests.support import clock
from tests.support.api import api
from tests.support.stripe_helpers import CARD_OFF_SESSION_DECLINE

PARIS = ZoneInfo("Europe/Paris")


def paris_at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), PARIS).astimezone(UTC)


def working_instant(after: datetime, hour: int = 10) -> datetime:
    """The first business day strictly after `after`'s Paris day, at `hour` Paris time."""
    from skod.dunning.rules.ladder import is_business_day

    day = after.astimezone(PARIS).date() + timedelta(days=1)
    while not is_business_day(day):
        day += timedelta(days=1)
    return paris_at(day, hour)


def project_debt(client, card_pm, *, amount: int = 7000, kind: str = "business",
                 email: str = "debtor@example.test", card: str = CARD_OFF_SESSION_DECLINE,
                 prov: dict | None = None, declines: tuple = ()) -> tuple[dict, dict, dict]:
    """A project accepted with `card`, its milestone marked done: the off-session charge is
    refused and the work is owed. (provider, project, milestone as the API shows it).
    `declines`: (emulator, outcomes...) scripted on the card before the work is done."""
    prov = prov or f.provider(client)
    expected = clock.paris_day(clock.current(), 40).isoformat()  # no hold before delivery
    client_spec = {"email": email, "name": "Dana Debtor", "kind": kind}
    if kind == "business":
        client_spec.update(company_name="Debtor SARL", siren="552100554",
                           address="4 quai Rambaud\n69002 Lyon")
    status, project = api(client, "POST", "/api/v1/projects", token=prov["token"], json={
        "client": client_spec, "title": "New website", "currency": "EUR",
        "deposit_percent": 0, "approval": "none",
        "milestones": [{"title": "Build", "amount_minor": amount, "expected_on": expected}]})
    assert status == 201, project
    pm = card_pm(card).id
    status, body = api(client, "POST", f"/api/v1/projects/{project['id']}/payment-method",
                       json={"payment_method": pm}, token=project["client_token"])
    assert status == 200, body
    if declines:
        declines[0].script_declines(pm, *declines[1:])
    status, read = api(client, "GET", f"/api/v1/projects/{project['id']}",
                       token=project["client_token"])
    milestone = read["milestones"][0]
    for action in ("start", "complete"):
        status, milestone = api(client, "POST",
                                f"/api/v1/milestones/{milestone['id']}/{action}", json={},
                                token=prov["token"])
        assert status == 200, milestone
    return prov, project, milestone


def receivable_of(app, source: str):  # noqa: ANN201 - a detached Receivable
    from skod.dunning.debts.models import Receivable
    from skod.extensions import db

    with app.app_context():
        row = db.session.scalar(db.select(Receivable).where(Receivable.source == source))
        if row is not None:
            db.session.expunge(row)
        return row


def steps_of(app, receivable_id: int) -> list[tuple[int, str]]:
    from skod.dunning.debts.models import DunningStep
    from skod.extensions import db

    with app.app_context():
        return [(s.step, s.status) for s in db.session.scalars(
            db.select(DunningStep).where(DunningStep.receivable_id == receivable_id)
            .order_by(DunningStep.step))]


def recovery_payments(app, receivable_id: int) -> list[tuple[str, str | None]]:
    from skod.extensions import db
    from skod.payments.models import Payment

    with app.app_context():
        return [(p.status, p.last_error_code) for p in db.session.scalars(
            db.select(Payment).where(Payment.receivable_id == receivable_id)
            .order_by(Payment.id))]
