/* 随手拍: when a category and a location are known, ask for open appeals of the same category nearby
   (GET /api/v1/appeals/duplicates) and show them above the submit button; the reporter may still submit. */
(function () {
  "use strict";
  function ready(fn) { if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn); }
  ready(function () {
    var box = document.getElementById("duplicates");
    if (!box) return;
    var list = document.getElementById("duplicates-list");
    var category = document.getElementById("category");
    var lat = document.getElementById("latitude"), lng = document.getElementById("longitude");
    var dismissed = false, last = "";
    function render(items) {
      list.textContent = "";
      items.forEach(function (d) {
        var li = document.createElement("li");
        li.textContent = box.dataset.item.replace("%(category)s", d.category).replace("%(state)s", d.state_label)
          .replace("%(distance)s", d.distance_m).replace("%(date)s", (d.submitted_at || "").slice(0, 10));
        list.appendChild(li);
      });
      box.hidden = dismissed || items.length === 0;
    }
    function check() {
      if (!category.value || !lat.value || !lng.value) return;
      var key = category.value + "|" + lat.value + "|" + lng.value;
      if (key === last) return;
      last = key;
      var url = box.dataset.url + "?category=" + encodeURIComponent(category.value) +
        "&latitude=" + encodeURIComponent(lat.value) + "&longitude=" + encodeURIComponent(lng.value);
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(render)
        .catch(function () { render([]); });
    }
    document.getElementById("duplicates-continue").addEventListener("click", function () {
      dismissed = true; box.hidden = true;
    });
    category.addEventListener("change", check);
    lat.addEventListener("change", check);
    // the geolocation callback sets the hidden fields without an event: look again for a while
    var tries = 0, timer = setInterval(function () { check(); if (++tries > 20 || last) clearInterval(timer); }, 500);
  });
})();
