"""Render a multipart e-mail from templates/email/<name>.{txt,html} and queue its delivery
(skod.notifications.tasks; the delivery itself is skod.notifications.delivery)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, render_template
from flask_babel import force_locale

from skod.core.text import one_line
from skod.notifications.tasks import deliver_email


def build(*, to: str, template: str, subject: str, context: dict, locale: str = "fr",
          attachments: list[tuple[str, str, bytes]] | None = None) -> EmailMessage:
    """attachments: (filename, mime type "main/sub", content). Header values are made one line
    (text stored before entry refused line breaks must not break a send, nor add a header)."""
    with force_locale(locale):
        ctx = dict(context, locale=locale)
        text = render_template(f"email/{template}.txt", **ctx)
        html = render_template(f"email/{template}.html", **ctx)
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
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
