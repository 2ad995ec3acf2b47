"""The emulator's Payment Element (scripts/emulator/stripe-js-payment-element.js) accepts what
Stripe.js accepts and refuses what it refuses: elements() options checked (SEPA in euros only),
elements.submit() before confirmPayment, the form's fields checked, an intent whose currency,
setup_future_usage or method types do not match the group refused; a SEPA confirmation makes a
sepa_debit PaymentMethod under a mandate and leaves the intent `processing`. And Stripe.js reads
an intent only with its own client_secret."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import Page

from tests.conftest import STRIPE_PUBLISHABLE_KEY
from tests.support.stripe_helpers import on
from tests.test_emulator_sepa import IBAN_OK

pytestmark = pytest.mark.browser

GROUP = ("{mode: 'payment', amount: 5000, currency: 'eur', setupFutureUsage: 'off_session', "
         "paymentMethodTypes: ['card', 'sepa_debit'], locale: 'en'}")


@pytest.fixture
def shop(_browser, live_server, stripe_emulator):
    """A page of another origin than the emulator's with its Stripe.js, as a shop's page."""
    context = _browser.new_context(base_url=live_server.url, bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/no-such-page", wait_until="load")  # any page of ours: an origin
    page.set_content('<html lang="en"><body><form><div id="pe"></div></form></body></html>')
    page.add_script_tag(url=stripe_emulator.js_url)
    page.evaluate(f"window.stripe = Stripe('{STRIPE_PUBLISHABLE_KEY}')")
    yield page
    context.close()


def _intent(stripe_raw, **extra) -> dict:
    params = {"amount": 5000, "currency": "eur", "setup_future_usage": "off_session",
              "allowed_payment_method_types": ["card", "sepa_debit"], **extra}
    return stripe_raw.v1.payment_intents.create(params=params, options=on(None))


def _mount(page: Page, group: str = GROUP) -> None:
    page.evaluate(f"""() => {{
      window.group = stripe.elements({group});
      window.group.create('payment', {{defaultValues: {{billingDetails:
        {{name: 'Dana Buyer', email: 'dana@example.test'}}}}}}).mount('#pe');
    }}""")


def _confirm(page: Page, secret: str, submit: bool = True) -> dict:
    return page.evaluate("""async ([secret, submit]) => {
      if (submit) {
        const checked = await group.submit();
        if (checked.error) { return {submitError: checked.error}; }
      }
      try {
        const r = await stripe.confirmPayment({elements: group, clientSecret: secret,
                                               redirect: 'if_required'});
        return r.error ? {error: r.error} : {status: r.paymentIntent.status};
      } catch (e) { return {thrown: e.name + ': ' + e.message}; }
    }""", [secret, submit])


def _sepa(page: Page, iban: str = IBAN_OK) -> None:
    page.check('#pe input[type=radio][value="sepa_debit"]')
    page.get_by_label("IBAN").fill(iban)


def test_sepa_through_the_payment_element_is_processing_under_a_mandate(shop, stripe_raw):
    pi = _intent(stripe_raw)
    _mount(shop)
    _sepa(shop)
    assert _confirm(shop, pi.client_secret) == {"status": "processing"}
    pi = stripe_raw.v1.payment_intents.retrieve(pi.id, options=on(None))
    pm = stripe_raw.v1.payment_methods.retrieve(pi.payment_method, options=on(None))
    assert (pm.type, pm.billing_details.name, pm.billing_details.email) == (
        "sepa_debit", "Dana Buyer", "dana@example.test")
    charge = stripe_raw.v1.charges.retrieve(pi.latest_charge, options=on(None))
    assert charge.payment_method_details.sepa_debit.mandate


def test_confirm_payment_before_elements_submit_throws(shop, stripe_raw):
    pi = _intent(stripe_raw)
    _mount(shop)
    _sepa(shop)
    found = _confirm(shop, pi.client_secret, submit=False)
    assert found["thrown"].startswith("IntegrationError: elements.submit() must be called")
    assert stripe_raw.v1.payment_intents.retrieve(
        pi.id, options=on(None)).status == "requires_payment_method"


def test_incomplete_fields_are_refused_by_submit(shop, stripe_raw):
    pi = _intent(stripe_raw)
    _mount(shop)
    _sepa(shop, "")
    found = _confirm(shop, pi.client_secret)
    assert (found["submitError"]["type"], found["submitError"]["code"]) == (
        "validation_error", "incomplete_iban")


@pytest.mark.parametrize(("extra", "words"), [
    ({"allowed_payment_method_types": ["card"]}, "does not allow the payment method type"),
    ({"setup_future_usage": None}, "setup_future_usage"),
    ({"currency": "usd", "allowed_payment_method_types": ["card"]}, "currency"),
])
def test_an_intent_that_does_not_match_the_group_is_refused(shop, stripe_raw, extra, words):
    params = {k: v for k, v in extra.items() if v is not None}
    pi = _intent(stripe_raw, **params) if "setup_future_usage" not in extra else (
        stripe_raw.v1.payment_intents.create(params={
            "amount": 5000, "currency": "eur",
            "allowed_payment_method_types": ["card", "sepa_debit"]}, options=on(None)))
    _mount(shop)
    _sepa(shop)
    found = _confirm(shop, pi.client_secret)
    assert words in found["error"]["message"]
    assert stripe_raw.v1.payment_intents.retrieve(
        pi.id, options=on(None)).status == "requires_payment_method"


def test_elements_options_are_checked(shop):
    thrown = shop.evaluate("""() => {
      const tries = [
        {mode: 'payment', amount: 5000, currency: 'usd', paymentMethodTypes: ['sepa_debit']},
        {mode: 'payment', currency: 'eur'},
        {mode: 'payment', amount: 5000, currency: 'EUR'},
      ];
      return tries.map(options => {
        try { stripe.elements(options); return 'accepted'; }
        catch (e) { return e.name; }
      });
    }""")
    assert thrown == ["IntegrationError"] * 3
    # a group of the older Elements (no mode) makes no Payment Element
    assert shop.evaluate("""() => {
      try { stripe.elements().create('payment'); return 'accepted'; }
      catch (e) { return e.name; }
    }""") == "IntegrationError"


def test_an_intent_is_read_with_its_own_secret_only(stripe_emulator, stripe_raw):
    pi = _intent(stripe_raw)
    url = f"{stripe_emulator.base_url}/v1/payment_intents/{pi.id}"
    good = requests.get(url, params={"key": STRIPE_PUBLISHABLE_KEY,
                                     "client_secret": pi.client_secret}, timeout=5)
    assert (good.status_code, good.json()["status"]) == (200, "requires_payment_method")
    for secret in (f"{pi.id}_secret_wrong", None):
        params = {"key": STRIPE_PUBLISHABLE_KEY, "client_secret": secret}
        bad = requests.get(url, params={k: v for k, v in params.items() if v}, timeout=5)
        assert bad.status_code == 401
