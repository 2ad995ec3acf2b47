/* Booking page and "authorize the payment" section of the client's booking page
 * (the card step itself is static/js/card-flow.js). */
(function () {
  'use strict';
  var script = document.currentScript;
  var configNode = document.getElementById('page-config');
  if (!configNode) { return; }
  var config = JSON.parse(configNode.textContent);
  var msg = config.messages || {};
  var bookingForm = document.getElementById('booking-form');
  var authorizeForm = document.getElementById('authorize-form');
  var form = bookingForm || authorizeForm;
  if (!form) { return; }

  var times = bookingForm ? window.SkodBookingTimes(config) : null;

  var flow = window.SkodCardFlow(form, script.dataset.stripeKey, msg,
                                 script.dataset.stripeAccount);
  var UiError = flow.UiError;
  var SECURED = ['held', 'card_saved'];

  function slotGone(err) {
    if (!(err instanceof UiError)) { return false; }
    if (err.code === 'form_used') {  // this form already booked: show that booking
      var record = booked();
      if (record) { showBooked(record); }
      flow.showTop(msg.form_used);
      times.refresh().then(fresh);
      return true;
    }
    if (err.code !== 'slot_taken' && err.code !== 'slot_unavailable') { return false; }
    flow.showTop(msg.slot_taken);
    times.refresh();  // the day stays open, the taken time leaves the list
    return true;
  }

  // What this tab booked on this offer's page (sessionStorage): a page shown again from the
  // history (back button, bfcache or a reload with the form restored) shows that booking and
  // never another time chosen in its place; a new try needs a new form token.
  var BOOKED_KEY = 'skod.booked.' + config.offer_id;

  // The booking is secured: remembered for this tab, then shown.
  function done() {
    var radio = bookingForm.querySelector('input[name=start_at]:checked');
    try {
      window.sessionStorage.setItem(BOOKED_KEY, JSON.stringify({
        start_at: created.start_at, manage_url: created.manage_url,
        when: radio ? times.dayLabel(radio) : ''}));
    } catch (e) { /* private mode: the server's form token still refuses a second booking */ }
    window.location.assign(created.manage_url);
  }

  function booked() {
    try { return JSON.parse(window.sessionStorage.getItem(BOOKED_KEY) || 'null'); }
    catch (e) { return null; }
  }

  function showBooked(record) {
    var notice = document.getElementById('booked-notice');
    document.getElementById('booked-text').textContent =
      msg.booked_here.replace('{when}', record.when);
    document.getElementById('booked-link').href = record.manage_url;
    notice.hidden = false;
  }

  function fresh(pageConfig) {
    if (pageConfig && pageConfig.form_token) {
      config.form_token = pageConfig.form_token;
      tries = 0;
    }
  }

  function shownAgain(event) {
    var record = booked();
    if (!record) { return; }
    bookingForm.querySelectorAll('input[name=start_at]').forEach(function (r) {
      r.checked = false;
    });
    showBooked(record);
    if (event.persisted || created) {  // the same page as before the booking: a new form
      created = null;
      times.refresh().then(fresh);
    }
  }

  var created = null;  // a booking made by an earlier try on this page: pay it, do not rebook
  var tries = 0;  // bookings this form made (another time after a failed card: a new token)

  // The form's one-time token: the page's, then one per other time tried after a failure.
  function formToken() {
    return tries ? config.form_token + '-' + tries : config.form_token;
  }

  function bookingPayload() {
    var f = bookingForm, start = f.querySelector('input[name=start_at]:checked');
    return {
      offer_id: config.offer_id, start_at: start ? start.value : null,
      accept_terms: f.querySelector('#accept_terms').checked,
      client: flow.clientDetails(config.timezone, config.locale),
      form_token: formToken()
    };
  }

  function checkLocally(data) {
    if (!data.start_at) { throw new UiError(msg.pick_slot, 'start_at'); }
    if (!data.client.name) { throw new UiError(msg.required, 'client.name'); }
    if (!data.client.email) { throw new UiError(msg.required, 'client.email'); }
    if (!data.accept_terms) { throw new UiError(msg.accept_terms, 'accept_terms'); }
  }

  // The booking of the form's slot and details: made once, reused by the next try (with the
  // card form or the saved card) unless the client picked another time.
  async function ensureBooking(data) {
    checkLocally(data);
    if (!created || created.start_at !== data.start_at) {
      if (created) { tries += 1; data.form_token = formToken(); }
      var res = await flow.api('POST', '/api/v1/bookings', data, null);
      if (!res.ok) { throw flow.apiError(res); }
      created = res.body;
      created.start_at = data.start_at;
      created.step = created.payment;
      created.step.status = created.status;  // a form sent again: its booking may be secured
      return false;
    }
    return true;
  }

  async function book() {
    var data = bookingPayload();
    if (await ensureBooking(data)) {
      created.step = await flow.freshSetup('/api/v1/bookings/' + created.id,
                                           created.client_token);
    }
    await flow.payWithCard('/api/v1/bookings/' + created.id, created.client_token,
                           created.step, data.client.name, data.client.email, SECURED);
    done();
  }

  if (bookingForm && window.SkodSavedCard) {
    window.SkodSavedCard(flow, msg, async function () {
      await ensureBooking(bookingPayload());
      return {base: '/api/v1/bookings/' + created.id, token: created.client_token};
    }, SECURED, done);
  }

  async function authorize() {
    var base = '/api/v1/bookings/' + config.booking_id;
    var step = await flow.freshSetup(base, config.client_token);
    await flow.payWithCard(base, config.client_token, step, config.name, config.email, SECURED);
    window.location.assign(config.manage_url);
  }

  if (bookingForm) {
    window.addEventListener('pageshow', shownAgain);
    bookingForm.addEventListener('submit', flow.onSubmit(book, slotGone));
    flow.toggleBusiness();
  }
  if (authorizeForm) { authorizeForm.addEventListener('submit', flow.onSubmit(authorize)); }
}());
