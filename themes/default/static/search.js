/* Search for a digest site: looks up the index that search-index.js defines.
   Runs only on search.html; the page is a plain form without it. Results are built
   with textContent, never as HTML, so nothing from the index is parsed as markup. */
(function () {
  "use strict";
  var entries = window.DIGEST_SEARCH || [];
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-input");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  if (!form || !input || !status || !list) return;

  /* Keep in step with digest/search.py fold(). */
  function fold(text) {
    return text
      .normalize("NFKD")
      .replace(/\p{M}/gu, "")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, " ")
      .trim();
  }

  function score(entry, terms) {
    var words = " " + entry.words + " ";
    var title = " " + fold(entry.title) + " ";
    var summary = " " + fold(entry.summary) + " ";
    var total = 0;
    for (var i = 0; i < terms.length; i++) {
      var needle = " " + terms[i];
      if (words.indexOf(needle) < 0 && title.indexOf(needle) < 0) return 0;
      total += 1;
      if (title.indexOf(needle) >= 0) total += 10;
      if (summary.indexOf(needle) >= 0) total += 3;
    }
    return total;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function show(query) {
    var terms = fold(query).split(" ").filter(Boolean);
    list.textContent = "";
    if (!terms.length) {
      status.textContent = "Type a word or two; every word must appear.";
      return;
    }
    var hits = [];
    entries.forEach(function (entry, order) {
      var s = score(entry, terms);
      if (s > 0) hits.push({ entry: entry, score: s, order: order });
    });
    hits.sort(function (a, b) { return b.score - a.score || a.order - b.order; });
    status.textContent = hits.length
      ? hits.length + (hits.length === 1 ? " result" : " results") + " for “" + query + "”"
      : "Nothing found for “" + query + "”.";
    hits.forEach(function (hit) {
      var e = hit.entry;
      var item = element("li", "search-result");
      var link = element("a", "", e.title);
      link.href = e.path;
      item.appendChild(link);
      var meta = [e.kind, e.source, e.date].filter(Boolean).join(" · ");
      item.appendChild(element("p", "byline", meta));
      if (e.summary) item.appendChild(element("p", "search-summary", e.summary));
      list.appendChild(item);
    });
  }

  var query = new URLSearchParams(window.location.search).get("q") || "";
  input.value = query;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var url = new URL(window.location.href);
    url.searchParams.set("q", input.value);
    window.history.replaceState(null, "", url);
    show(input.value);
  });
  if (query) show(query);
})();
