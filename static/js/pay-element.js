/* The pay form of a debt's pay page (templates/dunning/pay.html): Stripe's Payment Element,
 * one form for a card (3-D Secure when the bank asks), SEPA Direct Debit for a debt in euros,
 * and the wallets Stripe offers, in the client's language.
 * Stripe's deferred flow: the element is made from the amount, currency and method types
 * (config.payment); on submit, elements.submit() checks the form, the server opens (or gives
 * back) the PaymentIntent for the amount owed today (POST /api/v1/pay/<id>/card-setup),
 * stripe.confirmPayment confirms it (redirect only when the method needs it), then
 * POST .../confirm: the server reads the intent back; a card settles the debt, a debit is
 * `processing` at the bank and the page, reloaded, says so.
 * The card number and the IBAN go from the page to Stripe only; our server never sees them. */
(function () {
  'use strict';
  var script = document.currentScript;
  var configNode = document.getElementById('page-config');
  var form = document.getElementById('pay-form');
  if (!configNode || !form) { return; }
  var config = JSON.parse(configNode.textContent);
  var msg = config.messages || {};
  var options = config.payment;
  var base = '/api/v1/pay/' + config.receivable_id;
  var key = script.dataset.stripeKey, account = script.dataset.stripeAccount;
  var stripe = account ? window.Stripe(key, {stripeAccount: account}) : window.Stripe(key);
  var elements = stripe.elements({
    mode: 'payment', amount: options.amount_minor, currency: options.currency,
    paymentMethodTypes: options.methods, setupFutureUsage: 'off_session',
    captureMethod: 'automatic', locale: options.locale});
  var element = elements.create('payment', {
    layout: 'tabs', wallets: {applePay: 'auto', googlePay: 'auto'},
    defaultValues: {billingDetails: {name: config.name, email: config.email}}});
  element.mount('#payment-element');

  function api(method, path) {
    return fetch(path, {method: method, credentials: 'same-origin',
                        headers: {'Accept': 'application/json',
                                  'Authorization': 'Bearer ' + config.token}})
      .then(function (resp) {
        return resp.json().catch(function () { return {}; }).then(function (body) {
          return {ok: resp.ok, status: resp.status, body: body};
        });
      });
  }

  function Failure(text) { this.message = text; }

  // Our sentence for a code (Stripe.js and Stripe write English), else the fallback.
  function words(error, fallback) {
    var declines = msg.declines || {};
    return declines[error.decline_code] || declines[error.code] || msg[error.code] || fallback;
  }

  function apiFailure(res) {
    var error = (res.body && res.body.error) || {};
    var text = res.status === 402 ? words(error, msg.card_failed) : error.message;
    return new Failure(msg[error.code] || text || msg.network);
  }

  function show(text) {
    var box = document.getElementById('form-error');
    box.textContent = text;
    box.hidden = false;
    box.scrollIntoView({block: 'center', behavior: 'smooth'});
  }

  async function readBack() {
    var res = await api('POST', base + '/confirm');
    if (!res.ok) { throw apiFailure(res); }
    window.location.assign(config.page_url);
  }

  async function pay() {
    var checked = await elements.submit();
    if (checked.error) { throw new Failure(words(checked.error, msg.required)); }
    var res = await api('POST', base + '/card-setup');
    if (!res.ok) { throw apiFailure(res); }
    if (res.body.status !== 'open') { window.location.assign(config.page_url); return; }
    var result = await stripe.confirmPayment({
      elements: elements, clientSecret: res.body.client_secret, redirect: 'if_required',
      confirmParams: {return_url: new URL(config.page_url, window.location.href).href}});
    if (result.error) {
      var sepa = result.error.payment_method && result.error.payment_method.type === 'sepa_debit';
      throw new Failure(words(result.error, sepa ? msg.iban_failed : msg.card_failed));
    }
    await readBack();
  }

  var button = form.querySelector('button[type=submit]');
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (button.disabled) { return; }
    document.getElementById('form-error').hidden = true;
    button.dataset.label = button.textContent;
    button.textContent = msg.working;
    button.disabled = true;
    pay().catch(function (err) {
      button.textContent = button.dataset.label;
      button.disabled = false;
      show(err instanceof Failure ? err.message : msg.network);
    });
  });

  // Back from a redirect-based method (return_url): the intent is read back once.
  if (new URLSearchParams(window.location.search).has('payment_intent')) {
    readBack().catch(function (err) {
      show(err instanceof Failure ? err.message : msg.network);
    });
  }
}());
