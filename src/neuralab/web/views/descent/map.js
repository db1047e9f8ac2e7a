// The contour map of a loss over two weights: bands and level lines painted once per surface
// on a canvas, and on an SVG above it the minima, the start, each optimizer's path up to the
// current step and the downhill arrow.
import { niceStep, tickText } from "../../lib/chart.js";
import { el, svg } from "../../lib/dom.js";
import { OPTIMIZERS, num } from "./common.js";

// Low loss is light, high loss dark: the minima are the bright pools.
const PALETTE = ["#fffbea", "#fdf2c4", "#f5e6a3", "#dcefb0", "#bfe3b4", "#9bd3b8", "#78c1bd",
  "#58aebf", "#4197bd", "#357eb5", "#2f66a8", "#2b4f96", "#263a80", "#1e2a66"];

// Where each of the grid's level lines crosses the cells (marching squares), as one path.
function contourPath(z, levels, sx, sy, w1, w2) {
  let d = "";
  const n = w1.length;
  const m = w2.length;
  for (const level of levels) {
    for (let j = 0; j < m - 1; j += 1) {
      for (let i = 0; i < n - 1; i += 1) {
        const c = [z[j][i], z[j][i + 1], z[j + 1][i + 1], z[j + 1][i]];
        const corners = [[i, j], [i + 1, j], [i + 1, j + 1], [i, j + 1]];
        const cross = [];
        for (let e = 0; e < 4; e += 1) {
          const a = c[e];
          const b = c[(e + 1) % 4];
          if ((a < level) !== (b < level)) {
            const t = (level - a) / (b - a);
            const [ai, aj] = corners[e];
            const [bi, bj] = corners[(e + 1) % 4];
            const fi = ai + t * (bi - ai);
            const fj = aj + t * (bj - aj);
            const x = w1[0] + (fi / (n - 1)) * (w1[n - 1] - w1[0]);
            const y = w2[0] + (fj / (m - 1)) * (w2[m - 1] - w2[0]);
            cross.push(`${sx(x).toFixed(1)},${sy(y).toFixed(1)}`);
          }
        }
        for (let k = 0; k + 1 < cross.length; k += 2) d += `M${cross[k]}L${cross[k + 1]}`;
      }
    }
  }
  return d;
}

// The filled bands: each canvas pixel coloured by how many levels lie below its loss (the
// grid spans the canvas less `pad` pixels on each side; the edge pixels repeat the grid's edge).
function paintBands(canvas, map, pad) {
  const { loss: z, levels } = map;
  const m = z.length;
  const n = z[0].length;
  const W = canvas.width;
  const H = canvas.height;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(W, H);
  const rgb = PALETTE.map((h) => [1, 3, 5].map((k) => parseInt(h.slice(k, k + 2), 16)));
  const clamp = (v, hi) => Math.max(0, Math.min(hi, v));
  for (let py = 0; py < H; py += 1) {
    const fj = clamp(((H - pad - py) / (H - 2 * pad)) * (m - 1), m - 1);
    const j = Math.min(m - 2, Math.floor(fj));
    const tj = fj - j;
    for (let px = 0; px < W; px += 1) {
      const fi = clamp(((px - pad) / (W - 2 * pad)) * (n - 1), n - 1);
      const i = Math.min(n - 2, Math.floor(fi));
      const ti = fi - i;
      const v = (z[j][i] * (1 - ti) + z[j][i + 1] * ti) * (1 - tj) +
        (z[j + 1][i] * (1 - ti) + z[j + 1][i + 1] * ti) * tj;
      let band = 0;
      while (band < levels.length && v > levels[band]) band += 1;
      const [r, g, b] = rgb[Math.min(band, rgb.length - 1)];
      const o = (py * W + px) * 4;
      img.data[o] = r;
      img.data[o + 1] = g;
      img.data[o + 2] = b;
      img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
}

export function contourMap(W) {
  const wrap = el("div", { class: "map-wrap" });
  const canvas = el("canvas", { class: "map-canvas", "aria-hidden": "true" });
  const root = svg("svg", { class: "map-svg", role: "img", tabindex: "-1",
    "aria-label": "Contour map of the loss over the two weights; click to choose the start" });
  const title = svg("title", {}, "Loss surface");
  const axes = svg("g", { class: "axes" });
  const marks = svg("g", { class: "marks" });
  const paths = svg("g", { class: "paths" });
  const arrow = svg("g", { class: "grad-arrow" });
  const start = svg("circle", { r: 7, class: "start" });
  root.append(title, axes, marks, paths, arrow, start);
  wrap.append(canvas, root);
  let sx = (x) => x;
  let sy = (y) => y;
  let box = [0, 1, 0, 1];
  let H = W;
  const drawn = {};
  for (const o of OPTIMIZERS) {
    const halo = svg("polyline", { class: "halo" });
    const line = svg("polyline", { class: "path", stroke: o.colour, "stroke-dasharray": o.dash });
    const head = svg("circle", { r: 6.5, class: "head", fill: o.colour });
    const cross = svg("text", { class: "boom", "text-anchor": "middle", fill: o.colour });
    const g = svg("g", { "data-optimizer": o.name });
    g.append(halo, line, head, cross);
    paths.append(g);
    drawn[o.name] = { g, halo, line, head, cross };
  }
  const PAD = 4;

  return {
    root: wrap,
    svg: root,
    setMap(map) {
      box = map.box;
      const [x0, x1, y0, y1] = box;
      H = Math.round(W * (y1 - y0) / (x1 - x0));
      root.setAttribute("viewBox", `0 0 ${W} ${H}`);
      wrap.style.aspectRatio = `${W} / ${H}`;
      // The bands and the level lines are drawn once per surface, on the canvas (one pixel
      // per SVG unit), so that a moving trajectory does not repaint them.
      canvas.width = W;
      canvas.height = H;
      sx = (x) => PAD + ((x - x0) / (x1 - x0)) * (W - 2 * PAD);
      sy = (y) => H - PAD - ((y - y0) / (y1 - y0)) * (H - 2 * PAD);
      paintBands(canvas, map, PAD);
      const ctx = canvas.getContext("2d");
      ctx.strokeStyle = "rgba(31, 41, 55, 0.4)";
      ctx.lineWidth = 1;
      ctx.stroke(new Path2D(contourPath(map.loss, map.levels, sx, sy, map.w1, map.w2)));
      axes.replaceChildren();
      const step = niceStep(x1 - x0, 6);
      for (let x = Math.ceil(x0 / step) * step; x <= x1 + 1e-9; x += step) {
        axes.append(svg("text", { x: sx(x), y: H - 8, "text-anchor": "middle" }, tickText(x)));
      }
      const stepY = niceStep(y1 - y0, 6);
      for (let y = Math.ceil(y0 / stepY) * stepY; y <= y1 + 1e-9; y += stepY) {
        if (Math.abs(y - y0) < 1e-9 || sy(y) < 36) continue;
        axes.append(svg("text", { x: 8, y: sy(y) + 5 }, tickText(y)));
      }
      axes.append(svg("text", { x: W - 10, y: H - 28, "text-anchor": "end", class: "axis-name" },
        map.name === "line" ? "w1 (slope)" : "w1"),
      svg("text", { x: 10, y: 22, class: "axis-name" }, map.name === "line" ? "w2 (intercept)"
        : "w2"));
      marks.replaceChildren(...map.minima.map(([x, y], i) => {
        const g = svg("g", { class: i === 0 ? "minimum global" : "minimum local" });
        g.append(svg("circle", { cx: sx(x), cy: sy(y), r: i === 0 ? 9 : 7 }),
          svg("title", {}, `${i === 0 ? "Global" : "Local"} minimum at (${x.toFixed(2)}, ` +
            `${y.toFixed(2)}), loss ${num(map.minima[i][2])}`));
        return g;
      }), ...map.saddles.map(([x, y]) => {
        const g = svg("g", { class: "saddle-point" });
        g.append(svg("rect", { x: sx(x) - 6, y: sy(y) - 6, width: 12, height: 12,
          transform: `rotate(45 ${sx(x)} ${sy(y)})` }), svg("title", {}, "Saddle point"));
        return g;
      }));
      title.textContent = `${map.title}: ${map.formula}`;
    },
    // Data coordinates of a click, snapped to the sliders' 0.1 grid and kept on the map.
    at(event) {
      const r = root.getBoundingClientRect();
      const px = ((event.clientX - r.left) / r.width) * W;
      const py = ((event.clientY - r.top) / r.height) * H;
      const [x0, x1, y0, y1] = box;
      const x = x0 + ((px - PAD) / (W - 2 * PAD)) * (x1 - x0);
      const y = y0 + ((H - PAD - py) / (H - 2 * PAD)) * (y1 - y0);
      const snap = (v, lo, hi) => Math.min(hi, Math.max(lo, Math.round(v * 10) / 10));
      return [snap(x, x0, x1), snap(y, y0, y1)];
    },
    setStart(x, y) {
      start.setAttribute("cx", sx(x));
      start.setAttribute("cy", sy(y));
    },
    // Each trajectory up to step k; the gradient arrow (downhill) at the first one's point.
    setPaths(data, k) {
      let arrowed = false;
      arrow.replaceChildren();
      const clampX = (x) => Math.max(-40, Math.min(W + 40, sx(x)));
      const clampY = (y) => Math.max(-40, Math.min(H + 40, sy(y)));
      for (const o of OPTIMIZERS) {
        const p = data?.paths[o.name];
        const d = drawn[o.name];
        d.g.hidden = !p;
        d.g.style.display = p ? "" : "none";
        if (!p) continue;
        const upto = Math.min(k, p.steps_taken);
        const pts = [];
        for (let i = 0; i <= upto; i += 1) {
          pts.push(`${clampX(p.x[i]).toFixed(1)},${clampY(p.y[i]).toFixed(1)}`);
        }
        d.halo.setAttribute("points", pts.join(" "));
        d.line.setAttribute("points", pts.join(" "));
        d.head.setAttribute("cx", clampX(p.x[upto]));
        d.head.setAttribute("cy", clampY(p.y[upto]));
        const over = p.status === "diverged" && upto >= p.steps_taken;
        d.g.dataset.status = over ? "diverged" : "";
        d.cross.textContent = over ? "✕ diverged" : "";
        d.cross.setAttribute("x", Math.max(60, Math.min(W - 60, clampX(p.x[upto]))));
        d.cross.setAttribute("y", Math.max(24, Math.min(H - 12, clampY(p.y[upto]) - 12)));
        if (!arrowed && !over) {
          arrowed = true;
          const gx = p.gx[upto];
          const gy = p.gy[upto];
          const len = Math.hypot(gx, gy);
          if (len > 1e-9) {
            // -gradient in pixels (the y axis points down on screen)
            const ux = -gx / len;
            const uy = gy / len;
            const x = sx(p.x[upto]);
            const y = sy(p.y[upto]);
            const L = 46;
            const tx = x + ux * L;
            const ty = y + uy * L;
            const nx = -uy;
            const ny = ux;
            arrow.append(svg("line", { x1: x, y1: y, x2: tx - ux * 8, y2: ty - uy * 8 }),
              svg("polygon", { points: `${tx},${ty} ${tx - ux * 12 + nx * 6},` +
                `${ty - uy * 12 + ny * 6} ${tx - ux * 12 - nx * 6},${ty - uy * 12 - ny * 6}` }),
              svg("title", {}, "Downhill: minus the gradient at this point"));
          }
        }
      }
    },
  };
}
