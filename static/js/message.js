/* Paid question: the ask page (question, files, card -> on-session hold) and the card section
 * of the client's message page (a hold left unfinished, or the pay link after a failed capture).
 * The card step itself is static/js/card-flow.js. */
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

  var flow = window.SkodCardFlow(theForm, script.dataset.stripeKey, msg,
                                 script.dataset.stripeAccount);
  var UiError = flow.UiError, api = flow.api, apiError = flow.apiError;
  var PAID = ['held', 'answered'];

  function base(messageId) { return '/api/v1/messages/' + messageId; }

  var created = null;  // the question made by an earlier try on this page: pay it, do not resend

  function askPayload() {
    var f = askForm;
    return {
      offer_id: config.offer_id, body: f.body.value.trim(),
      accept_terms: f.querySelector('#accept_terms').checked,
      client: flow.clientDetails(
        Intl.DateTimeFormat().resolvedOptions().timeZone || 'Europe/Paris', config.locale)
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
        // French puts a narrow no-break space before the colon
        var colon = document.documentElement.lang === 'fr' ? '\u202f: ' : ': ';
        e.fields = {file: files[i].name + colon + (e.fields.file || msg.file_failed)};
        throw e;
      }
      created.uploaded = i + 1;
    }
  }

  // The question of the form, sent once with its files (the next try reuses it); false when
  // it was made by this call.
  async function ensureQuestion(data) {
    checkLocally(data);
    var made = !!created;
    if (!created) {
      var res = await api('POST', '/api/v1/messages', data, null);
      if (!res.ok) { throw apiError(res); }
      created = res.body;
      created.step = created.payment;
    }
    await upload(created.id, created.client_token);
    return made;
  }

  async function ask() {
    var data = askPayload();
    if (await ensureQuestion(data)) {
      created.step = await flow.freshSetup(base(created.id), created.client_token);
    }
    await flow.payWithCard(base(created.id), created.client_token, created.step,
                           data.client.name, data.client.email, PAID);
    window.location.assign(created.message_url);
  }

  async function payLink() {
    var step = await flow.freshSetup(base(config.message_id), config.client_token);
    await flow.payWithCard(base(config.message_id), config.client_token, step, config.name,
                           config.email, PAID);
    window.location.assign(config.message_url);
  }

  if (askForm) {
    askForm.addEventListener('submit', flow.onSubmit(ask));
    if (window.SkodSavedCard) {
      window.SkodSavedCard(flow, msg, async function () {
        await ensureQuestion(askPayload());
        return {base: base(created.id), token: created.client_token};
      }, PAID, function () { window.location.assign(created.message_url); });
    }
    flow.toggleBusiness();
    var counter = document.getElementById('char-count');
    if (counter) {
      var count = function () { counter.textContent = String(askForm.body.value.length); };
      askForm.body.addEventListener('input', count);
      count();  // what was typed before this script ran (slow network) counts too
    }
  }
  if (payForm) { payForm.addEventListener('submit', flow.onSubmit(payLink)); }
}());
