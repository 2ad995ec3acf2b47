"""The provider's settings for dunning: the reminder settings page (offsets of the ladder's
steps and card retry days, refused by the ladder's own rules, in the page's language) and the
bank details on the profile page and the API."""

from __future__ import annotations

import re

import pytest

from skod.accounts import bank
from skod.accounts.models import Provider
from skod.extensions import db
from tests import factories as f
from tests.support.api import api
from tests.test_dunning_provider_api import provider_id
from tests.test_dunning_provider_pages import _login, _text


@pytest.mark.parametrize(("lang", "message"), [
    ("en", "Each step must come at least 5 days after the previous one"),
    ("fr", "Chaque étape doit venir au moins 5 jours après la précédente"),
])
def test_reminder_settings_refused_by_the_ladder_rules(app, client, lang, message):
    prov = f.provider(client)
    _login(client, prov, lang=lang)
    page = _text(client.get("/dashboard/reminders"))
    assert re.search(r'name="step1"[^>]*value="7"', page)
    assert re.search(r'name="retry_days"[^>]*value="1, 3, 5"', page)
    resp = client.post("/dashboard/reminders", data={
        "step1": "10", "step2": "12", "step3": "30", "step4": "45", "retry_days": "1, 3, 5"})
    assert resp.status_code == 422 and message in _text(resp)
    assert 'value="12"' in _text(resp)  # what was typed stays


def test_reminder_settings_are_stored_and_used_by_the_ladder(app, client):
    from skod.dunning.debts.models import DunningSettings
    from skod.dunning.debts.store import ladder_for

    prov = f.provider(client)
    pid = provider_id(app, prov)
    with app.app_context():  # a text override set elsewhere is kept
        db.session.add(DunningSettings(provider_id=pid, overrides={
            "steps": {"1": {"subject": {"fr": "Petit rappel"}}}}))
        db.session.commit()
    _login(client, prov)
    for data, field, text in (
            ({"step1": "0"}, "step1", "From 1 to 365 days."),
            ({"retry_days": "5, 3"}, "retry_days", "Up to 5 days, each from 1 to 14"),
            ({"retry_days": "one"}, "retry_days", "Whole numbers separated by commas"),
            ({"step2": ""}, "step2", "This field is required.")):
        form = {"step1": "7", "step2": "15", "step3": "30", "step4": "45",
                "retry_days": "1, 3, 5"} | data
        resp = client.post("/dashboard/reminders", data=form)
        assert resp.status_code == 422 and text in _text(resp), field
    resp = client.post("/dashboard/reminders", data={
        "step1": "10", "step2": "20", "step3": "30", "step4": "60", "retry_days": "2 4"})
    assert resp.status_code == 302
    assert "Your reminder settings are saved." in _text(client.get("/dashboard/reminders"))
    with app.app_context():
        row = db.session.get(DunningSettings, pid)
        assert row.overrides["steps"]["1"] == {"subject": {"fr": "Petit rappel"},
                                               "offset_days": 10}
        ladder = ladder_for(pid)
        assert [s.offset_days for s in ladder.steps] == [None, 10, 20, 30, 60]
        assert ladder.retry_days == (2, 4)


def test_bank_details_on_the_profile_are_checked_and_stored_compact(app, client):
    prov = f.provider(client)
    pid = provider_id(app, prov)
    _login(client, prov)
    form = {"payment_terms_days": "0", "iban": "fr76 3000 6000 0112 3456 7890 189",
            "bic": "agri fr pp"}
    assert client.post("/dashboard/profile", data=form).status_code == 302
    with app.app_context():
        row = db.session.get(Provider, pid)
        assert (row.iban, row.bic) == ("FR7630006000011234567890189", "AGRIFRPP")
    for field, value, text in (("iban", "FR7630006000011234567890188", "This IBAN is not valid"),
                               ("iban", "FR76", "This IBAN is not valid"),
                               ("bic", "AGRIFRP", "A BIC has 8 or 11 letters")):
        resp = client.post("/dashboard/profile", data=form | {field: value})
        assert resp.status_code == 422 and text in _text(resp), value
    with app.app_context():
        assert db.session.get(Provider, pid).iban == "FR7630006000011234567890189"

    status, body = api(client, "PATCH", "/api/v1/me", token=prov["token"],
                       json={"bank": {"iban": "DE89 3704 0044 0532 0130 00", "bic": None}})
    assert status == 200 and body["bank"] == {"iban": "DE89370400440532013000", "bic": None}
    status, body = api(client, "PATCH", "/api/v1/me", token=prov["token"],
                       json={"bank": {"iban": "DE89370400440532013001"}})
    assert status == 422 and "iban" in str(body["error"]["fields"])


@pytest.mark.parametrize(("iban", "valid"), [
    ("FR7630006000011234567890189", True), ("DE89370400440532013000", True),
    ("GB82WEST12345698765432", True), ("BE71096123456769", True),
    ("FR7630006000011234567890188", False),  # one digit off: the checksum says so
    ("FR763000600001123456789018", False), ("76FR30006000011234567890189", False),
    ("FR76", False), ("FR76 3000 6000 0112 3456 7890 189", False),  # compact it first
])
def test_iban_rule(iban, valid):
    assert bank.iban_ok(iban) is valid
    assert bank.iban_ok(bank.compact(iban)) is (valid or " " in iban)


@pytest.mark.parametrize(("bic", "valid"), [
    ("AGRIFRPP", True), ("BNPAFRPPXXX", True), ("AGRIFRP", False), ("AGRI1RPP", False),
    ("AGRIFRPPXX", False)])
def test_bic_rule(bic, valid):
    assert bank.bic_ok(bic) is valid


def test_the_providers_own_words_reach_the_clients_email_in_their_language(
        app, client, card_pm, stripe_emulator, outbox):
    """Saved on the settings page per step and language; the notice in French carries the
    French words, and the English ones stay out of it."""
    from tests.support.dunning import assert_in_both, declined_debts, walk

    french, english = "Merci de votre confiance, à très vite.", "Thank you, see you soon."
    prov, project, [rid] = declined_debts(
        app, client, card_pm, stripe_emulator, kind="business", locale="fr",
        before_delivery=lambda _project: _words(client, prov_of(app, _project), french,
                                                english))
    outbox.clear()
    walk(app, rid, until_step=1)
    notice, friendly = outbox.to(project["email"])
    assert_in_both(notice, french)
    assert english not in notice.get_body(("plain",)).get_content()
    assert french not in friendly.get_body(("plain",)).get_content()  # step 0's words only
    # emptied again: the override goes, the standard text alone remains
    _login(client, prov)
    emptied = _FORM | {"text0_fr": "", "text0_en": ""}  # what the page posts, emptied
    assert client.post("/dashboard/reminders", data=emptied).status_code == 302
    with app.app_context():
        from skod.dunning.debts.store import ladder_for

        assert ladder_for(provider_id(app, prov)).text(0, "fr") is None


_FORM = {"step1": "7", "step2": "15", "step3": "30", "step4": "45", "retry_days": "1, 3, 5"}


def prov_of(app, project: dict) -> dict:
    from skod.projects.models import Project

    with app.app_context():
        provider = db.session.get(Project, project["id"]).provider
        return {"email": provider.email}


def _words(client, prov: dict, french: str, english: str) -> None:
    _login(client, prov)
    resp = client.post("/dashboard/reminders",
                       data=_FORM | {"text0_fr": french, "text0_en": english})
    assert resp.status_code == 302, _text(resp)
