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

  // The zone switcher shows the times again as soon as a zone is picked.
  var zoneSelect = document.querySelector('#tz-switch select');
  if (zoneSelect) {
    zoneSelect.addEventListener('change', function () { zoneSelect.form.submit(); });
  }
  // A day of the month calendar opens that day's times (and only those).
  document.querySelectorAll('a.cal-day.free').forEach(function (link) {
    link.addEventListener('click', function (event) {
      var day = document.getElementById('day-' + link.dataset.day);
      if (!day) { return; }
      event.preventDefault();
      document.querySelectorAll('#slots details.day').forEach(function (d) { d.open = d === day; });
      document.querySelectorAll('a.cal-day.chosen').forEach(function (a) { a.classList.remove('chosen'); });
      link.classList.add('chosen');
      day.scrollIntoView({block: 'nearest'});
      day.querySelector('summary').focus();
    });
  });

  var flow = window.SkodCardFlow(form, script.dataset.stripeKey, msg,
                                 script.dataset.stripeAccount);
  var UiError = flow.UiError;
  var SECURED = ['held', 'card_saved'];

  function reloadSlots() {
    return fetch(window.location.href, {credentials: 'same-origin'})
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var fresh = doc.getElementById('slots');
        if (fresh) { document.getElementById('slots').innerHTML = fresh.innerHTML; }
      });
  }

  function slotGone(err) {
    if (!(err instanceof UiError)) { return false; }
    if (err.code !== 'slot_taken' && err.code !== 'slot_unavailable') { return false; }
    flow.showTop(msg.slot_taken);
    reloadSlots();
    return true;
  }

  var created = null;  // a booking made by an earlier try on this page: pay it, do not rebook

  function bookingPayload() {
    var f = bookingForm, start = f.querySelector('input[name=start_at]:checked');
    return {
      offer_id: config.offer_id, start_at: start ? start.value : null,
      accept_terms: f.querySelector('#accept_terms').checked,
      client: flow.clientDetails(config.timezone, config.locale)
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
      var res = await flow.api('POST', '/api/v1/bookings', data, null);
      if (!res.ok) { throw flow.apiError(res); }
      created = res.body;
      created.start_at = data.start_at;
      created.step = created.payment;
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
    window.location.assign(created.manage_url);
  }

  if (bookingForm && window.SkodSavedCard) {
    window.SkodSavedCard(flow, msg, async function () {
      await ensureBooking(bookingPayload());
      return {base: '/api/v1/bookings/' + created.id, token: created.client_token};
    }, SECURED, function () { window.location.assign(created.manage_url); });
  }

  async function authorize() {
    var base = '/api/v1/bookings/' + config.booking_id;
    var step = await flow.freshSetup(base, config.client_token);
    await flow.payWithCard(base, config.client_token, step, config.name, config.email, SECURED);
    window.location.assign(config.manage_url);
  }

  if (bookingForm) {
    bookingForm.addEventListener('submit', flow.onSubmit(book, slotGone));
    flow.toggleBusiness();
  }
  if (authorizeForm) { authorizeForm.addEventListener('submit', flow.onSubmit(authorize)); }
}());
