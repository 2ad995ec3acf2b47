"""The recourse file's ZIP, built on demand from the stored documents: the invoices (PDF),
every reminder as sent (.eml), the mise en demeure (PDF) and its tracking data, the evidence
timeline (PDF) and the summary sheet (PDF) with the amounts as of the day the ZIP is made.

The documents are in the provider's language (the provider hands them over); dates are in
words, in the client's time zone for what happened to the client. Needs an app context.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from flask import Response, current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from skod.dunning.debts.document_models import DunningMessage, MiseEnDemeure, RecourseFile
from skod.dunning.debts.links import locale_of
from skod.dunning.debts.models import DunningEvent
from skod.dunning.receivables import labels
from skod.dunning.recourse import facts
from skod.dunning.recourse import labels as recourse_labels
from skod.dunning.reminders.formal_reminder import provisional_note, rate_words
from skod.dunning.reminders.letter_facts import day, money, one_line
from skod.dunning.rules import recourse_routes as rules
from skod.extensions import db
from skod.invoicing.ledger import local_day
from skod.invoicing.queries import invoice_pdfs
from skod.web import display

SUMMARY, TIMELINE = "summary.pdf", "timeline.pdf"
#: every entry gets this date: the same file gives the same ZIP (zip needs a date >= 1980)
ENTRY_DATE = (1980, 1, 1, 0, 0, 0)


def pdf_of(template: str, **context: object) -> bytes:
    from weasyprint import HTML  # heavy import (Pango, fonts): only when a PDF is made

    page = render_template(template, **context)
    return HTML(string=page, base_url=current_app.static_folder).write_pdf()


def build(file: RecourseFile, now: datetime) -> tuple[str, bytes]:
    """(file name, ZIP bytes) of the recourse file as of `now`."""
    locale = locale_of(file.provider)
    rows = facts.receivables_of(file)
    with force_locale(locale):
        # the invoices as issued, without today's transfer instructions
        docs = [*invoice_pdfs([r.invoice_id for r in rows if r.invoice_id is not None],
                              instructions=False)]
        docs = [(f"invoices/{name}", content) for name, content in docs]
        docs += reminders(file)
        docs += notice_docs(facts.notices_of([r.id for r in rows]), locale)
        docs.append((TIMELINE, pdf_of("dunning/recourse_timeline.html",
                                      **timeline_context(file, rows, locale))))
        names = [name for name, _content in docs] + [SUMMARY]
        summary = summary_context(file, rows, now, locale, names)
        docs.insert(0, (SUMMARY, pdf_of("dunning/recourse_summary.html", **summary)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in docs:
            archive.writestr(zipfile.ZipInfo(name, ENTRY_DATE), content)
    return f"recourse-file-{file.id}.zip", buffer.getvalue()


def download(name: str, content: bytes) -> Response:
    """The ZIP as a download (the page and the API answer the same way)."""
    return Response(content, mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def reminders(file: RecourseFile) -> list[tuple[str, bytes]]:
    """Every dunning e-mail sent to this client by this provider, oldest first."""
    rows = db.session.scalars(select(DunningMessage).where(
        DunningMessage.provider_id == file.provider_id,
        DunningMessage.client_email == file.client_email).order_by(DunningMessage.sent_at,
                                                                  DunningMessage.id))
    return [(f"reminders/{n:02d}-step-{m.step}.eml", m.raw.encode())
            for n, m in enumerate(rows, 1)]


def notice_docs(notices: dict[int, MiseEnDemeure], locale: str) -> list[tuple[str, bytes]]:
    """Each mise en demeure as sent, and its registered letter's tracking data."""
    docs = []
    for notice in sorted(set(notices.values()), key=lambda n: n.id):
        if notice.pdf:
            docs.append((f"formal-notice/formal-notice-{notice.id}.pdf", notice.pdf))
        docs.append((f"formal-notice/formal-notice-{notice.id}-tracking.txt",
                     tracking_text(notice, locale).encode()))
    return docs


def tracking_text(notice: MiseEnDemeure, locale: str) -> str:
    def on(value) -> str:  # noqa: ANN001
        return day(value, locale) if value else _("not recorded")

    lines = [_("Mise en demeure dated %(day)s, final deadline %(deadline)s.",
               day=on(notice.issued_on), deadline=on(notice.deadline)),
             _("Sent by e-mail, Message-ID: %(id)s", id=notice.message_id or "-")]
    if notice.tracking_number:
        lines.append(_("Registered letter, tracking number: %(number)s",
                       number=notice.tracking_number))
        lines.append(_("Posted on: %(day)s", day=on(notice.posted_on)))
    else:
        lines.append(_("The registered letter has not been recorded as posted."))
    return "\n".join(lines) + "\n"


def timeline_context(file: RecourseFile, rows: list, locale: str) -> dict:
    tz = file.client.timezone
    cases = []
    for r in rows:
        events = db.session.scalars(select(DunningEvent).where(
            DunningEvent.receivable_id == r.id).order_by(DunningEvent.at, DunningEvent.id))
        cases.append({
            "label": r.invoice.number if r.invoice else r.source,
            "amount": money(r.principal_minor, r.currency, locale),
            "due": day(r.due_date, locale), "evidence": r.evidence or [],
            "events": [{"when": display.when(e.at, tz, locale),
                        "text": labels.event(e.kind, e.data or {}, r.currency, locale, tz)}
                       for e in events]})
    return {"file": file, "who": party(file.client), "cases": cases, "locale": locale}


def party(person) -> dict:  # noqa: ANN001 - a Provider or a Client
    return {"name": person.name, "company": person.company_name,
            "legal_form": person.legal_form, "siren": person.siren,
            "address": one_line(person.address), "email": person.email}


def summary_context(file: RecourseFile, rows: list, now: datetime, locale: str,
                    names: list[str]) -> dict:
    until = local_day(now, file.provider.timezone)
    lines = facts.lines_of(rows, until)
    totals = facts.totals_of(lines)
    kind = rows[0].client_kind if rows else "consumer"

    def cash(minor: int) -> str:
        return money(minor, totals.currency, locale)

    return {
        "file": file, "locale": locale, "today": day(until, locale), "kind": kind,
        "creditor": party(file.provider), "debtor": party(file.client),
        "lines": [line_view(line, locale) for line in lines],
        "totals": {"principal": cash(totals.principal_minor),
                   "interest": cash(totals.interest_minor),
                   "indemnity": cash(totals.indemnity_minor), "total": cash(totals.total_minor),
                   "complete": totals.complete},
        "basis": recourse_labels.BASIS.get(kind), "route": recourse_labels.ROUTES[file.route],
        "reasons": [recourse_labels.REASONS[c] for c in (file.facts or {}).get("reasons", [])],
        "alternatives": [recourse_labels.ROUTES[c]
                         for c in (file.facts or {}).get("alternatives", [])],
        "court": recourse_labels.court((file.facts or {}).get("court"),
                                      (file.facts or {}).get("tae_seat")),
        "chosen": recourse_labels.chosen(file.facts or {}),
        "limitation": day(file.limitation_on, locale),
        "limitation_rule": recourse_labels.LIMITATION.get(kind),
        "limitation_warning": recourse_labels.LIMITATION_STATE[
            rules.limitation_state(file.limitation_on, until)],
        "insolvency": insolvency_words(file, locale), "documents": names,
    }


def line_view(line: facts.Line, locale: str) -> dict:
    r, b = line.receivable, line.breakdown

    def cash(minor: int) -> str:
        return money(minor, r.currency, locale)

    return {
        "label": r.invoice.number if r.invoice else r.source,
        "issued": day(r.invoice.issue_date, locale) if r.invoice else "",
        "due": day(r.due_date, locale), "total": cash(r.principal_minor),
        "paid": cash(r.paid_minor), "balance": cash(r.balance_minor),
        "interest": cash(b.interest_minor) if b else None,
        "indemnity": cash(b.indemnity_minor) if b else None,
        "owed": cash(b.total_minor) if b else None,
        # a consumer's interest runs from the posting; a business's from the due date
        "posted_on": day(line.posted_on, locale)
        if line.posted_on and r.client_kind == "consumer" else None,
        "segments": [{"start": day(s.start, locale), "end": day(s.end, locale),
                      "days": s.days, "rate": rate_words(s, locale),
                      "principal": cash(s.principal_minor),
                      "amount": cash(s.amount_minor)} for s in (b.segments if b else ())],
        "provisional": provisional_note(b) if b else None,
    }


def insolvency_words(file: RecourseFile, locale: str) -> str:
    if file.insolvent is None:
        return _("Not checked yet: check the BODACC before you act.")
    if file.insolvent:
        return _("The client is in insolvency proceedings (confirmed by you on %(day)s).",
                 day=day(file.insolvency_checked_at.date(), locale))
    checked = (file.facts or {}).get("bodacc_checked_on")
    return _("The client is not in insolvency proceedings (checked on the BODACC on "
             "%(day)s).", day=day(datetime.fromisoformat(checked).date(), locale)
             if checked else "-")
