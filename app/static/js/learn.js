// Progressive enhancement only: every page works without it. A form marked data-once sends
// once; a second click while the first request is on its way does nothing (the server
// would answer a second POST with the same state anyway).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.hasAttribute || !form.hasAttribute("data-once")) return;
  if (form.classList.contains("is-sending")) { event.preventDefault(); return; }
  form.classList.add("is-sending");
  form.setAttribute("aria-busy", "true");
}, true);
// Coming back with the back button restores the page from cache: let it be used again.
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form.is-sending").forEach(function (f) {
    f.classList.remove("is-sending"); f.removeAttribute("aria-busy");
  });
});
// A page answered to a POST (a step's feedback, a started role-play) names its own address: put it in the address
// bar, so that a reload or a bookmark asks for the page again instead of re-sending the answer.
(function () {
  var canonical = document.querySelector('link[rel="canonical"]');
  if (!canonical || !window.history || !history.replaceState) return;
  var address = new URL(canonical.href, location.href);
  if (address.origin === location.origin && address.pathname !== location.pathname) {
    history.replaceState(null, "", address.pathname);
  }
})();
// In the role-play player, the keys 1 to 9 press the answer of that number (the badges on
// the answers show it), unless the trainee is typing somewhere. Without JavaScript the
// buttons work as they are; the hint saying so is shown only here, where the keys work.
(function () {
  var form = document.querySelector("form.choices");
  if (!form || !form.querySelector("[data-choice]")) return;
  var hint = form.querySelector("[data-keys-hint]");
  if (hint) hint.hidden = false;
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.repeat) return;
    if (!/^[1-9]$/.test(event.key)) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var button = form.querySelector('[data-choice="' + event.key + '"]');
    if (!button || form.classList.contains("is-sending")) return;
    event.preventDefault();
    button.focus();
    button.click();          // submits with this button's value, through the data-once guard
  });
})();
