"""The provider's voice (issue 23, point 7): the e-mails a client gets about a debt go out under
the provider's name (the address stays the platform's, for SPF and DKIM), answer to the
provider (Reply-To) and are signed by the provider, never "Skod"; a stored name with CR LF or
quotes cannot break the headers nor add one; a platform e-mail (a password reset) stays
Skod's. Real SMTP (aiosmtpd), real receivables (tests/support/dunning.py). The notice's retry
rule and the mise en demeure's bank details: tests/test_notice_outlook.py.
"""

from __future__ import annotations

from email.utils import parseaddr

import pytest

from tests.support.dunning import LEGAL, declined_debts, parts, walk

#: a name stored before entry refused line breaks: quotes, a comma, an accent, and a header
HOSTILE = 'Atelier "Dupont", Été\r\nBcc: spy@example.test'


def platform_address(app) -> str:
    return parseaddr(app.config["MAIL_FROM"])[1]


def received_by(smtp_server, email: str) -> list:
    return [r for r in smtp_server.received if email in r.rcpt_tos]


def set_provider(app, provider_id: int, **fields) -> None:
    from skod.accounts.models import Provider
    from skod.extensions import db

    with app.app_context():
        row = db.session.get(Provider, provider_id)
        for key, value in fields.items():
            setattr(row, key, value)
        db.session.commit()


def signature_of(text: str) -> list[str]:
    """The last three non-empty lines of a text part."""
    return [line for line in text.splitlines() if line.strip()][-3:]


def test_a_step_e_mail_speaks_for_the_provider_over_smtp(app, client, card_pm,
                                                         stripe_emulator, smtp_server):
    prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator)
    smtp_server.clear()
    walk(app, rid, until_step=1)  # the notice (J+0), then the friendly reminder (J+7)
    smtp_server.wait_for(2)
    mails = received_by(smtp_server, project["email"])
    assert len(mails) == 2
    for got in mails:
        assert got.rcpt_tos == [project["email"]]
        msg = got.message
        [sender] = msg["From"].addresses
        assert sender.display_name == LEGAL["company_name"]
        assert sender.addr_spec == platform_address(app)
        assert got.mail_from == platform_address(app)
        assert msg["Reply-To"] == prov["email"]
        text, page = parts(msg)
        assert signature_of(text) == ["Cordialement,", prov["name"], LEGAL["company_name"]]
        assert "Skod" not in text.split("Cordialement,")[-1]
        assert prov["name"] in page.split("Cordialement,")[-1]


def test_a_name_with_line_breaks_and_quotes_adds_no_header(app, client, card_pm,
                                                          stripe_emulator, smtp_server):
    prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator)
    set_provider(app, prov["id"], company_name=HOSTILE)
    smtp_server.clear()
    walk(app, rid, until_step=0)
    smtp_server.wait_for(1)
    [got] = received_by(smtp_server, project["email"])
    # nobody else got a copy, and no header was added
    assert all(r.rcpt_tos == [prov["email"]] for r in smtp_server.received if r is not got)
    assert got.rcpt_tos == [project["email"]]
    msg = got.message
    assert msg["Bcc"] is None and "spy@example.test" not in got.rcpt_tos
    assert [k for k in msg if k.lower() == "from"] == ["From"]
    [sender] = msg["From"].addresses
    assert sender.display_name == 'Atelier "Dupont", Été Bcc: spy@example.test'
    assert sender.addr_spec == platform_address(app)
    assert msg["Reply-To"] == prov["email"]


def test_a_plan_answer_to_the_client_speaks_for_the_provider(app, client, card_pm,
                                                            stripe_emulator, smtp_server, now):
    from skod.dunning.debts import notices
    from skod.dunning.debts.models import Receivable
    from skod.extensions import db

    prov, project, [rid] = declined_debts(app, client, card_pm, stripe_emulator)
    set_provider(app, prov["id"], company_name=None, name="Anaïs Dupont")
    smtp_server.clear()
    with app.app_context():
        notices.provider_told(db.session.get(Receivable, rid), "plan_refused")
    smtp_server.wait_for(2)
    [got] = received_by(smtp_server, project["email"])
    [sender] = got.message["From"].addresses
    assert (sender.display_name, sender.addr_spec) == ("Anaïs Dupont", platform_address(app))
    assert got.message["Reply-To"] == prov["email"]
    text, page = parts(got.message)
    assert signature_of(text)[-2:] == ["Cordialement,", "Anaïs Dupont"]
    assert "Skod" not in page.split("Cordialement,")[-1]
    # the provider's own copy is the platform's, signed Skod
    [own] = received_by(smtp_server, prov["email"])
    assert own.message["From"] == app.config["MAIL_FROM"]


def test_a_platform_e_mail_stays_skods(app, client, smtp_server, now):
    from skod.accounts import password_reset
    from tests import factories as f

    prov = f.provider(client)
    smtp_server.clear()
    with app.app_context():
        password_reset.request_reset(prov["email"], now)
    [got] = smtp_server.wait_for(1)
    assert got["From"] == app.config["MAIL_FROM"] and got["Reply-To"] is None
    text, _page = parts(got)
    assert text.rstrip().endswith("Skod") and "Cordialement" not in text


def test_the_sender_header_is_quoted_and_encoded(app):
    from email import message_from_string
    from email import policy as email_policy

    from skod.notifications import mail

    context = {"greeting": "Bonjour", "paragraphs": [], "action_url": None,
               "action_label": None, "details": []}
    with app.test_request_context():
        for name in ('Dupont, "Atelier" <boss@evil.test>', "Élise Müller", HOSTILE):
            msg = mail.build(to="lou@example.test", template="message", subject="S",
                             context=context,
                             sender=mail.voice_of(name=name, email="ana@example.test"))
            raw = msg.as_string()
            head = raw.split("\n\n", 1)[0]
            assert not [line for line in head.splitlines() if line.lower().startswith("bcc")]
            back = message_from_string(raw, policy=email_policy.default)
            [sender] = back["From"].addresses
            assert sender.display_name == name.replace("\r\n", " ")
            assert sender.addr_spec == platform_address(app)
            assert head.isascii()  # non-ASCII names go encoded (RFC 2047)


@pytest.mark.parametrize(("name", "company", "shown", "signed"), [
    ("Ana Martin", "Atelier Brume SARL", "Atelier Brume SARL",
     ("Ana Martin", "Atelier Brume SARL")),
    ("Ana Martin", None, "Ana Martin", ("Ana Martin",)),
    ("Ana Martin", "  ", "Ana Martin", ("Ana Martin",)),
    ("Atelier Brume", "Atelier Brume", "Atelier Brume", ("Atelier Brume",)),
])
def test_the_voice_of_a_provider(name, company, shown, signed):
    from skod.notifications.mail import voice_of

    voice = voice_of(name=name, email="ana@example.test", company_name=company)
    assert (voice.name, voice.reply_to, voice.signature) == (shown, "ana@example.test", signed)


def test_a_blank_sender_name_falls_back_to_the_platform(app):
    from skod.notifications.mail import Sender, from_header

    with app.app_context():
        assert from_header(Sender(name="\r\n", reply_to="a@b.test", signature=())) == \
            app.config["MAIL_FROM"]
        assert from_header(None) == app.config["MAIL_FROM"]
