// Section 3b: gradient descent, momentum and Adam on a loss over two weights. Python computes
// the surface on a grid, the three trajectories and the learning-rate curve; this module
// sends what the learner changed and draws the answers with ./map.js, ./line.js and
// ./rates.js.
import { getJSON, latest } from "../../lib/api.js";
import { control } from "../../lib/controls.js";
import { el } from "../../lib/dom.js";
import { player } from "../../lib/player.js";
import { observe } from "../../lib/tasks.js";
import { OPTIMIZERS, num } from "./common.js";
import { linePlot } from "./line.js";
import { contourMap } from "./map.js";
import { rateChart } from "./rates.js";

const ORDER = ["surface", "rate", "beta", "start_x", "start_y", "iterations"];
const NAMES = { bowl: "round bowl", valley: "long narrow valley", banana: "banana (Rosenbrock)",
  saddle: "saddle", minima: "several minima", line: "fit a line" };

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
  let data = null;
  const maxSteps = () => (data ? Math.max(0, ...Object.values(data.paths)
    .map((p) => p.steps_taken)) : 0);
  // Long paths play two or three steps a tick, so that every run ends in a few seconds.
  const play = player({ label: "Descent on the surface", interval: 40, show: () => render(),
    last: () => (data ? maxSteps() : null),
    stride: () => (maxSteps() > 300 ? 3 : maxSteps() > 120 ? 2 : 1) });
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
      el("div", { class: "surf-side" }, controls, optBox, play.group, table, status),
      el("div", { class: "surf-curve" },
        el("h3", { text: "The learning-rate curve" }),
        el("p", { class: "muted", text: "The same start at 32 learning rates from 0.001 to " +
          "3: how many steps each optimizer needs to get close to the lowest point. Too small " +
          "takes forever, too large diverges, and in between is the good range. The dashed " +
          "line is your rate." }),
        el("div", { class: "rate-wrap" }, rates.root), rateNote)));

  let surface = null;
  let curve = null;
  let pointFocus = -1;
  let drawn = 0;
  const askSurface = latest();
  const askPaths = latest();
  const askRates = latest();
  root.dataset.state = "loading";

  const enabled = () => Object.fromEntries(OPTIMIZERS.map((o) => [o.name, state.get(o.name)]));

  function render() {
    const k = play.step;
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
    if (!rows.length) {
      text = "No optimizer is ticked: tick Gradient descent, Momentum or Adam to watch it " +
        "walk downhill.";
    } else if (notes.length) {
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
    play.update();
    root.dataset.step = String(k);
    root.dataset.drawn = String(++drawn);
  }

  // The largest rate below `below` at which `opt` reached the minimum (rounded), or null.
  function safeRate(opt, below = Infinity) {
    const ok = curve.curves[opt].filter((e) => e.outcome === "reached" && e.rate < below);
    return ok.length ? Number(ok[ok.length - 1].rate.toPrecision(2)) : null;
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
    // The start sliders span this map only, so no slider position is off it.
    for (const [name, lo, hi] of [["start_x", x0, x1], ["start_y", y0, y1]]) {
      Object.assign(ctl[name].input, { min: lo, max: hi });
    }
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
    observe("descent", { surface: r.surface, reached_at: Object.fromEntries(
      Object.entries(r.paths).map(([name, p]) => [name, p.reached_at])) });
    play.step = Math.min(play.step, maxSteps());
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
      play.stop();
      play.step = 0;
      loadSurface();
    } else if (name === "start_x" || name === "start_y") {
      play.step = 0;
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
    play.stop();
    changed("start_x");
  });
  await loadSurface();
}
