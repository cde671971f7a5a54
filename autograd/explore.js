/* valuegrad explorer: step through the forward and backward pass of one graph.
 *
 * The page carries the graph as JSON (#vg-data) and the op table as VG_RULES, generated
 * from autograd/opspec.py at page-write time: this file knows no op's rule itself.
 * F holds the functions the table's formulas call that Math does not have (or has with
 * other edge cases); each mirrors autograd/opspec.FUNCTIONS and autograd/domain.py.
 * Nodes are found in the SVG by their <title> (v{i} for values, v{i}op for ops).
 * Every label and number reaches the page as text (textContent), never as markup.
 */
(function () {
  "use strict";

  // ---- numbers -------------------------------------------------------------------
  function pyRepr(x) {
    if (Number.isNaN(x)) return "nan";
    if (x === Infinity) return "inf";
    if (x === -Infinity) return "-inf";
    if (Object.is(x, -0)) return "-0.0";
    var s = String(x);
    if (/^-?\d+$/.test(s)) return s + ".0";
    return s.replace(/e([+-])(\d)$/, "e$10$2");
  }
  // As the drawing shows numbers: 4 decimals for 1e-3 <= |x| < 1e5, else 3 significant
  // digits in exponent form. JavaScript rounds an exact tie up, Python to even: where the
  // exact value is a tie and the kept digit is even, keep the truncated digits instead.
  function fmt(x) {
    if (Number.isNaN(x)) return "nan";
    if (x === Infinity) return "inf";
    if (x === -Infinity) return "-inf";
    if (x === 0) return "0";
    var ax = Math.abs(x), s, d;
    if (ax >= 1e-3 && ax < 1e5) {
      s = ax.toFixed(4);
      d = ax.toFixed(100); // exact: such a double has fewer than 70 decimals
      var kept = d.slice(0, d.indexOf(".") + 5);
      if (/^50*$/.test(d.slice(kept.length)) && /[02468]$/.test(kept)) s = kept;
    } else {
      s = ax.toExponential(2);
      if (ax >= 1e5) { // its exact digits (below 1e-3 no tie is a double)
        var whole = BigInt(Math.floor(ax)).toString();
        d = Number.isInteger(ax) ? whole : whole + ax.toFixed(100).split(".")[1];
        if (/^50*$/.test(d.slice(3)) && /[02468]$/.test(d.slice(0, 3))) {
          s = d[0] + "." + d.slice(1, 3) + "e+" + (whole.length - 1);
        }
      }
      s = s.replace(/e([+-])(\d)$/, "e$10$2");
    }
    return x < 0 ? "-" + s : s;
  }
  // The drawing's number cells are as wide as the widest number fmt gives (draw.py's
  // widest_number); numbers are right-aligned in them, as the drawing writes them.
  function padNumber(s) {
    var NUMBER_WIDTH = DATA.number_width || 0;
    return s.length < NUMBER_WIDTH ? " ".repeat(NUMBER_WIDTH - s.length) + s : s;
  }
  function factor(x) {
    var s = fmt(x);
    return s.charAt(0) === "-" ? "(" + s + ")" : s;
  }
  function num(v) {
    if (v === "nan") return NaN;
    if (v === "inf") return Infinity;
    if (v === "-inf") return -Infinity;
    return v;
  }
  function same(x, y) {
    return x === y || (Number.isNaN(x) && Number.isNaN(y));
  }

  // ---- the functions of opspec.FUNCTIONS ----------------------------------------
  function PyError(kind, message) {
    var e = new Error(message);
    e.kind = kind;
    return e;
  }
  function powData(base, exponent) {
    if (base === 0 && exponent < 0) {
      throw PyError("ZeroDivisionError", "pow(): 0.0 ** " + pyRepr(exponent) +
        " is undefined (division by zero)");
    }
    if (base < 0 && Number.isFinite(exponent) && !Number.isInteger(exponent)) {
      throw PyError("ValueError", "pow(): " + pyRepr(base) + " ** " + pyRepr(exponent) +
        " is undefined for real numbers (negative base, non-integer exponent)");
    }
    if (base === 1) return 1.0; // C's pow: 1 ** anything is 1, even nan and inf
    if (base === -1 && (exponent === Infinity || exponent === -Infinity)) return 1.0; // C's pow; JS: NaN
    return Math.pow(base, exponent);
  }
  var F = {
    exp: function (x) { return Math.exp(x); }, // overflow gives Infinity, as the engine's
    log: function (x) {
      if (!(x > 0) && !Number.isNaN(x)) {
        throw PyError("ValueError", "log() of " + pyRepr(x) +
          " is undefined (log needs a positive number)");
      }
      return Math.log(x);
    },
    sqrt: function (x) {
      if (x < 0) {
        throw PyError("ValueError", "sqrt() of " + pyRepr(x) +
          " is undefined (sqrt needs a number >= 0)");
      }
      return Math.sqrt(x);
    },
    sigmoid: function (x) {
      if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
      var e = Math.exp(x); // never exp of a large positive number
      return e / (1.0 + e);
    },
    div: function (a, b) {
      if (b === 0) {
        throw PyError("ZeroDivisionError", "division: " + pyRepr(a) + " / " + pyRepr(b) +
          " (the divisor is zero)");
      }
      return a / b;
    },
    powData: powData,
    powSlope: function (base, exponent) {
      if (exponent === 0) return 0.0;
      if (base === 0 && exponent < 1) return Infinity;
      if (base < 0 && Math.pow(2, 53) < Math.abs(exponent) && Number.isFinite(exponent)) {
        // as domain.pow_slope: c - 1 rounds back to the even c, but c - 1 is odd
        return -(exponent * powData(base, exponent - 1));
      }
      return exponent * powData(base, exponent - 1);
    },
    logBase: function (base) {
      return base > 0 ? Math.log(base) : (base === 0 ? 0.0 : NaN);
    }
  };
  var RULES = VG_RULES(F);

  // ---- the graph -----------------------------------------------------------------
  var DATA = JSON.parse(document.getElementById("vg-data").textContent);
  var NODES = DATA.nodes;
  var N = NODES.length;
  var ROOT = DATA.root;
  var ORDER = DATA.order; // the engine's backward order is its reverse
  var BACK = ORDER.slice().reverse();
  var OPS = []; // forward steps: nodes made by ops, in topological order
  var CONSUMERS = [];
  var i, j;
  for (i = 0; i < N; i++) {
    NODES[i].data = num(NODES[i].data);
    if (NODES[i].name.length > 24) NODES[i].name = NODES[i].name.slice(0, 23) + "\u2026"; // in formulas
    if (NODES[i].c !== null) NODES[i].c = num(NODES[i].c);
    if (NODES[i].parents.length) OPS.push(i);
    CONSUMERS.push([]);
  }
  for (i = 0; i < N; i++) {
    var ps = NODES[i].parents;
    for (j = 0; j < ps.length; j++) {
      if (CONSUMERS[ps[j]].indexOf(i) < 0) CONSUMERS[ps[j]].push(i);
    }
  }
  var LEAVES = [];
  for (i = 0; i < N; i++) if (!NODES[i].parents.length) LEAVES.push(i);
  var UNSUPPORTED = [];
  for (i = 0; i < N; i++) {
    if (NODES[i].parents.length && !(NODES[i].rule && RULES[NODES[i].rule])) UNSUPPORTED.push(i);
  }

  // A composite name (x1*w1 + x2*w2) in brackets where it meets other text: (x1*w1).grad.
  function bracket(name) {
    return /^[\w.#]+$/.test(name) ? name : "(" + name + ")";
  }
  // The reader's form of an op or a local derivative, with the parents' names put in.
  function subst(text, names) {
    return text.replace(/(^|[^A-Za-z0-9_.\u1d62])([abc])(?![A-Za-z0-9_])/g, function (m, pre, v) {
      return pre + (names[v] !== undefined ? names[v] : v);
    });
  }
  function namesOf(n) {
    var node = NODES[n];
    var names = {};
    if (node.parents.length > 0) names.a = bracket(NODES[node.parents[0]].name);
    if (node.parents.length > 1) names.b = bracket(NODES[node.parents[1]].name);
    if (node.c !== null) names.c = pyRepr(node.c).replace(/\.0$/, "");
    return names;
  }

  // Each parent slot of op node n, in the order the engine's closure adds to them:
  // {to: parent index, dmath: text, d: function(data, out, g) -> the number added}.
  function slots(n) {
    var node = NODES[n];
    var rule = RULES[node.rule];
    var spec = DATA.specs[node.rule];
    var out = [];
    if (node.rule === "linear|n") {
      node.lin.terms.forEach(function (t) {
        var w = t[0], x = t[1], xc = t[2] === null ? null : num(t[2]);
        var xname = x === null ? pyRepr(xc) : NODES[x].name;
        out.push({to: w, dmath: spec.dmath[0].replace("x\u1d62", xname), d: function (D, o, g) {
          return rule.g[0](0, 0, 0, o, g, D[w], x === null ? xc : D[x]);
        }});
        if (x !== null) {
          out.push({to: x, dmath: spec.dmath[1].replace("w\u1d62", NODES[w].name), d: function (D, o, g) {
            return rule.g[1](0, 0, 0, o, g, D[w], D[x]);
          }});
        }
      });
      if (node.lin.bias !== null) {
        out.push({to: node.lin.bias, dmath: spec.dmath[2], d: function (D, o, g) {
          return rule.g[2](0, 0, 0, o, g, 0, 0);
        }});
      }
      return out;
    }
    if (node.rule === "sum|n") {
      node.parents.forEach(function (p) {
        out.push({to: p, dmath: spec.dmath[0], d: function (D, o, g) {
          return rule.g[0](0, 0, 0, o, g, 0, 0);
        }});
      });
      return out;
    }
    var p = node.parents, c = node.c, names = namesOf(n);
    rule.g.forEach(function (gf, k) {
      out.push({to: p[k], dmath: subst(spec.dmath[k], names), d: function (D, o, g) {
        return gf(D[p[0]], p.length > 1 ? D[p[1]] : 0, c === null ? 0 : c, o, g, 0, 0);
      }});
    });
    return out;
  }
  var SLOTS = [];
  for (i = 0; i < N; i++) SLOTS.push(NODES[i].parents.length && UNSUPPORTED.indexOf(i) < 0 ? slots(i) : null);

  function forwardOf(n, D) {
    var node = NODES[n], rule = RULES[node.rule], acc, k;
    if (node.rule === "linear|n") {
      acc = node.lin.bias !== null ? D[node.lin.bias] : 0.0;
      for (k = 0; k < node.lin.terms.length; k++) {
        var t = node.lin.terms[k];
        acc = rule.f(0, acc, 0, 0, 0, D[t[0]], t[1] === null ? num(t[2]) : D[t[1]]);
      }
      return acc;
    }
    if (node.rule === "sum|n") { // start + v0 + v1 + ..., as the engine adds them, constants too
      var terms = node.lin.terms;
      acc = terms[0][0] === null ? num(terms[0][1]) : D[terms[0][0]];
      for (k = 1; k < terms.length; k++) {
        acc = rule.f(acc, terms[k][0] === null ? num(terms[k][1]) : D[terms[k][0]], 0, 0, 0, 0, 0);
      }
      return acc;
    }
    var p = node.parents;
    return rule.f(D[p[0]], p.length > 1 ? D[p[1]] : 0, node.c === null ? 0 : node.c, 0, 0, 0, 0);
  }

  // A whole run: every value, then each backward step's lines, computed by the table
  // (leafData given) or taken from the engine's recorded trace (leafData null).
  function run(leafData) {
    var D = NODES.map(function (nd) { return nd.data; });
    var k, n;
    if (leafData) {
      LEAVES.forEach(function (l, q) { D[l] = leafData[q]; });
      for (k = 0; k < OPS.length; k++) {
        n = OPS[k];
        try {
          D[n] = forwardOf(n, D);
        } catch (e) {
          return {error: (e.kind || "Error") + ": " + e.message, at: n};
        }
      }
    }
    var G = new Array(N).fill(0.0);
    var touched = new Array(N).fill(false);
    G[ROOT] = 1.0;
    var steps = [];
    for (k = 0; k < BACK.length; k++) {
      n = BACK[k];
      var g = G[n], lines = [];
      if (SLOTS[n]) {
        var rec = leafData ? null : DATA.trace && DATA.trace[k];
        SLOTS[n].forEach(function (s) {
          var local, add;
          try {
            local = s.d(D, D[n], 1.0);
            add = s.d(D, D[n], g);
          } catch (e) {
            local = NaN;
            add = NaN;
          }
          var before = G[s.to];
          var after = before + add;
          lines.push({to: s.to, dmath: s.dmath, local: local, up: g, add: add,
            before: before, after: after, acc: touched[s.to]});
          G[s.to] = after;
          touched[s.to] = true;
        });
        if (rec) { // recorded mode: the engine's numbers are the truth
          rec.forEach(function (r) { G[r[0]] = num(r[1]); });
          var lastLine = {};
          lines.forEach(function (ln, q) { lastLine[ln.to] = q; });
          Object.keys(lastLine).forEach(function (to) { lines[lastLine[to]].after = G[to]; });
        }
      } else if (DATA.trace) {
        DATA.trace[k].forEach(function (r) {
          var to = r[0], after = num(r[1]);
          lines.push({to: to, custom: true, up: g, before: G[to], after: after, acc: touched[to]});
          G[to] = after;
          touched[to] = true;
        });
      }
      steps.push({node: n, lines: lines});
    }
    return {data: D, steps: steps, grad: G};
  }

  function mismatch(a, b) {
    if (same(a, b)) return false;
    var scale = Math.max(Math.abs(a), Math.abs(b));
    return !(Math.abs(a - b) <= 1e-9 * scale); // ulp noise between libms is not a mismatch
  }
  // The table against the engine's own numbers at the recorded point.
  function selfCheck(js, rec) {
    for (var n = 0; n < N; n++) if (mismatch(js.data[n], rec.data[n])) return n;
    for (n = 0; n < N; n++) if (mismatch(js.grad[n], rec.grad[n])) return n;
    return -1;
  }

  // ---- the drawing -----------------------------------------------------------------
  var svg = document.querySelector("#vg-graph svg");
  var groups = {};
  if (svg) {
    svg.querySelectorAll("g.node, g.edge").forEach(function (g) {
      var t = g.querySelector("title");
      if (t) groups[t.textContent] = g;
    });
  }
  // the drawing's tooltips hold the recorded numbers; the inspector panel shows the live ones
  if (svg) {
    svg.querySelectorAll("g.node a").forEach(function (a) {
      a.removeAttributeNS("http://www.w3.org/1999/xlink", "title");
      a.removeAttribute("title");
    });
  }
  var EDGES_IN = []; // edges into each op node
  for (i = 0; i < N; i++) EDGES_IN.push([]);
  Object.keys(groups).forEach(function (key) {
    var m = /^v(\d+)->v(\d+)op$/.exec(key);
    if (m) EDGES_IN[+m[2]].push(groups[key]);
  });
  // Where value node i shows a number: the last text starting "data"/"grad" (a label comes
  // first), or, if that text is the bare word, the text after it (a cell of its own).
  function numberText(g, word) {
    var texts = g.querySelectorAll("text"), found = null;
    for (var q = 0; q < texts.length; q++) {
      var s = texts[q].textContent.trim();
      if (s === word && q + 1 < texts.length) found = {el: texts[q + 1], prefix: ""};
      else if (s.indexOf(word + " ") === 0 || s.indexOf(word + "\u00a0") === 0) {
        found = {el: texts[q], prefix: word + " "};
      }
    }
    return found;
  }
  var VIEW = [];
  var HL_NS = "http://www.w3.org/2000/svg";
  for (i = 0; i < N; i++) {
    var vg = groups["v" + i] || null, og = groups["v" + i + "op"] || null;
    VIEW.push({
      g: vg, op: og,
      data: vg && numberText(vg, "data"), grad: vg && numberText(vg, "grad"),
      shown: {data: undefined, grad: undefined} // nothing written yet
    });
    [vg, og].forEach(function (g) {
      if (!g) return;
      g.setAttribute("data-vg-node", i);
      g.classList.add("vg-node");
      g.setAttribute("tabindex", "0"); // reachable by Tab; Enter pins it in the Node panel
      g.setAttribute("role", "button");
      g.setAttribute("aria-label", (g === og ? "op making " : "value ") + NODES[i].name);
    });
  }
  function frame(g, box) { // a highlight frame around a node (hidden until a class shows it)
    if (g.vgFrame) return g.vgFrame;
    var b = box || g.getBBox();
    var r = document.createElementNS(HL_NS, "rect");
    r.setAttribute("x", b.x - 4);
    r.setAttribute("y", b.y - 4);
    r.setAttribute("width", b.width + 8);
    r.setAttribute("height", b.height + 8);
    r.setAttribute("rx", 6);
    r.setAttribute("class", "vg-frame");
    g.appendChild(r);
    g.vgFrame = r;
    return r;
  }
  // every frame at once: one layout for all the boxes, none while stepping
  (function () {
    var all = [];
    VIEW.forEach(function (v) { if (v.g) all.push(v.g); if (v.op) all.push(v.op); });
    var boxes = all.map(function (g) { return g.getBBox(); });
    all.forEach(function (g, q) { frame(g, boxes[q]); });
  })();
  function setNumber(n, word, x) {
    var v = VIEW[n];
    var key = x === null ? null : pyRepr(x);
    if (v.shown[word] === key) return;
    v.shown[word] = key;
    if (v.g) {
      if (key === null) v.g.removeAttribute("data-vg-" + word);
      else v.g.setAttribute("data-vg-" + word, key);
    }
    var t = v[word];
    if (t) t.el.textContent = t.prefix + padNumber(x === null ? "\u00b7" : fmt(x));
    if (word === "data" && v.g) v.g.classList.toggle("vg-pending", x === null);
  }

  // ---- state ------------------------------------------------------------------------
  var NF = OPS.length, NB = BACK.length;
  var T = NF + 1 + NB; // forward steps, the seed, the closures
  var recorded = run(null);
  var current = recorded;
  var slidersOn = UNSUPPORTED.length === 0;
  var note = null;
  if (UNSUPPORTED.length) {
    var u = NODES[UNSUPPORTED[0]];
    note = "Sliders are off: " + u.name + " is made by the op \u201c" + u.op +
      "\u201d, which has no rule in this page (a custom op). " + (DATA.trace === null
        ? "The engine could not replay its backward pass (was the graph freed?), so its inputs get no grads here."
        : "Stepping shows the engine's recorded numbers.");
  }
  if (slidersOn) {
    // at the recorded point against the engine, then at the extra points the Python side
    // computed from the engine's record of every node (constant terms included)
    var js = run(LEAVES.map(function (l) { return NODES[l].data; }));
    var bad = js.error ? ROOT : selfCheck(js, recorded);
    (DATA.checks || []).forEach(function (pt) {
      if (bad >= 0) return;
      var at = run(pt.leaves.map(num));
      bad = at.error ? at.at : selfCheck(at, {data: pt.data.map(num), grad: pt.grad.map(num)});
    });
    if (bad >= 0) {
      slidersOn = false;
      note = "Sliders are off: the page's evaluator does not reproduce the engine's numbers at " +
        NODES[bad].name + " (op \u201c" + NODES[bad].op + "\u201d). Stepping shows the engine's numbers.";
    }
  }
  var t = 0;
  var shownT = -10; // forces a full redraw
  var lit = [];
  var pinned = null, hovered = null;
  var timer = null;

  function light(g, cls) {
    if (!g) return;
    g.classList.add(cls);
    if (g.classList.contains("node")) frame(g);
    lit.push([g, cls]);
  }
  function clearLights() {
    lit.forEach(function (p) {
      if (p[1] === null) p[0].style.removeProperty("--vg-w");
      else p[0].classList.remove(p[1]);
    });
    lit = [];
  }

  function stepAt(tt) { // the backward step shown at time tt (null before the closures)
    return tt > NF + 1 ? current.steps[tt - NF - 2] : null;
  }

  function renderFull() {
    var n, k;
    for (n = 0; n < N; n++) {
      var known = !NODES[n].parents.length || OPS.indexOf(n) < t;
      setNumber(n, "data", known ? current.data[n] : null);
    }
    var G = null;
    if (t > NF) {
      G = new Array(N).fill(0.0);
      G[ROOT] = 1.0;
      for (k = 0; k < t - NF - 1; k++) {
        current.steps[k].lines.forEach(function (ln) { G[ln.to] = ln.after; });
      }
    }
    for (n = 0; n < N; n++) setNumber(n, "grad", G ? G[n] : null);
  }
  function renderStep(dir) { // the numbers that one step changes (dir +1 forward, -1 back)
    var tt = dir > 0 ? t : t + 1; // the step that is done or undone
    if (tt <= NF) {
      var n = OPS[tt - 1];
      setNumber(n, "data", dir > 0 ? current.data[n] : null);
    } else if (tt === NF + 1) {
      for (var q = 0; q < N; q++) setNumber(q, "grad", dir > 0 ? (q === ROOT ? 1.0 : 0.0) : null);
    } else {
      var lines = current.steps[tt - NF - 2].lines;
      if (dir > 0) lines.forEach(function (ln) { setNumber(ln.to, "grad", ln.after); });
      else for (var r = lines.length - 1; r >= 0; r--) setNumber(lines[r].to, "grad", lines[r].before);
    }
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function opForm(n) {
    var node = NODES[n];
    if (node.cut) return "cut here: made by \u201c" + node.cut + "\u201d above the shown depth (an input of this page)";
    if (!node.parents.length) return "a leaf";
    if (node.rule === "linear|n") {
      var terms = node.lin.terms.map(function (tm) {
        return NODES[tm[0]].name + "\u00b7" + (tm[1] === null ? pyRepr(num(tm[2])) : NODES[tm[1]].name);
      });
      if (node.lin.bias !== null) terms.unshift(NODES[node.lin.bias].name);
      return shorten(terms.join(" + "));
    }
    if (node.rule === "sum|n") {
      return shorten(node.lin.terms.filter(function (tm) {
        return tm[0] !== null || num(tm[1]) !== 0; // the default start 0.0
      }).map(function (tm) {
        return tm[0] === null ? pyRepr(num(tm[1])) : NODES[tm[0]].name;
      }).join(" + "));
    }
    if (node.rule && DATA.specs[node.rule]) return subst(DATA.specs[node.rule].math, namesOf(n));
    return node.op + "(" + node.parents.map(function (p) { return NODES[p].name; }).join(", ") + ")";
  }
  function shorten(s) {
    return s.length > 120 ? s.slice(0, 117) + "\u2026" : s;
  }

  function chainPanel() {
    var box = document.getElementById("vg-chain");
    box.textContent = "";
    var n;
    if (t === 0) {
      box.appendChild(el("p", "", "The inputs are set. Step forward (\u2192) to compute each value in turn."));
      return;
    }
    if (t <= NF) {
      n = OPS[t - 1];
      box.appendChild(el("p", "vg-eq", NODES[n].name + " = " + opForm(n) + " = " + fmt(current.data[n])));
      box.appendChild(el("p", "vg-hint", "forward: values are computed in topological order, inputs first."));
      return;
    }
    if (t === NF + 1) {
      box.appendChild(el("p", "vg-eq", NODES[ROOT].name + ".grad = 1 (d" + NODES[ROOT].name +
        "/d" + NODES[ROOT].name + ", the seed)"));
      box.appendChild(el("p", "vg-hint", "backward: every other grad starts at 0 and collects " +
        "\u201cupstream grad \u00d7 local derivative\u201d from each op it feeds."));
      return;
    }
    var st = stepAt(t);
    n = st.node;
    box.appendChild(el("p", "vg-hint", "The closure of " + NODES[n].name + " = " + opForm(n) + " runs:"));
    st.lines.forEach(function (ln) {
      var p = bracket(NODES[ln.to].name), out = bracket(NODES[n].name);
      var div = el("div", "vg-line");
      div.setAttribute("data-to", ln.to);
      div.setAttribute("data-up", pyRepr(ln.up));
      div.setAttribute("data-before", pyRepr(ln.before));
      div.setAttribute("data-after", pyRepr(ln.after));
      if (ln.custom) {
        div.appendChild(el("p", "vg-eq", p + ".grad: " + fmt(ln.before) + " \u2192 " + fmt(ln.after) +
          "  (custom op: the engine's closure, no formula in this page)"));
      } else {
        div.setAttribute("data-local", pyRepr(ln.local));
        div.setAttribute("data-add", pyRepr(ln.add));
        var bare = /^[\w.\u00b7-]+$/.test(ln.dmath) || /^[\w.]+\([^()]*\)$/.test(ln.dmath);
        var d = bare ? ln.dmath : "(" + ln.dmath + ")";
        div.appendChild(el("p", "vg-eq", p + ".grad += " + d + " \u00d7 " + out + ".grad = " +
          factor(ln.local) + " \u00d7 " + factor(ln.up) + " = " + fmt(ln.add)));
        if (ln.acc) {
          div.appendChild(el("p", "vg-eq vg-acc", p + ".grad = " + fmt(ln.before) + " + " +
            factor(ln.add) + " = " + fmt(ln.after) + "   (accumulated: " + p + " feeds more than one op)"));
        }
      }
      box.appendChild(div);
    });
  }

  function progressText() {
    if (t === 0) return "start: inputs only";
    if (t <= NF) return "forward step " + t + " of " + NF;
    return "backward step " + (t - NF) + " of " + (NB + 1);
  }

  function highlight() {
    clearLights();
    var n, q;
    if (t >= 1 && t <= NF) {
      n = OPS[t - 1];
      light(VIEW[n].op, "vg-active");
      light(VIEW[n].g, "vg-active");
      EDGES_IN[n].forEach(function (e) { light(e, "vg-active"); });
      NODES[n].parents.forEach(function (p) { light(VIEW[p].g, "vg-source"); });
    } else if (t === NF + 1) {
      light(VIEW[ROOT].g, "vg-active");
    } else if (t > NF + 1) {
      n = stepAt(t).node;
      light(VIEW[n].op, "vg-active");
      light(VIEW[n].g, "vg-source");
      EDGES_IN[n].forEach(function (e) { light(e, "vg-active"); });
      var ps = NODES[n].parents;
      for (q = 0; q < ps.length; q++) light(VIEW[ps[q]].g, "vg-target");
      // each edge carries its contribution back: colour by sign, width by size
      stepAt(t).lines.forEach(function (ln) {
        var e = groups["v" + ln.to + "->v" + n + "op"];
        if (!e || ln.custom) return;
        light(e, ln.add > 0 ? "vg-pos" : ln.add < 0 ? "vg-neg" : "vg-zero");
        var w = 1.5 + Math.min(4, Math.log10(1 + Math.abs(ln.add)) * 3);
        if (Number.isFinite(w)) {
          e.style.setProperty("--vg-w", w.toFixed(1));
          lit.push([e, null]);
        }
      });
    }
  }

  function scrollToActive() {
    var n = t >= 1 && t <= NF ? OPS[t - 1] : (t === NF + 1 ? ROOT : (t > NF + 1 ? stepAt(t).node : -1));
    var g = n >= 0 ? (VIEW[n].op || VIEW[n].g) : null;
    var box = document.getElementById("vg-graph");
    if (!g || !box || document.getElementById("vg-fit").checked) return;
    var r = g.getBoundingClientRect(), b = box.getBoundingClientRect();
    if (r.left < b.left || r.right > b.right) box.scrollLeft += r.left - b.left - b.width / 2 + r.width / 2;
    if (r.top < b.top || r.bottom > b.bottom) box.scrollTop += r.top - b.top - b.height / 2 + r.height / 2;
  }

  function render() {
    var err = document.getElementById("vg-error");
    if (current.error) {
      err.hidden = false;
      err.textContent = "At these inputs the forward pass fails at " + NODES[current.at].name + ": " +
        current.error;
      document.getElementById("vg-app").classList.add("vg-failed");
      return;
    }
    err.hidden = true;
    document.getElementById("vg-app").classList.remove("vg-failed");
    if (Math.abs(t - shownT) === 1) renderStep(t - shownT);
    else renderFull();
    shownT = t;
    highlight();
    chainPanel();
    document.getElementById("vg-progress").textContent = progressText();
    inspect(pinned !== null ? pinned : hovered);
    leafGrads();
    scrollToActive();
  }

  function go(tt) {
    tt = Math.max(0, Math.min(T, tt));
    if (tt === t && shownT === t) return;
    t = tt;
    render();
  }
  function play() {
    if (timer) {
      clearInterval(timer);
      timer = null;
    } else {
      if (t >= T) go(0);
      timer = setInterval(function () {
        if (t >= T) play();
        else go(t + 1);
      }, 700);
    }
    document.getElementById("vg-play").textContent = timer ? "\u2016 pause" : "\u25b6 play";
  }

  // ---- inspection ---------------------------------------------------------------------
  function known(n) {
    return !NODES[n].parents.length || OPS.indexOf(n) < t;
  }
  function gradAt(n) {
    if (t <= NF) return null;
    var v = VIEW[n].shown.grad;
    return v === null ? null : Number(v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v);
  }
  function inspect(n) {
    var box = document.getElementById("vg-inspect");
    box.textContent = "";
    if (n === null || n === undefined) {
      box.appendChild(el("p", "vg-hint", "Hover over a value or an op to see it here; click to keep it."));
      return;
    }
    var node = NODES[n];
    var dl = el("dl");
    function row(k, v, cls) {
      dl.appendChild(el("dt", "", k));
      dl.appendChild(el("dd", cls || "", v));
    }
    row("name", node.name);
    if (node.label && node.label !== node.name) row("label", node.label);
    row("op", node.parents.length ? node.name + " = " + opForm(n) : opForm(n));
    row("data", known(n) ? pyRepr(current.data[n]) : "not computed yet", "vg-num vg-i-data");
    var g = gradAt(n);
    row("grad", g === null ? "not computed yet" : pyRepr(g), "vg-num vg-i-grad");
    if (node.parents.length) {
      if (SLOTS[n] && known(n)) {
        SLOTS[n].slice(0, 12).forEach(function (s) {
          var local = NaN;
          try { local = s.d(current.data, current.data[n], 1.0); } catch (e) { /* shown as nan */ }
          row("\u2202" + node.name + "/\u2202" + NODES[s.to].name, s.dmath + " = " + fmt(local), "vg-num");
        });
      } else if (!SLOTS[n]) {
        row("local derivative", "custom op: no formula in this page");
      }
      row("inputs", listNames(node.parents));
    }
    row("consumers", CONSUMERS[n].length ? listNames(CONSUMERS[n]) : "none (the output)");
    box.appendChild(dl);
  }
  function listNames(ids) {
    var seen = [];
    ids.forEach(function (q) { if (seen.indexOf(q) < 0) seen.push(q); });
    var s = seen.slice(0, 20).map(function (q) { return NODES[q].name; }).join(", ");
    return seen.length > 20 ? s + ", \u2026 (" + seen.length + " in all)" : s;
  }
  if (svg) {
    var show = function (e) {
      var g = e.target.closest && e.target.closest("[data-vg-node]");
      if (!g) return;
      hovered = +g.getAttribute("data-vg-node");
      if (pinned === null) inspect(hovered);
    };
    svg.addEventListener("mouseover", show);
    svg.addEventListener("focusin", show); // a node reached by keyboard (Tab) shows itself
    svg.addEventListener("keydown", function (e) {
      var g = e.target.closest && e.target.closest("[data-vg-node]");
      if (!g || (e.key !== "Enter" && e.key !== " ")) return;
      e.preventDefault();
      e.stopPropagation(); // not the page's play key
      pin(e);
    });
    svg.addEventListener("click", pin);
  }
  function pin(e) {
    var g = e.target.closest && e.target.closest("[data-vg-node]");
    var n = g ? +g.getAttribute("data-vg-node") : null;
    pinned = n === pinned ? null : n;
    document.querySelectorAll(".vg-pinned").forEach(function (x) { x.classList.remove("vg-pinned"); });
    if (pinned !== null) {
      [VIEW[pinned].g, VIEW[pinned].op].forEach(function (x) {
        if (x) { frame(x); x.classList.add("vg-pinned"); }
      });
    }
    inspect(pinned !== null ? pinned : hovered);
  }

  // ---- what-if inputs -------------------------------------------------------------------
  var inputsBox = document.getElementById("vg-inputs");
  var LEAF_ROWS = [];
  var byName = LEAVES.slice().sort(function (p, q) { // w2 before w10, as a reader counts
    return NODES[p].name.localeCompare(NODES[q].name, "en", {numeric: true}) || p - q;
  });
  byName.forEach(function (l) {
    var x0 = NODES[l].data;
    var mid = Number.isFinite(x0) ? x0 : 0;
    var span = Math.max(1, Math.abs(mid));
    var rowEl = el("div", "vg-leaf");
    rowEl.setAttribute("data-leaf", l);
    var name = el("span", "vg-leaf-name", NODES[l].name);
    var range = el("input");
    range.type = "range";
    range.min = mid - 2 * span;
    range.max = mid + 2 * span;
    range.step = "any";
    range.value = mid;
    range.setAttribute("aria-label", NODES[l].name + " slider");
    var box = el("input", "vg-leaf-box");
    box.type = "text";
    box.inputMode = "decimal";
    box.value = pyRepr(x0);
    box.setAttribute("aria-label", NODES[l].name + " value");
    var grad = el("span", "vg-leaf-grad vg-num", "");
    rowEl.appendChild(name);
    rowEl.appendChild(range);
    rowEl.appendChild(box);
    rowEl.appendChild(grad);
    var nudge = el("div", "vg-nudge vg-num", "");
    nudge.hidden = true;
    rowEl.appendChild(nudge);
    if (!slidersOn) {
      range.disabled = true;
      box.disabled = true;
    }
    range.addEventListener("input", function () {
      box.value = pyRepr(Number(range.value));
      box.classList.remove("vg-bad");
      scheduleRecompute();
    });
    box.addEventListener("change", function () {
      var x = Number(box.value.trim().replace(/^(-?)inf$/i, "$1Infinity"));
      if (box.value.trim().toLowerCase() === "nan") x = NaN;
      box.classList.toggle("vg-bad", box.value.trim() === "" || (Number.isNaN(x) && box.value.trim().toLowerCase() !== "nan"));
      var why = box.classList.contains("vg-bad") ? NODES[l].name + ": \u201c" + box.value.trim() +
        "\u201d is not a number (type e.g. 2.5, -1e-3, inf or nan); the page keeps the last good one" : "";
      box.title = why;
      box.setAttribute("aria-invalid", why ? "true" : "false");
      var nb = document.getElementById("vg-slider-note");
      if (why || nb.getAttribute("data-why")) {
        nb.hidden = !why && !note;
        nb.textContent = why || note || "";
        if (why) nb.setAttribute("data-why", "1"); else nb.removeAttribute("data-why");
      }
      if (why) return;
      if (Number.isFinite(x)) range.value = x;
      recompute();
    });
    LEAF_ROWS.push({leaf: l, range: range, box: box, grad: grad, nudge: nudge, value: function () {
      var s = box.value.trim().toLowerCase();
      if (s === "nan") return NaN;
      return Number(s.replace(/^(-?)inf$/, "$1Infinity"));
    }});
    inputsBox.appendChild(rowEl);
  });
  function leafGrads() {
    LEAF_ROWS.forEach(function (r) {
      var g = gradAt(r.leaf);
      var text = g === null ? "grad \u00b7" : "grad " + fmt(g);
      if (r.grad.textContent !== text) r.grad.textContent = text;
      var full = g === null ? "" : pyRepr(g);
      if (r.grad.title !== full) r.grad.title = full;
    });
  }
  var pending = false;
  function scheduleRecompute() { // a dragged slider redraws at most once a frame
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () {
      pending = false;
      recompute();
    });
  }
  LEAF_ROWS.sort(function (p, q) { return LEAVES.indexOf(p.leaf) - LEAVES.indexOf(q.leaf); });
  function recompute() {
    if (!slidersOn) return;
    current = run(LEAF_ROWS.map(function (r) { return r.value(); })); // in LEAVES order
    shownT = -10;
    render();
    nudges();
  }
  // The derivative as a rate: with one input moved by h from where the engine ran, the
  // output moves by Δ, close to grad·h for a small h.
  function nudges() {
    var moved = LEAF_ROWS.filter(function (r) { return !same(r.value(), NODES[r.leaf].data); });
    LEAF_ROWS.forEach(function (r) {
      var text = "";
      if (moved.length === 1 && moved[0] === r && !current.error) {
        var h = r.value() - NODES[r.leaf].data;
        var out = NODES[ROOT].name;
        text = "moved by h = " + fmt(h) + ": \u0394" + out + " = " +
          fmt(current.data[ROOT] - recorded.data[ROOT]) + ", grad\u00b7h = " +
          fmt(recorded.grad[r.leaf] * h);
      }
      r.nudge.textContent = text;
      r.nudge.hidden = !text;
    });
  }
  if (note) {
    var nb = document.getElementById("vg-slider-note");
    nb.hidden = false;
    nb.textContent = note;
  }
  document.getElementById("vg-reset-inputs").disabled = !slidersOn;
  document.getElementById("vg-reset-inputs").addEventListener("click", function () {
    LEAF_ROWS.forEach(function (r) {
      r.box.value = pyRepr(NODES[r.leaf].data);
      r.box.classList.remove("vg-bad");
      if (Number.isFinite(NODES[r.leaf].data)) r.range.value = NODES[r.leaf].data;
    });
    current = recorded;
    shownT = -10;
    render();
    nudges();
  });

  // ---- controls ---------------------------------------------------------------------------
  document.getElementById("vg-home").addEventListener("click", function () { go(0); });
  document.getElementById("vg-prev").addEventListener("click", function () { go(t - 1); });
  document.getElementById("vg-next").addEventListener("click", function () { go(t + 1); });
  document.getElementById("vg-end").addEventListener("click", function () { go(T); });
  document.getElementById("vg-play").addEventListener("click", play);
  document.getElementById("vg-fit").addEventListener("change", function (e) {
    document.getElementById("vg-graph").classList.toggle("vg-fitted", e.target.checked);
  });
  document.addEventListener("keydown", function (e) {
    var tag = e.target && e.target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === "ArrowRight") go(t + 1);
    else if (e.key === "ArrowLeft") go(t - 1);
    else if (e.key === "Home") go(0);
    else if (e.key === "End") go(T);
    else if (e.key === " " || e.key === "Spacebar") {
      if (tag === "BUTTON") return; // the button's own click
      play();
    } else return;
    e.preventDefault();
  });

  // the graph box is as tall as the drawing while that leaves the bar and a little of
  // the panels in view; a graph a little wider than the page is scaled to fit; a much
  // bigger one scrolls, and opens on its output
  (function () {
    var box = document.getElementById("vg-graph");
    if (!svg || !box.clientWidth) return;
    var tall = svg.getBoundingClientRect().height + 24;
    var room = Math.max(0.58 * window.innerHeight, window.innerHeight - 200);
    box.style.maxHeight = Math.min(tall, room) + "px";
    var w = svg.getBoundingClientRect().width;
    if (w > box.clientWidth && box.clientWidth / w >= 0.55) {
      document.getElementById("vg-fit").checked = true;
      box.classList.add("vg-fitted");
    }
    var out = VIEW[ROOT].g;
    if (out && !box.classList.contains("vg-fitted")) {
      var r = out.getBoundingClientRect(), b = box.getBoundingClientRect();
      box.scrollLeft += r.left - b.left - b.width / 2 + r.width / 2;
      box.scrollTop += r.top - b.top - b.height / 2 + r.height / 2;
    }
  })();

  // for tests and the curious: read-only views of the state
  window.valuegradExplorer = {
    get t() { return t; },
    T: T,
    forwardSteps: NF,
    backwardSteps: NB + 1,
    get slidersOn() { return slidersOn; },
    get error() { return current.error || null; },
    go: go,
    format: fmt,
    get running() { return t > NF + 1 ? stepAt(t).node : null; }, // the op whose closure runs
    changed: function (tt) { // the nodes whose drawn numbers step tt sets
      if (tt <= 0 || tt > T) return [];
      if (tt <= NF) return [OPS[tt - 1]];
      if (tt === NF + 1) return NODES.map(function (nd, q) { return q; });
      return current.steps[tt - NF - 2].lines.map(function (ln) { return ln.to; });
    }
  };
  render();
})();
