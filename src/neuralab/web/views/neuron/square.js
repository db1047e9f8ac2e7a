// The unit square of inputs: the four input pairs as points (filled when the target is ON),
// and each neuron's decision line w1·x1 + w2·x2 + b = 0 with its ON side shaded.
import { svg } from "../../lib/dom.js";

const S = 280;
const LO = -0.3;
const HI = 1.3;
const sx = (x) => ((x - LO) / (HI - LO)) * S;
const sy = (y) => S - ((y - LO) / (HI - LO)) * S;
const BOX = [[LO, LO], [HI, LO], [HI, HI], [LO, HI]];

// The part of the drawn box where w1·x + w2·y + b > 0 (one clip of the box by a half-plane).
function onSide(w1, w2, b) {
  const f = ([x, y]) => w1 * x + w2 * y + b;
  const out = [];
  for (let i = 0; i < BOX.length; i += 1) {
    const p = BOX[i];
    const q = BOX[(i + 1) % BOX.length];
    const fp = f(p);
    const fq = f(q);
    if (fp > 0) out.push(p);
    if ((fp > 0) !== (fq > 0)) {
      const t = fp / (fp - fq);
      out.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
    }
  }
  return out;
}

// Where the line crosses the drawn box (its two ends), or null when it misses the box.
function ends(w1, w2, b) {
  const poly = onSide(w1, w2, b);
  const on = poly.filter(([x, y]) => Math.abs(w1 * x + w2 * y + b) < 1e-9);
  return on.length >= 2 ? [on[0], on[on.length - 1]] : null;
}

export function unitSquare() {
  const root = svg("svg", { viewBox: `0 0 ${S} ${S}`, class: "square-svg", role: "img",
    "aria-label": "The unit square of inputs with the neuron's decision line" });
  const title = svg("title", {}, "Decision line");
  const frame = svg("g", { class: "frame" });
  const region = svg("path", { class: "region" });
  const shades = svg("g", { class: "shades" });
  const lines = svg("g", { class: "lines" });
  const corners = svg("g", { class: "corners" });
  frame.append(svg("rect", { x: sx(0), y: sy(1), width: sx(1) - sx(0), height: sy(0) - sy(1) }),
    svg("text", { x: sx(0.5), y: S - 6, "text-anchor": "middle" }, "input 1 →"),
    svg("text", { x: 12, y: sy(0.5), "text-anchor": "middle",
      transform: `rotate(-90 12 ${sy(0.5)})` }, "input 2 →"));
  root.append(title, region, shades, frame, lines, corners);

  return {
    root,
    // neurons: [{w1, w2, bias, colour}], rows: the truth table (x1, x2, expected, correct);
    // cells: where a network is ON (rows of "0"/"1" from the bottom, the server's grid), if any
    update(neurons, rows, target, cells = null) {
      let d = "";
      if (cells) {
        const n = cells.length;
        const cell = (HI - LO) / (n - 1);
        cells.forEach((row, j) => {
          for (const m of row.matchAll(/1+/g)) {  // one rectangle per run of ON cells
            const x0 = sx(LO + (m.index - 0.5) * cell);
            const x1 = sx(LO + (m.index + m[0].length - 0.5) * cell);
            const y0 = sy(LO + (j + 0.5) * cell);
            const y1 = sy(LO + (j - 0.5) * cell);
            d += `M${x0.toFixed(1)},${y0.toFixed(1)}H${x1.toFixed(1)}V${y1.toFixed(1)}` +
              `H${x0.toFixed(1)}Z`;
          }
        });
      }
      region.setAttribute("d", d);
      shades.replaceChildren(...neurons.map((n) => {
        const pts = onSide(n.w1, n.w2, n.bias);
        return svg("polygon", { points: pts.map(([x, y]) => `${sx(x)},${sy(y)}`).join(" "),
          fill: neurons.length > 1 ? "none" : n.colour, "fill-opacity": 0.22 });
      }));
      lines.replaceChildren(...neurons.flatMap((n) => {
        const e = ends(n.w1, n.w2, n.bias);
        if (!e) return [];
        const line = svg("line", { x1: sx(e[0][0]), y1: sy(e[0][1]), x2: sx(e[1][0]),
          y2: sy(e[1][1]), stroke: n.colour, "data-neuron": n.name });
        return [line];
      }));
      corners.replaceChildren(...rows.map((r) => {
        const g = svg("g", { class: `corner ${r.expected ? "on" : "off"} ${r.correct ? "right"
          : "wrong"}` });
        const x = sx(r.x1 ? 1 : 0);
        const y = sy(r.x2 ? 1 : 0);
        g.append(svg("circle", { cx: x, cy: y, r: 13 }),
          svg("text", { x, y: y + (r.x2 ? -20 : 31), "text-anchor": "middle" },
            `(${r.x1 ? 1 : 0},${r.x2 ? 1 : 0})`));
        return g;
      }));
      const on = rows.filter((r) => r.expected).map((r) => `(${+r.x1},${+r.x2})`).join(", ");
      title.textContent = `${target} is ON at ${on || "no corner"}. ` + neurons.map((n) =>
        `${n.label}: line ${n.w1.toFixed(1)}·x1 + ${n.w2.toFixed(1)}·x2 + ` +
        `${n.bias.toFixed(1)} = 0`).join("; ");
    },
  };
}
