"""Celery task that delivers one rendered e-mail, retrying on network errors."""

from __future__ import annotations

import smtplib

from celery import shared_task

from skod.notifications.delivery import attach_invoices, deliver


@shared_task(bind=True, autoretry_for=(OSError, smtplib.SMTPException), retry_backoff=30,
             retry_backoff_max=3600, max_retries=8)
def deliver_email(self, raw: str, invoice_ids: list[int] | None = None) -> None:  # noqa: ANN001
    deliver(attach_invoices(raw, invoice_ids) if invoice_ids else raw)
