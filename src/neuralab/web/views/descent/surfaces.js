// Section 3b: gradient descent, momentum and Adam on a loss over two weights. Python computes
// the surface on a grid, the three trajectories and the learning-rate curve; this module draws
// them (a contour map, paths that grow step by step, a log-scale chart) and sends what the
// learner changed.
import { getJSON, latest } from "../../lib/api.js";
import { lineSeries, niceStep, tickText } from "../../lib/chart.js";
import { control } from "../../lib/controls.js";
import { el, reducedMotion, svg } from "../../lib/dom.js";

const ORDER = ["surface", "rate", "beta", "start_x", "start_y", "iterations"];
export const OPTIMIZERS = [
  { name: "gd", label: "Gradient descent", colour: "#ea580c", dash: "" },
  { name: "momentum", label: "Momentum", colour: "#7c3aed", dash: "9 5" },
  { name: "adam", label: "Adam", colour: "#0f766e", dash: "2 4" },
];
// Low loss is light, high loss dark: the minima are the bright pools.
const PALETTE = ["#fffbea", "#fdf2c4", "#f5e6a3", "#dcefb0", "#bfe3b4", "#9bd3b8", "#78c1bd",
  "#58aebf", "#4197bd", "#357eb5", "#2f66a8", "#2b4f96", "#263a80", "#1e2a66"];
const NAMES = { bowl: "round bowl", valley: "long narrow valley", banana: "banana (Rosenbrock)",
  saddle: "saddle", minima: "several minima", line: "fit a line" };
const num = (v) => (Math.abs(v) >= 1e4 ? v.toExponential(2) : Math.abs(v) < 1e-3 && v !== 0
  ? v.toExponential(1) : v.toFixed(3));

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

function contourMap(W) {
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

// The points a line is fitted to, draggable (pointer) and movable (arrow keys), with the line
// of each optimizer's current weights (slope w1, intercept w2).
function linePlot(onMove) {
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

// Steps to reach the minimum against the learning rate (log axis), one series per optimizer;
// rates that diverge sit on the top row, those that never get there on the row below it.
function rateChart(W, H) {
  const P = { l: 78, r: 16, t: 44, b: 40 };
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "rate-svg", role: "img",
    "aria-label": "Steps needed to reach the minimum at each learning rate, on a log scale" });
  const axes = svg("g", { class: "axes" });
  const bands = svg("g", { class: "bands" });
  const series = OPTIMIZERS.map((o) => {
    const s = lineSeries(`series ${o.name}`);
    s.root.setAttribute("stroke", o.colour);
    s.root.setAttribute("fill", o.colour);
    return s;
  });
  const extremes = svg("g", { class: "extremes" });
  const now = svg("line", { class: "now" });
  root.append(axes, bands, ...series.map((s) => s.root), extremes, now);
  const lx = (r) => Math.log10(r);
  let sx = (r) => r;
  return {
    root,
    set(data, enabled) {
      const rates = data.curves.gd.map((e) => e.rate);
      const lo = lx(rates[0]);
      const hi = lx(rates[rates.length - 1]);
      const top = data.max_steps;
      sx = (r) => P.l + ((lx(r) - lo) / (hi - lo)) * (W - P.l - P.r);
      const rowDiv = P.t - 30;
      const rowNot = P.t - 14;
      const sy = (s) => H - P.b - (s / top) * (H - P.t - P.b);
      axes.replaceChildren(svg("line", { x1: P.l, x2: W - P.r, y1: H - P.b, y2: H - P.b }),
        svg("line", { x1: P.l, x2: P.l, y1: P.t, y2: H - P.b }));
      for (let e = Math.ceil(lo); e <= hi; e += 1) {
        const r = 10 ** e;
        axes.append(svg("line", { x1: sx(r), x2: sx(r), y1: H - P.b, y2: H - P.b + 5 }),
          svg("text", { x: sx(r), y: H - P.b + 21, "text-anchor": "middle" }, tickText(r)));
      }
      const st = niceStep(top, 5);
      for (let s = 0; s <= top; s += st) {
        axes.append(svg("text", { x: P.l - 8, y: sy(s) + 5, "text-anchor": "end" }, String(s)));
      }
      axes.append(svg("text", { x: W - P.r, y: H - 4, "text-anchor": "end", class: "axis-name" },
        "learning rate (log scale)"), svg("text", { x: P.l - 8, y: rowDiv + 5,
        "text-anchor": "end", class: "row-name" }, "diverges"),
      svg("text", { x: P.l - 8, y: rowNot + 5, "text-anchor": "end", class: "row-name" },
        `> ${top}`), svg("text", { x: P.l + 6, y: P.t + 14, class: "axis-name" },
        "steps to the minimum"));
      const marks = [];
      OPTIMIZERS.forEach((o, i) => {
        const on = enabled[o.name];
        series[i].root.style.display = on ? "" : "none";
        series[i].scale(sx, sy, 3.5);
        const pts = data.curves[o.name].map((e) => ({ x: e.rate, y: e.outcome === "reached"
          ? e.steps : NaN, tip: `${o.label}, rate ${e.rate}: ${e.outcome === "reached"
          ? `${e.steps} steps` : e.outcome}` }));
        series[i].set(pts);
        if (!on) return;
        for (const e of data.curves[o.name]) {
          if (e.outcome === "reached") continue;
          const y = (e.outcome === "diverged" ? rowDiv : rowNot) + (i - 1) * 4;
          const m = svg("text", { x: sx(e.rate), y: y + 5, "text-anchor": "middle",
            fill: o.colour, class: e.outcome === "diverged" ? "div" : "slow" },
          e.outcome === "diverged" ? "×" : "·");
          m.append(svg("title", {}, `${o.label}, rate ${e.rate}: ${e.outcome}`));
          marks.push(m);
        }
      });
      extremes.replaceChildren(...marks);
      now.setAttribute("y1", rowDiv - 10);
      now.setAttribute("y2", H - P.b);
    },
    setRate(rate) {
      now.setAttribute("x1", sx(rate));
      now.setAttribute("x2", sx(rate));
    },
  };
}

function verdict(p, k, rate, surface) {
  const at = Math.min(k, p.steps_taken);
  if (p.status === "diverged" && at >= p.steps_taken) {
    return `diverged at step ${p.steps_taken}: stopped`;
  }
  if (p.reached_at !== null && at >= p.reached_at) {
    return `reached the minimum at step ${p.reached_at}`;
  }
  if (at < p.steps_taken) return "on its way";
  if (p.status === "stuck") {
    return surface === "saddle" ? "stuck on the saddle" : "stuck in a local minimum";
  }
  if (p.status === "reached") return "reached the minimum";
  return `still moving after ${p.steps_taken} steps at rate ${rate}`;
}

export async function mountSurfaces(root, { params, state }) {
  const byName = Object.fromEntries(params.map((p) => [p.name, p]));
  root.append(el("div", { class: "intro" },
    el("p", { text: "A real model has many weights, so its loss is a surface, not a curve. " +
      "Here the loss depends on two weights, w1 and w2, drawn as a map: each line joins " +
      "points of equal loss, light is low and dark is high. The arrow points downhill, " +
      "against the gradient." }),
    el("p", { class: "muted", text: "Click the map to choose where all three start. Plain " +
      "gradient descent steps straight downhill. Momentum keeps part of its last move, so it " +
      "speeds up along a long valley. Adam scales each weight's step by how large its " +
      "gradients have been, so every weight moves at about the learning rate." })));

  const controls = el("div", { class: "controls surf-controls" });
  const ctl = {};
  for (const name of ORDER) {
    ctl[name] = control(byName[name], state.get(name), (v) => {
      state.set(name, v);
      changed(name);
    });
    controls.append(ctl[name].el);
  }
  for (const option of ctl.surface.input.options) option.textContent = NAMES[option.value];
  const optBox = el("fieldset", { class: "optimizers" }, el("legend", { text: "Optimizers" }));
  for (const o of OPTIMIZERS) {
    ctl[o.name] = control(byName[o.name], state.get(o.name), (v) => {
      state.set(o.name, v);
      changed(o.name);
    });
    ctl[o.name].el.prepend(el("span", { class: "swatch", style: `--c: ${o.colour}`,
      "aria-hidden": "true" }));
    ctl[o.name].el.classList.add(`opt-${o.name}`);
    optBox.append(ctl[o.name].el);
  }
  const stepBtn = el("button", { type: "button", text: "Step" });
  const playBtn = el("button", { type: "button", class: "primary", text: "Play",
    "aria-pressed": "false" });
  const resetBtn = el("button", { type: "button", text: "Reset" });
  const buttons = el("div", { class: "buttons", role: "group",
    "aria-label": "Descent on the surface" }, stepBtn, playBtn, resetBtn);
  const phone = window.innerWidth < 600;  // fewer units per pixel keep the labels readable
  const map = contourMap(phone ? 380 : 520);
  const formula = el("p", { class: "formula" });
  const legend = el("p", { class: "map-legend" },
    el("span", { class: "key start-key", "aria-hidden": "true" }), " start (click to move) ",
    el("span", { class: "key low-key", "aria-hidden": "true" }), " lowest point ",
    el("span", { class: "key local-key", "aria-hidden": "true" }), " other minimum ",
    el("span", { class: "key arrow-key", "aria-hidden": "true", text: "→" }), " downhill");
  const line = linePlot((pts, focus) => {
    state.set("points", pts.map(([x, y]) => `${x},${y}`).join(";"));
    pointFocus = focus ?? -1;
    loadSurface();
  });
  const linePanel = el("div", { class: "line-panel", hidden: "" },
    el("p", { class: "muted", text: "Drag a point (or focus it and use the arrow keys): the " +
      "surface changes. Each optimizer's line is the one its current weights draw." }),
    line.root);
  const tbody = el("tbody");
  const table = el("table", { class: "surf-table" },
    el("caption", { text: "Each optimizer now" }),
    el("thead", {}, el("tr", {}, ...["Optimizer", "Step", "Loss", "What happened"]
      .map((h) => el("th", { scope: "col", text: h })))), tbody);
  const status = el("p", { class: "status surf-status", role: "status" });
  const rates = phone ? rateChart(400, 300) : rateChart(640, 280);
  const rateNote = el("p", { class: "muted rate-note" });

  root.append(
    el("div", { class: "surf-layout" },
      el("div", { class: "surf-plot" }, map.root, legend, formula, linePanel),
      el("div", { class: "surf-side" }, controls, optBox, buttons, table, status),
      el("div", { class: "surf-curve" },
        el("h3", { text: "The learning-rate curve" }),
        el("p", { class: "muted", text: "The same start at 32 learning rates from 0.001 to " +
          "3: how many steps each optimizer needs to get close to the lowest point. Too small " +
          "takes forever, too large diverges, and in between is the good range. The dashed " +
          "line is your rate." }),
        el("div", { class: "rate-wrap" }, rates.root), rateNote)));

  let surface = null;
  let data = null;
  let curve = null;
  let k = 0;
  let timer = null;
  let pointFocus = -1;
  let drawn = 0;
  const askSurface = latest();
  const askPaths = latest();
  const askRates = latest();
  root.dataset.state = "loading";

  const enabled = () => Object.fromEntries(OPTIMIZERS.map((o) => [o.name, state.get(o.name)]));
  const maxSteps = () => (data ? Math.max(0, ...Object.values(data.paths)
    .map((p) => p.steps_taken)) : 0);

  function render() {
    map.setPaths(data, k);
    map.setStart(state.get("start_x"), state.get("start_y"));
    if (surface?.name === "line") line.setFits(data, k);
    const rows = [];
    const notes = [];
    for (const o of OPTIMIZERS) {
      const p = data?.paths[o.name];
      if (!p) continue;
      const at = Math.min(k, p.steps_taken);
      const what = verdict(p, k, data.rate, data.surface);
      const over = p.status === "diverged" && at >= p.steps_taken;
      rows.push(el("tr", { "data-optimizer": o.name, "data-status": over ? "diverged"
        : at >= p.steps_taken ? p.status : "running" },
      el("th", { scope: "row" }, el("span", { class: "swatch", style: `--c: ${o.colour}`,
        "aria-hidden": "true" }), o.label),
      el("td", { class: "num-cell", text: String(at) }),
      el("td", { class: "num-cell", text: num(p.loss[at]) }),
      el("td", { class: over ? "bad" : "", text: what })));
      if (over) notes.push(o.label);
    }
    tbody.replaceChildren(...rows);
    let text = "";
    let cls = "status surf-status";
    if (notes.length) {
      const who = notes.join(" and ");
      const best = curve && notes.includes("Gradient descent") ? safeRate("gd", data.rate)
        : null;
      text = `${who} diverged: at learning rate ${data.rate} each step overshot the bottom ` +
        "of the steepest direction by more than the last, so the loss grew without bound and " +
        `the run was stopped. Make the learning rate smaller${best ? ` (gradient descent ` +
        `reached the minimum here up to about ${best})` : ""}, or use momentum or Adam.`;
      cls += " bad";
    } else if (data && Object.values(data.paths).some((p) => p.status === "stuck") &&
      k >= maxSteps()) {
      text = surface.name === "saddle"
        ? "Stuck on the saddle: the slope there is zero, so a step does not move. Start a " +
          "little off the ridge line."
        : "Stuck in a local minimum: downhill in every direction ends here, but the lowest " +
          "point (the large ring) is elsewhere. Try another start or a larger rate.";
    }
    status.className = cls;
    if (status.textContent !== text) status.textContent = text;  // speak only what is new
    stepBtn.disabled = !data || k >= maxSteps();
    root.dataset.step = String(k);
    root.dataset.drawn = String(++drawn);
  }

  // The largest rate below `below` at which `opt` reached the minimum (rounded), or null.
  function safeRate(opt, below = Infinity) {
    const ok = curve.curves[opt].filter((e) => e.outcome === "reached" && e.rate < below);
    return ok.length ? Number(ok[ok.length - 1].rate.toPrecision(2)) : null;
  }

  function stop() {
    clearInterval(timer);
    timer = null;
    playBtn.textContent = "Play";
    playBtn.setAttribute("aria-pressed", "false");
  }

  async function loadSurface() {
    root.dataset.state = "loading";
    let r;
    try {
      r = await askSurface((signal) => getJSON("/api/descent/surface", query(), { signal }));
    } catch (err) {
      if (err.detail?.[0]?.param === "points" && state.get("points") !== byName.points.default) {
        state.set("points", byName.points.default);  // a broken link: back to the lesson's
        return loadSurface();
      }
      return fail(err);
    }
    if (!r) return;
    surface = r;
    const [x0, x1, y0, y1] = r.box;
    const sx = state.get("start_x");
    const sy = state.get("start_y");
    if (sx < x0 || sx > x1 || sy < y0 || sy > y1) {  // keep the start on this map
      for (const [name, v] of [["start_x", r.start[0]], ["start_y", r.start[1]]]) {
        state.set(name, v);
        ctl[name].set(v);
      }
    }
    map.setMap(r);
    formula.textContent = `${r.title}: ${r.formula}`;
    linePanel.hidden = r.name !== "line";
    if (r.points) line.setPoints(r.points, pointFocus);
    pointFocus = -1;
    await Promise.all([loadPaths(), loadRates()]);
  }

  function query() {
    const q = state.all();
    for (const o of OPTIMIZERS) q[o.name] = q[o.name] ? "1" : "0";
    return Object.fromEntries(["surface", "rate", "beta", "start_x", "start_y", "iterations",
      "points", ...OPTIMIZERS.map((o) => o.name)].map((n) => [n, q[n]]));
  }

  function fail(err) {
    status.className = "status surf-status bad";
    status.textContent = err.message;
    root.dataset.state = "error";
  }

  async function loadPaths() {
    root.dataset.state = "loading";
    let r;
    try {
      r = await askPaths((signal) => getJSON("/api/descent/paths", query(), { signal }));
    } catch (err) {
      return fail(err);
    }
    if (!r) return;
    data = r;
    k = Math.min(k, maxSteps());
    render();
    rates.setRate(r.rate);
    root.dataset.state = "ready";
  }

  async function loadRates() {
    let r;
    try {
      r = await askRates((signal) => getJSON("/api/descent/rates", query(), { signal }));
    } catch (err) {
      return fail(err);
    }
    if (!r) return;
    curve = r;
    rates.set(r, enabled());
    rates.setRate(state.get("rate"));
    const ok = r.curves.gd.map((e) => e.outcome === "reached");
    const first = ok.indexOf(true);
    const last = ok.lastIndexOf(true);
    const rate = (i) => Number(r.curves.gd[i].rate.toPrecision(2));
    const where = `On the ${NAMES[r.surface]} surface, plain gradient descent reaches the ` +
      `minimum within ${r.max_steps} steps`;
    rateNote.textContent = first < 0 ? `${where} at none of these rates from this start.`
      : ok.slice(first, last + 1).every(Boolean) ? `${where} at rates from ${rate(first)} to ` +
        `about ${rate(last)}.`
        : `${where} at ${ok.filter(Boolean).length} of the ${ok.length} rates, between ` +
          `${rate(first)} and ${rate(last)}: from elsewhere it settles in another minimum.`;
    if (data) render();
  }

  // The learning-rate curve takes longer than the paths: it is asked for once the slider
  // has rested for a moment, so that the paths of every move come back first.
  let ratesTimer = null;
  function ratesSoon() {
    clearTimeout(ratesTimer);
    ratesTimer = setTimeout(loadRates, 200);
  }

  function changed(name) {
    if (name === "surface") {
      stop();
      k = 0;
      loadSurface();
    } else if (name === "start_x" || name === "start_y") {
      k = 0;
      map.setStart(state.get("start_x"), state.get("start_y"));
      loadPaths();
      ratesSoon();
    } else if (name === "beta") {
      loadPaths();
      ratesSoon();
    } else if (OPTIMIZERS.some((o) => o.name === name)) {
      loadPaths();
      if (curve) rates.set(curve, enabled());
    } else {
      loadPaths();
    }
  }

  map.svg.addEventListener("click", (e) => {
    const [x, y] = map.at(e);
    for (const [name, v] of [["start_x", x], ["start_y", y]]) {
      state.set(name, v);
      ctl[name].set(v);
    }
    stop();
    changed("start_x");
  });
  stepBtn.addEventListener("click", () => {
    if (data && k < maxSteps()) {
      k += 1;
      render();
    }
  });
  resetBtn.addEventListener("click", () => {
    stop();
    k = 0;
    render();
  });
  playBtn.addEventListener("click", () => {
    if (timer) {
      stop();
      return;
    }
    if (!data) return;
    if (k >= maxSteps()) k = 0;
    if (reducedMotion()) {  // no animation: show where every run ends
      k = maxSteps();
      render();
      return;
    }
    playBtn.textContent = "Pause";
    playBtn.setAttribute("aria-pressed", "true");
    timer = setInterval(() => {
      if (k >= maxSteps()) {
        stop();
        return;
      }
      k = Math.min(maxSteps(), k + (maxSteps() > 300 ? 3 : maxSteps() > 120 ? 2 : 1));
      render();
    }, 40);
  });
  await loadSurface();
}
