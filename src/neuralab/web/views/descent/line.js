// Fit a line: the points (draggable, or moved with the arrow keys) and each optimizer's line.
import { svg } from "../../lib/dom.js";
import { OPTIMIZERS } from "./common.js";

// The points a line is fitted to, draggable (pointer) and movable (arrow keys), with the line
// of each optimizer's current weights (slope w1, intercept w2).
export function linePlot(onMove) {
  const S = 300;
  const root = svg("svg", { viewBox: `0 0 ${S} ${S}`, class: "line-svg", role: "group",
    "aria-label": "The points and the fitted lines; drag a point or move it with the arrow keys" });
  const frame = svg("g", { class: "axes" });
  const fits = svg("g", { class: "fits" });
  const dots = svg("g", { class: "dots" });
  root.append(frame, fits, dots);
  const s = (v) => S / 2 + v * (S / 2 - 14);
  const inv = (p) => (p - S / 2) / (S / 2 - 14);
  frame.append(svg("rect", { x: 14, y: 14, width: S - 28, height: S - 28 }),
    svg("line", { x1: s(-1), x2: s(1), y1: s(0), y2: s(0) }),
    svg("line", { x1: s(0), x2: s(0), y1: s(-1), y2: s(1) }),
    svg("text", { x: S - 18, y: s(0) - 6, "text-anchor": "end" }, "x"),
    svg("text", { x: s(0) + 6, y: 30 }, "y"));
  let points = [];
  const fitLines = OPTIMIZERS.map((o) => {
    const l = svg("line", { stroke: o.colour, "stroke-dasharray": o.dash, class: "fit" });
    fits.append(l);
    return l;
  });
  const round = (v) => Math.round(Math.max(-1, Math.min(1, v)) * 100) / 100;

  function draw() {
    dots.replaceChildren(...points.map(([x, y], i) => {
      const c = svg("circle", { cx: s(x), cy: s(-y), r: 12, tabindex: "0", class: "pt",
        role: "slider", "aria-label": `Point ${i + 1}`, "aria-valuetext":
        `x ${x.toFixed(2)}, y ${y.toFixed(2)}`, "aria-valuenow": y, "aria-valuemin": -1,
        "aria-valuemax": 1 });
      c.addEventListener("pointerdown", (e) => {
        c.setPointerCapture(e.pointerId);
        const move = (ev) => {
          const r = root.getBoundingClientRect();
          points[i] = [round(inv(((ev.clientX - r.left) / r.width) * S)),
            round(-inv(((ev.clientY - r.top) / r.height) * S))];
          c.setAttribute("cx", s(points[i][0]));
          c.setAttribute("cy", s(-points[i][1]));
        };
        const up = () => {
          c.removeEventListener("pointermove", move);
          c.removeEventListener("pointerup", up);
          onMove(points);
        };
        c.addEventListener("pointermove", move);
        c.addEventListener("pointerup", up);
      });
      c.addEventListener("keydown", (e) => {
        const d = { ArrowLeft: [-0.05, 0], ArrowRight: [0.05, 0], ArrowUp: [0, 0.05],
          ArrowDown: [0, -0.05] }[e.key];
        if (!d) return;
        e.preventDefault();
        points[i] = [round(points[i][0] + d[0]), round(points[i][1] + d[1])];
        onMove(points, i);
      });
      return c;
    }));
  }
  return {
    root,
    setPoints(p, focus = -1) {
      points = p.map((q) => [...q]);
      draw();
      if (focus >= 0) dots.children[focus]?.focus();
    },
    setFits(data, k) {
      OPTIMIZERS.forEach((o, i) => {
        const p = data?.paths[o.name];
        fitLines[i].style.display = p ? "" : "none";
        if (!p) return;
        const at = Math.min(k, p.steps_taken);
        const [m, q] = [p.x[at], p.y[at]];
        fitLines[i].setAttribute("x1", s(-1));
        fitLines[i].setAttribute("x2", s(1));
        fitLines[i].setAttribute("y1", s(-(q - m)));
        fitLines[i].setAttribute("y2", s(-(q + m)));
      });
    },
  };
}
