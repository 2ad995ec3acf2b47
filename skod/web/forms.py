"""Flask-WTF forms of the pages (each one carries its CSRF token)."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from marshmallow import ValidationError as SchemaError
from marshmallow.validate import Email as EmailRule
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from skod.accounts import bank
from skod.accounts.passwords import MESSAGES as PASSWORD_MESSAGES
from skod.accounts.passwords import MIN_LENGTH
from skod.catalog.slots import DAYS
from skod.core.forms import Form
from skod.core.money import parse_minor
from skod.invoicing.vat import FRANCHISE_MENTION
from skod.web.display import ZONES

try:
    from wtforms import SelectChoice
except ImportError:  # WTForms < 3.3 takes (value, label) tuples

    def SelectChoice(value: str, label: object) -> tuple:  # noqa: N802
        return (value, label)


REQUIRED = _l("This field is required.")
_RANGE = re.compile(r"^(([01]\d|2[0-3]):[0-5]\d)\s*-\s*(([01]\d|2[0-3]):[0-5]\d|24:00)$")
DAY_NAMES = {"mon": _l("Monday"), "tue": _l("Tuesday"), "wed": _l("Wednesday"),
             "thu": _l("Thursday"), "fri": _l("Friday"), "sat": _l("Saturday"),
             "sun": _l("Sunday")}


def email_address(form: FlaskForm, field: EmailField) -> None:
    """The same e-mail rule as the API (marshmallow), without an extra dependency."""
    try:
        EmailRule()(field.data or "")
    except SchemaError as err:
        raise ValidationError(_l("Enter a valid e-mail address.")) from err


def known_zone(form: FlaskForm, field: StringField) -> None:
    if field.data not in ZONES:
        raise ValidationError(_l("Unknown time zone (example: Europe/Paris)."))


class ActionForm(Form):
    """A button that posts: only the CSRF token."""


class LoginForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(REQUIRED), email_address])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED)])


class SignupForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(REQUIRED), email_address])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(REQUIRED),
        Length(min=MIN_LENGTH, message=PASSWORD_MESSAGES["too_short"])])
    name = StringField(_l("Your name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    slug = StringField(_l("Address of your page"), validators=[
        DataRequired(REQUIRED),
        Regexp(r"^[a-z0-9][a-z0-9-]{1,62}$",
               message=_l("Lowercase letters, digits and dashes (2 to 63)."))])
    timezone = StringField(_l("Time zone"), default="Europe/Paris",
                           validators=[DataRequired(REQUIRED), known_zone])
    company_name = StringField(_l("Company name"), validators=[Optional(), Length(max=200)])
    legal_form = StringField(_l("Legal form"), validators=[Optional(), Length(max=64)])
    siren = StringField(_l("SIREN"), validators=[
        Optional(), Regexp(r"^\d{9}$", message=_l("9 digits."))])
    vat_number = StringField(_l("VAT number"), validators=[Optional(), Length(max=20)])
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=500)])

    def to_data(self) -> dict:
        legal = {k: getattr(self, k).data or None
                 for k in ("company_name", "legal_form", "siren", "vat_number", "address")}
        return {"email": self.email.data, "password": self.password.data,
                "name": self.name.data.strip(), "slug": self.slug.data,
                "timezone": self.timezone.data, "legal": legal}




class PasswordForm(Form):
    current_password = PasswordField(_l("Current password"),
                                     validators=[DataRequired(REQUIRED)])
    new_password = PasswordField(_l("New password"), validators=[
        DataRequired(REQUIRED),
        Length(min=MIN_LENGTH, message=PASSWORD_MESSAGES["too_short"])])
    revoke_tokens = BooleanField(_l("Also revoke every API token"))


class RefundForm(Form):
    amount = StringField(_l("Amount (empty: all that is left)"), validators=[Optional()])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])


def parse_ranges(text: str) -> list[list[str]] | None:
    """ "09:00-12:00, 14:00-18:00" -> [["09:00", "12:00"], ["14:00", "18:00"]]; None if bad."""
    out = []
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        match = _RANGE.match(part)
        if not match or match.group(1) >= match.group(3):
            return None
        out.append([match.group(1), match.group(3)])
    return out


def format_ranges(ranges: list) -> str:
    return ", ".join(f"{a}-{b}" for a, b in ranges)


def _check_ranges(form: FlaskForm, field: StringField) -> None:
    if parse_ranges(field.data) is None:
        raise ValidationError(_l("Write hours like 09:00-12:00, 14:00-18:00."))


class AvailabilityForm(Form):
    timezone = StringField(_l("Time zone"), validators=[DataRequired(REQUIRED), known_zone])
    buffer_minutes = IntegerField(_l("Buffer between calls (minutes)"), default=0,
                                  validators=[Optional(), NumberRange(min=0, max=240)])
    mon = StringField(DAY_NAMES["mon"], validators=[_check_ranges])
    tue = StringField(DAY_NAMES["tue"], validators=[_check_ranges])
    wed = StringField(DAY_NAMES["wed"], validators=[_check_ranges])
    thu = StringField(DAY_NAMES["thu"], validators=[_check_ranges])
    fri = StringField(DAY_NAMES["fri"], validators=[_check_ranges])
    sat = StringField(DAY_NAMES["sat"], validators=[_check_ranges])
    sun = StringField(DAY_NAMES["sun"], validators=[_check_ranges])

    def day_fields(self) -> list:
        return [getattr(self, d) for d in DAYS]

    def to_data(self) -> dict:
        weekly = {d: parse_ranges(getattr(self, d).data) or [] for d in DAYS}
        return {"timezone": self.timezone.data, "buffer_minutes": self.buffer_minutes.data or 0,
                "weekly": {d: r for d, r in weekly.items() if r}}


#: the mention printed on the invoices of a provider under the VAT franchise (micro-entrepreneurs)
FRANCHISE = "franchise"
#: VAT regime choice -> rate in basis points (2000 = 20 %)
VAT_RATES = {"2000": 2000, "1000": 1000, "550": 550, "210": 210}
PROFILE_TEXTS = ("company_name", "legal_form", "siren", "vat_number", "address", "mediator")


def _trimmed(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _compact(value: str | None) -> str | None:
    """ "fr 44 732.829-320" -> "FR44732829320": the spaces, dots and dashes people type."""
    return re.sub(r"[\s.\-]", "", value).upper() if isinstance(value, str) else value


def valid_iban(form: FlaskForm, field: StringField) -> None:
    if field.data and not bank.iban_ok(field.data):
        raise ValidationError(_l("This IBAN is not valid: check each character (example: "
                                 "FR76 3000 6000 0112 3456 7890 189)."))


def valid_bic(form: FlaskForm, field: StringField) -> None:
    if field.data and not bank.bic_ok(field.data):
        raise ValidationError(_l("A BIC has 8 or 11 letters and digits (example: AGRIFRPP)."))


def valid_capital(form: FlaskForm, field: StringField) -> None:
    if field.data and parse_minor(field.data, "EUR") is None:
        raise ValidationError(_l("An amount in euros, for example 10000 or 1500,50."))


def vat_regime_of(provider: object) -> str | None:
    """The ProfileForm choice matching a Provider's VAT setting; None if none matches (the
    setting came from the API: another rate or exemption, which the form then keeps)."""
    mention = getattr(provider, "vat_exempt_mention", None)
    if mention:
        return FRANCHISE if mention == FRANCHISE_MENTION else None
    rate = str(getattr(provider, "vat_rate_bp", None))
    return rate if rate in VAT_RATES else None


class ProfileForm(Form):
    """The provider's legal identity, VAT regime and terms: what its invoices print."""

    company_name = StringField(_l("Company name"), filters=[_trimmed],
                               validators=[Optional(), Length(max=200)])
    legal_form = StringField(_l("Legal form"), filters=[_trimmed],
                             validators=[Optional(), Length(max=64)])
    siren = StringField(_l("SIREN"), filters=[_compact], validators=[
        Optional(), Regexp(r"^\d{9}$", message=_l("9 digits."))])
    vat_number = StringField(_l("VAT number"), filters=[_compact], validators=[
        Optional(), Regexp(r"^[A-Z]{2}[A-Z0-9]{1,18}$", message=_l(
            "Two letters, then up to 18 letters or digits (example: FR44732829320)."))])
    address = TextAreaField(_l("Address"), filters=[_trimmed],
                            validators=[Optional(), Length(max=500)])
    vat_regime = RadioField(_l("VAT regime"), validators=[Optional()], choices=[
        SelectChoice("2000", _l("VAT at 20 %")),
        SelectChoice("1000", _l("VAT at 10 %")),
        SelectChoice("550", _l("VAT at 5.5 %")),
        SelectChoice("210", _l("VAT at 2.1 %")),
        SelectChoice(FRANCHISE, _l("Not subject to VAT (franchise)"))])
    payment_terms_days = IntegerField(_l("Payment terms (days)"), default=0, validators=[
        InputRequired(REQUIRED), NumberRange(min=0, max=60, message=_l("From 0 to 60 days."))])
    mediator = TextAreaField(_l("Consumer mediator"), filters=[_trimmed],
                             validators=[Optional(), Length(max=500)])
    trade_register = SelectField(_l("Register"), validators=[Optional()], choices=[
        SelectChoice("", _l("None (not registered)")),
        SelectChoice("rcs", _l("RCS (registre du commerce et des sociétés)")),
        SelectChoice("rm", _l("RM (répertoire des métiers)"))])
    registry_city = StringField(_l("City of the register"), filters=[_trimmed],
                                validators=[Optional(), Length(max=100)])
    share_capital = StringField(_l("Share capital (EUR)"), filters=[_trimmed],
                                validators=[Optional(), Length(max=20), valid_capital])
    vat_on_debits = BooleanField(_l("I opted to pay VAT on the debits"))
    iban = StringField(_l("IBAN"), filters=[bank.compact], validators=[Optional(), valid_iban])
    bic = StringField(_l("BIC"), filters=[bank.compact], validators=[Optional(), valid_bic])

    def to_data(self) -> dict:
        """Data for accounts.update_profile; an empty text clears it, no VAT choice keeps it."""
        legal = {k: getattr(self, k).data or None for k in PROFILE_TEXTS}
        legal["payment_terms_days"] = self.payment_terms_days.data
        legal |= {"registry": self.trade_register.data or None,
                  "registry_city": self.registry_city.data or None,
                  "share_capital_minor": parse_minor(self.share_capital.data, "EUR")
                  if self.share_capital.data else None,
                  "vat_on_debits": bool(self.vat_on_debits.data)}
        if self.vat_regime.data == FRANCHISE:
            legal |= {"vat_rate_bp": None, "vat_exempt_mention": FRANCHISE_MENTION}
        elif self.vat_regime.data in VAT_RATES:
            legal |= {"vat_rate_bp": VAT_RATES[self.vat_regime.data], "vat_exempt_mention": None}
        return {"legal": legal, "bank": {"iban": self.iban.data or None,
                                         "bic": self.bic.data or None}}
