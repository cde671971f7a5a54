/* valuegrad explorer, update.js: The update step, the last part of the lecture's training loop:
 * after backward, p.data -= lr * p.grad for each parameter (DATA.update, chosen as
 * explorer.explore says), then forward and backward again at the new numbers (the page's
 * evaluator, generated from the op table), and the output (the loss) after each update.
 * A part of one function scope: explorer.py joins autograd/js/*.js in the order of
 * explorer.JS_FILES inside `(function () { "use strict"; ... })();`. */
  // ---- the update step -------------------------------------------------------------------
  var UPD = DATA.update || {params: [], how: "none", cut: false};
  var everyLeaf = false; // offered where no leaf is a parameter
  var losses = [recorded.data[ROOT]]; // the output after 0, 1, 2, ... updates
  var lrBox = document.getElementById("vg-lr");
  var updButton = document.getElementById("vg-update");
  var updWhy = document.getElementById("vg-update-why");
  var lossBox = document.getElementById("vg-losses");
  var FREE = LEAVES.filter(function (l) { return !NODES[l].cut; }); // leaves of the engine's graph

  function paramsNow() { return everyLeaf ? FREE : UPD.params; }
  function readLr() { // a positive number, or the reason it is not one
    var s = lrBox.value.trim(), x = Number(s);
    if (s === "" || !Number.isFinite(x) || !(x > 0)) {
      return {why: "lr: \u201c" + s + "\u201d is not a positive number (the step is p.data -= lr * p.grad)"};
    }
    return {lr: x};
  }
  var offNote = UPD.cut
    ? "No update step on this page: it shows only the last ops (depth=), and the values cut off " +
      "there depend on parameters above them. Explore without depth= to take update steps."
    : !slidersOn ? "No update step: it recomputes the graph with the page's evaluator, which is off here." : null;
  (function () {
    var names = function (ids) {
      ids = byName.filter(function (l) { return ids.indexOf(l) >= 0; }); // as the inputs list them
      var s = ids.slice(0, 12).map(function (q) { return NODES[q].name; }).join(", ");
      return ids.length > 12 ? s + ", \u2026 (" + ids.length + " in all)" : s;
    };
    var p = document.getElementById("vg-update-params");
    var noteBox = document.getElementById("vg-update-note");
    if (offNote) {
      noteBox.hidden = false;
      noteBox.textContent = offNote;
      lossBox.hidden = true;
      return;
    }
    if (UPD.how !== "none") {
      p.title = inFull(UPD.params);
      p.textContent = "updates " + names(UPD.params) + (UPD.how === "given"
        ? " (the params= given)" : " (named as nn names parameters; explore(..., params=[...]) chooses others)");
      return;
    }
    noteBox.hidden = false;
    noteBox.textContent = "No leaf is marked as a parameter: no explore(root, params=...) was given " +
      "and no leaf is labelled as nn labels weights (w0, b, L0.N1.w0). ";
    var box = el("input");
    box.type = "checkbox";
    box.id = "vg-every-leaf";
    var lab = el("label", "", " update every leaf (" + names(FREE) + ")");
    lab.title = inFull(FREE);
    lab.insertBefore(box, lab.firstChild);
    noteBox.appendChild(lab);
    box.addEventListener("change", function () {
      everyLeaf = box.checked;
      updatePanel();
    });
  })();

  function whyNoUpdate() { // null when the update step can run now
    if (offNote) return "off";
    if (!paramsNow().length) return "no parameters";
    var r = readLr();
    if (r.why) return r.why;
    if (current.error) return "the forward pass fails at these inputs";
    if (t !== T) return "step backward to the end first (End): the update needs every grad";
    return null;
  }
  function updatePanel() {
    var why = whyNoUpdate();
    updButton.disabled = why !== null;
    updWhy.textContent = why === null || why === "off" ? "" : why;
    var bad = !!readLr().why;
    lrBox.classList.toggle("vg-bad", bad);
    lrBox.setAttribute("aria-invalid", bad ? "true" : "false");
  }
  function update() {
    if (whyNoUpdate() !== null) return;
    var lr = readLr().lr, ps = paramsNow();
    var x = LEAF_ROWS.map(function (r) { return current.data[r.leaf]; }); // in LEAVES order
    LEAF_ROWS.forEach(function (r, q) {
      if (ps.indexOf(r.leaf) < 0) return;
      x[q] = x[q] - lr * current.grad[r.leaf]; // p.data -= lr * p.grad
      r.box.value = pyRepr(x[q]);
      r.box.classList.remove("vg-bad");
      if (Number.isFinite(x[q])) r.range.value = x[q];
    });
    current = run(x); // grads from zero: forward, then backward, at the new numbers
    losses.push(current.error ? NaN : current.data[ROOT]);
    t = T;
    shownT = -10;
    render();
    nudges();
    showLosses();
  }
  function restartLosses() { // an input moved by hand: a new run of updates starts here
    losses = [current.error ? NaN : current.data[ROOT]];
    showLosses();
  }
  var SPARK = {w: 220, h: 40};
  function showLosses() {
    lossBox.textContent = "";
    var head = el("p", "vg-hint", NODES[ROOT].name + " after each update:");
    lossBox.appendChild(head);
    var list = el("ol", "vg-losses vg-num");
    list.start = 0;
    losses.forEach(function (x, k) {
      var li = el("li");
      li.appendChild(el("span", "vg-hint", k + ":\u00a0"));
      li.appendChild(el("span", "vg-loss", fmt(x)));
      li.setAttribute("data-value", pyRepr(x));
      li.title = "after " + k + " update" + (k === 1 ? "" : "s") + ": " + pyRepr(x);
      list.appendChild(li);
    });
    lossBox.appendChild(list);
    var ok = losses.filter(function (x) { return Number.isFinite(x); });
    if (ok.length < 2) return;
    var lo = Math.min.apply(null, ok), hi = Math.max.apply(null, ok), span = hi - lo || 1;
    var pts = [];
    losses.forEach(function (x, k) {
      if (!Number.isFinite(x)) return;
      pts.push((4 + k * (SPARK.w - 8) / (losses.length - 1)).toFixed(1) + "," +
        (SPARK.h - 4 - (x - lo) / span * (SPARK.h - 8)).toFixed(1));
    });
    var s = document.createElementNS(HL_NS, "svg");
    s.setAttribute("class", "vg-spark");
    s.setAttribute("width", SPARK.w);
    s.setAttribute("height", SPARK.h);
    s.setAttribute("role", "img");
    s.setAttribute("aria-label", NODES[ROOT].name + " per update, from " + fmt(losses[0]) +
      " to " + fmt(losses[losses.length - 1]));
    var line = document.createElementNS(HL_NS, "polyline");
    line.setAttribute("points", pts.join(" "));
    s.appendChild(line);
    lossBox.appendChild(s);
  }
  updButton.addEventListener("click", update);
  lrBox.addEventListener("input", updatePanel);
  showLosses();
