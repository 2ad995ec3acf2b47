"""The step-0 notice (the e-mail at failure) offers the transfer to the client's virtual IBAN
(issue 22, point 2): the IBAN and the debt's reference in both parts of the e-mail and on the
invoice PDF attached to it (and on the pay page's PDF download); once the debt is paid, the
invoice prints no transfer any more. When Stripe fails to make the offer, the notice still goes,
with the provider's own bank details alone.
"""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.support.dunning import (
    IBAN,
    assert_in_both,
    declined_debts,
    mark_transfer,
    parts,
    pdf_text,
    walk,
)
from tests.support.webhook_chaos import drain

#: the BIC of the virtual IBANs the emulator hands out (scripts/emulator/cash_balance.py)
VIRTUAL_BIC = "STRPFRP1XXX"


def _offered(app, rid: int) -> dict | None:
    from skod.dunning.transfers.store import offered

    with app.app_context():
        row = offered(rid)
        return None if row is None else {"iban": row.iban, "reference": row.reference}


def test_the_notice_and_its_invoice_give_the_virtual_iban_and_reference(
        app, client, card_pm, stripe_emulator, stripe_webhooks, outbox):
    prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator,
                                           milestones=(("Build", 120000),))
    outbox.clear()
    walk(app, rid, until_step=0)
    [notice] = outbox.to(project["email"])
    shown = _offered(app, rid)
    assert shown is not None and shown["iban"].startswith("FR") and shown["iban"] != IBAN
    assert_in_both(notice, shown["iban"], shown["reference"], IBAN)
    attached = _flat(pdf_text(notice))
    assert shown["iban"] in attached and shown["reference"] in attached
    assert "Payerparvirement,rapprochéautomatiquement" in attached
    downloaded = _flat(_page_pdf(app, client, rid))
    assert shown["iban"] in downloaded and shown["reference"] in downloaded

    with app.app_context():
        from skod.core.clock import utcnow

        now = utcnow()
    mark_transfer(app, prov, rid, None, now)  # paid: the invoice is the invoice alone
    assert shown["iban"] not in _flat(_page_pdf(app, client, rid))
    drain(app, stripe_emulator)  # every event handled before the next test empties the tables


def _flat(text: str) -> str:
    """pypdf splits some glyph pairs and wraps lines: compare without any whitespace."""
    return "".join(text.split())


def _page_pdf(app, client, rid: int) -> str:
    """The invoice PDF the pay page offers for download, as text."""
    from skod.dunning.debts import links
    from skod.dunning.debts.models import Receivable
    from skod.extensions import db

    with app.app_context():
        url = links.pay_url(db.session.get(Receivable, rid))
    resp = client.get(url[url.index("/pay/"):] + "/invoice.pdf")
    assert resp.status_code == 200
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(resp.data)).pages)


def test_the_notice_goes_without_the_offer_when_stripe_fails(
        app, client, card_pm, stripe_emulator, stripe_webhooks, outbox):
    _prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator,
                                           milestones=(("Build", 120000),))
    outbox.clear()
    stripe_emulator.control("faults", {"path": "/v1/payment_intents", "status": 500,
                                       "times": 20})
    try:
        walk(app, rid, until_step=0)
    finally:
        stripe_emulator.control("faults", {"clear": True})
    [notice] = outbox.to(project["email"])
    assert _offered(app, rid) is None
    assert_in_both(notice, IBAN)  # the provider's own bank details, as before
    text, page = parts(notice)
    # no virtual account: its bank (Stripe's BIC at the emulator) is named nowhere
    assert VIRTUAL_BIC not in text and VIRTUAL_BIC not in page
    assert VIRTUAL_BIC not in _flat(pdf_text(notice))  # nor on the invoice attached
    drain(app, stripe_emulator)
