"""Delivery of one e-mail already written out: the invoices' PDFs attached, then the outbox
folder or SMTP. Run by the Celery task (skod.notifications.tasks), never by a request."""

from __future__ import annotations

import smtplib
import uuid
from email import message_from_string
from email import policy as email_policy
from pathlib import Path

from flask import current_app

from skod.invoicing.queries import invoice_pdfs


def attach_invoices(raw: str, invoice_ids: list[int]) -> str:
    """The e-mail `raw` with the PDF of each invoice attached (skipped when one cannot be
    rendered: the e-mail still goes, the invoice stays on the client's page)."""
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
        smtp.send_message(message_from_string(raw))
