// Progressive enhancement for the timeline: filters and search. Without this script every
// event is listed and reachable through the tag, person and place pages.
// The chosen filters live in the address (?tags=TAG&q=WORDS), so a filtered view can be shared.
(function () {
  "use strict";
  var box = document.getElementById("filters");
  if (!box || !window.URLSearchParams) return;
  var items = Array.prototype.slice.call(document.querySelectorAll("li.item.event"));
  var fields = [
    ["status", "Status"], ["countries", "Country"], ["tags", "Tag"],
    ["people", "Person"], ["places", "Place"]
  ];
  function esc(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
  }
  function values(item, key) {
    var raw = item.getAttribute("data-" + key) || "";
    return raw ? raw.split(key === "countries" ? "|" : " ") : [];
  }
  // an event in a square is also in its city, which the page may not link to by name
  var placeNames = JSON.parse(box.getAttribute("data-place-names") || "{}");
  function label(key, value) {
    if (key === "places" && placeNames[value]) return placeNames[value];
    if (key === "people" || key === "places") {
      var link = document.querySelector('a[href$="' + key + "/" + value + '.html"]');
      if (link) return link.textContent;
    }
    return value;
  }

  if (!items.length) return;
  // a filter is offered only where events differ: one country, or none, is no choice
  var choices = {};
  fields = fields.filter(function (f) {
    var seen = {};
    items.forEach(function (it) { values(it, f[0]).forEach(function (v) { seen[v] = 1; }); });
    choices[f[0]] = Object.keys(seen).sort();
    return choices[f[0]].length > 1;
  });

  var html = '<div class="search"><label for="q">Search events</label>' +
    '<input type="search" id="q" name="q" autocomplete="off"></div><div class="selects">';
  fields.forEach(function (f) {
    html += '<div><label for="f-' + f[0] + '">' + f[1] + '</label><select id="f-' + f[0] +
      '" name="' + f[0] + '"><option value="">All</option>';
    choices[f[0]].forEach(function (v) {
      html += '<option value="' + esc(v) + '">' + esc(label(f[0], v)) + "</option>";
    });
    html += "</select></div>";
  });
  html += '</div><div class="summary-row"><p class="note" id="f-count" role="status"></p>' +
    '<ul class="chips" id="f-chips" aria-label="Active filters"></ul>' +
    '<button type="button" id="f-reset" hidden>Clear all</button></div>';
  box.innerHTML = html;
  box.hidden = false;

  var query = document.getElementById("q");
  var chips = document.getElementById("f-chips");
  var reset = document.getElementById("f-reset");
  function select(key) { return document.getElementById("f-" + key); }

  var params = new URLSearchParams(location.search);
  query.value = params.get("q") || "";
  fields.forEach(function (f) {
    var sel = select(f[0]);
    sel.value = params.get(f[0]) || "";
    if (sel.selectedIndex < 0) sel.value = "";  // a value no event has
    sel.addEventListener("change", apply);
  });
  query.addEventListener("input", apply);
  reset.addEventListener("click", function () {
    query.value = "";
    fields.forEach(function (f) { select(f[0]).value = ""; });
    apply();
    query.focus();
  });
  chips.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-key]");
    if (!button) return;
    var key = button.getAttribute("data-key");
    var control = key === "q" ? query : select(key);
    control.value = "";
    apply();
    control.focus();
  });

  function apply() {
    var q = query.value.trim();
    var needle = q.toLowerCase();
    var chosen = {}, shown = 0, next = new URLSearchParams(), chipHtml = "";
    if (q) {
      next.set("q", q);
      chipHtml += chip("q", "Search", "“" + q + "”");
    }
    fields.forEach(function (f) {
      var sel = select(f[0]);
      if (!sel.value) return;
      chosen[f[0]] = sel.value;
      next.set(f[0], sel.value);
      chipHtml += chip(f[0], f[1], sel.options[sel.selectedIndex].text);
    });
    items.forEach(function (it) {
      var ok = !needle || it.textContent.toLowerCase().indexOf(needle) >= 0;
      Object.keys(chosen).forEach(function (k) {
        if (values(it, k).indexOf(chosen[k]) < 0) ok = false;
      });
      it.hidden = !ok;
      if (ok) shown++;
    });
    var filtering = chipHtml !== "";
    document.querySelectorAll("section.year").forEach(function (s) {
      s.hidden = filtering && !s.querySelector("li.item.event:not([hidden])");
    });
    document.getElementById("no-results").hidden = shown > 0;
    document.getElementById("f-count").textContent =
      shown + " of " + items.length + (items.length === 1 ? " event shown" : " events shown");
    chips.innerHTML = chipHtml;
    reset.hidden = !filtering;
    var search = next.toString();
    // keep the fragment: a link to one year of the index must still land on that year
    history.replaceState(null, "", (search ? "?" + search : location.pathname) + location.hash);
  }
  function chip(key, name, text) {
    return '<li><button type="button" class="chip" data-key="' + key + '" aria-label="Remove ' +
      esc(name + ": " + text) + '">' + esc(name + ": " + text) +
      '<span aria-hidden="true">×</span></button></li>';
  }
  apply();
  // the filters just took their place above the list, moving the fragment's target down
  var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (target) target.scrollIntoView();
})();
