// Section 3: gradient descent on a 1-D loss. Python computes the whole path; this module
// draws the curve and walks the point along the path (step, play, reset). The section marked
// data-part="surfaces" (3b) gets the two-weight version from ./descent/surfaces.js.
import { getJSON, latest } from "../lib/api.js";
import { control } from "../lib/controls.js";
import { el, svg } from "../lib/dom.js";
import { player } from "../lib/player.js";
import { mountSurfaces } from "./descent/surfaces.js";

const PAD = { l: 44, r: 20, t: 16, b: 34 };
const ORDER = ["curve", "learning_rate", "start", "steps"];

const num = (v) => (Math.abs(v) >= 1e4 ? v.toExponential(2) : v.toFixed(3));
// The same minus sign (U+2212) as the rate's, not a hyphen, in the written-out move.
const minus = (text) => text.replace(/^-/, "−");

// A narrower drawing on phones keeps the axis labels readable.
function chart(W = 640, H = 300) {
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "descent-svg", role: "img",
    "aria-label": "The loss curve and the point walking down it" });
  const axes = svg("g", { class: "axes" });
  const curve = svg("path", { class: "curve" });
  const trail = svg("polyline", { class: "trail" });
  const dots = svg("g", { class: "dots" });
  const point = svg("circle", { r: 9, class: "point" });
  const escape = svg("text", { class: "escape", "text-anchor": "middle" });
  root.append(axes, curve, trail, dots, point, escape);
  let sx = null;
  let sy = null;
  let y0 = 0;
  let y1 = 1;

  return {
    root,
    setCurve(c) {
      const x0 = c.x[0];
      const x1 = c.x[c.x.length - 1];
      y0 = Math.min(...c.loss);
      y1 = Math.max(...c.loss);
      const pad = (y1 - y0) * 0.06;
      y0 -= pad;
      y1 += pad;
      sx = (x) => PAD.l + ((x - x0) / (x1 - x0)) * (W - PAD.l - PAD.r);
      sy = (y) => H - PAD.b - ((y - y0) / (y1 - y0)) * (H - PAD.t - PAD.b);
      curve.setAttribute("d", c.x.map((x, i) => `${i ? "L" : "M"}${sx(x).toFixed(1)},` +
        `${sy(c.loss[i]).toFixed(1)}`).join(""));
      axes.replaceChildren(
        svg("line", { x1: PAD.l, y1: H - PAD.b, x2: W - PAD.r, y2: H - PAD.b }),
        svg("line", { x1: PAD.l, y1: PAD.t, x2: PAD.l, y2: H - PAD.b }));
      for (let x = Math.ceil(x0); x <= x1; x += 1) {
        axes.append(svg("line", { x1: sx(x), x2: sx(x), y1: H - PAD.b, y2: H - PAD.b + 5 }),
          svg("text", { x: sx(x), y: H - PAD.b + 20, "text-anchor": "middle" }, String(x)));
      }
      const step = (y1 - y0) > 12 ? 5 : 1;
      for (let y = Math.ceil(y0 / step) * step; y <= y1; y += step) {
        axes.append(svg("text", { x: PAD.l - 8, y: sy(y) + 5, "text-anchor": "end" }, String(y)));
      }
      axes.append(svg("text", { x: W - 3, y: H - 4, "text-anchor": "end", class: "axis-name" },
        "x"), svg("text", { x: PAD.l + 6, y: PAD.t + 12, class: "axis-name" }, "loss"));
    },
    setPoint(path, k) {
      const clampX = (x) => Math.max(PAD.l, Math.min(W - PAD.r, sx(x)));
      const clampY = (y) => Math.max(PAD.t, Math.min(H - PAD.b, sy(y)));
      const pts = path.x.slice(0, k + 1).map((x, i) => `${clampX(x).toFixed(1)},` +
        `${clampY(path.loss[i]).toFixed(1)}`);
      trail.setAttribute("points", pts.join(" "));
      dots.replaceChildren(...pts.slice(0, -1).map((p) => {
        const [cx, cy] = p.split(",");
        return svg("circle", { cx, cy, r: 3.5 });
      }));
      const x = path.x[k];
      const y = path.loss[k];
      const out = sx(x) < PAD.l || sx(x) > W - PAD.r || y > y1;
      point.setAttribute("cx", clampX(x));
      point.setAttribute("cy", clampY(y));
      point.classList.toggle("out", out);
      escape.textContent = out ? (x < 0 ? "◀ out of view" : "out of view ▶") : "";
      escape.setAttribute("x", Math.max(PAD.l + 60, Math.min(W - PAD.r - 60, clampX(x))));
      escape.setAttribute("y", PAD.t + 34);
    },
  };
}

export async function mount(root, ctx) {
  if (root.dataset.part === "surfaces") return mountSurfaces(root, ctx);
  return mountCurve(root, ctx);
}

// What became of the point, in one sentence, once the steps are shown (issue 9: divergence is
// the point moving farther away step after step; oscillation and local minima have names).
function outcome(p, k) {
  const atEnd = k >= p.steps_taken;
  const x = num(p.x[k]);
  if (p.status === "diverged" && (atEnd || Math.abs(p.x[k]) > 5)) {
    return ["bad", `Diverged: every step lands farther from the minimum than the one before ` +
      `(x went from ${num(p.x[0])} to ${num(p.x[p.steps_taken])} in ${p.steps_taken} steps). ` +
      "The learning rate is too large for this curve: make it smaller."];
  }
  if (!atEnd) return ["", ""];
  if (p.status === "oscillating") {
    return ["warn", "Oscillating: the point jumps across the minimum to the other side and " +
      "back, never getting closer. This rate is just too large to settle: make it a little " +
      "smaller."];
  }
  if (p.status === "converged" && p.minimum === "local") {
    const [gx, gl] = p.global_minimum;
    return ["warn", `Settled in a local minimum at x = ${x}: uphill in both directions, but ` +
      `not the lowest point. The global minimum is at x = ${num(gx)} (loss ${num(gl)}); ` +
      "start on the other side of the hills to reach it."];
  }
  if (p.status === "converged") {
    return ["ok", `Settled in the global minimum, the lowest point of the curve, at x = ${x} ` +
      `after ${p.steps_taken} steps.`];
  }
  return ["", "Out of steps while still on the way down: take more steps or a larger " +
    "learning rate."];
}

async function mountCurve(root, { params, state }) {
  const byName = Object.fromEntries(params.map((p) => [p.name, p]));
  const intro = el("div", { class: "intro" },
    el("p", { text: "Training a model means finding the function with the smallest loss " +
      "(the smallest error). Gradient descent does it one step at a time: measure the slope " +
      "(the gradient) where you stand, then move a little downhill, by learning rate × " +
      "gradient." }),
    el("p", { class: "muted", text: "Try a tiny learning rate (slow), a medium one (fast " +
      "and steady), then push it past 1 on the bowl: each step overshoots the bottom by more " +
      "than the last and the point flies off. At exactly 1 it bounces between two points " +
      "forever. On the valleys curve, watch which valley it settles in." }));
  const controls = el("div", { class: "controls descent-controls" });
  const ctl = {};
  for (const name of ORDER) {
    ctl[name] = control(byName[name], state.get(name), (v) => { state.set(name, v); load(); });
    controls.append(ctl[name].el);
  }
  let data = null;
  const play = player({ label: "Descent", interval: 160, show: () => render(),
    last: () => (data ? data.path.steps_taken : null) });
  const plot = window.innerWidth < 600 ? chart(360, 250) : chart();
  const formula = el("p", { class: "formula" });
  const readout = el("dl", { class: "descent-readout" });
  const status = el("p", { class: "status", role: "status" });
  root.append(intro,
    el("div", { class: "descent-layout" }, el("div", { class: "plot" }, plot.root, formula),
      el("div", { class: "descent-side" }, controls, play.group, readout, status)));

  const ask = latest();

  function render() {
    const p = data.path;
    const k = play.step;
    plot.setPoint(p, k);
    const lr = p.learning_rate;
    const move = -lr * p.grad[k];
    const rows = [["Step", `${k} of ${p.steps_taken}`], ["x", num(p.x[k])],
      ["Loss", num(p.loss[k])], ["Gradient", num(p.grad[k])],
      ["Next move", `−${lr} × ${minus(num(p.grad[k]))} = ${minus(num(move))}`]];
    readout.replaceChildren(...rows.flatMap(([t, d]) => [el("dt", { text: t }),
      el("dd", { text: d })]));
    play.update();
    const [cls, text] = outcome(p, k);
    status.className = `status ${cls}`;
    status.textContent = text;
    root.dataset.step = String(k);
    root.dataset.outcome = k >= p.steps_taken ? p.status : "";
  }

  async function load() {
    let r;
    try {
      const all = state.all();  // only this part's values: the surfaces have their own
      const query = Object.fromEntries(ORDER.map((name) => [name, all[name]]));
      r = await ask((signal) => getJSON("/api/descent", query, { signal }));
    } catch (err) {
      status.className = "status bad";
      status.textContent = err.message;
      return;
    }
    if (!r) return;
    play.stop();
    const first = !data || data.curve.name !== r.curve.name;
    data = r;
    if (first) plot.setCurve(r.curve);
    formula.textContent = `${r.curve.title}: ${r.curve.formula}`;
    play.step = 0;
    render();
  }

  await load();
}
