/* Appended by the emulator wrapper after stripe-js-extra.js: Stripe's Payment Element, close to
 * real Stripe.js (docs.stripe.com/js/element/payment_element,
 * /js/elements/submit).
 *
 * stripe.elements(options): `mode: 'payment'` with `amount` and `currency` (Stripe's deferred
 * flow: the intent is made after the form is filled), or `clientSecret`; optional
 * `paymentMethodTypes`, `setupFutureUsage`, `captureMethod`, `locale` ('fr', 'en', 'auto').
 * Invalid options throw an IntegrationError, as Stripe.js does (a `sepa_debit` type outside euros
 * too). elements.create('payment', {layout, defaultValues: {billingDetails}, wallets}) is one
 * element per group: a radio choice of the method types (card, SEPA Direct Debit), the card
 * fields (localstripe's card element) or name, e-mail and IBAN with the mandate text, in the
 * group's language; mount, on('change'|'ready'), getElement('payment'), update, destroy.
 * No wallet is offered (a headless browser has none), as Stripe hides them there.
 *
 * elements.submit() checks the chosen method's fields ({error} of type validation_error, else
 * {selectedPaymentMethod}). stripe.confirmPayment: stripe-js-confirm-payment.js. */
(function () {
  'use strict';
  var base = window.Stripe;
  if (typeof base !== 'function' || base.skodPaymentElement || !base.skodHelpers) { return; }
  var helpers = base.skodHelpers;
  var KNOWN = ['card', 'sepa_debit'];
  var TEXTS = {
    en: {legend: 'Payment method', card: 'Card', sepa_debit: 'SEPA Direct Debit',
         name: 'Full name', email: 'Email', iban: 'IBAN',
         mandate: 'By confirming, you authorise {merchant} and Stripe, its payment provider, ' +
                  'to instruct your bank to debit this account, and your bank to do so. You ' +
                  'may ask your bank for a refund within eight weeks of a debit.',
         incomplete: 'Your payment details are incomplete.'},
    fr: {legend: 'Moyen de paiement', card: 'Carte', sepa_debit: 'Prélèvement SEPA',
         name: 'Nom complet', email: 'E-mail', iban: 'IBAN',
         mandate: 'En confirmant, vous autorisez {merchant} et Stripe, son prestataire de ' +
                  'paiement, à demander à votre banque de débiter ce compte, et votre banque ' +
                  'à le faire. Vous pouvez demander un remboursement à votre banque dans les ' +
                  'huit semaines suivant un débit.',
         incomplete: 'Vos informations de paiement sont incomplètes.'},
  };

  function IntegrationError(message) {
    var err = new Error(message);
    err.name = 'IntegrationError';
    return err;
  }

  function language(locale) {
    var lang = (!locale || locale === 'auto') ? (navigator.language || 'en') : locale;
    return TEXTS[lang.slice(0, 2)] ? lang.slice(0, 2) : 'en';
  }

  // The group's options, checked as Stripe.js checks them; null for a group of the older
  // Elements (card, iban), made without mode or clientSecret.
  function groupState(options) {
    options = options || {};
    if (!options.mode && !options.clientSecret) { return null; }
    var deferred = !options.clientSecret;
    if (deferred && ['payment', 'setup', 'subscription'].indexOf(options.mode) < 0) {
      throw IntegrationError('elements(): either `clientSecret` or `mode` is required.');
    }
    if (deferred && options.mode !== 'setup' &&
        !(Number.isInteger(options.amount) && options.amount >= 0)) {
      throw IntegrationError('elements(): `amount` must be a non-negative integer.');
    }
    if (deferred && !/^[a-z]{3}$/.test(options.currency || '')) {
      throw IntegrationError('elements(): `currency` must be a lowercase three-letter code.');
    }
    var types = options.paymentMethodTypes || KNOWN;
    types.forEach(function (type) {
      if (KNOWN.indexOf(type) < 0) {
        throw IntegrationError('elements(): payment method type ' + type + ' is not enabled.');
      }
      if (type === 'sepa_debit' && deferred && options.currency !== 'eur') {
        throw IntegrationError('elements(): sepa_debit supports eur only, not ' +
                               options.currency + '.');
      }
    });
    return {options: options, deferred: deferred, types: types, submitted: false,
            element: null, lang: language(options.locale)};
  }

  function field(pane, name, label, value, type) {
    var id = 'skod-pe-' + name;
    var wrap = document.createElement('div');
    var tag = document.createElement('label');
    tag.htmlFor = id;
    tag.textContent = label;
    var input = document.createElement('input');
    input.id = id;
    input.name = name;
    input.type = type || 'text';
    input.value = value || '';
    input.autocomplete = name === 'iban' ? 'off' : name;
    wrap.appendChild(tag);
    wrap.appendChild(input);
    pane.appendChild(wrap);
    return input;
  }

  function PaymentElement(state, createCard, options) {
    this.state = state;
    this.options = options || {};
    this.createCard = createCard;
    this.listeners = {};
    this.node = null;
    this.type = state.types[0];
  }
  PaymentElement.prototype.on = function (event, handler) {
    (this.listeners[event] = this.listeners[event] || []).push(handler);
  };
  PaymentElement.prototype.emit = function (event, data) {
    (this.listeners[event] || []).forEach(function (handler) { handler(data); });
  };
  PaymentElement.prototype.mount = function (target) {
    var host = typeof target === 'string' ? document.querySelector(target) : target;
    if (!host) { throw IntegrationError('mount(): the target element does not exist.'); }
    var self = this;
    var node = document.createElement('div');
    node.className = 'skod-payment-element';
    node.appendChild(this.choice());
    this.state.types.forEach(function (type) { node.appendChild(self.panes[type]); });
    host.appendChild(node);
    this.node = node;
    if (this.panes.card) { this.cardPane(this.panes.card); }
    if (this.panes.sepa_debit) { this.sepaPane(this.panes.sepa_debit); }
    this.select(this.type);
    setTimeout(function () { self.emit('ready', {elementType: 'payment'}); }, 0);
  };
  // The radio choice of the method types (Stripe's tabs), and an empty pane per type.
  PaymentElement.prototype.choice = function () {
    var words = TEXTS[this.state.lang], self = this;
    var choice = document.createElement('fieldset');
    var legend = document.createElement('legend');
    legend.textContent = words.legend;
    choice.appendChild(legend);
    this.panes = {};
    this.state.types.forEach(function (type) {
      var label = document.createElement('label');
      var radio = document.createElement('input');
      radio.type = 'radio';
      radio.name = 'skod-payment-type';
      radio.value = type;
      radio.checked = type === self.type;
      radio.addEventListener('change', function () { self.select(type); });
      label.appendChild(radio);
      label.appendChild(document.createTextNode(' ' + words[type]));
      choice.appendChild(label);
      var pane = document.createElement('div');
      pane.dataset.paymentType = type;
      self.panes[type] = pane;
    });
    return choice;
  };
  PaymentElement.prototype.cardPane = function (pane) {
    var box = document.createElement('div');
    box.setAttribute('data-stripe-element', 'card');  // localstripe's own unlabeled inputs
    pane.appendChild(box);
    this.card = this.createCard('card');
    this.card.mount(box);
  };
  // Name, e-mail (Stripe asks both for SEPA), IBAN, and the mandate text.
  PaymentElement.prototype.sepaPane = function (pane) {
    var words = TEXTS[this.state.lang];
    var billing = (this.options.defaultValues || {}).billingDetails || {};
    this.sepa = {name: field(pane, 'name', words.name, billing.name),
                 email: field(pane, 'email', words.email, billing.email, 'email'),
                 iban: field(pane, 'iban', words.iban, '')};
    var mandate = document.createElement('p');
    mandate.className = 'skod-mandate';
    var merchant = (this.state.options.business || {}).name ||
      (this.state.lang === 'fr' ? 'le vendeur' : 'the seller');
    mandate.textContent = words.mandate.replace('{merchant}', merchant);
    pane.appendChild(mandate);
  };
  PaymentElement.prototype.select = function (type) {
    var self = this;
    this.type = type;
    Object.keys(this.panes).forEach(function (t) { self.panes[t].hidden = t !== type; });
    this.emit('change', {elementType: 'payment', complete: !this.problem(), empty: false,
                         collapsed: false, value: {type: type}});
  };
  // What is missing in the chosen method's fields, or null.
  PaymentElement.prototype.problem = function () {
    if (this.type === 'card') {
      var card = (this.card && this.card.value && this.card.value.card) || {};
      if (!card.number || card.number.length < 12) { return 'incomplete_number'; }
      if (!card.exp_month || card.exp_year.length < 4) { return 'incomplete_expiry'; }
      if (!card.cvc || card.cvc.length < 3) { return 'incomplete_cvc'; }
      return null;
    }
    var iban = this.sepa.iban.value.replace(/\s+/g, '').toUpperCase();
    if (!this.sepa.name.value.trim()) { return 'incomplete_name'; }
    if (!/^[^@\s]+@[^@\s]+$/.test(this.sepa.email.value.trim())) { return 'incomplete_email'; }
    if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}$/.test(iban)) { return 'incomplete_iban'; }
    return null;
  };
  PaymentElement.prototype.update = function (options) {
    Object.assign(this.options, options || {});
  };
  PaymentElement.prototype.unmount = function () {
    if (this.card) { this.card.destroy(); this.card = null; }
    if (this.node) { this.node.remove(); this.node = null; }
  };
  PaymentElement.prototype.destroy = function () {
    this.unmount();
    this.state.element = null;
  };
  PaymentElement.prototype.focus = function () {
    if (this.node) { this.node.querySelector('input').focus(); }
  };

  // The group: create('payment'), getElement, submit, update, as Stripe.js's Elements.
  function extendGroup(group, state) {
    var create = group.create;
    group._skodPayment = state;
    group.create = function (type, options) {
      if (type !== 'payment') { return create.call(group, type, options); }
      if (!state) {
        throw IntegrationError('To create a payment Element, pass `clientSecret` or `mode` ' +
                               'to elements().');
      }
      if (state.element) { throw IntegrationError('Can only create one Payment Element.'); }
      state.element = new PaymentElement(state, function (t) { return create.call(group, t); },
                                         options);
      return state.element;
    };
    if (!state) { return group; }
    group.getElement = function (type) { return type === 'payment' ? state.element : null; };
    group.update = function (options) {
      Object.assign(state.options, options || {});
      state.submitted = false;
    };
    group.fetchUpdates = function () { return Promise.resolve({}); };
    group.submit = function () {
      var element = state.element;
      if (!element || !element.node) {
        return Promise.reject(IntegrationError('elements.submit(): no mounted Payment Element.'));
      }
      var code = element.problem();
      if (code) {
        return Promise.resolve({error: {type: 'validation_error', code: code,
                                        message: TEXTS[state.lang].incomplete}});
      }
      state.submitted = true;
      return Promise.resolve({selectedPaymentMethod: element.type});
    };
    return group;
  }

  function PaymentStripe(apiKey, options) {
    var stripe = base(apiKey, options);
    var elements = stripe.elements;
    stripe.elements = function (groupOptions) {
      var state = groupState(groupOptions);
      return extendGroup(elements.call(stripe, groupOptions), state);
    };
    return stripe;
  }
  PaymentStripe.skodExtra = true;
  PaymentStripe.skodPaymentElement = true;
  // for confirmPayment (stripe-js-confirm-payment.js, appended after this file)
  PaymentStripe.skodHelpers = Object.assign({}, helpers, {
    IntegrationError: IntegrationError});
  window.Stripe = PaymentStripe;
}());
