/* valuegrad explorer, zoom.js: Zoom and pan of the drawing: the − / + / fit buttons, the keys
 * - + 0, Ctrl + wheel (a trackpad's pinch) about the pointer, and dragging the drawing's
 * background to pan. The drawing scales as a whole (its viewBox), so every text stays in
 * its cell at any zoom.
 * A part of one function scope: explorer.py joins autograd/js/*.js in the order of
 * explorer.JS_FILES inside `(function () { "use strict"; ... })();`. */
  // ---- zoom and pan ----------------------------------------------------------------------
  var graphBox = document.getElementById("vg-graph");
  var ZOOM_MIN = 0.01, ZOOM_MAX = 4; // fit may need 3% for a 9,000 pt drawing on a phone
  var zoom = 1; // the drawing's size over its own
  var BASE = svg ? {w: svg.width.baseVal.value, h: svg.height.baseVal.value} : null;
  var zoomLevel = document.getElementById("vg-zoom-level");

  // Scale the drawing to z, keeping the point (cx, cy) of the box (client px from its
  // top-left; its middle if not given) over the same place of the drawing.
  function setZoom(z, cx, cy) {
    if (!BASE || !BASE.w) return;
    z = Math.max(ZOOM_MIN, Math.min(ZOOM_MAX, z));
    if (cx === undefined) {
      cx = graphBox.clientWidth / 2;
      cy = graphBox.clientHeight / 2;
    }
    var x = (graphBox.scrollLeft + cx) / zoom, y = (graphBox.scrollTop + cy) / zoom;
    zoom = z;
    svg.style.width = (BASE.w * z).toFixed(2) + "px";
    svg.style.height = (BASE.h * z).toFixed(2) + "px";
    graphBox.scrollLeft = x * z - cx;
    graphBox.scrollTop = y * z - cy;
    zoomLevel.textContent = Math.round(z * 100) + "%";
  }
  function zoomBy(f) { setZoom(zoom * f); }
  // the whole drawing in the box (the box keeps its height; a small drawing is not blown up)
  function fitZoom() {
    if (!BASE || !BASE.w) return;
    var room = parseFloat(graphBox.style.maxHeight) || graphBox.clientHeight;
    var pad = 20; // the box's padding and a little air
    setZoom(Math.min(1, (graphBox.clientWidth - pad) / BASE.w, (room - pad) / BASE.h));
  }
  document.getElementById("vg-zoom-in").addEventListener("click", function () { zoomBy(1.25); });
  document.getElementById("vg-zoom-out").addEventListener("click", function () { zoomBy(0.8); });
  document.getElementById("vg-zoom-fit").addEventListener("click", fitZoom);
  graphBox.addEventListener("wheel", function (e) {
    if (!(e.ctrlKey || e.metaKey)) return; // a plain wheel scrolls
    e.preventDefault();
    var b = graphBox.getBoundingClientRect();
    setZoom(zoom * Math.pow(1.0015, -e.deltaY), e.clientX - b.left, e.clientY - b.top);
  }, {passive: false});
  (function () { // drag the background to pan; a drag is not a click (which unpins a node)
    var drag = null;
    graphBox.addEventListener("pointerdown", function (e) {
      if (e.button !== 0 || (e.target.closest && e.target.closest("[data-vg-node]"))) return;
      drag = {x: e.clientX, y: e.clientY, left: graphBox.scrollLeft, top: graphBox.scrollTop, moved: false};
      graphBox.setPointerCapture(e.pointerId);
    });
    graphBox.addEventListener("pointermove", function (e) {
      if (!drag) return;
      var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
      graphBox.scrollLeft = drag.left - dx;
      graphBox.scrollTop = drag.top - dy;
      graphBox.classList.toggle("vg-panning", drag.moved);
    });
    var dragEnd = -1;
    graphBox.addEventListener("click", function (e) {
      if (e.timeStamp - dragEnd < 300) e.stopPropagation();
    }, true);
    var stop = function (e) {
      if (drag && drag.moved) dragEnd = e.timeStamp;
      drag = null;
      graphBox.classList.remove("vg-panning");
    };
    graphBox.addEventListener("pointerup", stop);
    graphBox.addEventListener("pointercancel", stop);
  })();
