/* The plan step of a debt's pay page (templates/dunning/pay_plan.html); the pay form itself is
 * static/js/pay-element.js (Stripe's Payment Element).
 * Card: a SetupIntent (POST /api/v1/pay/<id>/plan/card-setup) confirmed with the card, the saved
 * card sent to .../plan/payment-method, then the plan form itself is submitted.
 * SEPA Direct Debit (a debt in euros): a SetupIntent for sepa_debit (.../plan/sepa-setup)
 * confirmed with Stripe.js's IBAN Element beside the mandate text (confirmSepaDebitSetup), the
 * server reads the signed mandate back (.../plan/sepa-mandate), then the plan form is submitted.
 * The card number and the IBAN go from the page to Stripe only (card-flow.js). */
(function () {
  'use strict';
  var script = document.currentScript;
  var configNode = document.getElementById('page-config');
  if (!configNode) { return; }
  var config = JSON.parse(configNode.textContent);
  var msg = config.messages || {};
  var planForm = document.getElementById('plan-card-form');
  if (!planForm) { return; }
  var flow = window.SkodCardFlow(planForm, script.dataset.stripeKey, msg,
                                 script.dataset.stripeAccount);
  var base = '/api/v1/pay/' + config.receivable_id;
  var button = document.getElementById('plan-card-button');
  var cardLabel = button.textContent;

  // SEPA Direct Debit beside the card (sepa-choice.js): the button says what it will do
  var sepa = window.SkodSepaChoice(planForm, script, function (on) {
    button.textContent = on ? button.dataset.sepaLabel : cardLabel;
  });

  async function signMandate() {
    var step = await flow.api('POST', base + '/plan/sepa-setup', null, config.token);
    if (!step.ok) { throw flow.apiError(step); }
    if (step.body.status !== 'card_saved') {
      var setup = await sepa.sign(step.body.client_secret, config);
      if (setup.error) { throw new flow.UiError(msg.iban_failed, 'iban'); }
      var res = await flow.api('POST', base + '/plan/sepa-mandate', null, config.token);
      if (!res.ok) { throw flow.apiError(res); }
    }
  }

  async function saveThenAsk() {
    if (sepa.chosen() === 'sepa_debit') {
      await signMandate();
    } else {
      var res = await flow.api('POST', base + '/plan/card-setup', null, config.token);
      if (!res.ok) { throw flow.apiError(res); }
      await flow.payWithCard(base, config.token, res.body, config.name, config.email,
                             ['card_saved'], base + '/plan/payment-method');
    }
    planForm.submit();  // the plan request itself: a plain form with its CSRF token
  }

  planForm.addEventListener('submit', flow.onSubmit(saveThenAsk));
}());
