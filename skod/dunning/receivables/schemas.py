"""API schemas of the provider's receivables: the list's filters and page, one case with its
timeline, and the bodies of the actions (pause, write off, mark paid)."""

from __future__ import annotations

from marshmallow import fields, validate

from skod.core.schemas import Schema, Text, amount_range, check_year, db_id_range
from skod.dunning.receivables.queries import STATUS_FILTERS

NOTE = validate.Length(max=500)


class ReceivableQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(sorted(STATUS_FILTERS)), metadata={
        "description": "open, paused, paid, written_off; or owed (open and paused), closed "
                       "(paid and written off)"})
    step = fields.Integer(validate=validate.Range(min=-1, max=4), metadata={
        "description": "the last ladder step taken (-1: none yet, 0 notice, 1 friendly, "
                       "2 formal, 3 formal notice, 4 recourse file)"})
    client_id = fields.Integer(validate=db_id_range, metadata={
        "description": "the debts of this client (one row per provider and e-mail); "
                       "another provider's client gives none"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))


class ClientRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    email = fields.String()
    company_name = fields.String(allow_none=True)
    kind = fields.String()


class NextActionSchema(Schema):
    kind = fields.String(metadata={"description": "step (a ladder e-mail) or retry (the card)"})
    step = fields.Integer(allow_none=True)
    attempt = fields.Integer(allow_none=True)
    at = fields.DateTime()


class PauseInfoSchema(Schema):
    reason = fields.String(allow_none=True, metadata={
        "description": "provider, stripe_dispute, client_dispute, promise or plan"})
    until = fields.DateTime(allow_none=True)


class OwedSchema(Schema):
    currency = fields.String()
    balance_minor = fields.Integer(metadata={"description": "the invoice's balance"})
    interest_minor = fields.Integer(metadata={"description": "interest to date, if claimed"})
    indemnity_minor = fields.Integer(metadata={"description": "the fixed indemnity, if claimed"})
    penalties_claimed_minor = fields.Integer()
    penalties_paid_minor = fields.Integer()
    penalties_unpaid_minor = fields.Integer()
    total_minor = fields.Integer(metadata={"description": "what the client is asked today"})
    claimed = fields.Boolean(metadata={
        "description": "a sent letter claimed the penalties and the debt's choice claims them"})
    provisional = fields.Boolean(metadata={"description": "a rate used is not verified yet"})


class ReceivableSchema(Schema):
    id = fields.Integer()
    status = fields.String(metadata={"description": "open, paused, paid or written_off"})
    source = fields.String()
    client = fields.Nested(ClientRefSchema)
    invoice_id = fields.Integer(allow_none=True)
    invoice_number = fields.String(allow_none=True)
    currency = fields.String()
    principal_minor = fields.Integer()
    paid_minor = fields.Integer()
    balance_minor = fields.Integer()
    client_kind = fields.String()
    due_date = fields.Date()
    age_days = fields.Integer(metadata={"description": "days since the due date"})
    opened_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    last_step = fields.Integer(metadata={"description": "-1: no step taken yet"})
    last_step_at = fields.DateTime(allow_none=True)
    next_action = fields.Nested(NextActionSchema, allow_none=True)
    pause = fields.Nested(PauseInfoSchema, allow_none=True)
    penalties_claimed_minor = fields.Integer(metadata={
        "description": "late-payment interest and indemnity claimed as of today"})
    penalties_unpaid_minor = fields.Integer()
    claim_penalties = fields.Boolean(allow_none=True, metadata={
        "description": "the debt's choice; null: the ladder setting for the client's kind"})
    penalties_alone = fields.Boolean(metadata={
        "description": "the invoice is paid; the case stays open for its penalties"})
    owed = fields.Nested(OwedSchema)


class ReceivablePageSchema(Schema):
    items = fields.List(fields.Nested(ReceivableSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class CaseFailureSchema(Schema):
    code = fields.String(allow_none=True)
    kind = fields.String(allow_none=True)


class CaseEvidenceSchema(Schema):
    label = fields.String()
    text = fields.String()


class CaseEventSchema(Schema):
    at = fields.DateTime()
    kind = fields.String()
    data = fields.Dict()


class CaseStepSchema(Schema):
    step = fields.Integer()
    status = fields.String(metadata={"description": "claimed, sent or withdrawn"})
    channel = fields.String()
    claimed_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)


class CaseInstalmentSchema(Schema):
    seq = fields.Integer()
    due_at = fields.DateTime()
    amount_minor = fields.Integer()
    status = fields.String()


class CasePlanSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    instalments = fields.Integer()
    note = fields.String(allow_none=True)
    created_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)
    schedule = fields.List(fields.Nested(CaseInstalmentSchema))


class ReceivableDetailSchema(ReceivableSchema):
    failure = fields.Nested(CaseFailureSchema)
    retries_done = fields.Integer()
    next_retry_at = fields.DateTime(allow_none=True)
    evidence = fields.List(fields.Nested(CaseEvidenceSchema))
    events = fields.List(fields.Nested(CaseEventSchema))
    steps = fields.List(fields.Nested(CaseStepSchema))
    plan = fields.Nested(CasePlanSchema, allow_none=True)


class PauseBodySchema(Schema):
    until = fields.Date(validate=check_year, metadata={
        "description": "the day the reminders resume by themselves (provider's time zone); "
                       "none: until resumed"})
    note = Text(validate=NOTE)


class WriteOffBodySchema(Schema):
    note = Text(validate=NOTE)


class MarkPaidBodySchema(Schema):
    amount_minor = fields.Integer(strict=True, validate=amount_range, metadata={
        "description": "the amount received by transfer (the balance first, then the "
                       "penalties); none: all that is owed today"})


class PenaltiesChoiceBodySchema(Schema):
    claim = fields.Boolean(required=True, allow_none=True, metadata={
        "description": "claim interest and the indemnity on this debt; null: the ladder "
                       "setting; false on penalties already claimed waives them"})
