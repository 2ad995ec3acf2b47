"""API schemas of offers, availability and slots."""

from __future__ import annotations

import re

from marshmallow import ValidationError, fields, validate, validates, validates_schema

from skod.calls import place
from skod.calls.place import DETAIL_MAX, PLACE_KINDS
from skod.catalog.models import OFFER_KINDS
from skod.core.schemas import (
    MAX_RANGES_PER_DAY,
    MoneySchema,
    Schema,
    Text,
    check_timezone,
    check_year,
)

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class PlaceSchema(Schema):
    """Where a call happens: {"kind": "video", "detail": "https://meet.example/abc"}."""

    kind = fields.String(required=True, validate=validate.OneOf(PLACE_KINDS))
    detail = fields.String(required=True, validate=validate.Length(min=1, max=DETAIL_MAX))

    @validates_schema
    def _detail(self, data: dict, **_: object) -> None:
        found = place.problem(data.get("kind"), data.get("detail"))
        if found:
            raise ValidationError({"detail": [found]})


class OfferCreateSchema(Schema):
    kind = fields.String(load_default="call", validate=validate.OneOf(OFFER_KINDS))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = Text(validate=validate.Length(max=2000))
    #: calls only (required for them)
    duration_minutes = fields.Integer(strict=True, validate=validate.Range(min=5, max=480))
    # messages only: the window is checked against the hold validity by the service (422)
    reply_window_hours = fields.Integer(strict=True, allow_none=True,
                                        validate=validate.Range(min=1, max=24 * 365))
    char_limit = fields.Integer(strict=True, allow_none=True,
                                validate=validate.Range(min=1, max=20_000))
    attachments_allowed = fields.Boolean(load_default=False)
    pricing = fields.String(load_default="flat", validate=validate.OneOf(["flat", "per_minute"]))
    price = fields.Nested(MoneySchema, required=True)
    minimum_minutes = fields.Integer(load_default=0, validate=validate.Range(min=0, max=480))
    late_cancel_fee_percent = fields.Integer(load_default=0,
                                             validate=validate.Range(min=0, max=100))
    #: calls only: where the call happens (null: the provider says it by e-mail)
    place = fields.Nested(PlaceSchema, allow_none=True)

    @validates_schema
    def _call_duration(self, data: dict, **_: object) -> None:
        if data.get("kind", "call") == "call" and data.get("duration_minutes") is None:
            raise ValidationError({"duration_minutes": ["required for a call"]})


class OfferSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    description = fields.String(allow_none=True)
    duration_minutes = fields.Integer(allow_none=True)
    pricing = fields.String()
    price = fields.Function(lambda o: o.price.as_dict())
    minimum_minutes = fields.Integer()
    late_cancel_fee_percent = fields.Integer()
    reply_window_hours = fields.Integer(allow_none=True)
    char_limit = fields.Integer(allow_none=True)
    attachments_allowed = fields.Boolean()
    provider_slug = fields.Function(lambda o: o.provider.slug)
    #: "active", "paused" (not bookable for now) or "archived"
    status = fields.String()
    place = fields.Function(lambda o: {"kind": o.place_kind, "detail": o.place_detail}
                            if o.place_kind else None)


class AvailabilitySchema(Schema):
    timezone = fields.String(required=True, validate=check_timezone)
    weekly = fields.Dict(keys=fields.String(validate=validate.OneOf(DAYS)),
                         values=fields.List(fields.List(fields.String())), required=True)
    buffer_minutes = fields.Integer(load_default=0, validate=validate.Range(min=0, max=240))

    @validates("weekly")
    def _hours(self, weekly: dict, **_: object) -> None:
        for day, ranges in weekly.items():
            if len(ranges) > MAX_RANGES_PER_DAY:
                raise ValidationError(f"{day}: at most {MAX_RANGES_PER_DAY} ranges a day")
            for pair in ranges:
                if len(pair) != 2 or not all(_HHMM.match(v) for v in pair) or pair[0] >= pair[1]:
                    raise ValidationError(f"{day}: each range is [HH:MM, HH:MM], start < end")


class SlotQuerySchema(Schema):
    from_ = fields.Date(required=True, data_key="from", validate=check_year)
    to = fields.Date(required=True, validate=check_year)

    @validates_schema
    def _order(self, data: dict, **_: object) -> None:
        if data["to"] < data["from_"]:
            raise ValidationError({"to": ["must not be before from"]})


class SlotSchema(Schema):
    start_at = fields.Function(lambda s: s.start.isoformat().replace("+00:00", "Z"))
    end_at = fields.Function(lambda s: s.end.isoformat().replace("+00:00", "Z"))


class PublicProviderSchema(Schema):
    name = fields.String()
    slug = fields.String()
    timezone = fields.String()
    offers = fields.Method("_offers")

    def _offers(self, provider) -> list:  # noqa: ANN001
        from skod.catalog.models import Offer
        from skod.extensions import db

        rows = db.session.scalars(db.select(Offer).where(Offer.provider_id == provider.id,
                                                         Offer.status == "active"))
        return OfferSchema(many=True).dump(rows)
