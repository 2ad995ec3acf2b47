"""API of a provider's mises en demeure (step 3): one notice as JSON, its PDF as sent, and the
registered-mail task's record (tracking number, posting date). Bearer token of the provider
only; another provider's notice answers 404. mise_en_demeure.py owns the rules."""

from __future__ import annotations

from io import BytesIO

from flask import send_file
from flask_smorest import Blueprint
from marshmallow import fields, validate

from skod.accounts.auth import require_provider
from skod.core.clock import utcnow
from skod.core.errors import NotFound
from skod.core.schemas import Schema
from skod.dunning.debts.document_models import MiseEnDemeure
from skod.dunning.mise_en_demeure import services as mise_en_demeure
from skod.dunning.mise_en_demeure.documents import filename
from skod.extensions import db

blp = Blueprint("notices_api", __name__, description="Mises en demeure (formal notices)")


class NoticeSchema(Schema):
    id = fields.Integer()
    status = fields.String(metadata={"description": "draft, sent or cancelled"})
    mail_task = fields.String(metadata={"description": "registered-mail task: open, done, "
                                                       "closed (paid before it was posted)"})
    client_email = fields.String()
    locale = fields.String()
    issued_on = fields.Date(allow_none=True)
    deadline = fields.Date(allow_none=True)
    sent_at = fields.DateTime(allow_none=True)
    currency = fields.String()
    total_minor = fields.Integer(allow_none=True)
    tracking_number = fields.String(allow_none=True)
    posted_on = fields.Date(allow_none=True)
    receivable_ids = fields.List(fields.Integer())


class PostingBodySchema(Schema):
    tracking_number = fields.String(required=True, validate=validate.Length(min=1, max=64))
    posted_on = fields.Date(required=True)


def _json(notice: MiseEnDemeure) -> dict:
    data = {name: getattr(notice, name) for name in NoticeSchema().fields
            if name != "receivable_ids"}
    return data | {"receivable_ids": [r.id for r in mise_en_demeure.rows_of(notice.id)]}


@blp.get("/formal-notices/<int:notice_id>")
@blp.response(200, NoticeSchema)
def get_notice(notice_id: int):
    provider = require_provider()
    return _json(mise_en_demeure.owned(notice_id, provider.id))


@blp.get("/formal-notices/<int:notice_id>.pdf")
@blp.response(200)
def get_notice_pdf(notice_id: int):
    """The letter exactly as it was e-mailed (a draft: as it would go today)."""
    notice = mise_en_demeure.owned(notice_id, require_provider().id)
    if notice.pdf is None:
        raise NotFound("this formal notice has no letter")
    return send_file(BytesIO(notice.pdf), mimetype="application/pdf", as_attachment=True,
                     download_name=filename(notice))


@blp.post("/formal-notices/<int:notice_id>/posting")
@blp.arguments(PostingBodySchema)
@blp.response(200, NoticeSchema)
def record_posting(data: dict, notice_id: int):
    """The registered letter was posted: its tracking number and posting date (from the
    letter's date to today; for a consumer, legal interest runs from it)."""
    provider = require_provider()
    mise_en_demeure.record_posting(notice_id, provider.id, data["tracking_number"],
                                 data["posted_on"], utcnow())
    db.session.expire_all()
    return _json(mise_en_demeure.owned(notice_id, provider.id))
