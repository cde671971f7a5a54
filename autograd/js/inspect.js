/* valuegrad explorer, inspect.js: The Node panel: hover, keyboard focus or click a node to see its numbers and local
 * derivatives.
 * A part of one function scope: explorer.py joins autograd/js/*.js in the order of
 * explorer.JS_FILES inside `(function () { "use strict"; ... })();`. */
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
    box.title = "";
    if (n === null || n === undefined) {
      box.appendChild(el("p", "vg-hint", "Hover over a value or an op to see it here; click to keep it."));
      return;
    }
    var node = NODES[n];
    box.title = inFull(node.parents.concat(CONSUMERS[n])); // names cut short, in full
    var dl = el("dl");
    function row(k, v, cls) {
      dl.appendChild(el("dt", "", k));
      dl.appendChild(el("dd", cls || "", v));
    }
    row("name", node.full);
    if (node.label && node.label !== node.full) row("label", node.label);
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
