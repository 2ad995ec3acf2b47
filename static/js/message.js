/* Paid question: the ask page (question, files, card -> on-session hold) and the card section
 * of the client's message page (a hold left unfinished, or the pay link after a failed capture).
 * Card entry with Stripe Elements; the card number never reaches our server. */
(function () {
  'use strict';
  var script = document.currentScript;
  var configNode = document.getElementById('page-config');
  if (!configNode) { return; }
  var config = JSON.parse(configNode.textContent);
  var msg = config.messages || {};
  var askForm = document.getElementById('ask-form');
  var payForm = document.getElementById('pay-form');
  var theForm = askForm || payForm;
  if (!theForm) { return; }

  var stripe = window.Stripe(script.dataset.stripeKey);
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
    var node = theForm.querySelector('[data-error-for="' + name + '"]');
    if (!node) { return false; }
    node.textContent = text;
    node.hidden = false;
    return true;
  }

  function clearErrors() {
    document.getElementById('form-error').hidden = true;
    theForm.querySelectorAll('[data-error-for]').forEach(function (n) { n.hidden = true; });
  }

  function apiError(res) {
    var err = (res.body && res.body.error) || {};
    var e = new UiError(msg[err.code] || err.message || msg.network);
    e.code = err.code;
    e.fields = flatten(err.fields, '', {});
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

  // Card -> SetupIntent -> our API (hold, or charge) -> 3-D Secure if asked -> confirm.
  async function payWithCard(messageId, token, setupSecret, name, email) {
    var setup = await stripe.confirmCardSetup(setupSecret, {
      payment_method: {card: card, billing_details: {name: name, email: email}}});
    if (setup.error) { throw new UiError(setup.error.message || msg.card_failed, 'card'); }
    var base = '/api/v1/messages/' + messageId;
    var res = await api('POST', base + '/payment-method',
                        {payment_method: setup.setupIntent.payment_method}, token);
    if (!res.ok) { throw apiError(res); }
    var result = res.body;
    if (result.status === 'requires_action' && result.intent !== 'setup') {
      var paid = await stripe.confirmCardPayment(result.client_secret);
      if (paid.error) { throw new UiError(paid.error.message || msg.failed, 'card'); }
      res = await api('POST', base + '/confirm', null, token);
      if (!res.ok) { throw apiError(res); }
      result = {status: res.body.status};
    }
    if (result.status !== 'held' && result.status !== 'answered') {
      throw new UiError(msg.failed, 'card');
    }
  }

  function busy(button, on) {
    if (on) { button.dataset.label = button.textContent; button.textContent = msg.working; }
    else if (button.dataset.label) { button.textContent = button.dataset.label; }
    button.disabled = on;
  }

  async function freshSetup(messageId, token) {
    var res = await api('POST', '/api/v1/messages/' + messageId + '/card-setup', null, token);
    if (!res.ok) { throw apiError(res); }
    return res.body.client_secret;
  }

  var created = null;  // the question made by an earlier try on this page: pay it, do not resend

  function askPayload() {
    var f = askForm, kind = f.querySelector('input[name=kind]:checked').value;
    return {
      offer_id: config.offer_id, body: f.body.value.trim(),
      accept_terms: f.querySelector('#accept_terms').checked,
      client: {name: f.name.value.trim(), email: f.email.value.trim(), kind: kind,
               company_name: kind === 'business' ? (f.company_name.value.trim() || null) : null,
               siren: kind === 'business' ? (f.siren.value.trim() || null) : null,
               timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'Europe/Paris',
               locale: config.locale}
    };
  }

  function checkLocally(data) {
    if (!data.body) { throw new UiError(msg.required, 'body'); }
    if (config.char_limit && data.body.length > config.char_limit) {
      throw new UiError(msg.too_long, 'body');
    }
    if (!data.client.name) { throw new UiError(msg.required, 'client.name'); }
    if (!data.client.email) { throw new UiError(msg.required, 'client.email'); }
    if (!data.accept_terms) { throw new UiError(msg.accept_terms, 'accept_terms'); }
  }

  async function upload(messageId, token) {
    var input = document.getElementById('files');
    if (!input) { return; }
    var files = Array.prototype.slice.call(input.files || []);
    for (var i = created.uploaded || 0; i < files.length; i++) {
      var data = new FormData();
      data.append('file', files[i]);
      var res = await api('POST', '/api/v1/messages/' + messageId + '/attachments', data, token);
      if (!res.ok) {
        var e = apiError(res);
        e.fields = {file: files[i].name + ': ' + (e.fields.file || msg.file_failed)};
        throw e;
      }
      created.uploaded = i + 1;
    }
  }

  async function ask() {
    var data = askPayload();
    checkLocally(data);
    if (!created) {
      var res = await api('POST', '/api/v1/messages', data, null);
      if (!res.ok) { throw apiError(res); }
      created = res.body;
      created.secret = created.payment.client_secret;
    } else {
      created.secret = await freshSetup(created.id, created.client_token);
    }
    await upload(created.id, created.client_token);
    await payWithCard(created.id, created.client_token, created.secret,
                      data.client.name, data.client.email);
    window.location.assign(created.message_url);
  }

  async function payLink() {
    var secret = await freshSetup(config.message_id, config.client_token);
    await payWithCard(config.message_id, config.client_token, secret, config.name, config.email);
    window.location.assign(config.message_url);
  }

  function onSubmit(action) {
    return function (event) {
      event.preventDefault();
      var button = theForm.querySelector('button[type=submit]');
      if (button.disabled) { return; }
      clearErrors();
      busy(button, true);
      action().catch(function (err) { busy(button, false); report(err); });
    };
  }

  if (askForm) {
    askForm.addEventListener('submit', onSubmit(ask));
    var business = document.getElementById('business-fields');
    askForm.querySelectorAll('input[name=kind]').forEach(function (radio) {
      radio.addEventListener('change', function () {
        business.hidden = askForm.querySelector('input[name=kind]:checked').value !== 'business';
      });
    });
    var counter = document.getElementById('char-count');
    if (counter) {
      askForm.body.addEventListener('input', function () {
        counter.textContent = String(askForm.body.value.length);
      });
    }
  }
  if (payForm) { payForm.addEventListener('submit', onSubmit(payLink)); }
}());
