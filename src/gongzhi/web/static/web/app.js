// Behaviour every page shares, kept out of inline attributes so the Content-Security-Policy can forbid them.
document.addEventListener("DOMContentLoaded", function () {
  var badge = document.getElementById("inbox-badge");
  if (badge && badge.dataset.badge && window.htmx) htmx.ajax("GET", badge.dataset.badge, {target: badge, swap: "outerHTML"});
});
document.addEventListener("change", function (ev) {
  var el = ev.target;
  if (!el.form || !el.matches("[data-autosubmit]")) return;
  (el.dataset.autosubmitClear || "").split(",").filter(Boolean).forEach(function (name) {
    if (el.form.elements[name]) el.form.elements[name].value = "";
  });
  el.form.submit();
});
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) ev.preventDefault();
}, true);
document.addEventListener("click", function (ev) {
  if (ev.target.matches && ev.target.matches("[data-select-on-click]")) ev.target.select();
});
