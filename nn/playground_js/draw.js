// draw.js: the plane (decision boundary and points), the loss curves and the network diagram.
// Colours are Okabe-Ito's orange (class 0) and blue (class 1), safe for colour-blind readers.
var PG_C0 = [230, 159, 0], PG_C1 = [0, 114, 178];
var SVGNS = "http://www.w3.org/2000/svg";

function pgEl(tag, attrs, parent, text) {
  var e = document.createElementNS(SVGNS, tag);
  for (var k in attrs) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

function pgMix(t) { // t in [0, 1]: orange .. white .. blue
  var c = t < 0.5 ? PG_C0 : PG_C1, s = Math.min(1, Math.abs(t - 0.5) * 2);
  return [255 + (c[0] - 255) * s * 0.75, 255 + (c[1] - 255) * s * 0.75, 255 + (c[2] - 255) * s * 0.75];
}

// the plane's extent: the data's bounds, padded, as a square
function pgExtent(X) {
  var lo = [Infinity, Infinity], hi = [-Infinity, -Infinity];
  X.forEach(function (p) {
    for (var d = 0; d < 2; d++) { lo[d] = Math.min(lo[d], p[d]); hi[d] = Math.max(hi[d], p[d]); }
  });
  var cx = (lo[0] + hi[0]) / 2, cy = (lo[1] + hi[1]) / 2;
  var r = Math.max(hi[0] - lo[0], hi[1] - lo[1], 1e-9) * 0.55;
  return { x0: cx - r, x1: cx + r, y0: cy - r, y1: cy + r };
}

// the output mapped to [0, 1] around the loss's class threshold (for the colour)
function pgShade(out, info) {
  var t = info.out === "sigmoid" || info.threshold === 0.5 ? out - 0.5 : Math.tanh(out) / 2;
  return Math.max(0, Math.min(1, 0.5 + t));
}

var PG_GRID = 50;
function pgDrawPlane(canvas, S) {
  var box = canvas.getBoundingClientRect(), dpr = window.devicePixelRatio || 1;
  var w = Math.max(1, Math.round(box.width * dpr)), h = Math.max(1, Math.round(box.height * dpr));
  if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
  var ctx = canvas.getContext("2d"), E = S.extent, info = PG_LOSS_INFO[S.loss];
  var img = S.gridImage || (S.gridImage = new ImageData(PG_GRID, PG_GRID));
  for (var r = 0; r < PG_GRID; r++) {
    for (var c = 0; c < PG_GRID; c++) {
      var x = E.x0 + (c + 0.5) / PG_GRID * (E.x1 - E.x0), y = E.y1 - (r + 0.5) / PG_GRID * (E.y1 - E.y0);
      var o = pgPredict(S.model, [x, y]), col = Number.isFinite(o) ? pgMix(pgShade(o, info)) : [200, 200, 200];
      var k = 4 * (r * PG_GRID + c);
      img.data[k] = col[0]; img.data[k + 1] = col[1]; img.data[k + 2] = col[2]; img.data[k + 3] = 255;
    }
  }
  var off = S.gridCanvas || (S.gridCanvas = document.createElement("canvas"));
  off.width = PG_GRID; off.height = PG_GRID;
  off.getContext("2d").putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(off, 0, 0, w, h);
  var rad = Math.max(3, 3.5 * dpr);
  for (var i = 0; i < S.X.length; i++) {
    var p = S.X[i], px = (p[0] - E.x0) / (E.x1 - E.x0) * w, py = (E.y1 - p[1]) / (E.y1 - E.y0) * h;
    var colr = S.cls[i] ? PG_C1 : PG_C0, test = i >= S.split;
    ctx.beginPath();
    ctx.arc(px, py, i === S.sample ? rad * 1.8 : rad, 0, 2 * Math.PI);
    ctx.fillStyle = test ? "#fff" : "rgb(" + colr.join(",") + ")";
    ctx.fill();
    ctx.lineWidth = test ? 2 * dpr : dpr;
    ctx.strokeStyle = test ? "rgb(" + colr.join(",") + ")" : "#222";
    ctx.stroke();
    if (i === S.sample) { ctx.lineWidth = 2 * dpr; ctx.strokeStyle = "#000"; ctx.stroke(); }
  }
}

function pgDrawCurve(box, hist) {
  box.textContent = "";
  var W = 400, H = 150, pad = 30;
  var svg = pgEl("svg", { viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img",
    "aria-label": "train and test loss by step" }, box);
  var pts = hist.filter(function (r) { return Number.isFinite(r.train); });
  var hi = 1e-12;
  pts.forEach(function (r) { hi = Math.max(hi, r.train, Number.isFinite(r.test) ? r.test : 0); });
  var n = Math.max(1, hist.length ? hist[hist.length - 1].step : 1);
  pgEl("line", { x1: pad, y1: H - 20, x2: W - 5, y2: H - 20, stroke: "#888" }, svg);
  pgEl("line", { x1: pad, y1: 5, x2: pad, y2: H - 20, stroke: "#888" }, svg);
  pgEl("text", { x: 2, y: 14, "font-size": 11 }, svg, pgFmt(hi, 2));
  pgEl("text", { x: 2, y: H - 22, "font-size": 11 }, svg, "0");
  pgEl("text", { x: W - 80, y: H - 5, "font-size": 11 }, svg, "step " + n);
  [["train", "#222", ""], ["test", "#cc79a7", "5 3"]].forEach(function (s, j) {
    var d = pts.filter(function (r) { return Number.isFinite(r[s[0]]); }).map(function (r) {
      return (pad + (r.step / n) * (W - pad - 5)).toFixed(1) + "," + (5 + (1 - r[s[0]] / hi) * (H - 25)).toFixed(1);
    }).join(" ");
    if (d) pgEl("polyline", { points: d, fill: "none", stroke: s[1], "stroke-width": 1.5, "stroke-dasharray": s[2] }, svg);
    pgEl("text", { x: pad + 10 + j * 90, y: H - 5, "font-size": 11, fill: s[1] }, svg, s[0] + " loss");
  });
}

// the network: neurons as circles (fill: activation on the chosen sample), weights as lines
// coloured by sign and sized by magnitude; each weight is focusable and shows its formula
function pgDrawNet(box, S, acts, onWeight) {
  box.textContent = "";
  var sizes = S.model.sizes, L = sizes.length, W = 420, H = 40 + 44 * Math.max.apply(null, sizes);
  var svg = pgEl("svg", { viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "group",
    "aria-label": "network diagram" }, box);
  function pos(l, j) {
    return [30 + l * (W - 60) / (L - 1), 20 + (j + 0.5) * (H - 40) / sizes[l]];
  }
  var maxw = 1e-9;
  pgParams(S.model).forEach(function (p) { maxw = Math.max(maxw, Math.abs(p.data)); });
  S.model.layers.forEach(function (layer, l) {
    layer.neurons.forEach(function (n, j) {
      n.w.forEach(function (w, i) {
        var a = pos(l, i), b = pos(l + 1, j), v = w.data, t = Number.isFinite(v) ? Math.abs(v) / maxw : 1;
        var col = v < 0 ? "rgb(" + PG_C0 + ")" : "rgb(" + PG_C1 + ")";
        var g = pgEl("g", { "class": "pg-w", tabindex: 0, role: "button", "aria-label": "weight " + w.label }, svg);
        pgEl("line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1], stroke: "transparent", "stroke-width": 8 }, g);
        pgEl("line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1], stroke: col,
          "stroke-width": (0.5 + 5 * t).toFixed(2), "stroke-opacity": 0.85 }, g);
        var show = function () { onWeight(w, l, j, i); };
        g.addEventListener("mouseenter", show);
        g.addEventListener("focus", show);
        g.addEventListener("click", function () { onWeight(w, l, j, i, true); });
        g.addEventListener("keydown", function (e) { if (e.key === "Enter") onWeight(w, l, j, i, true); });
      });
    });
  });
  for (var l = 0; l < L; l++) {
    for (var j = 0; j < sizes[l]; j++) {
      var p = pos(l, j), v = acts && acts[l] ? acts[l][j] : null;
      var fill = v === null ? "#eee" : "rgb(" + pgMix(Number.isFinite(v) ? 0.5 + Math.tanh(v) / 2 : 0.5).map(Math.round) + ")";
      pgEl("circle", { cx: p[0], cy: p[1], r: 13, fill: fill, stroke: "#333" }, svg);
      pgEl("text", { x: p[0], y: p[1] + 4, "font-size": 9, "text-anchor": "middle" }, svg,
        v === null ? "" : pgFmt(v, 2));
    }
  }
}
