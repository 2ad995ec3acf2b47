"""The provider's offer form: one form for every kind, showing and keeping only the fields of
the kind chosen (a call: duration, pricing, late-cancellation fee; a paid question: reply
window, length, attachments). The loaded data goes through the API's schema and service."""

from __future__ import annotations

from babel.numbers import format_decimal
from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from skod.calls import place
from skod.core.forms import Form
from skod.core.money import CURRENCY_EXPONENTS, decimal_of, parse_minor
from skod.web.forms import REQUIRED, SelectChoice

#: the fields only one kind has; the other kind's are neither checked nor kept
KIND_FIELDS = {
    "call": ("duration_minutes", "pricing", "minimum_minutes", "late_cancel_fee_percent",
             "place_kind", "place_detail"),
    "message": ("reply_window_hours", "char_limit", "attachments_allowed"),
}
#: why a meeting place is refused, by kind (the words of calls.place.problem)
PLACE_WORDS = {"phone": _l("A phone number: digits, spaces and an optional leading +."),
               "video": _l("A video link starts with https://."),
               "address": _l("Write the address (at most %(num)s characters).",
                             num=place.DETAIL_MAX)}


class OfferForm(Form):
    kind = RadioField(_l("Kind of offer"), default="call", choices=[
        SelectChoice("call", _l("A call")), SelectChoice("message", _l("A paid question"))])
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=30, validators=[
        DataRequired(REQUIRED), NumberRange(min=5, max=480)])
    pricing = RadioField(_l("Pricing"), default="flat", choices=[
        SelectChoice("flat", _l("Flat price for the call")),
        SelectChoice("per_minute", _l("Price per minute"))])
    price = StringField(_l("Price"), validators=[DataRequired(REQUIRED)])
    currency = SelectField(_l("Currency"), choices=sorted(CURRENCY_EXPONENTS), default="EUR")
    minimum_minutes = IntegerField(_l("Minimum minutes (per minute)"), default=0,
                                   validators=[Optional(), NumberRange(min=0, max=480)])
    late_cancel_fee_percent = IntegerField(_l("Late-cancellation fee (%)"), default=50,
                                           validators=[Optional(), NumberRange(min=0, max=100)])
    place_kind = SelectField(_l("Where the call happens"), default="", choices=[
        SelectChoice("", _l("Said by e-mail")), SelectChoice("phone", place.LABELS["phone"]),
        SelectChoice("video", place.LABELS["video"]),
        SelectChoice("address", place.LABELS["address"])])
    place_detail = StringField(_l("Number, link or address"),
                               validators=[Length(max=place.DETAIL_MAX)])
    reply_window_hours = IntegerField(_l("Hours you have to answer"), validators=[
        Optional(), NumberRange(min=1, max=24 * 365)])
    char_limit = IntegerField(_l("Longest question (characters)"), validators=[
        Optional(), NumberRange(min=1, max=20_000)])
    attachments_allowed = BooleanField(_l("The client may attach a file"))

    def validate(self, extra_validators: dict | None = None) -> bool:
        """The usual checks, then the other kind's fields forgotten: a value the page hid
        (or a script posted) for another kind never blocks the form."""
        super().validate(extra_validators)
        for name in self.ignored_fields():
            getattr(self, name).errors = []
        return not self.errors

    def ignored_fields(self) -> tuple[str, ...]:
        other = "call" if self.kind.data == "message" else "message"
        return KIND_FIELDS[other]

    @staticmethod
    def default_reply_hours() -> int:
        """The window a question offer gets when the field is left empty (the service's)."""
        return int(current_app.config["REPLY_WINDOW"].total_seconds() // 3600)

    def validate_reply_window_hours(self, field: IntegerField) -> None:
        """The API's rule (messages.policy): the answer is due before the hold lapses."""
        from skod.messages import policy  # messages builds on catalog, not the reverse

        longest = policy.max_window_hours(policy.Windows.from_config(current_app.config))
        if field.data is not None and field.data > longest:
            raise ValidationError(_l("At most %(num)s hours: the amount held on the client's "
                                     "card would lapse before your answer.", num=longest))

    def validate_place_detail(self, field: StringField) -> None:
        """The API's rule (calls.place): a number, an https link or an address."""
        if self.place_kind.data and place.problem(self.place_kind.data, field.data):
            raise ValidationError(PLACE_WORDS[self.place_kind.data])

    def validate_price(self, field: StringField) -> None:
        if self.price_minor() is None:
            raise ValidationError(_l("A positive amount, like 90 or 1.50."))

    def price_minor(self) -> int | None:
        return parse_minor(self.price.data, self.currency.data or "EUR")

    def to_data(self) -> dict:
        """The API's offer body (OfferCreateSchema) with the fields of the chosen kind only."""
        data = {"kind": self.kind.data, "title": self.title.data.strip(),
                "price": {"amount_minor": self.price_minor(), "currency": self.currency.data}}
        if self.description.data and self.description.data.strip():
            data["description"] = self.description.data.strip()
        if self.kind.data == "message":
            data.update(reply_window_hours=self.reply_window_hours.data,
                        char_limit=self.char_limit.data,
                        attachments_allowed=bool(self.attachments_allowed.data))
            return data
        data.update(duration_minutes=self.duration_minutes.data, pricing=self.pricing.data,
                    minimum_minutes=self.minimum_minutes.data or 0,
                    late_cancel_fee_percent=self.late_cancel_fee_percent.data or 0,
                    place={"kind": self.place_kind.data, "detail": self.place_detail.data}
                    if self.place_kind.data else None)
        return data

    def fill(self, offer, locale: str) -> None:  # noqa: ANN001 - an Offer
        """Show `offer`'s terms, the price as a person types it ("1200,50")."""
        for name in ("kind", "title", "description", "currency", *KIND_FIELDS[offer.kind]):
            getattr(self, name).data = getattr(offer, name)
        self.place_kind.data = offer.place_kind or ""
        digits = CURRENCY_EXPONENTS.get(offer.currency, 2)
        self.price.data = format_decimal(decimal_of(offer.price_minor, offer.currency),
                                         format="0." + "0" * digits if digits else "0",
                                         locale=locale, group_separator=False)
