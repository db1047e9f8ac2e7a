// Pieces for hand-drawn SVG charts: elements, tick steps, and a line series that grows one
// point at a time without redrawing the points it already has.

import { el, svg } from "./dom.js";

// The smallest "round" step (1, 2, 2.5 or 5 times a power of ten) that reaches `max` in at
// most `count` steps.
export function niceStep(max, count) {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw * (1 - 1e-9));
}

// A tick value as short text: 0.30000000000000004 -> "0.3".
export const tickText = (v) => String(+v.toFixed(6));

const xy = (x, y) => `${x.toFixed(1)},${y.toFixed(1)}`;

// A line with a marker (and a hover tip) at each point. Points are {x, y, tip} in data
// units; `scale(sx, sy, radius)` sets the data-to-pixel functions and the markers' size. `set` draws all points afresh
// (after the scales changed), `add` appends: one path segment and one marker per point.
// A point whose y is not a finite number breaks the line.
export function lineSeries(className) {
  const line = svg("path", { class: "line" });
  const marks = svg("g", { class: "marks" });
  const root = svg("g", { class: className });
  root.append(line, marks);
  let sx = (x) => x;
  let sy = (y) => y;
  let radius = 3.5;
  let d = "";
  let gap = true;

  function add(points) {
    const fresh = document.createDocumentFragment();
    for (const p of points) {
      if (!Number.isFinite(p.y)) {
        gap = true;
        continue;
      }
      const at = xy(sx(p.x), sy(p.y));
      d += `${gap ? "M" : "L"}${at}`;
      gap = false;
      const [cx, cy] = at.split(",");
      const mark = svg("circle", { cx, cy, r: radius });
      if (p.tip) mark.append(svg("title", {}, p.tip));
      fresh.append(mark);
    }
    line.setAttribute("d", d);
    marks.append(fresh);
  }
  return {
    root,
    scale(x, y, r = radius) {
      sx = x;
      sy = y;
      radius = r;
    },
    set(points) {
      d = "";
      gap = true;
      marks.replaceChildren();
      add(points);
    },
    add,
  };
}

// ---------------------------------------------------------------------------- training chart

// A chart of a training run, epoch by epoch: series on a left axis (a loss, from 0 to a
// fixed top so that runs compare) and a right axis (an accuracy, 0-100%), dashed reference
// lines on the right axis, and the previous run's curves kept faint behind the new ones.
// Used by the comparison; made for any view that trains (the playground, the experiments).
//
// spec = {
//   series: [{ key, label, short, color, axis: "left" | "right" }],
//   left:  { title, short, top },           // top: the fixed top of the axis
//   right: { title, short },                // an accuracy from 0 to 1, shown in %
//   describe(points, lines): string,        // the accessible description
// }
// Layout (sizes, axes) and painting (series, lines, legend) are separate steps; the state is
// the points of this run and of the one before, and the reference lines.
const ROUND = (v) => String(+v.toFixed(6));
const percent = (x) => `${(100 * x).toFixed(1)}%`;
// The epoch axis grows in steps, so that most epochs only append.
export const epochAxis = (n) => (n <= 5 ? 5 : n <= 10 ? 10 : Math.ceil(n / 10) * 10);

function chartLayout(width, epochs, spec) {
  const W = width || 640;
  const narrow = W < 500;
  const H = narrow ? 236 : 262;
  const pad = narrow ? { l: 46, r: 54, t: 10, b: 42 } : { l: 58, r: 64, t: 12, b: 44 };
  const [x0, x1, y0, y1] = [pad.l, W - pad.r, H - pad.b, pad.t];
  const top = spec.left.top;
  return {
    W, H, narrow, x0, x1, y0, y1, epochs,
    sx: (x) => x0 + (x / epochs) * (x1 - x0),
    sy: { left: (y) => y0 - (Math.min(y, top) / top) * (y0 - y1), right: (a) => y0 - a * (y0 - y1) },
  };
}

function paintAxes(g, L, spec) {
  const { x0, x1, y0, y1, W, H, narrow, epochs } = L;
  const parts = [svg("line", { class: "axis", x1: x0, x2: x0, y1, y2: y0 })];
  for (let i = 0; i <= 5; i += 1) {  // the right axis: every 20%, with grid lines
    const y = L.sy.right(i / 5);
    if (i) parts.push(svg("line", { class: "grid", x1: x0, x2: x1, y1: y, y2: y }));
    parts.push(svg("text", { class: "acc", x: x1 + 7, y: y + 4.5 }, `${20 * i}%`));
  }
  const top = spec.left.top;
  const step = niceStep(top, 5);
  for (let v = 0; v <= top + 1e-9; v += step) {
    const y = L.sy.left(v);
    parts.push(svg("line", { class: "axis", x1: x0 - 5, x2: x0, y1: y, y2: y }),
      svg("text", { class: "loss", x: x0 - 8, y: y + 4.5, "text-anchor": "end" }, ROUND(v)));
  }
  const every = [1, 2, 5, 10, 20].find((s) => epochs / s <= (narrow ? 8 : 12)) || 20;
  for (let e = 0; e <= epochs; e += every) {
    if (e) parts.push(svg("line", { class: "grid", x1: L.sx(e), x2: L.sx(e), y1, y2: y0 }));
    parts.push(svg("text", { x: L.sx(e), y: y0 + 18, "text-anchor": "middle" }, String(e)));
  }
  const turned = (x, text, cls) => svg("text", { class: `title ${cls}`,
    transform: `translate(${x} ${(y0 + y1) / 2}) rotate(-90)`, "text-anchor": "middle" }, text);
  parts.push(svg("line", { class: "axis", x1: x0, x2: x1, y1: y0, y2: y0 }),
    svg("text", { class: "title", x: (x0 + x1) / 2, y: H - 6, "text-anchor": "middle" },
      "epoch"),
    turned(14, narrow ? spec.left.short : spec.left.title, "loss"),
    turned(W - 8, narrow ? spec.right.short : spec.right.title, "acc"));
  g.replaceChildren(...parts);
}

function paintKey(key, spec, lines, narrow, hasPrevious) {
  const item = (text, color, cls) => {
    const li = el("li", { class: cls }, el("i", { "aria-hidden": "true" }), text);
    li.style.setProperty("--c", color);
    return li;
  };
  key.replaceChildren(
    ...spec.series.map((s) => item(narrow ? s.short : s.label, s.color, "dot")),
    ...Object.values(lines).map((l) => item(`${narrow ? l.short : l.name} ${percent(l.value)}`,
      l.color, "dash")),
    ...(hasPrevious ? [item("previous run", "#9ca3af", "faint")] : []));
}

export function trainingChart(host, spec) {
  const key = el("ul", { class: "chart-key" });
  const plot = svg("svg", { class: "chart-svg", "aria-hidden": "true" });
  const area = svg("rect", { class: "plot-area" });
  const axes = svg("g", { class: "axes" });
  const refs = svg("g", { class: "baselines" });
  const faint = svg("g", { class: "previous" });
  const current = Object.fromEntries(spec.series.map((s) => {
    const series = lineSeries("series");
    series.root.style.setProperty("--c", s.color);
    return [s.key, series];
  }));
  plot.append(area, axes, faint, refs, ...Object.values(current).map((s) => s.root));
  host.setAttribute("role", "img");
  host.append(key, plot);

  // state
  let points = []; // this run's epochs
  let previous = []; // the run before, drawn faint
  let lines = {}; // key -> { name, short, value, color }
  let shown = 0;
  let width = 0;
  let L = null;
  let relayout = true;
  let frame = 0;
  let onDrawn = () => {};

  const asPoints = (run, s) => run.map((p) => ({ x: p.epoch, y: p[s.key],
    tip: `epoch ${p.epoch}: ${s.short} ${s.axis === "right" ? percent(p[s.key])
      : Number(p[s.key]).toFixed(3)}` }));

  function paintFaint() {
    faint.replaceChildren(...spec.series.map((s) => {
      const d = previous.filter((p) => Number.isFinite(p[s.key]))
        .map((p, i) => `${i ? "L" : "M"}${L.sx(p.epoch).toFixed(1)},` +
          `${L.sy[s.axis](p[s.key]).toFixed(1)}`).join("");
      const path = svg("path", { d, class: "faint-line" });
      path.style.setProperty("--c", s.color);
      return path;
    }));
  }

  function paintLines() {
    refs.replaceChildren(...Object.values(lines).map((l) => {
      const y = L.sy.right(l.value);
      const line = svg("line", { class: "baseline", x1: L.x0, x2: L.x1, y1: y, y2: y });
      line.style.stroke = l.color;
      return line;
    }));
    paintKey(key, spec, lines, L.narrow, previous.length > 0);
  }

  function draw() {
    cancelAnimationFrame(frame);
    frame = 0;
    const epochs = epochAxis(Math.max(points.length, previous.length));
    if (relayout || !L || epochs !== L.epochs || (width || 640) !== L.W) {
      L = chartLayout(width, epochs, spec);
      host.classList.toggle("narrow", L.narrow);
      plot.setAttribute("viewBox", `0 0 ${L.W} ${L.H}`);
      plot.setAttribute("width", L.W);
      plot.setAttribute("height", L.H);
      Object.entries({ x: L.x0, y: L.y1, width: L.x1 - L.x0, height: L.y0 - L.y1 })
        .forEach(([k, v]) => area.setAttribute(k, v));
      paintAxes(axes, L, spec);
      const radius = Math.max(2.2, Math.min(3.5, (L.x1 - L.x0) / epochs / 3));
      for (const s of spec.series) {
        current[s.key].scale(L.sx, L.sy[s.axis], radius);
        current[s.key].set(asPoints(points, s));
      }
      paintFaint();
      relayout = false;
    } else if (shown < points.length) {
      const fresh = points.slice(shown);
      for (const s of spec.series) current[s.key].add(asPoints(fresh, s));
    }
    paintLines();
    shown = points.length;
    host.setAttribute("aria-label", spec.describe(points, lines));
    onDrawn(shown);
  }
  const later = () => { if (!frame) frame = requestAnimationFrame(draw); };
  new ResizeObserver(([entry]) => {
    const w = Math.round(entry.contentRect.width);
    if (w && w !== width) {
      width = w;
      relayout = true;
      draw();
    }
  }).observe(host);

  return {
    // A new run: the current curves become the faint previous ones (if it had any).
    reset() {
      if (points.length) previous = points;
      points = [];
      shown = 0;
      lines = {};
      relayout = true;
      later();
    },
    add(point) {
      points.push(point);
      later();
    },
    baseline(k, { name, short, value, color }) {
      if (lines[k] && lines[k].value === value) return;
      lines[k] = { name, short, value, color };
      later();
    },
    flush() {
      if (frame) draw();
    },
    set onDrawn(fn) { onDrawn = fn; },
  };
}
