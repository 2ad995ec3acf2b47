"""The helpers that write French as a person does (#23 point 6): marshmallow's messages in the
reader's language and on their fields, "1er" for the first of the month, an example date taken
from the clock (never an ISO date, never a day already past), a refund's limit in money."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from marshmallow import ValidationError

from scripts.french_spacing import spaced, spaced_catalogue
from skod.calls.schemas import BookingCreateSchema
from skod.core import formats, validation_words
from skod.core.clock import utcnow
from skod.dunning.pay_page.forms import enter_day_words
from skod.payments.refunds import at_most_words
from tests import factories as f
from tests.french_scenario_support import page_text, problems


def _messages_of(body: dict) -> dict:
    with pytest.raises(ValidationError) as caught:
        BookingCreateSchema().load(body)
    return caught.value.messages


BAD_BOOKING = {"offer_id": 1, "start_at": "2030-01-07T10:00:00Z", "accept_terms": True,
               "client": {"email": "not-an-address", "name": "x" * 201, "kind": "consumer"}}


@pytest.mark.parametrize(("locale", "email", "name"), [
    ("fr", "Saisissez une adresse e-mail valide.", "Indiquez de 1 à 200 caractères."),
    ("en", "Enter a valid e-mail address.", "Enter 1 to 200 characters.")])
def test_marshmallow_messages_are_translated_in_their_field_structure(app, locale, email, name):
    messages = _messages_of(BAD_BOOKING)
    with app.test_request_context(), force_locale(locale):
        said = validation_words.translated(messages)
    assert said["client"]["email"] == [email] and said["client"]["name"] == [name]


def test_a_missing_field_and_an_amount_in_minor_units_read_in_french(app):
    with app.test_request_context(), force_locale("fr"):
        assert validation_words.message("Missing data for required field.") == \
            "Ce champ est obligatoire."
        assert validation_words.message("from 1 to 99999999 minor units") == \
            "Un montant de 0,01 à 999\u202f999,99."
        assert validation_words.message("a message we never wrote") == "a message we never wrote"


def test_messages_go_on_the_field_that_holds_them_the_rest_to_the_top(app):
    form = SimpleNamespace(title=SimpleNamespace(errors=[]), price=SimpleNamespace(errors=()))
    with app.test_request_context(), force_locale("fr"):
        left = validation_words.attach_to_form(form, {
            "title": ["Longer than maximum length 200."],
            "price": {"amount_minor": ["from 1 to 99999999 minor units"]},
            "nowhere": ["Unknown field."]})
    assert form.title.errors == ["Au plus 200 caractères."]
    assert form.price.errors == ["Un montant de 0,01 à 999\u202f999,99."]
    assert left == ["Ce champ n’est pas attendu."]


@pytest.mark.parametrize(("day", "style", "said"), [
    (date(2027, 3, 1), "full", "lundi 1er mars 2027"),
    (date(2027, 3, 1), "long", "1er mars 2027"),
    (date(2027, 3, 11), "long", "11 mars 2027"),
    (date(2027, 3, 21), "long", "21 mars 2027"),
    (date(2027, 3, 1), "short", "01/03/2027")])
def test_the_first_of_the_month_is_1er_in_french(day, style, said):
    assert formats.day(day, "fr", style) == said
    assert formats.day(day, "en", "long").startswith("March")


def test_the_example_date_is_a_day_ahead_written_day_month_year(app):
    ahead = utcnow().date() + timedelta(days=7)
    with app.test_request_context(), force_locale("fr"):
        said = enter_day_words()
    assert ahead.strftime("%d/%m/%Y") in said and ahead.isoformat() not in said
    assert said.startswith("Indiquez une date (jour/mois/année), par exemple ")


def test_a_refund_limit_is_said_in_money(app):
    with app.test_request_context(), force_locale("fr"):
        said = at_most_words(3250, "EUR")
    assert said == "Au plus 32,50\u00a0€ peuvent être remboursés." and "3250" not in said


def test_the_project_form_says_what_is_wrong_on_the_fields_in_french(client):
    """No more "Vérifiez : milestones": the message in words, by the milestones; a milestone's
    own message by its row; the work typed kept."""
    prov = f.provider(client)
    assert client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"}
                       ).status_code == 302
    client.get("/projects?lang=fr")
    empty = client.post("/projects/new", data={
        "client_name": "Eve", "client_email": "eve@example.test", "title": "Logo",
        "currency": "EUR"}).get_data(as_text=True)
    assert "Indiquez de 1 à 50 étapes" in empty and "milestones" not in _shown(empty)
    assert 'value="Logo"' in empty
    bad = client.post("/projects/new", data={
        "client_name": "Eve", "client_email": "eve@example.test", "title": "Logo",
        "currency": "EUR", "m1_title": "Maquettes", "m1_amount": "-3"}).get_data(as_text=True)
    row = bad.split('name="m1_title"', 1)[1].split("</fieldset>", 1)[0]
    assert '<p class="error">' in row and "amount_minor" not in _shown(bad)


def _shown(html: str) -> str:
    return page_text(html)


@pytest.mark.parametrize(("text", "kind"), [
    ("Statut\u202f: canceled", "English 'canceled'"),
    ("Length must be between 1 and 200.", "English 'Length must'"),
    ("Échéance\u202f: 2026-03-31", "ISO date"),
    ("Il reste 3250 à rembourser", "amount in cents 3250"),
    ("Appel: échec", "no narrow space before ':'"),
    ("1 800,00 € : paiement échoué", "no narrow space before ':'"),
    ("Vraiment ?", "no narrow space before '?'")])
def test_the_scenario_check_finds_each_fault(text, kind):
    assert [p for p in problems(text, (3250,)) if p.startswith(kind)], problems(text, (3250,))


def test_the_scenario_check_lets_french_as_written_pass():
    text = ("Le 1er mars 2027 à 16:30 (CET)\u202f: 32,50\u00a0€ débités\u202f; payez sur "
            "https://skod.test/pay/1/a:b?x=1 ou écrivez à dana@example.test\u202f!")
    assert problems(text, (3250,)) == []


@pytest.mark.parametrize(("before", "after"), [
    ("Appel : échec", "Appel\u202f: échec"),
    ("Appel: échec", "Appel\u202f: échec"),
    ("Vraiment ? Oui !", "Vraiment\u202f? Oui\u202f!"),
    ("Marquer « %(title)s » comme terminée ?",
     "Marquer «\u202f%(title)s\u202f» comme terminée\u202f?"),
    ("à 10:00, sur https://skod.test et %(label)s : %(detail)s",
     "à 10:00, sur https://skod.test et %(label)s\u202f: %(detail)s")])
def test_the_catalogue_spacing_tool_spaces_french_and_nothing_else(before, after):
    assert spaced(before) == after and spaced(after) == after  # and a second run changes nothing


def test_the_spacing_tool_leaves_the_header_and_the_msgids():
    po = ('msgid ""\nmsgstr ""\n"Language: fr\\n"\n\nmsgid "Call: failed"\n'
          'msgstr "Appel : échec"\n"suite ; fin"\n')
    assert spaced_catalogue(po) == po.replace(" :", "\u202f:").replace(" ;", "\u202f;")
