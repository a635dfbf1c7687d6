// Progressive enhancement for the timeline: filters and search. Without this script every
// event is listed and reachable through the tag, person and place pages.
(function () {
  "use strict";
  var box = document.getElementById("filters");
  if (!box) return;
  var items = Array.prototype.slice.call(document.querySelectorAll("li.item.event"));
  var fields = [
    ["status", "Status"], ["countries", "Country"], ["tags", "Tag"],
    ["people", "Person"], ["places", "Place"]
  ];
  function values(item, key) {
    var raw = item.getAttribute("data-" + key) || "";
    return raw ? raw.split(key === "countries" ? "|" : " ") : [];
  }
  function label(key, value) {
    if (key === "people" || key === "places") {
      var link = document.querySelector('a[href$="' + key + "/" + value + '.html"]');
      if (link) return link.textContent;
    }
    return value;
  }
  var html = '<div class="row"><label for="q">Search</label>' +
    '<input type="search" id="q" name="q" autocomplete="off"></div><div class="row">';
  fields.forEach(function (f) {
    var seen = {};
    items.forEach(function (it) { values(it, f[0]).forEach(function (v) { seen[v] = 1; }); });
    var opts = Object.keys(seen).sort();
    html += '<span><label for="f-' + f[0] + '">' + f[1] + '</label><select id="f-' + f[0] +
      '" name="' + f[0] + '"><option value="">All</option>';
    opts.forEach(function (v) {
      var text = label(f[0], v).replace(/&/g, "&amp;").replace(/</g, "&lt;");
      html += '<option value="' + v.replace(/"/g, "&quot;") + '">' + text + "</option>";
    });
    html += "</select></span>";
  });
  html += '<button type="button" id="f-reset">Clear</button></div>' +
    '<p class="note" id="f-count" role="status" aria-live="polite"></p>';
  box.innerHTML = html;
  box.hidden = false;
  var query = document.getElementById("q");
  var params = new URLSearchParams(location.search);
  query.value = params.get("q") || "";
  fields.forEach(function (f) {
    var sel = document.getElementById("f-" + f[0]);
    sel.value = params.get(f[0]) || "";
    sel.addEventListener("change", apply);
  });
  query.addEventListener("input", apply);
  document.getElementById("f-reset").addEventListener("click", function () {
    query.value = "";
    fields.forEach(function (f) { document.getElementById("f-" + f[0]).value = ""; });
    apply();
  });
  function apply() {
    var q = query.value.trim().toLowerCase();
    var chosen = {}, shown = 0, next = new URLSearchParams();
    if (q) next.set("q", query.value.trim());
    fields.forEach(function (f) {
      var v = document.getElementById("f-" + f[0]).value;
      if (v) { chosen[f[0]] = v; next.set(f[0], v); }
    });
    items.forEach(function (it) {
      var ok = !q || it.textContent.toLowerCase().indexOf(q) >= 0;
      Object.keys(chosen).forEach(function (k) {
        if (values(it, k).indexOf(chosen[k]) < 0) ok = false;
      });
      it.hidden = !ok;
      if (ok) shown++;
    });
    document.querySelectorAll("section.year").forEach(function (s) {
      s.hidden = !s.querySelector("li.item.event:not([hidden])") && (q || Object.keys(chosen).length > 0);
    });
    document.getElementById("no-results").hidden = shown > 0;
    document.getElementById("f-count").textContent = shown + " of " + items.length + " events shown";
    var search = next.toString();
    history.replaceState(null, "", search ? "?" + search : location.pathname);
  }
  apply();
})();
