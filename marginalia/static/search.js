/* Marginalia search: the runtime that loads index shards with <script> tags
 * (no fetch, no modules, no workers: it works from file:// and over HTTP) and
 * the search page's interface. The index is built by marginalia/search/; its
 * layout is described in docs/search.md. All text that comes from the index is
 * untrusted: it is inserted with textContent / text nodes only. */
(function () {
  "use strict";

  /* ---- shard loading ------------------------------------------------- */

  var store = {};      // shard key -> payload, as registered
  var waiting = {};    // shard key -> promise of its payload
  var idxBase = "";    // URL of the index folder, relative to the page
  var api = window.__marginaliaSearch || {};
  window.__marginaliaSearch = api;

  api.add = function (key, payload) {
    store[key] = payload;
  };

  function load(key) {
    if (Object.prototype.hasOwnProperty.call(store, key)) return Promise.resolve(store[key]);
    if (waiting[key]) return waiting[key];
    waiting[key] = new Promise(function (resolve, reject) {
      var el = document.createElement("script");
      el.src = idxBase + key + ".js";
      el.async = true;
      el.onload = function () {
        el.remove();
        if (Object.prototype.hasOwnProperty.call(store, key)) resolve(store[key]);
        else reject(new Error("search index file did not register: " + key));
      };
      el.onerror = function () {
        el.remove();
        delete waiting[key];
        reject(new Error("search index file missing: " + key));
      };
      document.head.appendChild(el);
    });
    return waiting[key];
  }

  function loadAll(keys) {
    return Promise.all(keys.map(load));
  }

  /* ---- integers: 90 symbols, 45 end a number, 45 continue it ---------- */

  var DIGIT = new Int8Array(128).fill(-1);
  (function () {
    var n = 0;
    for (var c = 33; c < 127; c++) {
      if (c === 34 || c === 92 || c === 60 || c === 126) continue;
      DIGIT[c] = n++;
    }
  })();

  function Reader(text, at) {
    this.s = text;
    this.i = at || 0;
  }
  Reader.prototype.more = function () { return this.i < this.s.length; };
  Reader.prototype.int = function () {
    var value = 0, mul = 1, s = this.s;
    for (;;) {
      var d = DIGIT[s.charCodeAt(this.i++)];
      if (d >= 45) { value += (d - 45) * mul; mul *= 45; }
      else if (d >= 0) return value + d * mul;
      else throw new Error("corrupt search index");
    }
  };
  Reader.prototype.upTo = function (ch) {
    var end = this.s.indexOf(ch, this.i);
    if (end < 0) end = this.s.length;
    var out = this.s.slice(this.i, end);
    this.i = end + 1;
    return out;
  };

  function decodeInts(text) {
    var r = new Reader(text), out = [];
    while (r.more()) out.push(r.int());
    return out;
  }

  /* ---- words: the same rules as marginalia/search/tokens.py ----------- */

  var WORD = /[\p{L}\p{N}\p{M}]+(?:['\u2019\u02bc\u2018][\p{L}\p{N}\p{M}]+)*/gu;

  function normalize(text) {
    return text.replace(/[\u2019\u02bc\u2018]/g, "'").normalize("NFKD")
      .replace(/\p{Mn}/gu, "").toLowerCase();
  }

  function wordsOf(text) {
    return normalize(text).match(/[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu) || [];
  }

  /* ---- index pieces ----------------------------------------------------- */

  var meta = null;

  function vocabShard(i) {
    var key = "v/" + i.toString(36);
    return load(key).then(function (payload) {
      var cacheKey = "decoded:" + key;
      if (store[cacheKey]) return store[cacheKey];
      var words = [], tids = [], dfs = [], prev = "";
      payload.split("~").forEach(function (rec) {
        var r = new Reader(rec), shared = r.int();
        var word = prev.slice(0, shared) + r.upTo(" ");
        words.push(word); tids.push(r.int()); dfs.push(r.int());
        prev = word;
      });
      return (store[cacheKey] = { index: i, words: words, tids: tids, dfs: dfs });
    });
  }

  function shardFor(word) {  // the vocabulary shard whose range holds word
    var lo = 0, hi = meta.vocab.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (meta.vocab[mid] <= word) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  function lowerBound(arr, x) {
    var lo = 0, hi = arr.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (arr[mid] < x) lo = mid + 1; else hi = mid; }
    return lo;
  }

  /* Look a word up: {word, tid, df} or null. */
  function lookup(word) {
    return vocabShard(shardFor(word)).then(function (v) {
      var i = lowerBound(v.words, word);
      return v.words[i] === word ? { word: word, tid: v.tids[i], df: v.dfs[i] } : null;
    });
  }

  /* Words starting with prefix (at most 3 shards), most frequent stems first. */
  function completions(prefix, limit) {
    var found = [];
    function scan(i, hops) {
      return vocabShard(i).then(function (v) {
        for (var j = lowerBound(v.words, prefix); j < v.words.length; j++) {
          if (v.words[j].lastIndexOf(prefix, 0) !== 0) return found;
          found.push({ word: v.words[j], tid: v.tids[j], df: v.dfs[j] });
        }
        var next = i + 1;
        if (hops < 2 && next < meta.vocab.length && meta.vocab[next].lastIndexOf(prefix, 0) === 0) {
          return scan(next, hops + 1);
        }
        return found;
      });
    }
    return scan(shardFor(prefix), 0).then(function (all) {
      all.sort(function (a, b) { return b.df - a.df || (a.word < b.word ? -1 : 1); });
      var seen = {}, out = [];
      all.forEach(function (w) {
        if (!seen[w.tid] && out.length < limit) { seen[w.tid] = true; out.push(w); }
      });
      return out;
    });
  }

  function termShardKey(tid) { return "t/" + (tid % meta.termShards).toString(36); }

  /* A stem's record: df, score range, chunk starts, facet counts, top block. */
  function term(tid) {
    var key = termShardKey(tid);
    return load(key).then(function (payload) {
      var cacheKey = "decoded:" + key;
      var recs = store[cacheKey];
      if (!recs) {
        recs = store[cacheKey] = {};
        payload.split("~").forEach(function (rec) {
          var r = new Reader(rec), q = r.int();
          recs[q * meta.termShards + (tid % meta.termShards)] = { text: rec, at: r.i };
        });
      }
      var rec = recs[tid];
      if (!rec) throw new Error("search index has no term " + tid);
      if (rec.term) return rec.term;
      var r = new Reader(rec.text, rec.at);
      var t = { tid: tid, df: r.int(), lo: r.int(), hi: r.int(), starts: [], counts: null, chunks: {} };
      var n = r.int(), at = 0;
      for (var i = 0; i < n; i++) { at += r.int(); t.starts.push(at); }
      if (t.df > meta.facetMin) t.counts = readCounts(r);
      t.top = readPostings(r, t);
      return (rec.term = t);
    });
  }

  function readCounts(r) {
    return meta.dims.map(function () {
      var pairs = r.int(), v = 0, out = {};
      for (var i = 0; i < pairs; i++) { v += r.int(); out[v] = r.int(); }
      return out;
    });
  }

  function readPostings(r, t) {
    var L = meta.levels, docs = [], scores = [], doc = 0;
    var lo = t.lo / meta.scoreUnit, ratio = t.hi / t.lo;
    while (r.more()) {
      var v = r.int();
      doc += Math.floor(v / L);
      docs.push(doc);
      scores.push(lo * Math.pow(ratio, (v % L) / (L - 1)));
    }
    return { docs: docs, scores: scores };
  }

  function chunk(t, n) {
    if (t.chunks[n]) return Promise.resolve(t.chunks[n]);
    return load("p/" + t.tid.toString(36) + "." + n.toString(36)).then(function (payload) {
      return (t.chunks[n] = readPostings(new Reader(payload), t));
    });
  }

  function chunkOf(t, doc) {  // index of the chunk whose range holds doc
    var i = lowerBound(t.starts, doc + 1) - 1;
    return i < 0 ? 0 : i;
  }

  /* doc -> score for the postings of t that are loaded or loaded now: all
   * chunks, or only those whose ranges hold the given candidate docs. */
  function postings(t, candidates) {
    var wanted = {};
    if (candidates) candidates.forEach(function (d) { if (t.starts.length) wanted[chunkOf(t, d)] = true; });
    else t.starts.forEach(function (_, i) { wanted[i] = true; });
    var ns = Object.keys(wanted).map(Number);
    return Promise.all(ns.map(function (n) { return chunk(t, n); })).then(function (parts) {
      var out = new Map();
      [t.top].concat(parts).forEach(function (p) {
        for (var i = 0; i < p.docs.length; i++) out.set(p.docs[i], p.scores[i]);
      });
      return out;
    });
  }

  function docRow(id) {
    return load("d/" + Math.floor(id / meta.docsPerShard).toString(36)).then(function (rows) {
      var row = rows[id % meta.docsPerShard];
      var url = row[0].slice(-1) === "/" ? row[0] + "index.html" : row[0];
      if (/^[a-z][a-z0-9+.-]*:|^\/\//i.test(url)) url = "./" + url;  // index URLs are relative: never a scheme
      var r = new Reader(row[5]), values = meta.dims.map(function () {
        var n = r.int(), vals = [];
        for (var i = 0; i < n; i++) vals.push(r.int());
        return vals;
      });
      return { id: id, url: url, title: row[1], date: row[2], note: row[3], excerpt: row[4], values: values };
    });
  }

  function forward(id) {
    var F = meta.forwardPerShard;
    return load("w/" + Math.floor(id / F).toString(36)).then(function (payload) {
      return decodeInts(payload.split("~")[id % F]);
    });
  }

  /* Per dimension (not year): doc -> [value ids], from its membership file. */
  function membership(dim) {
    var key = "f/" + meta.dims[dim], cacheKey = "decoded:" + key;
    if (store[cacheKey]) return Promise.resolve(store[cacheKey]);
    return load(key).then(function (payload) {
      var byDoc = new Map();
      payload.split("~").forEach(function (rec, value) {
        var ints = decodeInts(rec), doc = 0;
        for (var i = 1; i < ints.length; i++) {
          doc += ints[i];
          if (!byDoc.has(doc)) byDoc.set(doc, []);
          byDoc.get(doc).push(value);
        }
      });
      return (store[cacheKey] = byDoc);
    });
  }

  function yearOf(doc) {  // index into names of the year dimension, or -1
    var ys = meta.years, i = ys.length - 1;
    while (i >= 0 && ys[i][1] > doc) i--;
    return i;
  }

  /* ---- query syntax --------------------------------------------------- */

  /* words; "a phrase"; -exclude; -"excluded phrase". The last bare word is a
   * prefix while it is being typed (no space after it). */
  function parse(raw) {
    var q = { groups: [], phrases: [], excludes: [] };
    var re = /(-?)"([^"]*)"?|(-?)([^\s"]+)/g, m, chunks = [];
    while ((m = re.exec(raw))) {
      var quoted = m[2] !== undefined, neg = quoted ? m[1] === "-" : m[3] === "-";
      var ws = wordsOf(quoted ? m[2] : m[4]);
      if (ws.length) chunks.push({ words: ws, neg: neg, quoted: quoted, end: re.lastIndex });
    }
    var last = chunks[chunks.length - 1];
    var typing = last && !last.quoted && !last.neg && last.end === raw.length && !/\s$/.test(raw);
    var seen = {};
    chunks.forEach(function (c) {
      if (c.neg) { q.excludes.push(c.words); return; }
      var partial = typing && c === last;
      // "e-mail" is a phrase of two words, unless it is still being typed
      if (c.words.length > 1 && !partial) q.phrases.push(c.words);
      c.words.forEach(function (w, i) {
        var prefix = partial && i === c.words.length - 1, k = w + (prefix ? "*" : "");
        if (!seen[k]) { seen[k] = true; q.groups.push({ word: w, prefix: prefix }); }
      });
    });
    return q;
  }

  /* ---- evaluation ------------------------------------------------------ */

  var EXPANSIONS = 5;

  /* A group's stems: the word's own stem, or while typing a partial word the
   * stems of its most frequent completions. */
  function resolveGroup(g) {
    return lookup(g.word).then(function (hit) {
      if (hit || !g.prefix) return hit ? [hit] : [];
      return completions(g.word, EXPANSIONS);
    });
  }

  function groupPostings(terms, candidates) {
    return Promise.all(terms.map(function (t) { return postings(t, candidates); })).then(function (maps) {
      var out = new Map();
      maps.forEach(function (m) {
        m.forEach(function (s, d) { if (!(out.get(d) >= s)) out.set(d, s); });
      });
      return out;
    });
  }

  /* One stem in date order: its chunks are document ranges, so the newest (or
   * oldest) results need only the chunks at that end, plus the top block. */
  function byDate(t, opts, result) {
    var n = t.starts.length, newest = opts.sort === "newest", k = 0;
    // With k chunks read from one end, every document beyond `edge` is known.
    function edge() {
      if (k === n) return newest ? -Infinity : Infinity;  // all read: everything is known
      return newest ? (k === 0 ? Infinity : t.starts[n - k]) : t.starts[k];
    }
    function step() {
      var e = edge(), hits = [];
      [t.top].concat(Object.keys(t.chunks).map(function (c) { return t.chunks[c]; })).forEach(function (p) {
        p.docs.forEach(function (d, i) { if (newest ? d >= e : d < e) hits.push({ id: d, score: p.scores[i] }); });
      });
      if (k < n && hits.length < opts.want) {
        return chunk(t, newest ? n - 1 - k : k).then(function () { k++; return step(); });
      }
      result.hits = hits;
      result.total = t.df;
      result.counts = t.counts;
      return result;
    }
    return step();
  }

  function containsPhrase(seq, tids) {
    outer: for (var i = 0; i + tids.length <= seq.length; i++) {
      for (var j = 0; j < tids.length; j++) if (seq[i + j] !== tids[j]) continue outer;
      return true;
    }
    return false;
  }

  function filterPhrases(ids, phraseTids) {
    if (!phraseTids.length) return Promise.resolve(ids);
    return Promise.all(ids.map(forward)).then(function (seqs) {
      return ids.filter(function (id, i) {
        return phraseTids.every(function (p) { return containsPhrase(seqs[i], p); });
      });
    });
  }

  function phraseIds(ws) {
    return Promise.all(ws.map(lookup)).then(function (hits) {
      return hits.every(Boolean) ? hits.map(function (h) { return h.tid; }) : null;
    });
  }

  /* The matching documents with scores, whether the set is complete, the words
   * to highlight, and "did you mean" hints for unknown words. */
  function match(q, opts) {
    var result = { hits: [], total: 0, exact: true, highlight: [], unknown: [], counts: null };
    if (!q.groups.length) return Promise.resolve(result);
    return Promise.all(q.groups.map(resolveGroup)).then(function (resolved) {
      resolved.forEach(function (hits, i) { if (!hits.length) result.unknown.push(q.groups[i].word); });
      if (result.unknown.length) return result;
      return Promise.all(resolved.map(function (hits) { return Promise.all(hits.map(function (h) { return term(h.tid); })); }))
        .then(function (groups) { return evaluate(q, groups, resolved, opts, result); });
    });
  }

  function evaluate(q, groups, resolved, opts, result) {
    result.tids = [].concat.apply([], resolved.map(function (hs) { return hs.map(function (h) { return h.tid; }); }));
    var single = groups.length === 1 && groups[0].length === 1 && !q.phrases.length && !q.excludes.length &&
      !opts.filtered ? groups[0][0] : null;
    if (single && opts.sort !== "relevance") return byDate(single, opts, result);
    var one = groups.length === 1 && !q.phrases.length && !q.excludes.length && !opts.filtered &&
      opts.sort === "relevance" ? groups[0] : null;
    if (one && one.length === 1 && (!one[0].starts.length || one[0].top.docs.length >= opts.want)) {
      // one stem: its top block ranks, its df and stored counts count
      var t = one[0];
      result.hits = t.top.docs.map(function (d, i) { return { id: d, score: t.top.scores[i] }; });
      result.total = t.df;
      result.counts = t.counts;
      return result;
    }
    if (one && one.some(function (t) { return t.starts.length; })) {
      // completions of a partial word: rank the union of their top blocks only
      var union = new Map(), most = 0;
      one.forEach(function (t) {
        most = Math.max(most, t.df);
        t.top.docs.forEach(function (d, i) { if (!(union.get(d) >= t.top.scores[i])) union.set(d, t.top.scores[i]); });
      });
      if (union.size >= opts.want) {
        union.forEach(function (s, d) { result.hits.push({ id: d, score: s }); });
        result.total = Math.max(most, union.size);
        result.exact = false;
        return result;
      }
    }
    var order = groups.map(function (g, i) { return i; }).sort(function (a, b) {
      return size(groups[a]) - size(groups[b]);
    });
    function size(g) { return g.reduce(function (s, t) { return s + t.df; }, 0); }
    var scores;
    return groupPostings(groups[order[0]], null).then(function (first) {
      scores = first;
      return order.slice(1).reduce(function (p, gi) {
        return p.then(function () {
          var ids = Array.from(scores.keys());
          return groupPostings(groups[gi], ids).then(function (m) {
            var next = new Map();
            scores.forEach(function (s, d) { if (m.has(d)) next.set(d, s + m.get(d)); });
            scores = next;
          });
        });
      }, Promise.resolve());
    }).then(function () {
      return Promise.all(q.excludes.map(function (ws) {
        return Promise.all(ws.map(lookup)).then(function (hits) {
          if (!hits.every(Boolean)) return null;
          return Promise.all(hits.map(function (h) { return term(h.tid); })).then(function (ts) {
            var ids = Array.from(scores.keys());
            return Promise.all(ts.map(function (t) { return postings(t, ids); })).then(function (maps) {
              var inAll = ids.filter(function (d) { return maps.every(function (m) { return m.has(d); }); });
              return ws.length > 1 ? filterPhrases(inAll, [hits.map(function (h) { return h.tid; })]) : inAll;
            });
          });
        });
      }));
    }).then(function (excluded) {
      excluded.forEach(function (ids) { if (ids) ids.forEach(function (d) { scores.delete(d); }); });
      return Promise.all(q.phrases.map(phraseIds));
    }).then(function (phraseTids) {
      if (phraseTids.some(function (p) { return !p; })) { scores = new Map(); phraseTids = []; }
      return filterPhrases(Array.from(scores.keys()), phraseTids);
    }).then(function (ids) {
      result.hits = ids.map(function (d) { return { id: d, score: scores.get(d) }; });
      result.total = ids.length;
      result.exact = true;
      return result;
    });
  }

  /* ---- facets ------------------------------------------------------------ */

  var YEAR = function () { return meta.dims.length - 1; };

  /* value ids of doc in each dimension, from membership files or doc rows */
  function valuesGetter(ids, small) {
    if (small) {
      return Promise.all(ids.map(docRow)).then(function (rows) {
        var by = new Map();
        rows.forEach(function (r) { by.set(r.id, r.values); });
        return function (d) { return by.get(d); };
      });
    }
    var dims = meta.dims.slice(0, -1);
    return Promise.all(dims.map(function (_, i) { return membership(i); })).then(function (maps) {
      return function (d) {
        var y = yearOf(d);
        return maps.map(function (m) { return m.get(d) || []; }).concat([y < 0 ? [] : [y]]);
      };
    });
  }

  /* Filter hits by the chosen values and count values: for each dimension,
   * counts over the hits that pass the filters of the other dimensions. */
  function applyFacets(result, filters) {
    var active = Object.keys(filters).length > 0;
    if (!active && !result.exact) return Promise.resolve(result);
    if (!active && result.counts) {
      if (result.total === result.hits.length) {  // complete: years follow from document ids
        var years = {};
        result.hits.forEach(function (h) { var y = yearOf(h.id); if (y >= 0) years[y] = (years[y] || 0) + 1; });
        result.counts[YEAR()] = years;
      }
      return Promise.resolve(result);
    }
    var ids = result.hits.map(function (h) { return h.id; });
    return valuesGetter(ids, ids.length <= meta.facetMin).then(function (valuesOf) {
      var want = meta.dims.map(function (_, i) { return filters[i]; });
      var counts = meta.dims.map(function () { return {}; });
      result.hits = result.hits.filter(function (h) {
        var vals = valuesOf(h.id), fails = [];
        want.forEach(function (v, i) { if (v !== undefined && vals[i].indexOf(v) < 0) fails.push(i); });
        vals.forEach(function (vs, i) {
          if (fails.length === 0 || (fails.length === 1 && fails[0] === i)) {
            vs.forEach(function (v) { counts[i][v] = (counts[i][v] || 0) + 1; });
          }
        });
        return fails.length === 0;
      });
      result.total = result.hits.length;
      result.counts = counts;
      return result;
    });
  }

  /* ---- did you mean ---------------------------------------------------- */

  function distance(a, b, limit) {  // Damerau-Levenshtein (optimal string alignment)
    if (Math.abs(a.length - b.length) > limit) return limit + 1;
    var prev2 = null, prev = [], cur, i, j;
    for (j = 0; j <= b.length; j++) prev.push(j);
    for (i = 1; i <= a.length; i++) {
      cur = [i];
      var best = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
        cur.push(v);
        if (v < best) best = v;
      }
      if (best > limit) return limit + 1;
      prev2 = prev; prev = cur;
    }
    return prev[b.length];
  }

  /* The closest indexed word (same or neighbouring vocabulary shard). */
  function suggest(word) {
    var limit = word.length <= 4 ? 1 : 2, i = shardFor(word);
    var near = [i - 1, i, i + 1].filter(function (n) { return n >= 0 && n < meta.vocab.length; });
    return Promise.all(near.map(vocabShard)).then(function (shards) {
      var best = null;
      shards.forEach(function (v) {
        v.words.forEach(function (w, k) {
          var d = distance(word, w, limit);
          if (d <= limit && (!best || d < best.d || (d === best.d && v.dfs[k] > best.df))) {
            best = { word: w, d: d, df: v.dfs[k] };
          }
        });
      });
      return best && best.word;
    });
  }

  /* ---- the public entry point (used by the page and by tests) ---------- */

  /* opts: {filters: {dim name: value name}, sort: relevance|newest|oldest, want: n, stale: () => bool}
   * -> {total, results: [{url, title, date, note, excerpt}], counts, suggestion}, or null when
   * opts.stale() said, before the results' rows were loaded, that nobody waits for them. */
  api.search = function (raw, opts) {
    opts = opts || {};
    var sort = opts.sort || "relevance", want = opts.want || 10, q = parse(raw || "");
    return load("meta").then(function (m) {
      meta = m;
      return opts.filters && Object.keys(opts.filters).length ? load("f/names") : null;
    }).then(function (names) {
      var filters = {};
      if (names) {
        Object.keys(opts.filters).forEach(function (name) {
          var dim = meta.dims.indexOf(name);
          var value = dim < 0 ? -1 : names[dim].indexOf(String(opts.filters[name]));
          filters[dim < 0 ? -1 : dim] = value;
        });
      }
      var filtered = Object.keys(filters).length > 0;
      return match(q, { sort: sort, want: want, filtered: filtered }).then(function (r) {
        return applyFacets(r, filters);
      });
    }).then(function (r) {
      if (opts.stale && opts.stale()) return null;  // a newer query is running: load no rows for this one
      r.hits.sort(sort === "oldest" ? function (a, b) { return a.id - b.id; }
        : sort === "newest" ? function (a, b) { return b.id - a.id; }
          : function (a, b) { return b.score - a.score || b.id - a.id; });
      var shown = r.hits.slice(0, want);
      return Promise.all([Promise.all(shown.map(function (h) { return docRow(h.id); })),
        r.counts ? load("f/names") : null, highlightWords(r),
        r.unknown.length ? Promise.all(r.unknown.map(suggest)) : null]).then(function (parts) {
        var suggestion = null;
        if (parts[3] && parts[3].some(Boolean)) {
          suggestion = raw;
          r.unknown.forEach(function (w, i) {
            if (parts[3][i]) suggestion = replaceWord(suggestion, w, parts[3][i]);
          });
        }
        return {
          query: raw, total: r.total, exact: r.exact, results: parts[0], ids: shown.map(function (h) { return h.id; }),
          counts: r.counts && namedCounts(r.counts, parts[1]), highlight: parts[2], suggestion: suggestion,
        };
      });
    });
  };

  function replaceWord(raw, word, by) {
    var out = raw, re = new RegExp(WORD.source, "gu"), m;
    while ((m = re.exec(raw))) {
      if (normalize(m[0]) === word) { out = raw.slice(0, m.index) + by + raw.slice(m.index + m[0].length); break; }
    }
    return out;
  }

  function namedCounts(counts, names) {
    return meta.dims.map(function (dim, i) {
      var values = Object.keys(counts[i]).map(function (v) { return { value: names[i][v], count: counts[i][v] }; });
      values.sort(dim === "year" ? function (a, b) { return b.value < a.value ? -1 : 1; }
        : function (a, b) { return b.count - a.count || (a.value < b.value ? -1 : 1); });
      return { dim: dim, label: meta.labels[i], values: values };
    });
  }

  /* Every word in the loaded vocabulary whose stem matched. */
  function highlightWords(r) {
    var tids = {}, out = [];
    (r.tids || []).forEach(function (t) { tids[t] = true; });
    Object.keys(store).forEach(function (k) {
      if (k.lastIndexOf("decoded:v/", 0) !== 0) return;
      var v = store[k];
      v.tids.forEach(function (t, i) { if (tids[t]) out.push(v.words[i]); });
    });
    return Promise.resolve(out.sort());
  }

  api.loaded = function () {  // the shard keys loaded so far (for tests and measurements)
    return Object.keys(store).filter(function (k) { return k.indexOf("decoded:") !== 0; }).sort();
  };
  api.parse = parse;
  api.words = wordsOf;
  api.normalize = normalize;
  api.setBase = function (base) { idxBase = base; };
  api.WORD = WORD;

  /* ---- the search page ------------------------------------------------- */

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
    idxBase = root + "search/idx/";
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
    load("meta").then(function () { return load("f/names"); }).catch(function () { /* go() reports it */ });
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
