// engine.js: the scalar engine's nodes and the nn model, in the engine's order
// (autograd/engine.py, autograd/ops.py, nn/modules.py, nn/losses.py), so the page's numbers
// are the Python engine's. Elementwise ops come from the op table (VG_RULES, generated).
var PG_RULES = VG_RULES(F);
var pgNextId = 0;

function PgNode(data, prev, op, c) {
  this.data = data;
  this.grad = 0.0;
  this.prev = prev; // null: a leaf (a parameter)
  this.op = op;
  this.c = c;
  this.id = pgNextId++;
  this.mark = -1;
}

function pgLeaf(x, label) { var n = new PgNode(x, null, "", null); n.label = label; return n; }

// an op of the table on one Value (forms "v" and "vc")
function pgUnary(key, a, c) {
  return new PgNode(PG_RULES[key].f(a.data, 0, c, 0, 0), [a], key, c);
}

// ops.linear: b + w0*x0 + w1*x1 + ..., one node; parents (*ws, *Value xs, b)
function pgLinear(ws, xs, b) {
  var acc = b.data, prev = ws.slice();
  for (var i = 0; i < ws.length; i++) {
    var x = xs[i];
    if (x instanceof PgNode) { acc += ws[i].data * x.data; } else { acc += ws[i].data * x; }
  }
  for (var j = 0; j < xs.length; j++) if (xs[j] instanceof PgNode) prev.push(xs[j]);
  prev.push(b);
  var out = new PgNode(acc, prev, "linear", null);
  out.ws = ws; out.xs = xs; out.b = b;
  return out;
}

// ops.total: 0.0 + v0 + v1 + ...
function pgTotal(vs) {
  var acc = 0.0;
  for (var i = 0; i < vs.length; i++) acc += vs[i].data;
  return new PgNode(acc, vs.slice(), "sum", null);
}

var PG_LOG_FLOOR = -100.0, PG_BCE_EPS = 9.999999960041972e-13;

function pgBce(ps, ts) {
  var acc = 0.0, n = ps.length;
  for (var i = 0; i < n; i++) {
    var x = ps[i].data, t = ts[i];
    var l1 = x < 1.0 ? Math.log1p(-x) : -Infinity, l0 = x > 0.0 ? Math.log(x) : -Infinity;
    acc += (t - 1.0) * Math.max(l1, PG_LOG_FLOOR) - t * Math.max(l0, PG_LOG_FLOOR);
  }
  return new PgNode(acc / n, ps.slice(), "bce", ts.slice());
}

function pgBceLogits(zs, ts) {
  var acc = 0.0, n = zs.length;
  for (var i = 0; i < n; i++) {
    var x = zs[i].data, t = ts[i];
    acc += (x > 0.0 ? x - t * x : -t * x) + Math.log1p(Math.exp(-Math.abs(x)));
  }
  return new PgNode(acc / n, zs.slice(), "bce_logits", ts.slice());
}

// one node's backward closure, as the engine's
function pgBackwardNode(v) {
  var g = v.grad, p = v.prev, i;
  if (v.op === "linear") {
    for (i = 0; i < v.ws.length; i++) {
      var w = v.ws[i], x = v.xs[i];
      if (x instanceof PgNode) { w.grad += x.data * g; x.grad += w.data * g; } else { w.grad += x * g; }
    }
    v.b.grad += g;
  } else if (v.op === "sum") {
    for (i = 0; i < p.length; i++) p[i].grad += g;
  } else if (v.op === "bce") {
    for (i = 0; i < p.length; i++) {
      var q = p[i].data;
      p[i].grad += g * (q - v.c[i]) / Math.max((1.0 - q) * q, PG_BCE_EPS) / p.length;
    }
  } else if (v.op === "bce_logits") {
    for (i = 0; i < p.length; i++) p[i].grad += g * (F.sigmoid(p[i].data) - v.c[i]) / p.length;
  } else {
    p[0].grad += PG_RULES[v.op].g[0](p[0].data, 0, v.c, v.data, g);
  }
}

// engine.topological_order(root, leaves=False): the same stack walk, so the same order
var pgEpoch = 0;
function pgTopo(root) {
  var order = [], stack = [root], epoch = ++pgEpoch;
  while (stack.length) {
    var v = stack.pop();
    if (v === null) { order.push(stack.pop()); continue; }
    if (v.mark === epoch) continue;
    v.mark = epoch;
    stack.push(v); stack.push(null);
    var ps = v.prev;
    for (var i = 0; i < ps.length; i++) {
      if (ps[i].mark !== epoch && ps[i].prev !== null) stack.push(ps[i]);
    }
  }
  return order;
}

function pgBackward(root, onStep) {
  var topo = pgTopo(root);
  for (var i = 0; i < topo.length; i++) topo[i].grad = 0.0;
  root.grad = 1.0;
  for (var j = topo.length - 1; j >= 0; j--) {
    pgBackwardNode(topo[j]);
    if (onStep) onStep(topo[j]);
  }
  return topo;
}

// the first node (in forward order) whose value is not finite though its parents' are
function pgFirstNonFinite(root) {
  var topo = pgTopo(root);
  for (var i = 0; i < topo.length; i++) {
    var v = topo[i];
    if (Number.isFinite(v.data)) continue;
    var ok = v.prev.every(function (p) { return Number.isFinite(p.data); });
    if (ok) return v;
  }
  return null;
}

// -- the model: nn.MLP (layers of neurons, an activation per layer) ---------------------------

var PG_ACT = { relu: "ReLU|v", tanh: "tanh|v", sigmoid: "sigmoid|v", linear: null };

function pgModel(spec) { // spec: {sizes: [nin, ...], acts: [...], params: [...] or null}
  var layers = [], k = 0;
  for (var l = 1; l < spec.sizes.length; l++) {
    var neurons = [];
    for (var j = 0; j < spec.sizes[l]; j++) {
      var ws = [];
      for (var i = 0; i < spec.sizes[l - 1]; i++) {
        ws.push(pgLeaf(spec.params[k++], "L" + (l - 1) + ".N" + j + ".w" + i));
      }
      neurons.push({ w: ws, b: pgLeaf(spec.params[k++], "L" + (l - 1) + ".N" + j + ".b") });
    }
    layers.push({ neurons: neurons, act: spec.acts[l - 1] });
  }
  return { layers: layers, sizes: spec.sizes.slice(), acts: spec.acts.slice() };
}

function pgParams(model) {
  var ps = [];
  model.layers.forEach(function (L) {
    L.neurons.forEach(function (n) { ps.push.apply(ps, n.w); ps.push(n.b); });
  });
  return ps;
}

// model(x): keeps every layer's outputs (nodes) for the network drawing and the sample view
function pgForward(model, x, keep) {
  var xs = x;
  for (var l = 0; l < model.layers.length; l++) {
    var L = model.layers[l], out = [];
    for (var j = 0; j < L.neurons.length; j++) {
      var n = L.neurons[j], z = pgLinear(n.w, xs, n.b);
      out.push(PG_ACT[L.act] ? pgUnary(PG_ACT[L.act], z, null) : z);
    }
    if (keep) keep.push(out);
    xs = out;
  }
  return xs[0];
}

// the same numbers without building nodes (the heat map's many evaluations)
function pgPredict(model, x) {
  var xs = x;
  for (var l = 0; l < model.layers.length; l++) {
    var L = model.layers[l], out = new Array(L.neurons.length), rule = PG_ACT[L.act];
    for (var j = 0; j < L.neurons.length; j++) {
      var n = L.neurons[j], acc = n.b.data;
      for (var i = 0; i < n.w.length; i++) acc += n.w[i].data * xs[i];
      out[j] = rule ? PG_RULES[rule].f(acc, 0, null, 0, 0) : acc;
    }
    xs = out;
  }
  return xs[0];
}

// nn.losses, each as the Python function builds it
var PG_LOSSES = {
  mse: function (outs, ts) {
    var terms = outs.map(function (o, i) { return pgUnary("**|vc", pgUnary("-|vc", o, ts[i]), 2.0); });
    return pgUnary("*|vc", pgTotal(terms), 1.0 / terms.length);
  },
  half_squared_error: function (outs, ts) {
    return pgTotal(outs.map(function (o, i) {
      return pgUnary("*|vc", pgUnary("**|vc", pgUnary("rsub|vc", o, ts[i]), 2.0), 0.5);
    }));
  },
  hinge: function (outs, ts) {
    var terms = outs.map(function (s, i) {
      return pgUnary("ReLU|v", pgUnary("+|vc", pgUnary("*|vc", s, -ts[i]), 1.0), null);
    });
    return pgUnary("*|vc", pgTotal(terms), 1.0 / terms.length);
  },
  bce: pgBce,
  bce_with_logits: pgBceLogits
};

// what a loss wants of labels 0/1, the output activation it needs, and the class threshold
var PG_LOSS_INFO = {
  mse: { target: function (y) { return y; }, out: null, threshold: 0.5 },
  half_squared_error: { target: function (y) { return y; }, out: null, threshold: 0.5 },
  hinge: { target: function (y) { return 2 * y - 1; }, out: null, threshold: 0.0 },
  bce: { target: function (y) { return y; }, out: "sigmoid", threshold: 0.5 },
  bce_with_logits: { target: function (y) { return y; }, out: null, threshold: 0.0 }
};

// one SGD step on a batch (nn.SGD with weight_decay: d = grad + wd * p; p -= lr * d)
function pgStep(model, X, T, batch, lossName, lr, wd) {
  var outs = [], ts = [];
  for (var i = 0; i < batch.length; i++) {
    outs.push(pgForward(model, X[batch[i]], null));
    ts.push(T[batch[i]]);
  }
  var loss = PG_LOSSES[lossName](outs, ts), params = pgParams(model);
  if (!Number.isFinite(loss.data)) {
    return { loss: loss.data, bad: pgFirstNonFinite(loss) };
  }
  for (var k = 0; k < params.length; k++) params[k].grad = 0.0;
  pgBackward(loss, null);
  for (var m = 0; m < params.length; m++) {
    var p = params[m], d = wd ? p.grad + wd * p.data : p.grad;
    p.data -= lr * d;
  }
  return { loss: loss.data, bad: null };
}
