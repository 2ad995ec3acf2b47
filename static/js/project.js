/* Client's project page: accept (terms + card saved with a SetupIntent + deposit), or
 * authorize a milestone's payment after an off-session failure. Stripe Elements only: the
 * card number never reaches our server; the server confirms the payment, and Stripe.js only
 * finishes 3-D Secure on it (confirmCardPayment). */
(function () {
  'use strict';
  var script = document.currentScript;
  var configNode = document.getElementById('page-config');
  if (!configNode) { return; }
  var config = JSON.parse(configNode.textContent);
  var msg = config.messages || {};
  var form = document.getElementById('accept-form') || document.getElementById('authorize-form');
  if (!form) { return; }
  var stripe = window.Stripe(script.dataset.stripeKey);
  var card = stripe.elements().create('card');
  card.mount('#card-element');

  function UiError(message, field) { this.message = message; this.field = field; }

  async function api(path, body) {
    var resp = await fetch(path, {
      method: 'POST', credentials: 'same-origin',
      headers: {'Accept': 'application/json', 'Content-Type': 'application/json',
                'Authorization': 'Bearer ' + config.client_token},
      body: JSON.stringify(body || {})});
    var data = await resp.json().catch(function () { return {}; });
    if (!resp.ok) {
      var err = (data && data.error) || {};
      throw new UiError(err.code === 'card_declined' || resp.status === 402
        ? msg.card_failed : (err.message || msg.network), 'card');
    }
    return data;
  }

  function show(name, text) {
    var node = name ? form.querySelector('[data-error-for="' + name + '"]') : null;
    node = node || document.getElementById('form-error');
    node.textContent = text;
    node.hidden = false;
  }

  function clear() {
    form.querySelectorAll('[data-error-for], #form-error').forEach(function (n) { n.hidden = true; });
  }

  // Save the card (3-D Secure of the SetupIntent happens here), then let the server pay.
  async function savedCard() {
    var setup = await api('/api/v1/projects/' + config.project_id + '/card-setup');
    var done = await stripe.confirmCardSetup(setup.client_secret, {payment_method: {
      card: card, billing_details: {name: config.name, email: config.email}}});
    if (done.error) { throw new UiError(done.error.message || msg.card_failed, 'card'); }
    return done.setupIntent.payment_method;
  }

  async function finish(result, confirmPath) {
    if (result.status === 'requires_action' && result.intent === 'payment') {
      var paid = await stripe.confirmCardPayment(result.client_secret);
      if (paid.error) { throw new UiError(paid.error.message || msg.failed, 'card'); }
      result = await api(confirmPath);
    }
    if (['accepted', 'held', 'captured'].indexOf(result.status) < 0) {
      throw new UiError(msg.failed, 'card');
    }
  }

  async function accept() {
    if (!document.getElementById('accept_terms').checked) {
      throw new UiError(msg.accept_terms, 'accept_terms');
    }
    var base = '/api/v1/projects/' + config.project_id;
    var pm = await savedCard();
    await finish(await api(base + '/payment-method', {payment_method: pm}), base + '/confirm');
  }

  async function authorize() {
    var base = '/api/v1/milestones/' + config.milestone_id;
    var pm = await savedCard();
    await finish(await api(base + '/authorize', {payment_method: pm}), base + '/confirm');
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var button = form.querySelector('button[type=submit]');
    if (button.disabled) { return; }
    clear();
    button.dataset.label = button.textContent;
    button.textContent = msg.working;
    button.disabled = true;
    var action = form.id === 'accept-form' ? accept : authorize;
    action().then(function () { window.location.assign(config.page_url); })
      .catch(function (err) {
        button.textContent = button.dataset.label;
        button.disabled = false;
        show(err instanceof UiError ? err.field : null,
             err instanceof UiError ? err.message : msg.network);
      });
  });
}());
