/* Marginalia search, part 1 of 3: the index. Loads index files with <script>
 * tags (no fetch, no modules, no workers: it works from file:// and over HTTP)
 * and decodes them: vocabulary, stem records and their postings, document rows,
 * forward rows, facet memberships. The files are written by marginalia/search/;
 * their layout is described in docs/search.md. Parts 2 (search-query.js: query
 * syntax and evaluation) and 3 (search.js: the search page) build on the object
 * this part puts at window.__marginaliaSearch.index. */
(function () {
  "use strict";

  /* ---- index files ----------------------------------------------------- */

  var store = {};      // file key -> payload, as registered
  var waiting = {};    // file key -> promise of its payload
  var decoded = {};    // file key -> its decoded form
  var idxBase = "";    // URL of the index folder, relative to the page
  var api = window.__marginaliaSearch || {};
  window.__marginaliaSearch = api;

  api.add = function (key, payload) {
    store[key] = payload;
  };

  function has(obj, key) { return Object.prototype.hasOwnProperty.call(obj, key); }

  // Names Windows reserves get a "_" (base-36 shard numbers reach "aux" and "con" on big archives);
  // file_name() in marginalia/search/__init__.py does the same.
  var RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/;
  function fileOf(key) {
    var cut = key.lastIndexOf("/") + 1;
    return RESERVED.test(key.slice(cut)) ? key.slice(0, cut) + "_" + key.slice(cut) : key;
  }

  function load(key) {
    if (has(store, key)) return Promise.resolve(store[key]);
    if (waiting[key]) return waiting[key];
    waiting[key] = new Promise(function (resolve, reject) {
      var el = document.createElement("script");
      el.src = idxBase + fileOf(key) + ".js";
      el.async = true;
      el.onload = function () {
        el.remove();
        if (has(store, key)) resolve(store[key]);
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

  /* The decoded form of a file, decoded once. */
  function loadDecoded(key, decode) {
    if (has(decoded, key)) return Promise.resolve(decoded[key]);
    return load(key).then(function (payload) {
      if (!has(decoded, key)) decoded[key] = decode(payload);
      return decoded[key];
    });
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

  /* ---- hashes: 32-bit FNV-1a over UTF-16 units, as codec.fnv1a in Python -- */

  function fnv(s, h) {
    for (var i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
    return h >>> 0;
  }
  var STEM_BASIS = 2166136261, FORWARD_BASIS = 0x1F351C7C, SALT_STEP = 0x9E3779B1;

  /* ---- index pieces ----------------------------------------------------- */

  var meta = null, vocabNames = [], levelValue = [];

  function prepare(m) {  // what every query needs of meta, worked out once
    meta = m;
    var seen = {};
    vocabNames = m.vocab.map(function (first) {  // vocab.shard_names() in Python
      var h = fnv(first, STEM_BASIS), n = seen[h] || 0;
      seen[h] = n + 1;
      return "v/" + h.toString(36) + (n ? "." + n : "");
    });
    levelValue = [];
    for (var l = 0; l < m.levels; l++) levelValue.push(m.wLo * Math.pow(m.wHi / m.wLo, l / (m.levels - 1)));
    return m;
  }

  /* BM25's stem factor, from the stored document frequency and the number of documents */
  function idf(df) { return Math.log(1 + (meta.docs - df + 0.5) / (df + 0.5)); }

  function vocabShard(i) {
    if (i >= vocabNames.length) return Promise.resolve({ index: i, words: [], stems: [], dfs: [] });  // no words
    return loadDecoded(vocabNames[i], function (payload) {
      var words = [], stems = [], dfs = [], prev = "";
      payload.split("~").forEach(function (rec) {
        var r = new Reader(rec), shared = r.int();
        var word = prev.slice(0, shared) + r.upTo(" ");
        dfs.push(r.int());
        var cut = r.int();
        words.push(word); stems.push(word.slice(0, cut) + rec.slice(r.i));
        prev = word;
      });
      return { index: i, words: words, stems: stems, dfs: dfs };
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

  /* Look a word up: {word, stem, df} or null. */
  function lookup(word) {
    return vocabShard(shardFor(word)).then(function (v) {
      var i = lowerBound(v.words, word);
      return v.words[i] === word ? { word: word, stem: v.stems[i], df: v.dfs[i] } : null;
    });
  }

  /* Words starting with prefix (at most 3 shards), most frequent stems first. */
  function completions(prefix, limit) {
    var found = [];
    function scan(i, hops) {
      return vocabShard(i).then(function (v) {
        for (var j = lowerBound(v.words, prefix); j < v.words.length; j++) {
          if (v.words[j].lastIndexOf(prefix, 0) !== 0) return found;
          found.push({ word: v.words[j], stem: v.stems[j], df: v.dfs[j] });
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
      var seen = Object.create(null), out = [];
      all.forEach(function (w) {
        if (!seen[w.stem] && out.length < limit) { seen[w.stem] = true; out.push(w); }
      });
      return out;
    });
  }

  /* A stem's record: df, chunks, facet counts, top block (all its postings when it has no
   * chunks). Its shard is its hash modulo the number of shards; in it, records are sorted by stem. */
  function term(stem) {
    var h = fnv(stem, STEM_BASIS), key = "t/" + (h & (meta.termShards - 1)).toString(36);
    return loadDecoded(key, function (payload) {
      var recs = Object.create(null), prev = "";  // stems like "constructor" are keys too
      if (payload) payload.split("~").forEach(function (rec) {
        var r = new Reader(rec), shared = r.int(), s = prev.slice(0, shared) + r.upTo(" ");
        recs[s] = { text: rec, at: r.i };
        prev = s;
      });
      return recs;
    }).then(function (recs) {
      var rec = recs[stem] || null;
      if (!rec) throw new Error("search index has no stem " + stem);
      if (rec.term) return rec.term;
      var r = new Reader(rec.text, rec.at);
      var t = { stem: stem, hash: h, df: r.int(), starts: [], counts: null, chunks: {}, k: 0 };
      var n = r.int(), at = 0;
      if (n) t.k = r.int();
      for (var i = 0; i < n; i++) { at += r.int(); t.starts.push(at); }
      t.idf = idf(t.df);
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
    while (r.more()) {
      var v = r.int();
      doc += Math.floor(v / L);
      docs.push(doc);
      scores.push(t.idf * levelValue[v % L]);
    }
    return { docs: docs, scores: scores };
  }

  function chunk(t, n) {
    if (t.chunks[n]) return Promise.resolve(t.chunks[n]);
    return load("p/" + t.hash.toString(36) + "." + t.k.toString(36) + "." + n.toString(36)).then(function (payload) {
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

  function docRowKey(id) { return "d/" + Math.floor(id / meta.docsPerShard).toString(36); }

  /* What a result shows of document id: URL, headline, date, content note, excerpt, facet values. */
  function docRow(id) {
    return load(docRowKey(id)).then(function (rows) {
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
    var F = meta.docsPerShard;
    return load("w/" + Math.floor(id / F).toString(36)).then(function (payload) {
      return decodeInts(payload.split("~")[id % F]);
    });
  }

  /* The codes a stem may have in a forward row (forward.py): its one-character code if it is a
   * common stem, else 45 + OFFSET[L] + (hash mod 45^L) for the prefix lengths L = 1..9 of its
   * 49-bit hash; the row holds the shortest prefix that no other stem of its document shares. */
  function forwardCodes(stem) {
    var codes = {}, common = meta.common.indexOf(stem);
    if (common >= 0) { codes[common + 1] = true; return codes; }
    var h2 = fnv(stem, (FORWARD_BASIS + Math.imul(meta.salt, SALT_STEP)) >>> 0);
    var x = fnv(stem, STEM_BASIS) + (h2 & 0x1FFFF) * 4294967296, offset = 0, pow = 1;
    for (var len = 1; len <= 9; len++) {
      pow *= 45;
      codes[45 + offset + (x % pow)] = true;
      offset += pow;
    }
    return codes;
  }

  /* Per dimension (not year): doc -> [value ids], from its membership file. */
  function membership(dim) {
    return loadDecoded("f/" + meta.dims[dim], function (payload) {
      var byDoc = new Map();
      payload.split("~").forEach(function (rec, value) {
        var ints = decodeInts(rec), doc = 0;
        for (var i = 1; i < ints.length; i++) {
          doc += ints[i];
          if (!byDoc.has(doc)) byDoc.set(doc, []);
          byDoc.get(doc).push(value);
        }
      });
      return byDoc;
    });
  }

  function yearOf(doc) {  // index into names of the year dimension, or -1
    var ys = meta.years, i = ys.length - 1;
    while (i >= 0 && ys[i][1] > doc) i--;
    return i;
  }

  var YEAR = function () { return meta.dims.length - 1; };

  api.index = {
    load: load, fileOf: fileOf, loaded: function () { return Object.keys(store).sort(); },
    ready: function () { return meta ? Promise.resolve(meta) : load("meta").then(prepare); },
    meta: function () { return meta; },
    setBase: function (base) { idxBase = base; },
    decodedVocab: function () {
      return Object.keys(decoded).filter(function (k) { return k.lastIndexOf("v/", 0) === 0; })
        .map(function (k) { return decoded[k]; });
    },
    normalize: normalize, wordsOf: wordsOf, WORD: WORD, lowerBound: lowerBound,
    vocabShard: vocabShard, shardFor: shardFor, lookup: lookup, completions: completions,
    term: term, chunk: chunk, postings: postings, docRow: docRow, docRowKey: docRowKey, forward: forward,
    forwardCodes: forwardCodes, vocabName: function (i) { return vocabNames[i]; },
    membership: membership, yearOf: yearOf, YEAR: YEAR,
  };
})();
