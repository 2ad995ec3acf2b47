/* The card step shared by every client page (booking, question, project): Stripe Elements card,
 * JSON calls to our API, errors shown next to their field, and one of two sequences, chosen by
 * the step the server gives ({client_secret, intent}):
 *   intent "payment" (near call, question): card -> confirmCardPayment of the PaymentIntent (ONE
 *        3-D Secure challenge: the hold, and the card saved for later) -> POST <base>/confirm;
 *   intent "setup" (far call, project): card -> SetupIntent (confirmCardSetup)
 *        -> POST <base>/payment-method -> 3-D Secure on the server-confirmed intent
 *        (confirmCardPayment) -> POST <base>/confirm.
 * The card number goes from the page to Stripe only; our server never sees it.
 * The card is made on the provider's connected account (stripeAccount; empty: the platform's),
 * where the server made the customer and the intents.
 * Usage: var flow = SkodCardFlow(formElement, stripeKey, messages, stripeAccount); */
window.SkodCardFlow = function (form, stripeKey, msg, stripeAccount) {
  'use strict';
  var stripe = stripeAccount ? window.Stripe(stripeKey, {stripeAccount: stripeAccount})
    : window.Stripe(stripeKey);
  var card = stripe.elements().create('card');
  card.mount('#card-element');

  function UiError(message, field) { this.message = message; this.field = field; }

  function api(method, path, body, token) {
    var headers = {'Accept': 'application/json'};
    var isForm = body instanceof FormData;
    if (body !== null && !isForm) { headers['Content-Type'] = 'application/json'; }
    if (token) { headers['Authorization'] = 'Bearer ' + token; }
    return fetch(path, {method: method, headers: headers, credentials: 'same-origin',
                        body: body === null ? undefined : (isForm ? body : JSON.stringify(body))})
      .then(function (resp) {
        return resp.json().catch(function () { return {}; }).then(function (data) {
          return {ok: resp.ok, status: resp.status, body: data};
        });
      });
  }

  function flatten(fields, prefix, out) {
    Object.keys(fields || {}).forEach(function (key) {
      var value = fields[key], name = prefix ? prefix + '.' + key : key;
      if (Array.isArray(value)) { out[name] = value.join(' '); }
      else if (value && typeof value === 'object') { flatten(value, name, out); }
      else { out[name] = String(value); }
    });
    return out;
  }

  function showTop(text) {
    var box = document.getElementById('form-error');
    box.textContent = text;
    box.hidden = false;
    box.scrollIntoView({block: 'center', behavior: 'smooth'});
  }

  function showField(name, text) {
    var node = form.querySelector('[data-error-for="' + name + '"]');
    if (!node) { return false; }
    node.textContent = text;
    node.hidden = false;
    return true;
  }

  function clearErrors() {
    document.getElementById('form-error').hidden = true;
    form.querySelectorAll('[data-error-for]').forEach(function (n) { n.hidden = true; });
  }

  function apiError(res) {
    var err = (res.body && res.body.error) || {};
    var declined = err.code === 'card_declined' || res.status === 402;
    if (declined) { return declineError(err); }
    var e = new UiError(msg[err.code] || err.message || msg.network);
    e.code = err.code;
    e.status = res.status;
    e.fields = flatten(err.fields, '', {});
    return e;
  }

  // A card refused by the server (402): its message is the bank's English text and its field
  // a decline code, so the page shows our sentence for that code instead.
  function declineError(err) {
    var codes = (err.fields && err.fields.payment_method) || [];
    var words = msg.declines || {};
    var e = new UiError(words[codes[0]] || msg[err.code] || msg.card_failed, 'card');
    e.code = codes[0] || err.code;
    e.status = 402;
    e.fields = {};
    return e;
  }

  // Stripe.js writes its errors in English: the page shows our sentence for the decline code
  // (messages.declines, from the translation catalogue), else the given translated fallback.
  function stripeError(error, fallback) {
    var words = msg.declines || {};
    var text = words[error.decline_code] || words[error.code] || fallback;
    var e = new UiError(text, 'card');
    e.code = error.decline_code || error.code;
    return e;
  }

  function report(err) {
    if (!(err instanceof UiError)) { showTop(msg.network); return; }
    var shown = false;
    Object.keys(err.fields || {}).forEach(function (name) {
      shown = showField(name, err.fields[name]) || shown;
    });
    if (err.field) { shown = showField(err.field, err.message) || shown; }
    if (!shown || !err.fields) { showTop(err.message); }
  }

  // `base` is the object's API path (e.g. /api/v1/bookings/12); `step` the server's card step
  // ({client_secret, intent}, or a SetupIntent secret); `done` the statuses that mean the card
  // is secured; `submitPath` where the saved card goes (default base/payment-method).
  async function payWithCard(base, token, step, name, email, done, submitPath) {
    if (typeof step === 'string') { step = {client_secret: step, intent: 'setup'}; }
    if (done.indexOf(step.status) >= 0) { return; }  // secured meanwhile (another tab)
    if (step.intent === 'payment') {
      return payIntent(base, token, step.client_secret, name, email, done);
    }
    var setup = await stripe.confirmCardSetup(step.client_secret, {
      payment_method: {card: card, billing_details: {name: name, email: email}}});
    if (setup.error) { throw stripeError(setup.error, msg.card_failed); }
    var res = await api('POST', submitPath || base + '/payment-method',
                        {payment_method: setup.setupIntent.payment_method}, token);
    if (!res.ok) { throw apiError(res); }
    await finish(base, token, res.body, done);
  }

  // The server's answer to a card it confirmed (payment-method, saved-card): 3-D Secure of the
  // payment when the bank asks (confirmCardPayment), read back at base + '/confirm'.
  async function finish(base, token, result, done) {
    if (result.status === 'requires_action' && result.intent !== 'setup') {
      var paid = await stripe.confirmCardPayment(result.client_secret);
      if (paid.error) { throw stripeError(paid.error, msg.failed); }
      var res = await api('POST', base + '/confirm', null, token);
      if (!res.ok) { throw apiError(res); }
      result = {status: res.body.status};
    }
    if (done.indexOf(result.status) < 0) { throw new UiError(msg.failed, 'card'); }
  }

  // One PaymentIntent confirmed here with the card: one challenge holds and saves it; the
  // server reads it back (the webhook may have done it first: the answer is the same).
  async function payIntent(base, token, secret, name, email, done) {
    var paid = await stripe.confirmCardPayment(secret, {
      payment_method: {card: card, billing_details: {name: name, email: email}}});
    if (paid.error) { throw stripeError(paid.error, msg.card_failed); }
    var res = await api('POST', base + '/confirm', null, token);
    if (!res.ok) { throw apiError(res); }
    if (done.indexOf(res.body.status) < 0) { throw new UiError(msg.failed, 'card'); }
  }

  // The card step to (re)enter the card: {client_secret, intent} (see payWithCard).
  async function freshSetup(base, token) {
    var res = await api('POST', base + '/card-setup', null, token);
    if (!res.ok) { throw apiError(res); }
    return res.body;
  }

  function busy(button, on) {
    if (on) { button.dataset.label = button.textContent; button.textContent = msg.working; }
    else if (button.dataset.label) { button.textContent = button.dataset.label; }
    button.disabled = on;
  }

  // Submit handler: one try at a time, the button says it works, errors land on the form.
  function onSubmit(action, onError) {
    return function (event) {
      event.preventDefault();
      var button = form.querySelector('button[type=submit]');
      if (button.disabled) { return; }
      clearErrors();
      busy(button, true);
      action().catch(function (err) {
        busy(button, false);
        if (!onError || !onError(err)) { report(err); }
      });
    };
  }

  // The business fields show only for a business client or a public body.
  function toggleBusiness() {
    var business = document.getElementById('business-fields');
    if (!business) { return; }
    form.querySelectorAll('input[name=kind]').forEach(function (radio) {
      radio.addEventListener('change', function () {
        business.hidden = form.querySelector('input[name=kind]:checked').value === 'consumer';
      });
    });
  }

  // The client block of the API payload, from the fields of templates/web/_client_details.html.
  function clientDetails(timezone, locale) {
    var kind = form.querySelector('input[name=kind]:checked').value;
    var business = kind !== 'consumer';  // a public body gives its name and SIREN too
    return {name: form.name.value.trim(), email: form.email.value.trim(), kind: kind,
            company_name: business ? (form.company_name.value.trim() || null) : null,
            siren: business ? (form.siren.value.trim() || null) : null,
            legal_form: business && form.legal_form ? (form.legal_form.value.trim() || null)
              : null,
            address: form.address.value.trim() || null, timezone: timezone, locale: locale};
  }

  return {UiError: UiError, api: api, apiError: apiError, showTop: showTop,
          payWithCard: payWithCard, finish: finish, freshSetup: freshSetup, onSubmit: onSubmit,
          report: report, clearErrors: clearErrors, busy: busy,
          toggleBusiness: toggleBusiness, clientDetails: clientDetails};
};
