/* valuegrad explorer, drawing.js: The drawing: finds each node in the SVG by its <title> (v{i} for values, v{i}op for
 * ops), highlight frames, and setNumber(), which writes a live number into its cell.
 * A part of one function scope: explorer.py joins autograd/js/*.js in the order of
 * explorer.JS_FILES inside `(function () { "use strict"; ... })();`. */
  // ---- the drawing -----------------------------------------------------------------
  var svg = document.querySelector("#vg-graph svg");
  var groups = {};
  if (svg) {
    svg.querySelectorAll("g.node, g.edge").forEach(function (g) {
      var t = g.querySelector("title");
      if (t) groups[t.textContent] = g;
    });
  }
  // the drawing's tooltips hold the recorded numbers; the inspector panel shows the live ones
  if (svg) {
    svg.querySelectorAll("g.node a").forEach(function (a) {
      a.removeAttributeNS("http://www.w3.org/1999/xlink", "title");
      a.removeAttribute("title");
    });
  }
  var EDGES_IN = []; // edges into each op node
  for (i = 0; i < N; i++) EDGES_IN.push([]);
  Object.keys(groups).forEach(function (key) {
    var m = /^v(\d+)->v(\d+)op$/.exec(key);
    if (m) EDGES_IN[+m[2]].push(groups[key]);
  });
  // Where value node i shows a number: the last text starting "data"/"grad" (a label comes
  // first), or, if that text is the bare word, the text after it (a cell of its own).
  function numberText(g, word) {
    var texts = g.querySelectorAll("text"), found = null;
    for (var q = 0; q < texts.length; q++) {
      var s = texts[q].textContent.trim();
      if (s === word && q + 1 < texts.length) found = {el: texts[q + 1], prefix: ""};
      else if (s.indexOf(word + " ") === 0 || s.indexOf(word + "\u00a0") === 0) {
        found = {el: texts[q], prefix: word + " "};
      }
    }
    return found;
  }
  var VIEW = [];
  var HL_NS = "http://www.w3.org/2000/svg";
  for (i = 0; i < N; i++) {
    var vg = groups["v" + i] || null, og = groups["v" + i + "op"] || null;
    VIEW.push({
      g: vg, op: og,
      data: vg && numberText(vg, "data"), grad: vg && numberText(vg, "grad"),
      shown: {data: undefined, grad: undefined} // nothing written yet
    });
    [vg, og].forEach(function (g) {
      if (!g) return;
      g.setAttribute("data-vg-node", i);
      g.classList.add("vg-node");
      g.setAttribute("tabindex", "0"); // reachable by Tab; Enter pins it in the Node panel
      g.setAttribute("role", "button");
      g.setAttribute("aria-label", (g === og ? "op making " : "value ") + NODES[i].full);
    });
  }
  function frame(g, box) { // a highlight frame around a node (hidden until a class shows it)
    if (g.vgFrame) return g.vgFrame;
    var b = box || g.getBBox();
    var r = document.createElementNS(HL_NS, "rect");
    r.setAttribute("x", b.x - 4);
    r.setAttribute("y", b.y - 4);
    r.setAttribute("width", b.width + 8);
    r.setAttribute("height", b.height + 8);
    r.setAttribute("rx", 6);
    r.setAttribute("class", "vg-frame");
    g.appendChild(r);
    g.vgFrame = r;
    return r;
  }
  // every frame at once: one layout for all the boxes, none while stepping
  (function () {
    var all = [];
    VIEW.forEach(function (v) { if (v.g) all.push(v.g); if (v.op) all.push(v.op); });
    var boxes = all.map(function (g) { return g.getBBox(); });
    all.forEach(function (g, q) { frame(g, boxes[q]); });
  })();
  function setNumber(n, word, x) {
    var v = VIEW[n];
    var key = x === null ? null : pyRepr(x);
    if (v.shown[word] === key) return;
    v.shown[word] = key;
    if (v.g) {
      if (key === null) v.g.removeAttribute("data-vg-" + word);
      else v.g.setAttribute("data-vg-" + word, key);
    }
    var t = v[word];
    if (t) t.el.textContent = t.prefix + padNumber(x === null ? "\u00b7" : fmt(x), DATA.number_width || 0);
    if (word === "data" && v.g) v.g.classList.toggle("vg-pending", x === null);
  }
