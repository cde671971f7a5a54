// data.js: TF Playground's two-class data sets (labels 0/1), seeded; noise in [0, 0.5]
function pgDataset(name, n, noise, seed) {
  var rand = pgRandom(seed), X = [], y = [], i, r, t;
  function uniform(a, b) { return a + (b - a) * rand(); }
  if (name === "circles") {
    for (i = 0; i < n; i++) {
      var inner = i < n / 2;
      r = inner ? uniform(0, 2.5) : uniform(3.5, 5);
      t = uniform(0, 2 * Math.PI);
      X.push([r * Math.sin(t) + uniform(-5, 5) * noise, r * Math.cos(t) + uniform(-5, 5) * noise]);
      y.push(inner ? 1 : 0);
    }
  } else if (name === "xor") {
    for (i = 0; i < n; i++) {
      var a = uniform(-5, 5), b = uniform(-5, 5);
      a += a > 0 ? 0.3 : -0.3; b += b > 0 ? 0.3 : -0.3;
      y.push(a * b >= 0 ? 1 : 0);
      X.push([a + uniform(-5, 5) * noise, b + uniform(-5, 5) * noise]);
    }
  } else if (name === "gauss") {
    for (i = 0; i < n; i++) {
      var pos = i < n / 2, s = 0.5 + noise * 3.5;
      X.push([(pos ? 2 : -2) + pgGauss(rand) * s, (pos ? 2 : -2) + pgGauss(rand) * s]);
      y.push(pos ? 1 : 0);
    }
  } else if (name === "spiral") {
    for (i = 0; i < n; i++) {
      var k = i < n / 2 ? 0 : 1, j = k ? i - Math.floor(n / 2) : i, m = Math.ceil(n / 2);
      r = (j / m) * 5;
      t = 1.75 * (j / m) * 2 * Math.PI + k * Math.PI;
      X.push([r * Math.sin(t) + uniform(-1, 1) * noise, r * Math.cos(t) + uniform(-1, 1) * noise]);
      y.push(k);
    }
  } else { // moons, as sklearn's make_moons, scaled to the same plane
    for (i = 0; i < n; i++) {
      var up = i < n / 2;
      t = Math.PI * rand();
      var px = up ? Math.cos(t) : 1 - Math.cos(t), py = up ? Math.sin(t) : 0.5 - Math.sin(t);
      X.push([(px - 0.5) * 4 + pgGauss(rand) * noise * 2, (py - 0.25) * 4 + pgGauss(rand) * noise * 2]);
      y.push(up ? 0 : 1);
    }
  }
  var order = pgShuffle(n, rand); // interleave the classes, so a split takes both
  return { X: order.map(function (k) { return X[k]; }), y: order.map(function (k) { return y[k]; }) };
}

// points drawn from a function's graph: label 1 above y = f(x)
var PG_CURVES = {
  "sin": function (x) { return 3 * Math.sin(x); },
  "parabola": function (x) { return 0.3 * x * x - 3; },
  "line": function (x) { return 0.5 * x; }
};
function pgCurveDataset(name, n, noise, seed) {
  var rand = pgRandom(seed), X = [], y = [], f = PG_CURVES[name];
  for (var i = 0; i < n; i++) {
    var a = -5 + 10 * rand(), b = -5 + 10 * rand();
    y.push(b > f(a) ? 1 : 0);
    X.push([a + pgGauss(rand) * noise, b + pgGauss(rand) * noise]);
  }
  return { X: X, y: y };
}
