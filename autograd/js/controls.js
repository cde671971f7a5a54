/* valuegrad explorer, controls.js: Controls: buttons and keys, the graph box's size and first view, and the read-only
 * window.valuegradExplorer for tests.
 * A part of one function scope: explorer.py joins autograd/js/*.js in the order of
 * explorer.JS_FILES inside `(function () { "use strict"; ... })();`. */
  // ---- controls ---------------------------------------------------------------------------
  document.getElementById("vg-home").addEventListener("click", function () { go(0); });
  document.getElementById("vg-prev").addEventListener("click", function () { go(t - 1); });
  document.getElementById("vg-next").addEventListener("click", function () { go(t + 1); });
  document.getElementById("vg-end").addEventListener("click", function () { go(T); });
  document.getElementById("vg-play").addEventListener("click", play);
  document.addEventListener("keydown", function (e) {
    var tag = e.target && e.target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === "ArrowRight") go(t + 1);
    else if (e.key === "ArrowLeft") go(t - 1);
    else if (e.key === "Home") go(0);
    else if (e.key === "End") go(T);
    else if (e.key === "u" || e.key === "U") update();
    else if (e.key === "+" || e.key === "=") zoomBy(1.25);
    else if (e.key === "-" || e.key === "_") zoomBy(0.8);
    else if (e.key === "0") fitZoom();
    else if (e.key === " " || e.key === "Spacebar") {
      if (tag === "BUTTON") return; // the button's own click
      play();
    } else return;
    e.preventDefault();
  });

  // the graph box is as tall as the drawing while that leaves the bar and a little of
  // the panels in view; a graph a little wider than the page is scaled to fit; a much
  // bigger one scrolls, and opens on its output
  (function () {
    var box = document.getElementById("vg-graph");
    if (!svg || !box.clientWidth) return;
    var tall = svg.getBoundingClientRect().height + 24;
    var room = Math.max(0.58 * window.innerHeight, window.innerHeight - 200);
    box.style.maxHeight = Math.min(tall, room) + "px";
    var w = svg.getBoundingClientRect().width;
    if (w > box.clientWidth && box.clientWidth / w >= 0.55) setZoom((box.clientWidth - 20) / w);
    var out = VIEW[ROOT].g;
    if (out) {
      var r = out.getBoundingClientRect(), b = box.getBoundingClientRect();
      box.scrollLeft += r.left - b.left - b.width / 2 + r.width / 2;
      box.scrollTop += r.top - b.top - b.height / 2 + r.height / 2;
    }
  })();

  // the progress text is as wide as its widest, so the legend after it never moves
  (function () {
    var pr = document.getElementById("vg-progress"), widest = 0;
    [0, NF, T].forEach(function (tt) {
      pr.textContent = progressText(tt);
      widest = Math.max(widest, pr.getBoundingClientRect().width);
    });
    pr.style.minWidth = Math.ceil(widest) + "px";
  })();

  // for tests and the curious: read-only views of the state
  window.valuegradExplorer = {
    get t() { return t; },
    T: T,
    forwardSteps: NF,
    backwardSteps: NB + 1,
    get slidersOn() { return slidersOn; },
    get error() { return current.error || null; },
    go: go,
    format: fmt,
    get zoom() { return zoom; },
    get losses() { return losses.slice(); }, // the output after 0, 1, 2, ... updates
    get running() { return t > NF + 1 ? stepAt(t).node : null; }, // the op whose closure runs
    changed: function (tt) { // the nodes whose drawn numbers step tt sets
      if (tt <= 0 || tt > T) return [];
      if (tt <= NF) return [OPS[tt - 1]];
      if (tt === NF + 1) return NODES.map(function (nd, q) { return q; });
      return current.steps[tt - NF - 2].lines.map(function (ln) { return ln.to; });
    }
  };
  render();
