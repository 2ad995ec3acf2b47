/* "Already paid before? Use your saved card" (templates/web/_macros.html saved_card_box), shared
 * by the booking, question and project pages: ask for a code by e-mail, check it (the page shows
 * the card), pay with it; 3-D Secure, when the bank asks, through card-flow.js's finish.
 * Usage: SkodSavedCard(flow, messages, target, done, after)
 *   target(): async, the {base, token} of the row to pay (the page may create it first);
 *   done: the statuses that mean paid; after(): what the page does once paid. */
window.SkodSavedCard = function (flow, msg, target, done, after) {
  'use strict';
  var box = document.getElementById('saved-card');
  if (!box) { return; }
  var codeInput = document.getElementById('saved-card-code');
  var errorBox = document.getElementById('saved-card-error');
  var row = null;  // {base, token} once the code was asked

  function show(id, on) { document.getElementById(id).hidden = !on; }

  function say(text) { errorBox.textContent = text; errorBox.hidden = !text; }

  function codeError(text) {
    var node = box.querySelector('[data-error-for="code"]');
    node.textContent = text || '';
    node.hidden = !text;
  }

  // The saved card cannot be used (removed since): back to the card form, with a sentence.
  function fallBack(err) {
    box.open = false;
    show('saved-card-found', false);
    show('saved-card-code-step', false);
    flow.showTop(msg.saved_card_unavailable || err.message);
  }

  function handle(err) {
    if (err instanceof flow.UiError && err.code === 'saved_card_unavailable') {
      fallBack(err);
    } else if (err instanceof flow.UiError && (err.code === 'invalid_code' ||
                                               err.code === 'code_expired')) {
      codeError(msg[err.code] || err.message);
      if (err.code === 'code_expired') { show('saved-card-found', false); }
    } else if (err instanceof flow.UiError && err.status === 429) {
      say(msg.too_many_codes || err.message);
    } else {
      flow.report(err);
    }
  }

  // One action at a time on a button: it says it works, errors land next to the code.
  function on(id, action) {
    var button = document.getElementById(id);
    button.addEventListener('click', function () {
      if (button.disabled) { return; }
      flow.clearErrors();
      say('');
      codeError('');
      flow.busy(button, true);
      action().then(function () { flow.busy(button, false); }, function (err) {
        flow.busy(button, false);
        handle(err);
      });
    });
  }

  async function post(path, body) {
    var res = await flow.api('POST', row.base + path, body, row.token);
    if (!res.ok) { throw flow.apiError(res); }
    return res.body;
  }

  on('saved-card-ask', async function () {
    row = await target();
    await post('/saved-card/code', null);
    show('saved-card-code-step', true);
    codeInput.focus();
  });

  on('saved-card-check', async function () {
    var code = codeInput.value.trim();
    if (!/^[0-9]{6}$/.test(code)) { throw new flow.UiError(msg.invalid_code, 'code'); }
    var card = await post('/saved-card/check', {code: code});
    var expiry = String(card.exp_month).padStart(2, '0') + '/' + card.exp_year;
    document.getElementById('saved-card-label').textContent = (msg.saved_card_label || '')
      .replace('{brand}', (card.brand || '').toUpperCase()).replace('{last4}', card.last4)
      .replace('{expiry}', expiry);
    show('saved-card-found', true);
  });

  on('saved-card-pay', async function () {
    var result = await post('/saved-card', {code: codeInput.value.trim()});
    await flow.finish(row.base, row.token, result, done);
    after();
  });

  document.getElementById('saved-card-other').addEventListener('click', function () {
    box.open = false;
    document.getElementById('card-element').scrollIntoView({block: 'center'});
  });
};
