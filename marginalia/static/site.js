/* Marginalia: loaded on every page. "/" jumps to the search box; on an
 * article opened from a search result, the words named in ?highlight= are
 * marked in <main>. Text is never parsed as HTML. */
(function () {
  "use strict";

  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var box = document.getElementById("search-q") || document.getElementById("site-q");
    if (!box) return;
    e.preventDefault();
    box.focus();
    if (box.select) box.select();
  });

  // The same word rules as marginalia/search/tokens.py.
  var WORD = /[\p{L}\p{N}\p{M}]+(?:['\u2019\u02bc\u2018][\p{L}\p{N}\p{M}]+)*/gu;
  function normalize(text) {
    return text.replace(/[\u2019\u02bc\u2018]/g, "'").normalize("NFKD").replace(/\p{Mn}/gu, "").toLowerCase();
  }

  function highlight() {
    var param = new URLSearchParams(location.search).get("highlight");
    var main = document.querySelector("main");
    if (!param || !main) return;
    var wanted = {}, any = false;
    (normalize(param).match(WORD) || []).forEach(function (w) { wanted[w] = true; any = true; });
    if (!any) return;
    var walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT, {
      acceptNode: function (n) {
        var p = n.parentNode && n.parentNode.nodeName;
        return p === "SCRIPT" || p === "STYLE" || p === "MARK" || p === "TEXTAREA" ? NodeFilter.FILTER_REJECT
          : NodeFilter.FILTER_ACCEPT;
      },
    });
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    var first = null;
    nodes.forEach(function (node) {
      var text = node.nodeValue, at = 0, m, frag = null;
      WORD.lastIndex = 0;
      while ((m = WORD.exec(text))) {
        if (!wanted[normalize(m[0])]) continue;
        frag = frag || document.createDocumentFragment();
        if (m.index > at) frag.appendChild(document.createTextNode(text.slice(at, m.index)));
        var mark = document.createElement("mark");
        mark.className = "search-highlight";
        mark.textContent = m[0];
        frag.appendChild(mark);
        first = first || mark;
        at = m.index + m[0].length;
      }
      if (!frag) return;
      if (at < text.length) frag.appendChild(document.createTextNode(text.slice(at)));
      node.parentNode.replaceChild(frag, node);
    });
    if (first && first.getBoundingClientRect().top > window.innerHeight) first.scrollIntoView({ block: "center" });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", highlight);
  else highlight();
})();
