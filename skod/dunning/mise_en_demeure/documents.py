"""The mise en demeure as documents: its facts read from the rows, its PDF (WeasyPrint from
templates/dunning/mise_en_demeure.html, in the client's language) and the e-mails around it
(the client's, with the PDF attached; the provider's "post it by registered mail" and "waits
for your approval"). mise_en_demeure/services.py decides when; med_letter.py decides the words.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from skod.dunning.debts import links, notices
from skod.dunning.debts.document_models import MiseEnDemeure
from skod.dunning.debts.models import Receivable
from skod.dunning.debts.recovery import split_source
from skod.dunning.mise_en_demeure import letter as med_letter
from skod.dunning.reminders import notify
from skod.dunning.reminders.letter_facts import day, money
from skod.notifications import mail

TEMPLATE = "dunning/mise_en_demeure.html"


def reference_of(r: Receivable) -> str:
    """What was sold, in words: the kind of service and its number, and its description."""
    parts = split_source(r.source)
    kinds = {"milestone": _("Project milestone no. %(id)s"), "booking": _("Booking no. %(id)s"),
             "overrun:booking": _("Booking no. %(id)s (extra minutes)"),
             "message": _("Written question no. %(id)s"), "dispute": _("Payment no. %(id)s")}
    what = kinds.get(parts[0], "%(id)s") % {"id": parts[1]} if parts else r.source
    service = notify.service_of(r)
    return _("%(what)s: %(service)s", what=what, service=service) if service else what


def facts_of(rows: list[Receivable], now: datetime, issued_on: date,
             deadline_days: int) -> med_letter.NoticeFacts:
    """Call inside force_locale(the client's locale)."""
    client = rows[0].client
    business = rows[0].client_kind != "consumer" and client.company_name
    debtor = med_letter.Debtor(
        name=client.name, email=client.email,
        company_name=client.company_name if business else None,
        legal_form=client.legal_form if business else None,
        siren=client.siren if business else None, address=client.address)
    return med_letter.NoticeFacts(
        facts=notify.facts_for(3, rows, now, links.locale_of(client)), debtor=debtor,
        issued_on=issued_on, deadline_days=deadline_days,
        references=tuple(reference_of(r) for r in rows))


def render(rows: list[Receivable], now: datetime, issued_on: date,
           deadline_days: int) -> tuple[med_letter.Notice, bytes]:
    """The letter and its PDF, in the client's language."""
    from weasyprint import HTML  # heavy import (Pango, fonts): only when a PDF is made

    locale = links.locale_of(rows[0].client)
    with force_locale(locale):
        letter = med_letter.build(facts_of(rows, now, issued_on, deadline_days))
        page = render_template(TEMPLATE, n=letter, locale=locale)
    pdf = HTML(string=page, base_url=current_app.static_folder).write_pdf()
    return letter, pdf


def filename(notice: MiseEnDemeure) -> str:
    stem = "mise-en-demeure" if notice.locale == "fr" else "formal-notice"
    return f"{stem}-{notice.id}.pdf"


def to_client(notice: MiseEnDemeure, rows: list[Receivable], letter: med_letter.Notice,
              now: datetime) -> str:
    """The letter e-mailed to the client, PDF attached (and the invoices); the Message-ID."""
    client, provider, locale = notice.client, notice.provider, notice.locale
    with force_locale(locale):
        total = money(notice.total_minor, notice.currency, locale)
        deadline = day(notice.deadline, locale, "full")
        who = provider.company_name or provider.name
        paragraphs = [
            _("Please find attached a formal notice (mise en demeure) from %(name)s about "
              "unpaid invoices.", name=who),
            _("It asks you to pay %(amount)s by %(date)s at the latest.", amount=total,
              date=deadline),
            # bank details are promised only when the letter prints them
            _("You can pay online with the secure link below or by bank transfer (the details "
              "are in the letter).") if letter.bank_details else
            _("You can pay online with the secure link below."),
            _("If you have paid in the meantime or dispute this debt, reply to this e-mail.")]
        msg = mail.build(
            to=client.email, template="message", locale=locale,
            subject=_("MISE EN DEMEURE: %(amount)s to pay to %(name)s by %(date)s",
                      amount=total, name=who, date=day(notice.deadline, locale)),
            context={"greeting": _("Hello %(name)s,", name=client.name),
                     "paragraphs": paragraphs, "action_url": letter.payment[0][1],
                     "action_label": _("Pay online"),
                     "details": [(_("Grand total due"), total), (_("Final deadline"), deadline)]},
            attachments=[(filename(notice), "application/pdf", notice.pdf)],
            sender=links.voice(provider))
    raw = notify.keep(msg, provider.id, client.email, 3, now)  # written out once, PDF and all
    mail.send_raw(raw, [r.invoice_id for r in rows if r.invoice_id is not None])
    return msg["Message-ID"]


def to_provider(notice: MiseEnDemeure, rows: list[Receivable]) -> None:
    """Sent: post it by registered mail; a draft: it waits for the provider's approval."""
    locale = links.locale_of(notice.provider)
    client = notice.client.company_name or notice.client.name
    with force_locale(locale):
        if notice.status == "draft":
            subject = _("Your mise en demeure to %(client)s waits for your approval",
                        client=client)
            paragraphs = [_("The formal notice (mise en demeure) to %(client)s is ready. As "
                            "your settings ask, nothing was sent: read the PDF on the case "
                            "page and approve it to send it.", client=client)]
        else:
            subject = _("Your mise en demeure to %(client)s went: post it by registered mail",
                        client=client)
            paragraphs = [
                _("The formal notice (mise en demeure) was e-mailed to %(client)s on "
                  "%(date)s.", client=client, date=day(notice.issued_on, locale)),
                _("Please post it by registered mail with acknowledgement of receipt: print the "
                  "PDF attached (also on the case page), then record the tracking number and "
                  "the posting date on the case page. For a private client, legal interest "
                  "runs from that date.")]
        pdf = [(filename(notice), "application/pdf", notice.pdf)] if notice.pdf else None
        notices.to_provider(rows[0], subject, paragraphs, attachments=pdf)


def ask_address(rows: list[Receivable]) -> None:
    """The provider is asked, once per debt (the debt then waits paused), for the postal
    address a consumer's mise en demeure needs."""
    first = rows[0]
    locale = links.locale_of(first.provider)
    with force_locale(locale):
        client = first.client.name
        notices.to_provider(first, _("The mise en demeure to %(client)s needs a postal "
                                     "address", client=client), [
            _("The mise en demeure to %(client)s was not made: it goes by registered mail "
              "and a private client's letter needs their postal address, which we do not "
              "have.", client=client),
            _("Add the address on the client's page (or through the API): the letter then "
              "goes at the next working hours, and the reminders resume.")])
