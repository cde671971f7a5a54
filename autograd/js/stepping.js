/* valuegrad explorer, stepping.js: Stepping: the state (t), drawing each state's numbers, the chain-rule panel, the
 * progress text, highlights (edges coloured by the gradient they carry back), scrolling.
 * A part of one function scope: explorer.py joins autograd/js/*.js in the order of
 * explorer.JS_FILES inside `(function () { "use strict"; ... })();`. */
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
    if (!node.parents.length) {
      return paramsNow().indexOf(n) >= 0 ? "a leaf, a parameter (the update step changes it)" : "a leaf";
    }
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
    var spec = node.rule && DATA.specs[node.rule];
    if (spec && /^[^()\s]+\(a\)$/.test(spec.math)) { // tanh(a): its own brackets hold any name
      return spec.math.slice(0, -2) + NODES[node.parents[0]].name + ")";
    }
    if (spec) return subst(spec.math, namesOf(n));
    return node.op + "(" + node.parents.map(function (p) { return NODES[p].name; }).join(", ") + ")";
  }
  function shorten(s) {
    return s.length > 120 ? s.slice(0, 117) + "\u2026" : s;
  }

  function chainPanel() {
    var box = document.getElementById("vg-chain");
    box.textContent = "";
    var n = t >= 1 && t <= NF ? OPS[t - 1] : t > NF + 1 ? stepAt(t).node : ROOT;
    box.title = inFull([n, ROOT].concat(NODES[n].parents)); // names cut short, in full
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

  function progressText(tt) {
    if (tt === 0) return "start: inputs only";
    if (tt <= NF) return "forward step " + tt + " of " + NF;
    return "backward step " + (tt - NF) + " of " + (NB + 1);
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
    if (!g || !box) return;
    var r = g.getBoundingClientRect(), b = box.getBoundingClientRect();
    if (r.left < b.left || r.right > b.right) box.scrollLeft += r.left - b.left - b.width / 2 + r.width / 2;
    if (r.top < b.top || r.bottom > b.bottom) box.scrollTop += r.top - b.top - b.height / 2 + r.height / 2;
  }

  function render() {
    updatePanel();
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
    document.getElementById("vg-progress").textContent = progressText(t);
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
