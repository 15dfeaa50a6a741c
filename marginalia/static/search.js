/* Marginalia search, part 3 of 3: the search page. Reads the query, filters
 * and order from the address and writes them back (so searches can be linked
 * and the back button works), runs a query on every keystroke through part 2
 * (search-query.js) and draws the results as an ARIA listbox. All text that
 * comes from the index is untrusted: it is inserted with textContent / text
 * nodes only. */
(function () {
  "use strict";

  var api = window.__marginaliaSearch;
  var normalize = api.normalize, wordsOf = api.words, WORD = api.WORD;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* text with the words in `set` wrapped in <mark>, as DOM nodes */
  function marked(text, set) {
    var frag = document.createDocumentFragment(), at = 0, m, re = new RegExp(WORD.source, "gu");
    while ((m = re.exec(text))) {
      if (!set[normalize(m[0])]) continue;
      if (m.index > at) frag.appendChild(document.createTextNode(text.slice(at, m.index)));
      frag.appendChild(el("mark", {}, m[0]));
      at = m.index + m[0].length;
    }
    if (at < text.length) frag.appendChild(document.createTextNode(text.slice(at)));
    return frag;
  }

  function startPage(app) {
    var root = app.getAttribute("data-root") || "";
    api.setBase(root + "search/idx/");
    var input = document.getElementById("search-q");
    var list = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    var hint = document.getElementById("search-suggest");
    var facetsBox = document.getElementById("search-facets");
    var sortBox = document.getElementById("search-sort");
    var more = document.getElementById("search-more");
    var form = document.getElementById("search-form");
    var state = { q: "", sort: "relevance", filters: {}, want: 10 };
    var run = 0, active = -1;

    function fromUrl() {
      var p = new URLSearchParams(location.search);
      state.q = p.get("q") || "";
      state.sort = p.get("sort") || "relevance";
      state.filters = {};
      ["tag", "person", "organization", "place", "year"].forEach(function (d) {
        if (p.get(d)) state.filters[d] = p.get(d);
      });
      state.want = 10;
      input.value = state.q;
      sortBox.value = state.sort;
    }

    function toUrl(push) {
      var p = new URLSearchParams();
      if (state.q) p.set("q", state.q);
      Object.keys(state.filters).sort().forEach(function (d) { p.set(d, state.filters[d]); });
      if (state.sort !== "relevance") p.set("sort", state.sort);
      var s = p.toString(), url = location.pathname + (s ? "?" + s : "");
      if (url !== location.pathname + location.search) history[push ? "pushState" : "replaceState"](null, "", url);
    }

    function setActive(i) {
      var opts = list.querySelectorAll("[role=option]");
      if (active >= 0 && opts[active]) opts[active].setAttribute("aria-selected", "false");
      active = i < 0 || !opts.length ? -1 : Math.min(i, opts.length - 1);
      if (active >= 0) {
        opts[active].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", opts[active].id);
        opts[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function draw(res) {
      var set = {};
      res.highlight.forEach(function (w) { set[w] = true; });
      wordsOf(res.query).forEach(function (w) { set[w] = true; });
      var qs = res.highlight.length ? "?highlight=" + res.highlight.map(encodeURIComponent).join("+") : "";
      list.textContent = "";
      active = -1;
      input.removeAttribute("aria-activedescendant");
      res.results.forEach(function (r, i) {
        var li = el("li", { role: "option", id: "search-opt-" + i, "aria-selected": "false", "class": "search-result" });
        var a = el("a", { href: root + r.url + qs, tabindex: "-1" });
        a.appendChild(marked(r.title, set));
        var h = el("h2", { "class": "search-result__title" });
        h.appendChild(a);
        li.appendChild(h);
        var info = el("p", { "class": "search-result__meta" });
        if (r.date) info.appendChild(el("time", { datetime: r.date }, r.date));
        if (r.note) info.appendChild(el("span", { "class": "search-result__note" }, "Content note: " + r.note));
        li.appendChild(info);
        var ex = el("p", { "class": "search-result__excerpt" });
        ex.appendChild(marked(r.excerpt, set));
        li.appendChild(ex);
        li.addEventListener("click", function (e) { if (e.target === li || e.target.tagName !== "A") a.click(); });
        list.appendChild(li);
      });
      input.setAttribute("aria-expanded", res.results.length ? "true" : "false");
      var n = res.total;
      status.textContent = !state.q.trim() ? "" : n === 0 ? "No results for \u201c" + state.q.trim() + "\u201d."
        : (res.exact ? "" : "At least ") + n + (n === 1 ? " result" : " results") + " for \u201c" + state.q.trim() + "\u201d" +
        (res.results.length < n ? ", showing " + res.results.length + "." : ".");
      hint.textContent = "";
      if (res.suggestion) {
        hint.appendChild(document.createTextNode("Did you mean "));
        var s = el("a", { href: "?q=" + encodeURIComponent(res.suggestion) }, res.suggestion);
        s.addEventListener("click", function (e) { e.preventDefault(); input.value = res.suggestion; changed(true); });
        hint.appendChild(s);
        hint.appendChild(document.createTextNode("?"));
      }
      more.hidden = res.results.length >= n;
      drawFacets(res.counts);
      app.setAttribute("data-state", "ready");
    }

    function drawFacets(counts) {
      facetsBox.textContent = "";
      (counts || []).forEach(function (c) {
        var chosen = state.filters[c.dim];
        if (!c.values.length && !chosen) return;
        var id = "search-facet-" + c.dim;
        var wrap = el("p", { "class": "search-facet" });
        wrap.appendChild(el("label", { "for": id }, c.label));
        var sel = el("select", { id: id, "data-dim": c.dim });
        sel.appendChild(el("option", { value: "" }, "Any"));
        var listed = false;
        c.values.forEach(function (v) {
          var o = el("option", { value: v.value }, v.value + " (" + v.count + ")");
          if (v.value === chosen) { o.selected = true; listed = true; }
          sel.appendChild(o);
        });
        if (chosen && !listed) { var o = el("option", { value: chosen }, chosen + " (0)"); o.selected = true; sel.appendChild(o); }
        sel.addEventListener("change", function () {
          if (sel.value) state.filters[c.dim] = sel.value; else delete state.filters[c.dim];
          state.want = 10;
          toUrl(true);
          go();
        });
        wrap.appendChild(sel);
        facetsBox.appendChild(wrap);
      });
    }

    function go() {
      var mine = ++run;
      app.setAttribute("data-state", "busy");
      if (!state.q.trim()) {
        draw({ query: "", total: 0, results: [], counts: null, highlight: [], suggestion: null });
        return Promise.resolve();
      }
      var stale = function () { return mine !== run; };
      return api.search(state.q, { sort: state.sort, filters: state.filters, want: state.want, stale: stale })
        .then(function (res) {
          if (res && mine === run) draw(res);
      }, function (err) {
        if (mine !== run) return;
        status.textContent = "Search is unavailable: " + err.message;
        app.setAttribute("data-state", "error");
      });
    }

    function changed(push) {
      state.q = input.value;
      state.want = 10;
      toUrl(push);
      go();
    }

    input.addEventListener("input", function () { changed(false); });
    input.addEventListener("keydown", function (e) {
      var n = list.querySelectorAll("[role=option]").length;
      if (e.key === "ArrowDown") { e.preventDefault(); setActive(active + 1 < n ? active + 1 : 0); }
      else if (e.key === "ArrowUp") { e.preventDefault(); setActive(active > 0 ? active - 1 : n - 1); }
      else if (e.key === "Home" && active >= 0) { e.preventDefault(); setActive(0); }
      else if (e.key === "End" && active >= 0) { e.preventDefault(); setActive(n - 1); }
      else if (e.key === "Escape") { if (active >= 0) { e.preventDefault(); setActive(-1); } }
      else if (e.key === "Enter" && active >= 0) {
        e.preventDefault();
        list.querySelectorAll("[role=option]")[active].querySelector("a").click();
      }
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); changed(true); });
    sortBox.addEventListener("change", function () { state.sort = sortBox.value; state.want = 10; toUrl(true); go(); });
    more.addEventListener("click", function () { state.want += 10; go(); });
    window.addEventListener("popstate", function () { fromUrl(); go(); });
    fromUrl();
    // the small files every query needs, fetched while the reader starts typing
    api.index.ready().then(function () { return api.index.load("f/names"); }).catch(function () { /* go() reports it */ });
    app.setAttribute("data-state", "idle");
    if (state.q) go();
  }

  function boot() {
    var app = document.getElementById("search-app");
    if (app) startPage(app);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
