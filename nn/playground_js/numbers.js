// numbers.js: the functions the op table's formulas call that Math lacks (as autograd/domain.py),
// a seeded random generator shared by the data sets and batch orders, and number formatting.
var F = {
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  sigmoid: function (x) {
    if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
    var e = Math.exp(x); // never exp of a large positive number
    return e / (1.0 + e);
  },
  powData: function (base, exponent) {
    if (exponent === 2) return base * base; // the correctly rounded square, as C's pow gives
    return Math.pow(base, exponent);
  },
  powSlope: function (base, exponent) {
    if (exponent === 0) return 0.0;
    if (base === 0.0 && exponent < 1) return Infinity;
    return exponent * F.powData(base, exponent - 1);
  },
  logBase: function (base) { return base > 0 ? Math.log(base) : (base === 0 ? 0.0 : NaN); }
};

// mulberry32: a small seeded generator (the page's data sets and batch orders)
function pgRandom(seed) {
  var a = seed >>> 0;
  return function () {
    a = (a + 0x6D2B79F5) >>> 0;
    var t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pgGauss(rand) { // Box-Muller
  var u = 1 - rand(), v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function pgShuffle(n, rand) {
  var order = [];
  for (var i = 0; i < n; i++) order.push(i);
  for (var j = n - 1; j > 0; j--) {
    var k = Math.floor(rand() * (j + 1));
    var t = order[j]; order[j] = order[k]; order[k] = t;
  }
  return order;
}

function pgFmt(x, digits) {
  if (typeof x !== "number") return String(x);
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  var d = digits || 4;
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)) return x.toExponential(d - 1);
  return String(+x.toFixed(d));
}
