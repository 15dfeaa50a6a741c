/* Marginalia search, part 2 of 3: queries. Parses the query syntax, finds the
 * matching documents from the stem records of part 1 (search-index.js), ranks,
 * filters and counts them, suggests a spelling, and answers through
 * window.__marginaliaSearch.search(). Part 3 (search.js) draws the answers. */
(function () {
  "use strict";

  var api = window.__marginaliaSearch, ix = api.index;
  var load = ix.load, lookup = ix.lookup, completions = ix.completions, term = ix.term, chunk = ix.chunk;
  var postings = ix.postings, docRow = ix.docRow, forward = ix.forward, membership = ix.membership;
  var yearOf = ix.yearOf, YEAR = ix.YEAR, vocabShard = ix.vocabShard, shardFor = ix.shardFor;
  var normalize = ix.normalize, wordsOf = ix.wordsOf, WORD = ix.WORD;
  var meta = null;  // the index's meta.js, once loaded

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
   * stems of its most frequent completions (marked `completed`). */
  function resolveGroup(g) {
    return lookup(g.word).then(function (hit) {
      if (hit || !g.prefix) return hit ? [hit] : [];
      return completions(g.word, EXPANSIONS).then(function (found) {
        found.completed = true;
        return found;
      });
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
        opts.check();
        return chunk(t, newest ? n - 1 - k : k).then(function () { k++; return step(); });
      }
      result.hits = hits;
      result.total = t.df;
      result.counts = t.counts;
      return result;
    }
    return step();
  }

  /* Does a forward row hold the phrase: codes[j] is the set of codes its j-th stem may have? */
  function containsPhrase(seq, codes) {
    outer: for (var i = 0; i + codes.length <= seq.length; i++) {
      for (var j = 0; j < codes.length; j++) if (!codes[j][seq[i + j]]) continue outer;
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
      return hits.every(Boolean) ? hits.map(function (h) { return ix.forwardCodes(h.stem); }) : null;
    });
  }

  /* The matching documents with scores, whether the set is complete, the words
   * to highlight, and "did you mean" hints for unknown words. */
  function match(q, opts) {
    var result = { hits: [], total: 0, exact: true, highlight: [], unknown: [], counts: null };
    if (!q.groups.length) return Promise.resolve(result);
    return Promise.all(q.groups.map(resolveGroup)).then(opts.check).then(function (resolved) {
      resolved.forEach(function (hits, i) { if (!hits.length) result.unknown.push(q.groups[i].word); });
      if (result.unknown.length) return result;
      var likely = likelyWord(q, resolved, opts);
      if (likely) prefetchRows(likely.stem, opts);
      return Promise.all(resolved.map(function (hits) { return Promise.all(hits.map(function (h) { return term(h.stem); })); }))
        .then(opts.check).then(function (groups) { return evaluate(q, groups, resolved, opts, result); });
    });
  }

  /* While a single word is being typed: the stem it will most likely be
   * completed to (the most frequent completion, if it is in at least half of
   * the documents of all the completions), or null. */
  function likelyWord(q, resolved, opts) {
    if (q.groups.length !== 1 || !resolved[0].completed || q.phrases.length || q.excludes.length ||
        opts.filtered || opts.sort !== "relevance") return null;
    var all = resolved[0].reduce(function (s, h) { return s + h.df; }, 0);
    return 2 * resolved[0][0].df >= all ? resolved[0][0] : null;
  }

  /* Typing "musi", the reader most likely goes on to "music": the rows that "music" shows first
   * are loaded as soon as its stem record is, while the reader types, so that the finished word
   * is drawn without another round of loading. Not once a newer query has replaced this one. */
  function prefetchRows(stem, opts) {
    term(stem).then(function (t) {
      if (opts.stale()) return;
      bestOf(t, opts.want).forEach(function (h) { load(ix.docRowKey(h.id)).catch(function () {}); });
    }).catch(function () {});
  }

  /* The documents one stem would show first, as a one-word query does: by score, ties newest first. */
  function bestOf(t, want) {
    var hits = t.top.docs.map(function (d, i) { return { id: d, score: t.top.scores[i] }; });
    return hits.sort(byScore).slice(0, want);
  }

  function byScore(a, b) { return b.score - a.score || b.id - a.id; }

  function evaluate(q, groups, resolved, opts, result) {
    result.stems = [].concat.apply([], resolved.map(function (hs) { return hs.map(function (h) { return h.stem; }); }));
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
        return p.then(opts.check).then(function () {
          var ids = Array.from(scores.keys());
          return groupPostings(groups[gi], ids).then(function (m) {
            var next = new Map();
            scores.forEach(function (s, d) { if (m.has(d)) next.set(d, s + m.get(d)); });
            scores = next;
          });
        });
      }, Promise.resolve());
    }).then(opts.check).then(function () {
      return Promise.all(q.excludes.map(function (ws) {
        return Promise.all(ws.map(lookup)).then(function (hits) {
          if (!hits.every(Boolean)) return null;
          return Promise.all(hits.map(function (h) { return term(h.stem); })).then(function (ts) {
            var ids = Array.from(scores.keys());
            return Promise.all(ts.map(function (t) { return postings(t, ids); })).then(function (maps) {
              var inAll = ids.filter(function (d) { return maps.every(function (m) { return m.has(d); }); });
              return ws.length > 1 ? filterPhrases(inAll, [hits.map(function (h) { return ix.forwardCodes(h.stem); })]) : inAll;
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
  function applyFacets(result, filters, check) {
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
    check();
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

  var STALE = new Error("stale query");  // thrown to stop a query that nobody waits for any more

  /* opts: {filters: {dim name: value name}, sort: relevance|newest|oldest, want: n, stale: () => bool}
   * -> {total, results: [{url, title, date, note, excerpt}], counts, suggestion}, or null when
   * opts.stale() said, between two rounds of loading, that nobody waits for the answer: a stale
   * query starts no further loads, so it never holds up the connections of the query that replaced it. */
  api.search = function (raw, opts) {
    opts = opts || {};
    var sort = opts.sort || "relevance", want = opts.want || 10, q = parse(raw || "");
    var check = function (value) {
      if (opts.stale && opts.stale()) throw STALE;
      return value;
    };
    return ix.ready().then(function (m) {
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
      var stale = function () { return Boolean(opts.stale && opts.stale()); };
      return match(q, { sort: sort, want: want, filtered: filtered, check: check, stale: stale }).then(function (r) {
        return applyFacets(r, filters, check);
      });
    }).then(check).then(function (r) {
      r.hits.sort(sort === "oldest" ? function (a, b) { return a.id - b.id; }
        : sort === "newest" ? function (a, b) { return b.id - a.id; } : byScore);
      var shown = r.hits.slice(0, want);
      return Promise.all([Promise.all(shown.map(function (h) { return docRow(h.id); })), r.counts ? load("f/names") : null, highlightWords(r),
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
    }).catch(function (err) {
      if (err === STALE) return null;
      throw err;
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
    var stems = Object.create(null), out = [];
    (r.stems || []).forEach(function (s) { stems[s] = true; });
    ix.decodedVocab().forEach(function (v) {
      v.stems.forEach(function (s, i) { if (stems[s] === true) out.push(v.words[i]); });
    });
    return Promise.resolve(out.sort());
  }

  api.loaded = function () { return ix.loaded(); };  // the files loaded so far (for tests and measurements)
  api.parse = parse;
  api.words = wordsOf;
  api.normalize = normalize;
  api.setBase = ix.setBase;
  api.WORD = WORD;
})();
