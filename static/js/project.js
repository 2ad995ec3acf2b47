/* Client's project page: accept (terms + card saved with a SetupIntent + deposit), or
 * authorize a milestone's payment after an off-session failure. The card step is card-flow.js:
 * the card number never reaches our server; the server confirms the payment, and Stripe.js only
 * finishes 3-D Secure on it (confirmCardPayment). Or, in euros, SEPA Direct Debit: the IBAN
 * goes from Stripe.js's IBAN Element to Stripe (confirmSepaDebitSetup, beside the mandate's text),
 * never to our server, which then reads the signed mandate back (sepa-mandate). */
(function () {
  'use strict';
  var script = document.currentScript;
  var configNode = document.getElementById('page-config');
  if (!configNode) { return; }
  var config = JSON.parse(configNode.textContent);
  var msg = config.messages || {};
  var form = document.getElementById('accept-form') || document.getElementById('authorize-form');
  if (!form) { return; }
  var flow = window.SkodCardFlow(form, script.dataset.stripeKey, msg,
                                 script.dataset.stripeAccount);
  var project = '/api/v1/projects/' + config.project_id;
  var SECURED = ['accepted', 'held', 'captured'];

  // The card is saved through the project's SetupIntent, then sent to `submitPath`;
  // 3-D Secure on the resulting payment is confirmed at base + '/confirm'.
  async function secure(base, submitPath) {
    var step = await flow.freshSetup(project, config.client_token);
    await flow.payWithCard(base, config.client_token, step, config.name, config.email,
                           SECURED, submitPath);
  }

  // SEPA Direct Debit beside the card (sepa-choice.js)
  var sepa = window.SkodSepaChoice(form, script);

  async function acceptWithMandate() {
    var step = await flow.api('POST', project + '/sepa-setup', null, config.client_token);
    if (!step.ok) { throw flow.apiError(step); }
    var setup = await sepa.sign(step.body.client_secret, config);
    if (setup.error) { throw new flow.UiError(msg.iban_failed, 'iban'); }
    var res = await flow.api('POST', project + '/sepa-mandate', null, config.client_token);
    if (!res.ok) {
      var err = flow.apiError(res);
      if (res.status === 402) { err = new flow.UiError(msg.debit_failed, 'iban'); }
      throw err;
    }
  }

  async function accept() {
    if (!document.getElementById('accept_terms').checked) {
      throw new flow.UiError(msg.accept_terms, 'accept_terms');
    }
    if (sepa.chosen() === 'sepa_debit') { return acceptWithMandate(); }
    await secure(project, project + '/payment-method');
  }

  async function authorize() {
    var milestone = '/api/v1/milestones/' + config.milestone_id;
    await secure(milestone, milestone + '/authorize');
  }

  if (form.id === 'accept-form' && window.SkodSavedCard) {
    window.SkodSavedCard(flow, msg, async function () {
      if (!document.getElementById('accept_terms').checked) {
        throw new flow.UiError(msg.accept_terms, 'accept_terms');
      }
      return {base: project, token: config.client_token};
    }, SECURED, function () { window.location.assign(config.page_url); });
  }

  form.addEventListener('submit', flow.onSubmit(async function () {
    await (form.id === 'accept-form' ? accept : authorize)();
    window.location.assign(config.page_url);
  }));
}());
