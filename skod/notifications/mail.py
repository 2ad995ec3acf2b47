"""Render a multipart e-mail from templates/email/<name>.{txt,html} and hand it to delivery."""

from __future__ import annotations

import smtplib
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale

from skod.core.text import one_line


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
    from skod.notifications.tasks import deliver_email

    deliver_email.delay(raw, list(invoice_ids or []))


def attach_invoices(raw: str, invoice_ids: list[int]) -> str:
    """The e-mail `raw` with the PDF of each invoice attached (skipped when one cannot be
    rendered: the e-mail still goes, the invoice stays on the client's page)."""
    from email import message_from_string
    from email import policy as email_policy

    from skod.invoicing.queries import invoice_pdfs

    files = invoice_pdfs(invoice_ids)
    if not files:
        return raw
    msg = message_from_string(raw, policy=email_policy.default)
    for filename, content in files:
        msg.add_attachment(content, maintype="application", subtype="pdf", filename=filename)
    return msg.as_string()


def deliver(raw: str) -> None:
    """Write to the outbox folder, or send by SMTP, as MAIL_BACKEND says."""
    cfg = current_app.config
    if cfg["MAIL_BACKEND"] == "outbox":
        outbox = Path(cfg["SKOD_INSTANCE_PATH"]) / "outbox"
        outbox.mkdir(parents=True, exist_ok=True)
        name = f"{uuid.uuid1().hex}.eml"  # uuid1 sorts by time of creation
        (outbox / name).write_text(raw, encoding="utf-8")
        return
    with smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=30) as smtp:
        if cfg["SMTP_STARTTLS"]:
            smtp.starttls()
        if cfg["SMTP_USER"]:
            smtp.login(cfg["SMTP_USER"], cfg["SMTP_PASSWORD"])
        from email import message_from_string

        smtp.send_message(message_from_string(raw))
