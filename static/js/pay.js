/* The plan card step of a debt's pay page (templates/dunning/pay_plan.html); the pay form
 * itself is static/js/pay-element.js (Stripe's Payment Element).
 * Plan card step: a SetupIntent (POST /api/v1/pay/<id>/plan/card-setup) confirmed with the
 * card, the saved card sent to .../plan/payment-method, then the plan form itself is submitted.
 * The card number goes from the page to Stripe only (card-flow.js). */
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

  async function saveCardThenAsk() {
    var res = await flow.api('POST', base + '/plan/card-setup', null, config.token);
    if (!res.ok) { throw flow.apiError(res); }
    await flow.payWithCard(base, config.token, res.body, config.name, config.email,
                           ['card_saved'], base + '/plan/payment-method');
    planForm.submit();  // the plan request itself: a plain form with its CSRF token
  }

  planForm.addEventListener('submit', flow.onSubmit(saveCardThenAsk));
}());
