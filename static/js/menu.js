// The provider menu on a phone (templates/base.html): one button that shows and hides the
// links, its state in aria-expanded. Without this script the links show as they are; from
// 720 px wide the CSS hides the button and always shows the links.
(function () {
  "use strict";
  var button = document.getElementById("menu-button");
  var nav = document.getElementById("main-nav");
  if (!button || !nav) { return; }
  document.documentElement.classList.add("js-menu");
  nav.setAttribute("data-closed", "");
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") === "true";
    button.setAttribute("aria-expanded", open ? "false" : "true");
    if (open) { nav.setAttribute("data-closed", ""); } else { nav.removeAttribute("data-closed"); }
  });
}());
