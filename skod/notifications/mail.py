"""Render a multipart e-mail from templates/email/<name>.{txt,html} and queue its delivery
(skod.notifications.tasks; the delivery itself is skod.notifications.delivery).

An e-mail written for a provider (a dunning step, their answer to a plan...) speaks in their
voice (`Sender`): their name as the From display name, their address as Reply-To, their
signature. The From address stays the platform's: only the platform's domain passes SPF and
DKIM, so a From in the provider's own domain would land in spam or be refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from flask import current_app, render_template
from flask_babel import force_locale

from skod.core.text import one_line
from skod.notifications.tasks import deliver_email


@dataclass(frozen=True)
class Sender:
    """Whom an e-mail speaks for: the From display name, the Reply-To address, and the lines
    of the signature (the person, then their company)."""

    name: str
    reply_to: str
    signature: tuple[str, ...]


def signature_lines(name: str, company_name: str | None) -> tuple[str, ...]:
    """How a provider signs: the person, then their company (when it is another name)."""
    company = (company_name or "").strip() or None
    return (name, company) if company and company != name else (company or name,)


def voice_of(*, name: str, email: str, company_name: str | None = None) -> Sender:
    """A provider's voice: their company's name as the sender when they have one (what the
    client's invoice says), signed by the person and the company."""
    company = (company_name or "").strip() or None
    return Sender(name=company or name, reply_to=email,
                  signature=signature_lines(name, company))


def from_header(sender: Sender | None) -> str | Address:
    """MAIL_FROM, or the platform's address under the sender's name. An `Address`, not
    formataddr's string: the message's policy parses a string and folds it again, and a name
    encoded whole (non-ASCII) with a quote or a comma inside comes out of that fold as an
    unquoted comma, i.e. two addresses. `Address` quotes and encodes (RFC 2047) at the fold
    itself. one_line first, so that a stored name with CR LF cannot start a header of its own."""
    platform = current_app.config["MAIL_FROM"]
    name = one_line(sender.name) if sender is not None else ""
    if not name:
        return platform
    return Address(display_name=name, addr_spec=parseaddr(platform)[1])


def build(*, to: str, template: str, subject: str, context: dict, locale: str = "fr",
          attachments: list[tuple[str, str, bytes]] | None = None,
          sender: Sender | None = None) -> EmailMessage:
    """attachments: (filename, mime type "main/sub", content). Header values are made one line
    (text stored before entry refused line breaks must not break a send, nor add a header).
    `sender`: the provider this e-mail speaks for (None: the platform, signed "Skod")."""
    with force_locale(locale):
        ctx = dict(context, locale=locale,
                   signature=sender.signature if sender is not None else None)
        text = render_template(f"email/{template}.txt", **ctx)
        html = render_template(f"email/{template}.html", **ctx)
    msg = EmailMessage()
    msg["From"] = from_header(sender)
    if sender is not None:
        msg["Reply-To"] = one_line(sender.reply_to)
    msg["To"] = one_line(to)
    msg["Subject"] = one_line(str(subject))
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="skod.local")
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    for filename, mime, content in attachments or []:
        main, sub = mime.split("/", 1)
        msg.add_attachment(content, maintype=main, subtype=sub, filename=one_line(filename))
    return msg


def send(msg: EmailMessage, invoice_ids: list[int] | None = None) -> None:
    """Queue delivery (a Celery task with retries); eager in one-process use and tests.

    `invoice_ids`: invoices whose PDF the worker attaches, so that no request waits for a
    PDF to be rendered."""
    send_raw(msg.as_string(), invoice_ids)


def send_raw(raw: str, invoice_ids: list[int] | None = None) -> None:
    """`send` for an e-mail already written out (the dunning sweep keeps that text too:
    writing a message out costs more than building it)."""
    deliver_email.delay(raw, list(invoice_ids or []))
