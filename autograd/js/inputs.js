/* valuegrad explorer, inputs.js: What if?: a slider and a box per input, recomputing both passes in the page, and the
 * nudge readout (the output's change beside grad·h).
 * A part of one function scope: explorer.py joins autograd/js/*.js in the order of
 * explorer.JS_FILES inside `(function () { "use strict"; ... })();`. */
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
    var name = el("span", "vg-leaf-name", NODES[l].full); // an ellipsis where it is too long
    name.title = NODES[l].full;
    var range = el("input");
    range.type = "range";
    range.min = mid - 2 * span;
    range.max = mid + 2 * span;
    range.step = "any";
    range.value = mid;
    range.setAttribute("aria-label", NODES[l].full + " slider");
    var box = el("input", "vg-leaf-box");
    box.type = "text";
    box.inputMode = "decimal";
    box.value = pyRepr(x0);
    box.setAttribute("aria-label", NODES[l].full + " value");
    var grad = el("span", "vg-leaf-grad vg-num", "");
    grad.style.minWidth = ("grad ".length + (DATA.number_width || 10)) + "ch"; // no row moves
    rowEl.appendChild(name);
    rowEl.appendChild(range);
    rowEl.appendChild(box);
    rowEl.appendChild(grad);
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
    LEAF_ROWS.push({leaf: l, range: range, box: box, grad: grad, value: function () {
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
    restartLosses();
  }
  // The derivative as a rate: with one input moved by h from where the engine ran, the
  // output moves by Δ, close to grad·h for a small h.
  // One line under the inputs, its height kept, so no row moves as it changes.
  var nudgeLine = el("div", "vg-nudge vg-num", "\u00a0");
  nudgeLine.id = "vg-nudge";
  inputsBox.parentNode.insertBefore(nudgeLine, inputsBox.nextSibling);
  function nudges() {
    var moved = LEAF_ROWS.filter(function (r) { return !same(r.value(), NODES[r.leaf].data); });
    var text = "\u00a0";
    if (moved.length === 1 && !current.error) {
      var r = moved[0], h = r.value() - NODES[r.leaf].data;
      text = NODES[r.leaf].name + " moved by h = " + fmt(h) + ": \u0394" + NODES[ROOT].name +
        " = " + fmt(current.data[ROOT] - recorded.data[ROOT]) + ", grad\u00b7h = " +
        fmt(recorded.grad[r.leaf] * h);
    }
    nudgeLine.textContent = text;
    nudgeLine.title = text;
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
    restartLosses();
  });
