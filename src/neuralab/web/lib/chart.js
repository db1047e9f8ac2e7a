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
  const pad = narrow ? { l: 50, r: 64, t: 10, b: 42 } : { l: 58, r: 68, t: 12, b: 44 };
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
    parts.push(svg("text", { class: "acc", x: x1 + 10, y: y + 4.5 }, `${20 * i}%`));
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

// ---------------------------------------------------------------------------- x-y chart

// A chart of a few series against a linear or logarithmic x axis, each a line through its
// points with an optional band (each point's low..high, e.g. the spread over seeds), a
// legend, and a marker for "you are here" (a vertical line at x, or a ringed point).
//
// spec = { x: { title, log, format }, y: { title, log, percent, min, max, format },
//          describe(series, marker): string }
// chart.set(series, marker): series = [{ key, label, color, points: [{ x, y, low, high,
// tip }] }]; marker = { x, y?, label } or null.
// 1, 2 and 5 times each power of ten in the range, or only the powers when that is too many.
const logTicks = (lo, hi, most = 9) => {
  const ticks = [];
  for (const steps of [[1, 2, 5], [1, 3], [1]]) {
    ticks.length = 0;
    for (let p = Math.floor(Math.log10(lo)); p <= Math.ceil(Math.log10(hi)); p += 1) {
      for (const m of steps) {
        const v = m * 10 ** p;
        if (v >= lo * 0.999 && v <= hi * 1.001) ticks.push(v);
      }
    }
    if (ticks.length <= most) break;
  }
  return ticks;
};
// Round ticks over a linear range: from a multiple of the step at or below lo.
const linearTicks = (lo, hi) => {
  const step = niceStep(hi - lo, 5);
  const ticks = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9; v += step) ticks.push(v);
  return ticks;
};
const shortNumber = (v) => (v >= 1000 ? `${+(v / 1000).toFixed(1)}k` : ROUND(v));

function scale(axis, lo, hi, from, to) {
  if (axis.log) {
    const a = Math.log10(lo);
    const b = Math.log10(hi);
    return (v) => from + ((Math.log10(v) - a) / (b - a || 1)) * (to - from);
  }
  return (v) => from + ((v - lo) / (hi - lo || 1)) * (to - from);
}

function extent(values, axis) {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (axis.log) return [axis.min ?? lo / 1.15, axis.max ?? hi * 1.15];
  const step = niceStep(Math.max(hi - lo, 1e-9), 5);
  lo = axis.min ?? Math.max(axis.floor ?? -Infinity, Math.floor(lo / step) * step);
  hi = axis.max ?? Math.ceil(hi / step) * step;
  return [lo, hi];
}

export function xyChart(host, spec) {
  const key = el("ul", { class: "chart-key" });
  const plot = svg("svg", { class: "chart-svg xy", "aria-hidden": "true" });
  host.setAttribute("role", "img");
  host.append(key, plot);
  let series = [];
  let marker = null;
  let width = 0;

  function draw() {
    const W = width || 560;
    const narrow = W < 460;
    const H = narrow ? 250 : 280;
    plot.setAttribute("viewBox", `0 0 ${W} ${H}`);
    plot.setAttribute("width", W);
    plot.setAttribute("height", H);
    const points = series.flatMap((s) => s.points);
    if (!points.length) {
      plot.replaceChildren();
      return;
    }
    const [xlo, xhi] = extent(points.map((p) => p.x), spec.x);
    const [ylo, yhi] = extent(points.flatMap((p) => [p.low ?? p.y, p.high ?? p.y]), spec.y);
    const fx = spec.x.format || shortNumber;
    const fy = spec.y.format || (spec.y.percent ? (v) => `${Math.round(100 * v)}%` : ROUND);
    const yticks = spec.y.log ? logTicks(ylo, yhi, 7) : linearTicks(ylo, yhi);
    // Room for the turned y title plus the longest tick label (about 9 px a character at
    // 14 px), so a label such as "100 ms" does not run into the title.
    const longest = Math.max(0, ...yticks.map((v) => String(fy(v)).length));
    const pad = { l: Math.max(narrow ? 64 : 72, Math.ceil(34 + 9 * longest)), r: 16, t: 12,
      b: 46 };
    const [x0, x1, y0, y1] = [pad.l, W - pad.r, H - pad.b, pad.t];
    const sx = scale(spec.x, xlo, xhi, x0, x1);
    const sy = scale(spec.y, ylo, yhi, y0, y1);
    const parts = [svg("rect", { class: "plot-area", x: x0, y: y1, width: x1 - x0,
      height: y0 - y1 })];
    const xticks = spec.x.log ? logTicks(xlo, xhi, narrow ? 6 : 10) : linearTicks(xlo, xhi);
    for (const v of xticks) {
      parts.push(svg("line", { class: "grid", x1: sx(v), x2: sx(v), y1, y2: y0 }),
        svg("text", { x: sx(v), y: y0 + 18, "text-anchor": "middle" }, fx(v)));
    }
    for (const v of yticks) {
      parts.push(svg("line", { class: "grid", x1: x0, x2: x1, y1: sy(v), y2: sy(v) }),
        svg("text", { x: x0 - 8, y: sy(v) + 4.5, "text-anchor": "end" }, fy(v)));
    }
    parts.push(svg("line", { class: "axis", x1: x0, x2: x1, y1: y0, y2: y0 }),
      svg("line", { class: "axis", x1: x0, x2: x0, y1, y2: y0 }),
      svg("text", { class: "title", x: (x0 + x1) / 2, y: H - 6, "text-anchor": "middle" },
        spec.x.title),
      svg("text", { class: "title", transform: `translate(14 ${(y0 + y1) / 2}) rotate(-90)`,
        "text-anchor": "middle" }, spec.y.title));
    if (marker && marker.x !== undefined && marker.y === undefined) {
      parts.push(svg("line", { class: "you-are-here", x1: sx(marker.x), x2: sx(marker.x),
        y1, y2: y0 }), svg("text", { class: "you-are-here-label", x: sx(marker.x) + 5,
        y: y1 + 14 }, marker.label));
    }
    for (const s of series) {
      const g = svg("g", { class: `xy-series${s.live ? " live" : ""}` });
      g.style.setProperty("--c", s.color);
      const banded = s.points.filter((p) => p.low !== undefined && p.high !== undefined);
      if (banded.length > 1) {
        const top = banded.map((p) => `${sx(p.x).toFixed(1)},${sy(p.high).toFixed(1)}`);
        const bottom = banded.slice().reverse()
          .map((p) => `${sx(p.x).toFixed(1)},${sy(p.low).toFixed(1)}`);
        g.append(svg("polygon", { class: "band", points: [...top, ...bottom].join(" ") }));
      }
      g.append(svg("polyline", { class: "line", points: s.points
        .map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(" ") }));
      for (const p of s.points) {
        const dot = svg("circle", { cx: sx(p.x), cy: sy(p.y), r: 4 });
        if (p.tip) dot.append(svg("title", {}, p.tip));
        g.append(dot);
      }
      parts.push(g);
    }
    if (marker && marker.y !== undefined) {
      parts.push(svg("circle", { class: "you-are-here", cx: sx(marker.x), cy: sy(marker.y),
        r: 9 }), svg("text", { class: "you-are-here-label", x: sx(marker.x) + 12,
        y: sy(marker.y) - 10 }, marker.label));
    }
    plot.replaceChildren(...parts);
  }

  function legend() {
    key.replaceChildren(...series.map((s) => {
      const li = el("li", { class: "dot" }, el("i", { "aria-hidden": "true" }), s.label);
      li.style.setProperty("--c", s.color);
      return li;
    }));
  }

  new ResizeObserver(([entry]) => {
    const w = Math.round(entry.contentRect.width);
    if (w && w !== width) {
      width = w;
      draw();
    }
  }).observe(host);
  return {
    set(next, mark = null) {
      series = next;
      marker = mark;
      legend();
      draw();
      host.setAttribute("aria-label", spec.describe(series, marker));
    },
  };
}
