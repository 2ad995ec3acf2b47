// The board's table of debts (templates/dunning/_debts_table.html): the header's checkbox
// checks or unchecks every row of the page. Without this script it stays hidden and each
// row is checked by hand.
(function () {
  "use strict";
  var all = document.getElementById("pick-all");
  if (!all) { return; }
  var rows = document.querySelectorAll("#bulk-form input[name=ids]");
  all.hidden = false;
  all.addEventListener("change", function () {
    rows.forEach(function (box) { box.checked = all.checked; });
  });
  rows.forEach(function (box) {
    box.addEventListener("change", function () {
      var checked = Array.prototype.filter.call(rows, function (b) { return b.checked; });
      all.checked = checked.length === rows.length;
      all.indeterminate = checked.length > 0 && checked.length < rows.length;
    });
  });
}());
