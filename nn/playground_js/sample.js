// sample.js: one sample's graph at the current weights, stepped through forward then backward
// with the chain rule in numbers; and one SGD step with each parameter's update.
var PG_OPNAME = { "linear": "b + \u03A3 w\u00B7x", "sum": "\u03A3", "bce": "bce", "bce_logits": "bce_logits" };

function pgSampleGraph(S, i) {
  var keep = [], x = S.X[i], out = pgForward(S.model, x, keep);
  var loss = PG_LOSSES[S.loss]([out], [S.T[i]]);
  var topo = pgTopo(loss), depth = new Map();
  topo.forEach(function (v) {
    var d = 0;
    v.prev.forEach(function (p) { if (depth.has(p)) d = Math.max(d, depth.get(p) + 1); });
    depth.set(v, d);
  });
  // the backward pass, recorded: each node's grad after its closure ran
  var params = pgParams(S.model), saved = params.map(function (p) { return p.grad; });
  params.forEach(function (p) { p.grad = 0.0; });
  var back = [];
  pgBackward(loss, function (v) {
    back.push({ v: v, g: v.grad, parents: v.prev.map(function (p) { return [p, p.grad]; }) });
  });
  params.forEach(function (p, k) { p.grad = saved[k]; });
  return { x: x, loss: loss, topo: topo, depth: depth, back: back, keep: keep };
}

function pgNodeText(v) {
  return (v.label || PG_OPNAME[v.op] || v.op.split("|")[0]) + (v.c !== null && typeof v.c === "number" ? " c=" + pgFmt(v.c) : "");
}

function pgDrawSample(box, G, at) {
  box.textContent = "";
  var cols = [];
  G.topo.forEach(function (v) { var d = G.depth.get(v); (cols[d] = cols[d] || []).push(v); });
  var W = Math.max(300, 110 * cols.length), rows = Math.max.apply(null, cols.map(function (c) { return c.length; }));
  var H = 20 + 46 * rows, svg = pgEl("svg", { viewBox: "0 0 " + W + " " + H, width: W, height: H,
    role: "img", "aria-label": "the sample's graph" }, box), place = new Map();
  cols.forEach(function (col, d) {
    col.forEach(function (v, r) { place.set(v, [10 + d * 110, 10 + r * 46 + (rows - col.length) * 23]); });
  });
  var nf = G.topo.length, active = at < nf ? G.topo[at] : G.back[at - nf] && G.back[at - nf].v;
  var grads = new Map(); // the gradient each node had when its closure ran, up to this step
  for (var k = 0; k < at - nf && k < G.back.length; k++) grads.set(G.back[k].v, G.back[k].g);
  if (G.back[at - nf]) grads.set(G.back[at - nf].v, G.back[at - nf].g);
  G.topo.forEach(function (v) {
    var a = place.get(v);
    v.prev.forEach(function (p) {
      if (!place.has(p)) return;
      var b = place.get(p);
      pgEl("line", { x1: b[0] + 96, y1: b[1] + 18, x2: a[0], y2: a[1] + 18, stroke: "#999" }, svg);
    });
  });
  G.topo.forEach(function (v, k) {
    var a = place.get(v), done = at >= nf ? true : k <= at, fill = v === active ? "#ffe8a8" : "#f8f8f8";
    pgEl("rect", { x: a[0], y: a[1], width: 96, height: 36, rx: 4, fill: fill, stroke: v === active ? "#000" : "#888" }, svg);
    pgEl("text", { x: a[0] + 4, y: a[1] + 13, "font-size": 10 }, svg, pgNodeText(v).slice(0, 17));
    pgEl("text", { x: a[0] + 4, y: a[1] + 30, "font-size": 10 }, svg, done ? "= " + pgFmt(v.data, 3) +
      (grads.has(v) ? " g " + pgFmt(grads.get(v), 2) : "") : "");
  });
}

// the chain rule at backward step k, in numbers
function pgChainText(G, at) {
  var nf = G.topo.length;
  if (at < nf) {
    var v = G.topo[at], ins = v.prev.map(function (p) { return pgFmt(p.data); });
    if (v.op === "linear") {
      var terms = v.ws.map(function (w, i) {
        return pgFmt(w.data) + "\u00B7" + pgFmt(v.xs[i] instanceof PgNode ? v.xs[i].data : v.xs[i]);
      });
      ins = [pgFmt(v.b.data) + " + " + terms.join(" + ")];
    }
    return "forward " + (at + 1) + "/" + nf + ": " + pgNodeText(v) + "(" + ins.join(", ") + ") = " + pgFmt(v.data);
  }
  var s = G.back[at - nf];
  if (!s) return "done: the loss is " + pgFmt(G.loss.data) + "; every gradient is filled in";
  var parts = s.parents.slice(0, 6).map(function (pg) {
    return "d loss/d " + (pgNodeText(pg[0]) || "input") + " = " + pgFmt(pg[1]);
  });
  return "backward " + (at - nf + 1) + "/" + G.back.length + ": upstream d loss/d " + pgNodeText(s.v) +
    " = " + pgFmt(s.g) + " \u2192 chain rule: local slope \u00D7 upstream: " + parts.join("; ") +
    (s.parents.length > 6 ? "; \u2026" : "");
}

// one SGD step on the current batch, returned as rows (label, before, grad, lr*grad, after)
function pgSgdTable(box, rows, lr) {
  box.textContent = "";
  var t = document.createElement("table"), head = t.insertRow();
  ["parameter", "w", "grad", "w -= lr\u00B7grad (lr=" + pgFmt(lr) + ")", "new w"].forEach(function (h) {
    var th = document.createElement("th"); th.textContent = h; head.appendChild(th);
  });
  rows.forEach(function (r) {
    var tr = t.insertRow();
    [r[0], pgFmt(r[1], 6), pgFmt(r[2], 6), pgFmt(r[1], 6) + " - " + pgFmt(lr * r[2], 6), pgFmt(r[3], 6)].forEach(function (c) {
      tr.insertCell().textContent = c;
    });
  });
  box.appendChild(t);
}
