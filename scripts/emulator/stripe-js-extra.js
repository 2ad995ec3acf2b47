/* Appended by the emulator wrapper after localstripe's fake Stripe.js (localstripe-v3.js), in
 * the same script, so its top-level names (Element, openModal, LOCALSTRIPE_BASE_API) are in
 * scope here.
 *
 * localstripe's confirmCardPayment(secret) only finishes 3-D Secure of an intent the server
 * already confirmed. Real Stripe.js also takes the card: confirmCardPayment(secret,
 * {payment_method: {card: element, billing_details}}) confirms the PaymentIntent with a new card
 * PaymentMethod and runs 3-D Secure when the bank asks. Pages that hold and save a card with ONE
 * challenge (a PaymentIntent with capture_method=manual, setup_future_usage=off_session) need
 * that. This wraps the Stripe factory so that the object it returns does it:
 *   1. POST /v1/payment_methods (publishable key) with the element's card, as confirmCardSetup
 *      builds it (billing_details.address.postal_code from the element);
 *   2. POST /v1/payment_intents/{id}/confirm with payment_method, client_secret and the key;
 *   3. when the answer is requires_action, the same 3-D Secure dialog as confirmCardSetup, then
 *      POST /v1/payment_intents/{id}/_authenticate?success=true|false;
 *   4. resolves {paymentIntent} or {error} (error.payment_intent set, as Stripe.js does).
 * Without payment_method (or with a PaymentMethod id string) the original is used, or the
 * intent is confirmed with that id.
 *
 * SEPA Direct Debit: elements().create('iban') is an IBAN Element (one text input, its value
 * the IBAN, `change` events with {complete, error}); confirmSepaDebitSetup(secret,
 * {payment_method: {sepa_debit: ibanElement, billing_details: {name, email}}}) confirms the
 * SetupIntent with a new sepa_debit PaymentMethod, as Stripe.js does (the emulator infers the
 * mandate's acceptance from the browser's request, as Stripe does for Stripe.js).
 *
 * Stripe Connect: Stripe(pk, {stripeAccount: 'acct_...'}) acts on that connected account, as
 * real Stripe.js does: every request to the emulator's /v1/ carries `_stripe_account` (a body
 * parameter, or a query parameter on GET), which the emulator takes as the Stripe-Account
 * header. A parameter rather than a header keeps the requests "simple" (no CORS preflight). */
(function () {
  'use strict';
  var originalStripe = window.Stripe;
  if (typeof originalStripe !== 'function' || originalStripe.skodExtra) { return; }

  // A JSON body without a Content-Type header, as localstripe-v3.js sends it: a "simple"
  // cross-origin request, so no CORS preflight (the emulator refuses OPTIONS without a key).
  async function post(path, body) {
    var response = await fetch(LOCALSTRIPE_BASE_API + path, {
      method: 'POST',
      body: JSON.stringify(body),
    });
    var data = await response.json().catch(function () { return {}; });
    return {ok: response.status === 200 && !data.error, body: data};
  }

  function failure(body, fallback) {
    var error = (body && body.error) || {message: fallback};
    return {error: error};
  }

  // The card PaymentMethod data, built from the Card Element as confirmCardSetup builds it.
  function cardData(paymentMethod) {
    var data = Object.assign({}, paymentMethod);
    if (data.card instanceof Element) {
      var element = data.card;
      data.card = element.value.card;
      data.billing_details = Object.assign({}, data.billing_details || {});
      data.billing_details.address = Object.assign({}, data.billing_details.address || {});
      data.billing_details.address.postal_code =
        data.billing_details.address.postal_code || element.value.postal_code;
    }
    return Object.assign({type: 'card'}, data);
  }

  async function authenticate(pi, clientSecret, apiKey) {
    var success = await openModal('3D Secure\nDo you want to confirm or cancel?',
                                  'Complete authentication', 'Fail authentication');
    var answer = await post('/v1/payment_intents/' + pi + '/_authenticate?success=' + success,
                            {key: apiKey, client_secret: clientSecret});
    if (!answer.ok) { return failure(answer.body, '3-D Secure could not be completed'); }
    if (answer.body.status === 'requires_capture' || answer.body.status === 'succeeded' ||
        answer.body.status === 'processing') {
      return {paymentIntent: answer.body};
    }
    return {error: {  // what Stripe.js answers when the customer fails the challenge
      type: 'card_error', code: 'payment_intent_authentication_failure',
      message: 'We are unable to authenticate your payment method. Please choose a ' +
               'different payment method and try again.',
      payment_intent: answer.body}};
  }

  async function confirmWithCard(apiKey, clientSecret, paymentMethod) {
    var pi = clientSecret.match(/^(pi_\w+)_secret_/)[1];
    var pmId = paymentMethod;
    if (typeof paymentMethod !== 'string') {
      var created = await post('/v1/payment_methods',
                               Object.assign({key: apiKey}, cardData(paymentMethod)));
      if (!created.ok) { return failure(created.body, 'the card could not be created'); }
      pmId = created.body.id;
    }
    var confirmed = await post('/v1/payment_intents/' + pi + '/confirm',
                               {key: apiKey, client_secret: clientSecret, payment_method: pmId});
    if (!confirmed.ok) { return failure(confirmed.body, 'the payment could not be confirmed'); }
    var status = confirmed.body.status;
    if (status === 'requires_action') { return authenticate(pi, clientSecret, apiKey); }
    if (status === 'requires_capture' || status === 'succeeded' || status === 'processing') {
      return {paymentIntent: confirmed.body};
    }
    return {error: Object.assign({type: 'card_error', message: 'the payment failed'},
                                 confirmed.body.last_payment_error || {},
                                 {payment_intent: confirmed.body})};
  }

  // The IBAN Element: what Stripe's iframe collects, as a plain input in the page.
  function IbanElement(options) {
    this.options = options || {};
    this.value = '';
    this.listeners = {};
    this.input = null;
  }
  IbanElement.prototype.mount = function (target) {
    var node = typeof target === 'string' ? document.querySelector(target) : target;
    var input = document.createElement('input');
    input.type = 'text';
    input.name = 'iban';
    input.autocomplete = 'off';
    input.placeholder = (this.options.placeholderCountry || 'FR') + '76 ...';
    input.setAttribute('aria-label', 'IBAN');
    var self = this;
    input.addEventListener('input', function () {
      self.value = input.value.replace(/\s+/g, '').toUpperCase();
      var complete = /^[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}$/.test(self.value);
      (self.listeners.change || []).forEach(function (handler) {
        handler({elementType: 'iban', complete: complete, empty: !self.value,
                 error: undefined});
      });
    });
    node.appendChild(input);
    this.input = input;
  };
  IbanElement.prototype.on = function (event, handler) {
    (this.listeners[event] = this.listeners[event] || []).push(handler);
  };
  IbanElement.prototype.unmount = function () {
    if (this.input) { this.input.remove(); this.input = null; }
  };
  IbanElement.prototype.destroy = IbanElement.prototype.unmount;
  IbanElement.prototype.focus = function () { if (this.input) { this.input.focus(); } };

  async function confirmSepaSetup(apiKey, clientSecret, data) {
    var seti = clientSecret.match(/^(seti_\w+)_secret_/)[1];
    var pm = Object.assign({}, (data && data.payment_method) || {});
    if (pm.sepa_debit instanceof IbanElement) { pm.sepa_debit = {iban: pm.sepa_debit.value}; }
    var answer = await post('/v1/setup_intents/' + seti + '/confirm', {
      key: apiKey, use_stripe_sdk: true, client_secret: clientSecret,
      payment_method_data: Object.assign({type: 'sepa_debit'}, pm)});
    if (!answer.ok) { return failure(answer.body, 'the mandate could not be set up'); }
    return {setupIntent: answer.body};
  }

  // The account of the latest Stripe(pk, {stripeAccount}) (a page uses one Stripe object).
  var connectedAccount = null;
  var originalFetch = window.fetch.bind(window);

  function withAccount(url, init) {
    if (!connectedAccount || typeof url !== 'string' ||
        url.indexOf(LOCALSTRIPE_BASE_API + '/v1/') !== 0) { return [url, init]; }
    init = Object.assign({}, init || {});
    var method = (init.method || 'GET').toUpperCase();
    if (method === 'GET') {
      url += (url.indexOf('?') < 0 ? '?' : '&') + '_stripe_account=' +
             encodeURIComponent(connectedAccount);
    } else if (typeof init.body === 'string' && init.body.charAt(0) === '{') {
      var body = JSON.parse(init.body);
      body._stripe_account = connectedAccount;
      init.body = JSON.stringify(body);
    } else if (typeof init.body === 'string') {  // form-encoded (createToken)
      init.body += '&_stripe_account=' + encodeURIComponent(connectedAccount);
    } else if (init.body === undefined || init.body === null) {
      init.body = JSON.stringify({_stripe_account: connectedAccount});
    }
    return [url, init];
  }

  window.fetch = function (url, init) {
    var args = withAccount(url, init);
    return originalFetch(args[0], args[1]);
  };

  function SkodStripe(apiKey, options) {
    connectedAccount = (options && options.stripeAccount) || null;
    var stripe = originalStripe(apiKey, options);
    var original = stripe.confirmCardPayment;
    stripe.confirmCardPayment = async function (clientSecret, data) {
      var paymentMethod = data && data.payment_method;
      if (!paymentMethod) { return original.call(stripe, clientSecret, data); }
      console.log('localstripe (skod extra): Stripe().confirmCardPayment() with a card');
      try {
        return await confirmWithCard(apiKey, clientSecret, paymentMethod);
      } catch (err) {
        return (err && typeof err === 'object' && err.error) ? err : {error: err};
      }
    };
    var originalElements = stripe.elements;
    stripe.elements = function (options) {
      var elements = originalElements.call(stripe, options);
      var createCard = elements.create;
      elements.create = function (type, elementOptions) {
        if (type === 'iban') { return new IbanElement(elementOptions); }
        return createCard.call(elements, type, elementOptions);
      };
      return elements;
    };
    stripe.confirmSepaDebitSetup = async function (clientSecret, data) {
      try {
        return await confirmSepaSetup(apiKey, clientSecret, data);
      } catch (err) {
        return (err && typeof err === 'object' && err.error) ? err : {error: err};
      }
    };
    return stripe;
  }
  SkodStripe.skodExtra = true;
  // for the Payment Element (stripe-js-payment-element.js, stripe-js-confirm-payment.js)
  SkodStripe.skodHelpers = {post: post, failure: failure, confirmWithCard: confirmWithCard};
  window.Stripe = SkodStripe;
}());
