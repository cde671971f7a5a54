/* valuegrad explorer, evaluator.js: The evaluator: the functions the op table's formulas call (F, mirroring
 * autograd/opspec.FUNCTIONS and autograd/domain.py), the graph from #vg-data, and run():
 * every value and every backward step, computed by VG_RULES (generated from the op table
 * by explorer.rules_js) or taken from the engine's recorded trace; selfCheck().
 * A part of one function scope: explorer.py joins autograd/js/*.js in the order of
 * explorer.JS_FILES inside `(function () { "use strict"; ... })();`. */
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
    log1p: function (x) {
      if (!(x > -1) && !Number.isNaN(x)) {
        throw PyError("ValueError", "log1p() of " + pyRepr(x) +
          " is undefined (log1p needs a number > -1)");
      }
      return Math.log1p(x);
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
    NODES[i].full = NODES[i].name; // shown where a name stands alone, and in tooltips
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

  // A tooltip naming in full the values among `ids` whose names are cut short ("" if none).
  function inFull(ids) {
    var seen = [];
    ids.forEach(function (q) {
      if (NODES[q].full !== NODES[q].name && seen.indexOf(q) < 0) seen.push(q);
    });
    return seen.map(function (q) { return NODES[q].name + " is " + NODES[q].full; }).join("\n");
  }
  // A composite name (x1*w1 + x2*w2) in brackets where it meets other text: (x1*w1).grad.
  function bracket(name) {
    // a name, or a call such as relu(v302), reads as one thing already
    return /^[\w.#]+$/.test(name) || /^[\w.]+\([^()]*\)$/.test(name) ? name : "(" + name + ")";
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
