/* Provider dashboard: the running timer of a started call. */
(function () {
  'use strict';
  var timers = document.querySelectorAll('.timer[data-started-at]');
  if (!timers.length) { return; }
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function tick() {
    var now = Date.now();
    timers.forEach(function (node) {
      var s = Math.max(0, Math.floor((now - Date.parse(node.dataset.startedAt)) / 1000));
      var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
      node.textContent = (h ? h + ':' + pad(m) : pad(m)) + ':' + pad(s % 60);
    });
  }
  tick();
  setInterval(tick, 1000);
}());
