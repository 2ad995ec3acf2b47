/* Booking page and "authorize the payment" section of the client's booking page.
 * Card entry with Stripe Elements; the card number never reaches our server. */
(function () {
  'use strict';
  var script = document.currentScript;
  var configNode = document.getElementById('page-config');
  if (!configNode) { return; }
  var config = JSON.parse(configNode.textContent);
  var msg = config.messages || {};
  var bookingForm = document.getElementById('booking-form');
  var authorizeForm = document.getElementById('authorize-form');

  // The booking page shows the slots in the visitor's zone: tell the server which one.
  if (bookingForm && !config.has_tz) {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone) {
      var url = new URL(window.location.href);
      url.searchParams.set('tz', zone);
      window.location.replace(url.toString());
      return;
    }
  }

  var stripe = window.Stripe(script.dataset.stripeKey);
  var card = stripe.elements().create('card');
  card.mount('#card-element');

  function UiError(message, field) { this.message = message; this.field = field; }

  function api(method, path, body, token) {
    var headers = {'Accept': 'application/json'};
    if (body !== null) { headers['Content-Type'] = 'application/json'; }
    if (token) { headers['Authorization'] = 'Bearer ' + token; }
    return fetch(path, {method: method, headers: headers, credentials: 'same-origin',
                        body: body === null ? undefined : JSON.stringify(body)})
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

  function form() { return bookingForm || authorizeForm; }

  function showTop(text) {
    var box = document.getElementById('form-error');
    box.textContent = text;
    box.hidden = false;
    box.scrollIntoView({block: 'center', behavior: 'smooth'});
  }

  function showField(name, text) {
    var node = form().querySelector('[data-error-for="' + name + '"]');
    if (!node) { return false; }
    node.textContent = text;
    node.hidden = false;
    return true;
  }

  function clearErrors() {
    document.getElementById('form-error').hidden = true;
    form().querySelectorAll('[data-error-for]').forEach(function (n) { n.hidden = true; });
  }

  function apiError(res) {
    var err = (res.body && res.body.error) || {};
    var e = new UiError(msg[err.code] || err.message || msg.network);
    e.code = err.code;
    e.status = res.status;
    e.fields = flatten(err.fields, '', {});
    return e;
  }

  function reloadSlots() {
    return fetch(window.location.href, {credentials: 'same-origin'})
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var fresh = doc.getElementById('slots');
        if (fresh) { document.getElementById('slots').innerHTML = fresh.innerHTML; }
      });
  }

  function report(err) {
    if (!(err instanceof UiError)) { showTop(msg.network); return; }
    if (err.code === 'slot_taken' || err.code === 'slot_unavailable') {
      showTop(msg.slot_taken);
      reloadSlots();
      return;
    }
    var shown = false;
    Object.keys(err.fields || {}).forEach(function (name) {
      shown = showField(name, err.fields[name]) || shown;
    });
    if (err.field) { shown = showField(err.field, err.message) || shown; }
    if (!shown || !err.fields) { showTop(err.message); }
  }

  // Card -> SetupIntent -> our API -> (3-D Secure on the hold) -> confirm.
  async function payWithCard(bookingId, token, setupSecret, name, email) {
    var setup = await stripe.confirmCardSetup(setupSecret, {
      payment_method: {card: card, billing_details: {name: name, email: email}}});
    if (setup.error) { throw new UiError(setup.error.message || msg.card_failed, 'card'); }
    var res = await api('POST', '/api/v1/bookings/' + bookingId + '/payment-method',
                        {payment_method: setup.setupIntent.payment_method}, token);
    if (!res.ok) { throw apiError(res); }
    var result = res.body;
    if (result.status === 'requires_action' && result.intent !== 'setup') {
      var paid = await stripe.confirmCardPayment(result.client_secret);
      if (paid.error) { throw new UiError(paid.error.message || msg.failed, 'card'); }
      res = await api('POST', '/api/v1/bookings/' + bookingId + '/confirm', null, token);
      if (!res.ok) { throw apiError(res); }
      result = {status: res.body.status};
    }
    if (result.status !== 'held' && result.status !== 'card_saved') {
      throw new UiError(msg.failed, 'card');
    }
  }

  function busy(button, on) {
    if (on) { button.dataset.label = button.textContent; button.textContent = msg.working; }
    else if (button.dataset.label) { button.textContent = button.dataset.label; }
    button.disabled = on;
  }

  var created = null;  // a booking made by an earlier try on this page: pay it, do not rebook

  function bookingPayload() {
    var f = bookingForm, kind = f.querySelector('input[name=kind]:checked').value;
    var start = f.querySelector('input[name=start_at]:checked');
    return {
      offer_id: config.offer_id, start_at: start ? start.value : null,
      accept_terms: f.querySelector('#accept_terms').checked,
      client: {name: f.name.value.trim(), email: f.email.value.trim(), kind: kind,
               company_name: kind === 'business' ? (f.company_name.value.trim() || null) : null,
               siren: kind === 'business' ? (f.siren.value.trim() || null) : null,
               timezone: config.timezone, locale: config.locale}
    };
  }

  function checkLocally(data) {
    if (!data.start_at) { throw new UiError(msg.pick_slot, 'start_at'); }
    if (!data.client.name) { throw new UiError(msg.required, 'client.name'); }
    if (!data.client.email) { throw new UiError(msg.required, 'client.email'); }
    if (!data.accept_terms) { throw new UiError(msg.accept_terms, 'accept_terms'); }
  }

  async function book() {
    var data = bookingPayload();
    checkLocally(data);
    if (!created || created.start_at !== data.start_at) {
      var res = await api('POST', '/api/v1/bookings', data, null);
      if (!res.ok) { throw apiError(res); }
      created = res.body;
      created.start_at = data.start_at;
      created.secret = created.payment.client_secret;
    } else {
      created.secret = await freshSetup(created.id, created.client_token);
    }
    await payWithCard(created.id, created.client_token, created.secret,
                      data.client.name, data.client.email);
    window.location.assign(created.manage_url);
  }

  async function freshSetup(bookingId, token) {
    var res = await api('POST', '/api/v1/bookings/' + bookingId + '/card-setup', null, token);
    if (!res.ok) { throw apiError(res); }
    return res.body.client_secret;
  }

  async function authorize() {
    var secret = await freshSetup(config.booking_id, config.client_token);
    await payWithCard(config.booking_id, config.client_token, secret, config.name, config.email);
    window.location.assign(config.manage_url);
  }

  function onSubmit(action) {
    return function (event) {
      event.preventDefault();
      var button = form().querySelector('button[type=submit]');
      if (button.disabled) { return; }
      clearErrors();
      busy(button, true);
      action().catch(function (err) { busy(button, false); report(err); });
    };
  }

  if (bookingForm) {
    bookingForm.addEventListener('submit', onSubmit(book));
    var business = document.getElementById('business-fields');
    bookingForm.querySelectorAll('input[name=kind]').forEach(function (radio) {
      radio.addEventListener('change', function () {
        business.hidden = bookingForm.querySelector('input[name=kind]:checked').value !== 'business';
      });
    });
  }
  if (authorizeForm) { authorizeForm.addEventListener('submit', onSubmit(authorize)); }
}());
