/* report.js - draws the html export's timeline (embedded into the page by
 * export_html.c) from the JSON in <script id="wcprof-data">.
 *
 * Layout: each op on one lane, its children on the lanes below it; the
 * subtrees of siblings that overlap in time go on separate lanes (first
 * fit, in start order), those that do not share them. The bars are made
 * once; zooming and panning only move them (and redraw the axis and the
 * labels): at once for a click, else once per animation frame. The view
 * [v0, v1] (ns from t0) is also in #tl's data-view attribute.
 */
(function () {
  'use strict';
  var SVG = 'http://www.w3.org/2000/svg';   // the SVG namespace name (nothing is loaded)
  var ROW = 16, BAR = 13, AXIS = 24, CP = 20, LABEL_MIN_PX = 48, THIN_PX = 5;

  var data = JSON.parse(document.getElementById('wcprof-data').textContent);
  var T = data.timeline, classes = data.classes;
  var n = T.id.length;
  var root = document.getElementById('tl');
  if (!root) return;

  /* ns as people read them, three significant digits: the shell's rule. */
  function fmtNs(ns) {
    var units = ['ns', '\u00b5s', 'ms', 's'], v = Math.abs(ns), u = 0;
    if (ns === 0) return '0';
    while (u < 3 && v >= 999.5) { v /= 1000; u++; }
    var d = u === 0 || v >= 99.95 ? 0 : v >= 9.995 ? 1 : 2;
    return (ns < 0 ? '-' : '') + v.toFixed(d) + ' ' + units[u];
  }
  function el(name, attrs, parent) {
    var e = document.createElementNS(SVG, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function color(c) { return classes[c].color; }

  /* ---- layout */
  function layout() {
    var kids = new Array(n), roots = [], i, j, k;
    for (i = 0; i < n; i++) {
      var p = T.parent[i];
      if (p < 0) roots.push(i);
      else (kids[p] || (kids[p] = [])).push(i);
    }
    function byStart(a, b) { return T.start[a] - T.start[b] || a - b; }
    roots.sort(byStart);
    for (i = 0; i < n; i++) if (kids[i]) kids[i].sort(byStart);
    var order = [], stack = roots.slice().reverse();   // preorder, without recursion
    while (stack.length) {
      i = stack.pop();
      order.push(i);
      if (kids[i]) for (j = kids[i].length - 1; j >= 0; j--) stack.push(kids[i][j]);
    }
    var height = new Int32Array(n), rel = new Int32Array(n);
    var lo = new Float64Array(n), hi = new Float64Array(n);   // the subtree's extent in time
    function pack(list) {   // first fit of subtrees into lanes; the lanes used
      var free = [], used = 0;
      for (var q = 0; q < list.length; q++) {
        var c = list[q], h = height[c], o = 0, m;
        for (m = 0; m < o + h; m++)   // the first o with lanes o .. o+h-1 free at lo[c]
          if (m < free.length && free[m] > lo[c]) o = m + 1;
        for (m = o; m < o + h; m++) free[m] = hi[c];
        rel[c] = o;
        if (o + h > used) used = o + h;
      }
      return used;
    }
    for (k = order.length - 1; k >= 0; k--) {
      i = order[k];
      lo[i] = T.start[i];
      hi[i] = T.end[i];
      var ch = kids[i];
      if (ch) for (j = 0; j < ch.length; j++) {
        lo[i] = Math.min(lo[i], lo[ch[j]]);
        hi[i] = Math.max(hi[i], hi[ch[j]]);
      }
      height[i] = 1 + (ch ? pack(ch) : 0);
    }
    var lanes = pack(roots), lane = new Int32Array(n);
    for (k = 0; k < order.length; k++) {
      i = order[k];
      lane[i] = T.parent[i] < 0 ? rel[i] : lane[T.parent[i]] + 1 + rel[i];
    }
    return { lane: lane, lanes: lanes };
  }
  var L = layout();

  /* ---- the elements */
  root.textContent = '';
  var top = document.createElement('div'), lanesBox = document.createElement('div');
  top.className = 'tl-top';
  lanesBox.className = 'tl-lanes';
  root.appendChild(top);
  root.appendChild(lanesBox);
  var topSvg = el('svg', { height: AXIS + CP, 'aria-label': 'time axis and critical path' }, top);
  var defs = el('defs', {}, topSvg);
  var hatch = el('pattern', { id: 'tl-hatch', width: 4, height: 4, patternUnits: 'userSpaceOnUse',
                              patternTransform: 'rotate(45)' }, defs);
  el('rect', { width: 4, height: 4, fill: '#fef0c7' }, hatch);
  el('rect', { width: 2, height: 4, fill: '#f79009' }, hatch);
  var axisG = el('g', { 'class': 'axis' }, topSvg);
  var cpG = el('g', { 'class': 'critical-path' }, topSvg);
  var height = Math.max(L.lanes, 1) * ROW + 4;
  var svg = el('svg', { height: height, 'class': 'lanes', 'aria-label': 'ops' }, lanesBox);
  var gridG = el('g', { 'class': 'grid' }, svg);
  var opsG = el('g', { 'class': 'ops' }, svg);
  var labelG = el('g', { 'class': 'labels' }, svg);

  function opTitle(i) {
    var c = classes[T.cls[i]];
    return c.class_key + (T.ident[i] ? '\n' + T.ident[i] : '') +
      (T.meta && T.meta[i] ? '\n' + T.meta[i] : '') +
      '\n' + fmtNs(T.end[i] - T.start[i]) + ', self ' + fmtNs(T.self[i]) +
      '\nfrom ' + fmtNs(T.start[i]) + ' to ' + fmtNs(T.end[i]) +
      '\nop ' + T.id[i] + (T.open[i] ? ' (open at the dump)' : '') +
      (T.crit[i] ? '\non the critical path' : '');
  }
  var bars = new Array(n), thin = new Uint8Array(n);
  function barClass(i) {
    return 'op' + (T.crit[i] ? ' crit' : '') + (T.open[i] ? ' open' : '') + (thin[i] ? ' thin' : '');
  }
  for (var i = 0; i < n; i++) {
    var r = el('rect', { 'class': barClass(i),
                         y: L.lane[i] * ROW + 2, height: BAR, fill: color(T.cls[i]),
                         'data-i': i }, opsG);
    el('title', {}, r).textContent = opTitle(i);
    bars[i] = r;
  }
  var P = T.path, segs = new Array(P.length);
  var cpLabel = el('text', { 'class': 'cp-label', x: 6, y: AXIS + 13 }, topSvg);
  cpLabel.textContent = P.length ? '' : 'no critical path';
  for (var s = 0; s < P.length; s++) {
    var seg = P[s], what = seg[2];
    var sr = el('rect', { 'class': 'cp ' + what, y: AXIS + 3, height: CP - 6 }, cpG);
    if (what === 'self') sr.setAttribute('fill', color(seg[1]));
    el('title', {}, sr).textContent = 'critical path: ' + what +
      (seg[1] >= 0 ? ' of ' + classes[seg[1]].class_key : '') +
      (seg[5] ? ' on ' + seg[5] : '') + '\n' + fmtNs(seg[7] - seg[6]) +
      ' in the replay, from ' + fmtNs(seg[6]) + ' to ' + fmtNs(seg[7]) +
      ' of the baseline replay\ndrawn within its op\'s recorded times';
    segs[s] = sr;
  }
  root.setAttribute('data-ops', String(n));
  root.setAttribute('data-lanes', String(L.lanes));

  /* ---- the view: [v0, v1] in ns from t0 */
  var len = Math.max(T.length_ns, 1), pad = len * 0.01;
  var v0 = -pad, v1 = len + pad, minSpan = Math.max(len / 1e7, 100);
  var W = 0, pending = false;

  /* The view becomes [a, b], kept inside the run; drawn now (a click) or
   * at the next animation frame (the wheel, a drag). */
  function setView(a, b, now) {
    var span = Math.min(Math.max(b - a, minSpan), len + 2 * pad);
    v0 = Math.max(a, -pad);
    v1 = v0 + span;
    if (v1 > len + pad) { v1 = len + pad; v0 = v1 - span; }
    root.setAttribute('data-view', Math.round(v0) + ' ' + Math.round(v1));
    if (now) draw();
    else if (!pending) { pending = true; window.requestAnimationFrame(draw); }
  }
  function niceStep(span, px) {
    var raw = span / Math.max(px / 110, 1), p = Math.pow(10, Math.floor(Math.log10(raw)));
    var m = raw / p;
    return p * (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10);
  }
  function draw() {
    pending = false;
    W = root.clientWidth || 800;
    topSvg.setAttribute('width', W);
    svg.setAttribute('width', W);
    var k = W / (v1 - v0), i, x0, x1;
    function X(t) { return (t - v0) * k; }
    /* axis and grid */
    axisG.textContent = '';
    gridG.textContent = '';
    var step = Math.max(niceStep(v1 - v0, W), 1);   // whole nanoseconds
    for (var t = Math.ceil(v0 / step) * step; t <= v1; t += step) {
      var x = Math.round(X(t)) + 0.5, g = el('g', { 'class': 'tick' }, axisG);
      el('line', { x1: x, x2: x, y1: AXIS - 6, y2: AXIS + CP }, g);
      if (x < W - 44) el('text', { x: x + 3, y: AXIS - 9 }, g).textContent = fmtNs(Math.round(t));
      el('line', { x1: x, x2: x, y1: 0, y2: height }, gridG);
    }
    /* bars */
    for (i = 0; i < n; i++) {
      x0 = X(T.start[i]);
      x1 = X(T.end[i]);
      if (x1 < -2 || x0 > W + 2) { bars[i].setAttribute('display', 'none'); continue; }
      x0 = Math.max(x0, -2);
      x1 = Math.min(x1, W + 2);
      bars[i].removeAttribute('display');
      bars[i].setAttribute('x', x0.toFixed(1));
      bars[i].setAttribute('width', Math.max(x1 - x0, 1).toFixed(1));
      if (thin[i] !== +(x1 - x0 < THIN_PX)) {   // too narrow for an outline
        thin[i] = +(x1 - x0 < THIN_PX);
        bars[i].setAttribute('class', barClass(i));
      }
    }
    for (i = 0; i < P.length; i++) {
      x0 = Math.max(X(Math.min(P[i][3], P[i][4])), -2);
      x1 = Math.min(X(Math.max(P[i][3], P[i][4])), W + 2);
      if (x1 < -2 || x0 > W + 2) { segs[i].setAttribute('display', 'none'); continue; }
      segs[i].removeAttribute('display');
      segs[i].setAttribute('x', x0.toFixed(1));
      segs[i].setAttribute('width', Math.max(x1 - x0, 1).toFixed(1));
    }
    /* labels on the bars wide enough for some text */
    labelG.textContent = '';
    for (i = 0; i < n; i++) {
      x0 = Math.max(X(T.start[i]), 0);
      x1 = Math.min(X(T.end[i]), W);
      if (x1 - x0 < LABEL_MIN_PX) continue;
      var chars = Math.floor((x1 - x0 - 8) / 6.4), text = classes[T.cls[i]].class_key;
      if (text.length > chars) text = text.slice(0, Math.max(chars - 1, 1)) + '\u2026';
      el('text', { 'class': 'lbl', x: (x0 + 4).toFixed(1), y: L.lane[i] * ROW + 2 + BAR - 3 },
         labelG).textContent = text;
    }
    document.getElementById('tl-view').textContent = 'showing ' + fmtNs(Math.max(v0, 0)) +
      ' to ' + fmtNs(Math.min(v1, len)) + ' of ' + fmtNs(len);
  }
  function zoom(f, atPx, now) {   // f < 1 zooms in, keeping the time under atPx in place
    var t = v0 + (v1 - v0) * (atPx / (W || 1));
    setView(t - (t - v0) * f, t + (v1 - t) * f, now);
  }
  function pan(px) {
    var dt = px * (v1 - v0) / (W || 1);
    setView(v0 + dt, v1 + dt, false);
  }

  /* ---- input */
  root.addEventListener('wheel', function (ev) {
    var rect = root.getBoundingClientRect();
    ev.preventDefault();
    if (Math.abs(ev.deltaX) > Math.abs(ev.deltaY)) pan(ev.deltaX);
    else zoom(Math.exp(ev.deltaY * (ev.deltaMode ? 0.05 : 0.002)), ev.clientX - rect.left, false);
  }, { passive: false });
  var drag = null;
  lanesBox.addEventListener('mousedown', function (ev) {
    if (ev.button !== 0) return;
    drag = { x: ev.clientX, y: ev.clientY, top: lanesBox.scrollTop };
    lanesBox.classList.add('dragging');
    ev.preventDefault();
  });
  window.addEventListener('mousemove', function (ev) {
    if (!drag) return;
    pan(drag.x - ev.clientX);
    drag.x = ev.clientX;
    lanesBox.scrollTop = drag.top + (drag.y - ev.clientY);
  });
  window.addEventListener('mouseup', function () {
    drag = null;
    lanesBox.classList.remove('dragging');
  });
  lanesBox.addEventListener('dblclick', function (ev) {   // zoom to the op
    var a = ev.target.getAttribute && ev.target.getAttribute('data-i');
    if (a === null || a === undefined) return;
    var i = +a, d = Math.max(T.end[i] - T.start[i], minSpan);
    setView(T.start[i] - d * 0.05, T.start[i] + d * 1.05, true);
  });
  document.getElementById('tl-in').addEventListener('click', function () { zoom(0.5, W / 2, true); });
  document.getElementById('tl-out').addEventListener('click', function () { zoom(2, W / 2, true); });
  document.getElementById('tl-reset').addEventListener('click', function () {
    setView(-pad, len + pad, true);
  });
  window.addEventListener('resize', function () { setView(v0, v1, false); });

  /* ---- legend: the classes the page names (T.legend: those drawn with the
   * most self time; the export gives them distinct colours), then a note on
   * the others, drawn in muted shades */
  var legend = document.getElementById('tl-legend');
  function item(html, text) {
    var d = document.createElement('span');
    d.className = 'item';
    d.innerHTML = html;   // static markup only; the text goes in as text
    d.appendChild(document.createTextNode(text));
    legend.appendChild(d);
    return d;
  }
  item('<i class="crit-key"></i>', 'on the critical path (top row: the path itself)');
  item('<i class="wait-key"></i>', 'a wait on it');
  for (i = 0; i < T.legend.length; i++) {
    var c = T.legend[i];
    var sw = item('<i class="sw"></i>', classes[c].class_key).firstChild;
    sw.style.setProperty('--c', classes[c].color);
  }
  if (T.classes_drawn > T.legend.length) {
    var more = document.createElement('span');
    more.className = 'item more';
    more.textContent = '+ ' + (T.classes_drawn - T.legend.length) +
      ' more classes (muted unless the tables name them; hover a bar)';
    legend.appendChild(more);
  }
  setView(v0, v1, true);
})();
