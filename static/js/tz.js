/* Sign-up: propose the browser's time zone. */
(function () {
  'use strict';
  var input = document.querySelector('input[data-detect-tz]');
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (input && zone && (!input.value || input.value === input.defaultValue) &&
      !document.querySelector('.has-error')) {
    input.value = zone;
  }
}());
