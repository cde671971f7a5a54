/* valuegrad explorer, numbers.js: Numbers as the page shows them: Python's repr (pyRepr), the drawing's format (fmt,
 * padded to the drawing's fixed-width cells by padNumber), and NaN-aware equality.
 * A part of one function scope: explorer.py joins autograd/js/*.js in the order of
 * explorer.JS_FILES inside `(function () { "use strict"; ... })();`. */
  // ---- numbers -------------------------------------------------------------------
  function pyRepr(x) {
    if (Number.isNaN(x)) return "nan";
    if (x === Infinity) return "inf";
    if (x === -Infinity) return "-inf";
    if (Object.is(x, -0)) return "-0.0";
    var s = String(x);
    if (/^-?\d+$/.test(s)) return s + ".0";
    return s.replace(/e([+-])(\d)$/, "e$10$2");
  }
  // As the drawing shows numbers: 4 decimals for 1e-3 <= |x| < 1e5, else 3 significant
  // digits in exponent form. JavaScript rounds an exact tie up, Python to even: where the
  // exact value is a tie and the kept digit is even, keep the truncated digits instead.
  function fmt(x) {
    if (Number.isNaN(x)) return "nan";
    if (x === Infinity) return "inf";
    if (x === -Infinity) return "-inf";
    if (x === 0) return "0";
    var ax = Math.abs(x), s, d;
    if (ax >= 1e-3 && ax < 1e5) {
      s = ax.toFixed(4);
      d = ax.toFixed(100); // exact: such a double has fewer than 70 decimals
      var kept = d.slice(0, d.indexOf(".") + 5);
      if (/^50*$/.test(d.slice(kept.length)) && /[02468]$/.test(kept)) s = kept;
    } else {
      s = ax.toExponential(2);
      if (ax >= 1e5) { // its exact digits (below 1e-3 no tie is a double)
        var whole = BigInt(Math.floor(ax)).toString();
        d = Number.isInteger(ax) ? whole : whole + ax.toFixed(100).split(".")[1];
        if (/^50*$/.test(d.slice(3)) && /[02468]$/.test(d.slice(0, 3))) {
          s = d[0] + "." + d.slice(1, 3) + "e+" + (whole.length - 1);
        }
      }
      s = s.replace(/e([+-])(\d)$/, "e$10$2");
    }
    return x < 0 ? "-" + s : s;
  }
  // The drawing's number cells are as wide as the widest number fmt gives (draw.py's
  // widest_number); numbers are right-aligned in them, as the drawing writes them.
  function padNumber(s, width) {
    return s.length < width ? " ".repeat(width - s.length) + s : s;
  }
  function factor(x) {
    var s = fmt(x);
    return s.charAt(0) === "-" ? "(" + s + ")" : s;
  }
  function num(v) {
    if (v === "nan") return NaN;
    if (v === "inf") return Infinity;
    if (v === "-inf") return -Infinity;
    return v;
  }
  function same(x, y) {
    return x === y || (Number.isNaN(x) && Number.isNaN(y));
  }
