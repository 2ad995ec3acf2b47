"""Helpers of the mise en demeure tests: a debt walked to J+30 through `skod tick`, the
letter's PDF read back from the client's e-mail (pypdf), the notice's row."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

from pypdf import PdfReader

from tests import factories as f
from tests.support.dunning import PARIS, at_offset, debt_facts, walk

CLIENT_LEGAL = {"legal_form": "SAS", "siren": "552100554"}


def set_client_identity(app, receivable_id: int) -> None:
    """The client's legal form and SIREN (no API sets the legal form yet)."""
    from skod.dunning.debts.models import Receivable
    from skod.extensions import db

    with app.app_context():
        client = db.session.get(Receivable, receivable_id).client
        client.legal_form, client.siren = CLIENT_LEGAL["legal_form"], CLIENT_LEGAL["siren"]
        db.session.commit()


def walk_to_notice(app, receivable_id: int) -> datetime:
    """Notice, J+7, J+15 then J+30 at their first working mornings: J+30's instant."""
    at = walk(app, receivable_id)
    t3 = at_offset(debt_facts(app, receivable_id)["due"], 30, at[-1])
    f.tick(app, t3)
    return t3


def paris_day(moment: datetime) -> date:
    return moment.astimezone(PARIS).date()


def flat(text: str) -> str:
    """Extracted text with every kind of space (no-break ones too) as one plain space."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))


def notice_pdf(mail) -> bytes:
    [pdf] = [a.get_content() for a in mail.iter_attachments()
             if re.match(r"(mise-en-demeure|formal-notice)-\d+\.pdf", a.get_filename() or "")]
    return pdf


def pdf_words(pdf: bytes) -> str:
    return flat("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def notice_of(app, receivable_id: int) -> dict | None:
    from skod.dunning.mise_en_demeure import services as mise_en_demeure

    with app.app_context():
        n = mise_en_demeure.of_receivable(receivable_id)
        if n is None:
            return None
        return {"id": n.id, "status": n.status, "mail_task": n.mail_task,
                "issued_on": n.issued_on, "deadline": n.deadline, "total": n.total_minor,
                "tracking": n.tracking_number, "posted_on": n.posted_on,
                "message_id": n.message_id, "pdf": n.pdf}
