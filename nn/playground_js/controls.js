// controls.js: the page's state, the training loop and every control (mouse and keyboard).
(function () {
  var cfg = JSON.parse(document.getElementById("pg-config").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var S = {
    loss: cfg.loss, lr: cfg.lr, l2: cfg.l2, batch: cfg.batch, seed: cfg.seed, noise: cfg.noise,
    dataset: cfg.data ? "yours" : cfg.dataset, step: 0, hist: [], playing: false, sample: 0,
    sizes: cfg.model.sizes.slice(), acts: cfg.model.acts.slice(), initial: cfg.model.params.slice(),
    fromPython: true, split: 0, splitShare: 0.5
  };
  window.PG = S; // for tests and the curious: PG.run(n), PG.params()

  function loadData() {
    var d;
    if (S.dataset === "yours") {
      d = cfg.data;
      S.split = d.split;
      S.splitShare = d.split / d.X.length;
    } else {
      d = PG_CURVES[S.dataset] ? pgCurveDataset(S.dataset, cfg.n, S.noise, S.seed)
        : pgDataset(S.dataset, cfg.n, S.noise, S.seed);
      S.split = Math.max(1, Math.round(d.X.length * S.splitShare));
    }
    S.X = d.X; S.cls = d.y;
    if (S.sample >= S.X.length) S.sample = 0;
    S.extent = pgExtent(S.X);
    newOrder();
  }
  function newOrder() {
    S.order = S.fromPython && cfg.order && S.dataset === "yours" && cfg.data.split === S.split
      ? cfg.order.slice() : pgShuffle(S.split, pgRandom(S.seed + 1));
  }
  function targets() {
    var info = PG_LOSS_INFO[S.loss];
    S.T = S.cls.map(info.target);
  }
  function randomWeights() { // as nn.MLP: weights uniform(-1, 1), biases 0
    var rand = pgRandom(S.seed * 7919 + 17), ps = [];
    for (var l = 1; l < S.sizes.length; l++) {
      for (var j = 0; j < S.sizes[l]; j++) {
        for (var i = 0; i < S.sizes[l - 1]; i++) ps.push(rand() * 2 - 1);
        ps.push(0.0);
      }
    }
    return ps;
  }
  function build(params) {
    S.hover = null;
    S.model = pgModel({ sizes: S.sizes, acts: S.acts, params: params });
    S.step = 0; S.hist = []; S.error = null; S.G = null;
    $("pg-error").hidden = true;
    targets();
    record(evaluate(0, S.split), evaluate(S.split, S.X.length));
  }

  // the mean loss over points [a, b) at the current weights (the loss function itself)
  function evaluate(a, b) {
    if (b <= a) return NaN;
    var outs = [], ts = [];
    for (var i = a; i < b; i++) { outs.push(pgForward(S.model, S.X[i], null)); ts.push(S.T[i]); }
    return PG_LOSSES[S.loss](outs, ts).data;
  }
  function accuracy() {
    var ok = 0, info = PG_LOSS_INFO[S.loss], n = S.X.length - S.split, a = S.split;
    if (n === 0) { a = 0; n = S.split; }
    for (var i = a; i < a + n; i++) ok += (pgPredict(S.model, S.X[i]) > info.threshold ? 1 : 0) === S.cls[i] ? 1 : 0;
    return ok / n;
  }
  function record(train, test) {
    S.hist.push({ step: S.step, train: train, test: test, acc: accuracy() });
  }

  function batchAt(k) {
    var B = Math.min(S.batch || S.split, S.split), n = S.split, out = [];
    for (var j = 0; j < B; j++) out.push(S.order[(k * B + j) % n]);
    return out;
  }
  function stop(msg) {
    S.playing = false; S.error = msg;
    $("pg-error").textContent = msg; $("pg-error").hidden = false;
    $("pg-play").textContent = "\u25B6 play";
  }
  // one training step; false when training stopped (a non-finite loss or weight)
  function step() {
    if (S.error) return false;
    var r = pgStep(S.model, S.X, S.T, batchAt(S.step), S.loss, S.lr, S.l2);
    if (r.bad || !Number.isFinite(r.loss)) {
      var op = r.bad ? r.bad.op.split("|")[0] : "?";
      stop("step " + (S.step + 1) + ": the loss is " + pgFmt(r.loss) + "; the first op to give a non-finite value was " +
        op + " (" + pgFmt(r.bad ? r.bad.data : r.loss) + " from inputs " +
        (r.bad ? r.bad.prev.slice(0, 4).map(function (p) { return pgFmt(p.data); }).join(", ") +
          (r.bad.prev.length > 4 ? ", \u2026 (" + r.bad.prev.length + " in all)" : "") : "") +
        "). Training stopped: lower the learning rate and reset.");
      return false;
    }
    S.step += 1;
    var bad = pgParams(S.model).find(function (p) { return !Number.isFinite(p.data); });
    if (bad) {
      stop("step " + S.step + ": weight " + bad.label + " became " + pgFmt(bad.data) +
        " (w -= lr\u00B7grad overflowed). Training stopped: lower the learning rate and reset.");
      return false;
    }
    var B = Math.min(S.batch || S.split, S.split);
    record(B === S.split ? r.loss : evaluate(0, S.split), evaluate(S.split, S.X.length));
    return true;
  }
  S.run = function (n) { for (var i = 0; i < n && step(); i++); render(); return S.step; };
  S.params = function () { return pgParams(S.model).map(function (p) { return p.data; }); };

  // -- drawing ------------------------------------------------------------------------------
  S.frames = 0;
  function render() {
    S.frames += 1;
    var h = S.hist[S.hist.length - 1];
    $("pg-epoch").textContent = S.step;
    $("pg-train-loss").textContent = h ? pgFmt(h.train, 3) : "-";
    $("pg-test-loss").textContent = h && Number.isFinite(h.test) ? pgFmt(h.test, 3) : "-";
    $("pg-acc").textContent = h ? (100 * h.acc).toFixed(1) + "%" : "-";
    pgDrawPlane($("pg-plane"), S);
    pgDrawCurve($("pg-curve"), S.hist);
    var keep = [];
    pgForward(S.model, S.X[S.sample], keep);
    var acts = [S.X[S.sample]].concat(keep.map(function (o) { return o.map(function (v) { return v.data; }); }));
    pgDrawNet($("pg-net"), S, acts, showWeight);
    drawLayers();
    if (S.hover && document.activeElement.tagName !== "INPUT") showWeight.apply(null, S.hover); // live while it rests there
    if (S.G) sampleView();
  }
  function showWeight(w, l, j, i, edit) {
    w = S.model.layers[l].neurons[j].w[i]; // the current model's (after a reset or rebuild)
    S.hover = [w, l, j, i];
    var n = S.model.layers[l].neurons[j], keep = [];
    pgForward(S.model, S.X[S.sample], keep);
    var xin = l === 0 ? S.X[S.sample][i] : keep[l - 1][i].data, box = $("pg-weight");
    box.textContent = w.label + " = " + pgFmt(w.data, 6) + ": neuron " + j + " of layer " + (l + 1) +
      " computes z = b + \u03A3 w\u00B7x = " + pgFmt(n.b.data) + " + \u2026 + " + pgFmt(w.data) + "\u00B7" + pgFmt(xin) +
      " + \u2026 = " + pgFmt(keep[l][j].data) + " on the chosen point; grad of the last step " + pgFmt(w.grad, 6) + ". ";
    var inp = document.createElement("input");
    inp.type = "number"; inp.step = "any"; inp.value = String(w.data);
    inp.setAttribute("aria-label", "set " + w.label);
    inp.addEventListener("change", function () {
      var v = parseFloat(inp.value);
      if (Number.isFinite(v)) { w.data = v; S.hist.push({ step: S.step, train: evaluate(0, S.split), test: evaluate(S.split, S.X.length), acc: accuracy() }); render(); }
    });
    var lab = document.createElement("label");
    lab.textContent = "set by hand: "; lab.appendChild(inp); box.appendChild(lab);
    if (edit) inp.focus();
  }
  function drawLayers() {
    var box = $("pg-layers");
    box.textContent = "";
    var add = function (text, title, fn) {
      var b = document.createElement("button"); b.type = "button"; b.textContent = text; b.title = title;
      b.setAttribute("aria-label", title); b.addEventListener("click", fn); return b;
    };
    box.appendChild(add("+ layer", "add a hidden layer", function () {
      S.sizes.splice(S.sizes.length - 1, 0, 4); S.acts.splice(S.acts.length - 1, 0, "tanh"); rebuild();
    }));
    for (var l = 1; l < S.sizes.length; l++) {
      (function (l) {
        var d = document.createElement("span"); d.className = "pg-layer";
        var out = l === S.sizes.length - 1;
        d.appendChild(document.createTextNode(out ? "output " : "layer " + l + ": " + S.sizes[l] + " "));
        if (!out) {
          d.appendChild(add("+", "one more neuron in layer " + l, function () { if (S.sizes[l] < 8) { S.sizes[l]++; rebuild(); } }));
          d.appendChild(add("\u2212", "one neuron less in layer " + l, function () {
            if (S.sizes[l] > 1) { S.sizes[l]--; } else { S.sizes.splice(l, 1); S.acts.splice(l - 1, 1); }
            rebuild();
          }));
        }
        var sel = document.createElement("select");
        sel.setAttribute("aria-label", "activation of layer " + l);
        ["relu", "tanh", "sigmoid", "linear"].forEach(function (a) { sel.add(new Option(a, a, false, a === S.acts[l - 1])); });
        sel.addEventListener("change", function () { S.acts[l - 1] = sel.value; rebuildSame(); });
        d.appendChild(sel);
        box.appendChild(d);
      })(l);
    }
  }
  function rebuild() { S.fromPython = false; S.initial = randomWeights(); build(S.initial); render(); }
  function rebuildSame() { build(S.initial); render(); }

  // -- the sample view --------------------------------------------------------------------------
  function sampleView() {
    S.G = pgSampleGraph(S, S.sample);
    var total = S.G.topo.length + S.G.back.length;
    S.at = Math.max(0, Math.min(S.at || 0, total));
    $("pg-sample-name").textContent = "(point " + S.sample + ": x = " + pgFmt(S.X[S.sample][0]) + ", " +
      pgFmt(S.X[S.sample][1]) + "; class " + S.cls[S.sample] + (S.sample >= S.split ? ", test" : ", train") + ")";
    pgDrawSample($("pg-s-graph"), S.G, S.at);
    $("pg-s-chain").textContent = pgChainText(S.G, S.at);
    $("pg-s-progress").textContent = "step " + S.at + " of " + total;
  }
  function pick(i) { S.sample = i; S.at = 0; S.G = {}; render(); }
  $("pg-plane").addEventListener("click", function (e) {
    var box = e.target.getBoundingClientRect(), E = S.extent;
    var x = E.x0 + (e.clientX - box.left) / box.width * (E.x1 - E.x0), y = E.y1 - (e.clientY - box.top) / box.height * (E.y1 - E.y0);
    var best = 0, bd = Infinity;
    S.X.forEach(function (p, i) { var d = (p[0] - x) * (p[0] - x) + (p[1] - y) * (p[1] - y); if (d < bd) { bd = d; best = i; } });
    pick(best);
  });
  $("pg-plane").addEventListener("keydown", function (e) {
    if (e.key === "ArrowRight" || e.key === "ArrowDown") { pick((S.sample + 1) % S.X.length); e.preventDefault(); }
    if (e.key === "ArrowLeft" || e.key === "ArrowUp") { pick((S.sample + S.X.length - 1) % S.X.length); e.preventDefault(); }
    if (e.key === "Enter") pick(S.sample);
  });
  $("pg-s-next").addEventListener("click", function () { if (!S.G) S.G = {}; S.at = (S.at || 0) + 1; render(); });
  $("pg-s-prev").addEventListener("click", function () { if (!S.G) S.G = {}; S.at = Math.max(0, (S.at || 0) - 1); render(); });
  $("pg-s-sgd").addEventListener("click", function () {
    var before = S.params(), ps = pgParams(S.model);
    if (!step()) { render(); return; }
    var lr = S.lr;
    pgSgdTable($("pg-s-update"), ps.map(function (p, k) { return [p.label, before[k], p.grad + (S.l2 ? S.l2 * before[k] : 0), p.data]; }), lr);
    S.G = S.G || {}; render();
  });

  // -- controls ---------------------------------------------------------------------------------
  function play() {
    S.playing = !S.playing && !S.error;
    $("pg-play").textContent = S.playing ? "\u275A\u275A pause" : "\u25B6 play";
    if (S.playing) requestAnimationFrame(loop);
  }
  var lastDraw = 0;
  function loop(now) {
    if (!S.playing) return;
    var t0 = performance.now();
    while (performance.now() - t0 < 12) { if (!step()) break; } // a time budget: huge rates cannot hang the page
    if (now - lastDraw > 60 || !S.playing) { render(); lastDraw = now; }
    if (S.playing) requestAnimationFrame(loop);
  }
  $("pg-play").addEventListener("click", play);
  $("pg-step").addEventListener("click", function () { step(); render(); });
  $("pg-reset").addEventListener("click", function () { S.playing = false; $("pg-play").textContent = "\u25B6 play"; newOrder(); build(S.initial); render(); });
  $("pg-new").addEventListener("click", function () { S.seed += 1; rebuild(); });
  document.addEventListener("keydown", function (e) {
    var tag = e.target.tagName;
    if (tag === "INPUT" || tag === "SELECT" || tag === "BUTTON") return;
    if (e.key === " ") { play(); e.preventDefault(); }
    else if (e.key === "s") { step(); render(); }
    else if (e.key === "r") $("pg-reset").click();
  });

  loadData();
  function setting(id, key, parse, after) {
    var el = $(id);
    el.value = S[key] === null ? "" : S[key];
    el.addEventListener("change", function () {
      var v = parse(el.value);
      if (v === null) { el.value = S[key] === null ? "" : S[key]; return; }
      S[key] = v; if (after) after();
      render();
    });
  }
  var nonneg = function (s) { var v = parseFloat(s); return Number.isFinite(v) && v >= 0 ? v : null; };
  setting("pg-lr", "lr", nonneg);
  setting("pg-l2", "l2", nonneg);
  setting("pg-batch", "batch", function (s) { var v = parseInt(s, 10); return v >= 1 ? v : null; });
  var ds = $("pg-dataset");
  (cfg.data ? ["yours"] : []).concat(["moons", "circles", "xor", "spiral", "gauss", "sin", "parabola", "line"]).forEach(function (d) {
    ds.add(new Option(d === "yours" ? "your X, y" : d, d, false, d === S.dataset));
  });
  ds.addEventListener("change", function () {
    if (S.dataset === "yours" && ds.value !== "yours") { S.splitShare = 0.5; $("pg-split").value = 0.5; $("pg-split-out").textContent = 0.5; }
    S.dataset = ds.value; loadData(); // back on "yours", the batches are Python's again
    build(S.initial); render();
  });
  var ls = $("pg-loss");
  Object.keys(PG_LOSSES).forEach(function (l) { ls.add(new Option(l, l, false, l === S.loss)); });
  ls.addEventListener("change", function () {
    S.loss = ls.value;
    var out = PG_LOSS_INFO[S.loss].out || (S.acts[S.acts.length - 1] === "sigmoid" ? "linear" : null);
    if (out) S.acts[S.acts.length - 1] = out;
    build(S.initial); render();
  });
  function slider(id, key, after) {
    var el = $(id), out = $(id + "-out");
    el.value = S[key]; out.textContent = (+S[key]).toFixed(2);
    el.addEventListener("input", function () { S[key] = parseFloat(el.value); out.textContent = S[key].toFixed(2); after(); });
  }
  slider("pg-noise", "noise", function () { if (S.dataset !== "yours") { loadData(); build(S.initial); render(); } });
  slider("pg-split", "splitShare", function () {
    if (S.dataset === "yours") { S.split = Math.max(1, Math.round(cfg.data.X.length * S.splitShare)); S.extent = pgExtent(S.X); }
    else S.split = Math.max(1, Math.round(S.X.length * S.splitShare));
    newOrder(); build(S.initial); render();
  });

  // -- export -----------------------------------------------------------------------------------
  function download(name, text, type) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([text], { type: type }));
    a.download = name; document.body.appendChild(a); a.click(); a.remove();
  }
  S.modelJSON = function () { // nn.save's format: nn.load reads it
    var layers = S.model.layers.map(function (L) {
      return { type: "Layer", neurons: L.neurons.map(function (n) { return { type: "Neuron", nin: n.w.length, activation: L.act }; }) };
    });
    var ps = pgParams(S.model);
    return JSON.stringify({ format: "valuegrad-module", version: 1, architecture: { type: "MLP", layers: layers },
      parameters: ps.map(function (p) { return p.data; }), labels: ps.map(function (p) { return p.label; }) }, null, 1) + "\n";
  };
  S.modelPython = function () { // a script that rebuilds this model in Python (nn.loads reads the JSON)
    var x = S.X[0].map(function (v) { return String(v); }).join(", ");
    return '"""A network trained in the valuegrad playground: data set ' + S.dataset + ", step " + S.step +
      ", loss " + S.loss + ", learning rate " + S.lr + '.\n\n' +
      "With valuegrad installed, `python playground_model.py` prints its output on the first point;\n" +
      "`from playground_model import model` gives the nn.MLP (`model.to_torch()` for PyTorch).\n" +
      '"""\n\nimport nn\n\nmodel = nn.loads(\n    r"""\n' + S.modelJSON() + '"""\n)\n\n' +
      'if __name__ == "__main__":\n    print(repr(model([' + x + "]).data))\n";
  };
  S.historyCSV = function () {
    return "step,train_loss,test_loss,accuracy\n" + S.hist.map(function (h) {
      return [h.step, h.train, Number.isFinite(h.test) ? h.test : "", h.acc].join(",");
    }).join("\n") + "\n";
  };
  $("pg-export-model").addEventListener("click", function () { download("model.json", S.modelJSON(), "application/json"); });
  $("pg-export-python").addEventListener("click", function () {
    download("playground_model.py", S.modelPython(), "text/x-python");
  });
  $("pg-export-csv").addEventListener("click", function () { download("history.csv", S.historyCSV(), "text/csv"); });

  build(S.initial);
  window.addEventListener("resize", render);
  render();
})();
