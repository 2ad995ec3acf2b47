/* Appended by the emulator wrapper after stripe-js-payment-element.js: Stripe.js's
 * confirmPayment (docs.stripe.com/js/payment_intents/confirm_payment), as the Payment Element
 * uses it. stripe.confirmPayment({elements, clientSecret, confirmParams, redirect}) throws
 * as Stripe.js does when the deferred group was not submitted, when neither
 * `return_url` nor `redirect: 'if_required'` is given, or without a client secret; it reads the
 * intent with its secret and refuses ({error}) one whose currency, setup_future_usage or
 * capture_method differ from the group's, or whose payment_method_types leave out the chosen
 * one; then a card: a card PaymentMethod, the confirm, 3-D Secure when asked (the same dialog as
 * confirmCardPayment); SEPA: a sepa_debit PaymentMethod with the name and e-mail, the confirm
 * (the emulator infers the mandate's acceptance from the browser, as Stripe does for Stripe.js),
 * and the intent `processing`. Resolves {paymentIntent} or {error}. */
(function () {
  'use strict';
  var base = window.Stripe;
  if (typeof base !== 'function' || base.skodConfirmPayment || !base.skodPaymentElement) {
    return;
  }
  var helpers = base.skodHelpers;
  var IntegrationError = helpers.IntegrationError;

  async function readIntent(apiKey, id, secret) {
    var response = await fetch(LOCALSTRIPE_BASE_API + '/v1/payment_intents/' + id + '?key=' +
                               encodeURIComponent(apiKey) + '&client_secret=' +
                               encodeURIComponent(secret));
    var data = await response.json().catch(function () { return {}; });
    return {ok: response.status === 200 && !data.error, body: data};
  }

  // A deferred group must match the intent made for it (Stripe refuses a mismatch).
  function mismatch(state, intent, type) {
    var o = state.options, wanted = {
      currency: o.currency, setup_future_usage: o.setupFutureUsage || null,
      capture_method: o.captureMethod || 'automatic'};
    // automatic_async (the API's default since 2024) is automatic capture too
    var given = function (name) {
      var value = intent[name] || null;
      return name === 'capture_method' && value === 'automatic_async' ? 'automatic' : value;
    };
    if (wanted.capture_method === 'automatic_async') { wanted.capture_method = 'automatic'; }
    var found = Object.keys(wanted).filter(function (name) {
      return state.deferred && given(name) !== wanted[name];
    }).map(function (name) {
      return 'The PaymentIntent\'s ' + name + ' (' + intent[name] + ') does not match the ' +
             'value passed to elements() (' + wanted[name] + ').';
    });
    if ((intent.payment_method_types || []).indexOf(type) < 0) {
      found.push('The PaymentIntent does not allow the payment method type ' + type + '.');
    }
    return found.length ? {error: {type: 'invalid_request_error', code: 'parameter_invalid',
                                   message: found[0], payment_intent: intent}} : null;
  }

  async function confirmSepa(apiKey, secret, id, element, confirmParams) {
    var given = ((confirmParams.payment_method_data || {}).billing_details) || {};
    var billing = Object.assign({name: element.sepa.name.value.trim(),
                                 email: element.sepa.email.value.trim()}, given);
    var created = await helpers.post('/v1/payment_methods', {
      key: apiKey, type: 'sepa_debit', billing_details: billing,
      sepa_debit: {iban: element.sepa.iban.value.replace(/\s+/g, '').toUpperCase()}});
    if (!created.ok) { return helpers.failure(created.body, 'the IBAN could not be used'); }
    var confirmed = await helpers.post('/v1/payment_intents/' + id + '/confirm', {
      key: apiKey, client_secret: secret, payment_method: created.body.id,
      return_url: confirmParams.return_url});
    if (!confirmed.ok) { return helpers.failure(confirmed.body, 'the debit was refused'); }
    var status = confirmed.body.status;
    if (status === 'processing' || status === 'succeeded') {
      return {paymentIntent: confirmed.body};
    }
    return {error: Object.assign({type: 'invalid_request_error', message: 'the debit failed'},
                                 confirmed.body.last_payment_error || {},
                                 {payment_intent: confirmed.body})};
  }

  async function confirmPayment(apiKey, opts) {
    opts = opts || {};
    var state = opts.elements && opts.elements._skodPayment;
    var params = opts.confirmParams || {};
    if (!state && !opts.clientSecret) {
      throw IntegrationError('confirmPayment(): `elements` or `clientSecret` is required.');
    }
    var secret = opts.clientSecret || (state && state.options.clientSecret);
    if (!secret) {
      throw IntegrationError('confirmPayment(): `clientSecret` is required when the Elements ' +
                             'group was made without one.');
    }
    if (state && state.deferred && !state.submitted) {
      throw IntegrationError('elements.submit() must be called before stripe.confirmPayment().');
    }
    if (opts.redirect !== 'if_required' && !params.return_url) {
      throw IntegrationError('confirmPayment(): `confirmParams.return_url` is required unless ' +
                             'redirect is "if_required".');
    }
    var match = /^(pi_\w+)_secret_\w+$/.exec(secret);
    if (!match) { throw IntegrationError('confirmPayment(): invalid `clientSecret`.'); }
    if (!state) { return helpers.confirmWithCard(apiKey, secret, params.payment_method); }
    var element = state.element;
    var read = await readIntent(apiKey, match[1], secret);
    if (!read.ok) { return helpers.failure(read.body, 'the payment could not be read'); }
    var refused = mismatch(state, read.body, element.type);
    if (refused) { return refused; }
    state.submitted = false;  // one submit, one confirmation
    if (element.type === 'sepa_debit') {
      return confirmSepa(apiKey, secret, match[1], element, params);
    }
    var billing = ((params.payment_method_data || {}).billing_details) ||
      ((element.options.defaultValues || {}).billingDetails) || {};
    return helpers.confirmWithCard(apiKey, secret, {card: element.card,
                                                    billing_details: billing});
  }

  function ConfirmStripe(apiKey, options) {
    var stripe = base(apiKey, options);
    stripe.confirmPayment = function (opts) {
      return confirmPayment(apiKey, opts).catch(function (err) {
        if (err && err.name === 'IntegrationError') { throw err; }
        return (err && typeof err === 'object' && err.error) ? err : {error: err};
      });
    };
    return stripe;
  }
  ConfirmStripe.skodExtra = true;
  ConfirmStripe.skodPaymentElement = true;
  ConfirmStripe.skodConfirmPayment = true;
  ConfirmStripe.skodHelpers = helpers;
  window.Stripe = ConfirmStripe;
}());
