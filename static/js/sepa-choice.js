/* The card or SEPA Direct Debit choice of a form (the sepa_choice macro of
 * templates/web/_sepa.html), shared by the project acceptance page and the plan page.
 * Choosing SEPA shows the IBAN Element beside the mandate text and hides the card box; its Stripe
 * object is made on first choice, on the provider's account (the script's data-stripe-key and
 * data-stripe-account). sign() confirms the SetupIntent with the IBAN Element
 * (confirmSepaDebitSetup): the IBAN goes from the page to Stripe only, never to our server.
 * onToggle(sepa), when given, hears each change (a button's label, say). */
window.SkodSepaChoice = function (form, script, onToggle) {
  'use strict';
  var box = document.getElementById('sepa-box');
  var iban = null, stripe = null;

  function chosen() {
    var radio = form.querySelector('input[name=method]:checked');
    return radio ? radio.value : 'card';
  }

  function mount() {
    var account = script.dataset.stripeAccount;
    stripe = account ? window.Stripe(script.dataset.stripeKey, {stripeAccount: account})
      : window.Stripe(script.dataset.stripeKey);
    iban = stripe.elements().create('iban', {supportedCountries: ['SEPA'],
                                             placeholderCountry: 'FR'});
    iban.mount('#iban-element');
  }

  if (box) {
    form.querySelectorAll('input[name=method]').forEach(function (radio) {
      radio.addEventListener('change', function () {
        var sepa = chosen() === 'sepa_debit';
        box.hidden = !sepa;
        document.getElementById('card-box').hidden = sepa;
        if (sepa && !iban) { mount(); }
        if (onToggle) { onToggle(sepa); }
      });
    });
  }

  // the account holder's name and e-mail go with the IBAN: Stripe prints them on the mandate
  function sign(clientSecret, holder) {
    return stripe.confirmSepaDebitSetup(clientSecret, {
      payment_method: {sepa_debit: iban, billing_details: {name: holder.name,
                                                          email: holder.email}}});
  }

  return {chosen: chosen, sign: sign};
};
