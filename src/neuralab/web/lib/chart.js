// Pieces for hand-drawn SVG charts: elements, tick steps, and a line series that grows one
// point at a time without redrawing the points it already has.

import { svg } from "./dom.js";

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
