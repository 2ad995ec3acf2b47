/* The pay page of a debt (templates/dunning/pay.html) and its plan card step (pay_plan.html).
 * Paying: the server opens one PaymentIntent for the amount owed today (the balance, plus the penalties
 * the case claims: skod/dunning/owed/amounts.py) (POST /api/v1/pay/<id>/card-setup),
 * the page confirms it with the card (confirmCardPayment: 3-D Secure when the bank asks), then
 * POST .../confirm: the server reads the intent from Stripe and settles the debt.
 * Plan card step: a SetupIntent (POST .../plan/card-setup) confirmed with the card, the saved
 * card sent to .../plan/payment-method, then the plan form itself is submitted.
 * The card number goes from the page to Stripe only (card-flow.js). */
(function () {
  'use strict';
  var script = document.currentScript;
  var configNode = document.getElementById('page-config');
  if (!configNode) { return; }
  var config = JSON.parse(configNode.textContent);
  var msg = config.messages || {};
  var payForm = document.getElementById('pay-form');
  var planForm = document.getElementById('plan-card-form');
  var form = payForm || planForm;
  if (!form) { return; }
  var flow = window.SkodCardFlow(form, script.dataset.stripeKey, msg,
                                 script.dataset.stripeAccount);
  var base = '/api/v1/pay/' + config.receivable_id;

  async function payBalance() {
    var step = await flow.freshSetup(base, config.token);
    await flow.payWithCard(base, config.token, step, config.name, config.email, ['paid']);
    window.location.assign(config.page_url);
  }

  async function saveCardThenAsk() {
    var res = await flow.api('POST', base + '/plan/card-setup', null, config.token);
    if (!res.ok) { throw flow.apiError(res); }
    await flow.payWithCard(base, config.token, res.body, config.name, config.email,
                           ['card_saved'], base + '/plan/payment-method');
    planForm.submit();  // the plan request itself: a plain form with its CSRF token
  }

  form.addEventListener('submit', flow.onSubmit(payForm ? payBalance : saveCardThenAsk));
}());
