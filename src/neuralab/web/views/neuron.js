// Section 5: one neuron tuned by hand, then learned, then a 2-2-1 network for XOR. Python
// computes (the neuron, the network and every learning step); this module draws the answer
// once per change (stale answers are dropped, so a fast slider never draws twice).
import { getJSON, latest } from "../lib/api.js";
import { lineSeries, niceStep, tickText } from "../lib/chart.js";
import { control } from "../lib/controls.js";
import { el, reducedMotion, svg } from "../lib/dom.js";
import { observe } from "../lib/tasks.js";
import { HIDDEN_COLOURS, networkDrawing } from "./neuron/network.js";
import { unitSquare } from "./neuron/square.js";

const ORDER = ["target", "w1", "w2", "bias", "x1", "x2", "activation", "hidden"];
const NETWORK = ["h1_w1", "h1_w2", "h1_bias", "h2_w1", "h2_w2", "h2_bias", "out_w1", "out_w2",
  "out_bias"];
const SINGLE = ["w1", "w2", "bias"];
// XOR = AND(OR, NAND) with step neurons: hidden 1 is OR, hidden 2 is NAND, the output ANDs them.
const XOR_BY_GATES = { activation: "step", h1_w1: 1, h1_w2: 1, h1_bias: -0.5, h2_w1: -1,
  h2_w2: -1, h2_bias: 1.5, out_w1: 1, out_w2: 1, out_bias: -1.5 };
const GATES = { "0001": "AND", "0111": "OR", "1110": "NAND", "1000": "NOR", "0110": "XOR",
  "1111": "always ON", "0000": "always OFF" };
const ACT_NAME = { relu: "ReLU", step: "step", sigmoid: "sigmoid" };

const onOff = (on) => el("span", { class: `badge ${on ? "on" : "off"}`, text: on ? "ON" : "OFF" });
const fmt = (v) => (Math.abs(v) < 1e-9 ? 0 : v).toFixed(2);

function drawing() {
  const root = svg("svg", { viewBox: "10 0 300 240", role: "img", class: "neuron-svg",
    "aria-label": "The neuron: two inputs joined to one neuron" });
  const title = svg("title", {}, "The neuron");
  const line1 = svg("line", { x1: 70, y1: 50, x2: 160, y2: 160, "stroke-width": 7,
    "stroke-linecap": "round" });
  const line2 = svg("line", { x1: 250, y1: 50, x2: 160, y2: 160, "stroke-width": 7,
    "stroke-linecap": "round" });
  const w1 = svg("text", { x: 92, y: 116, class: "wlabel", "text-anchor": "end" });
  const w2 = svg("text", { x: 228, y: 116, class: "wlabel" });
  const in1 = svg("circle", { cx: 70, cy: 50, r: 20, class: "input" });
  const in2 = svg("circle", { cx: 250, cy: 50, r: 20, class: "input" });
  const t1 = svg("text", { x: 70, y: 20, class: "cap", "text-anchor": "middle" }, "input 1");
  const t2 = svg("text", { x: 250, y: 20, class: "cap", "text-anchor": "middle" }, "input 2");
  const v1 = svg("text", { x: 70, y: 56, class: "ival", "text-anchor": "middle" });
  const v2 = svg("text", { x: 250, y: 56, class: "ival", "text-anchor": "middle" });
  const body = svg("circle", { cx: 160, cy: 165, r: 36, class: "body" });
  const act = svg("text", { x: 160, y: 171, class: "act", "text-anchor": "middle" });
  const bias = svg("text", { x: 160, y: 226, class: "cap", "text-anchor": "middle" });
  const relu = svg("text", { x: 204, y: 148, class: "cap relu" });
  root.append(title, line1, line2, w1, w2, in1, in2, t1, t2, v1, v2, body, act, bias, relu);

  return {
    root,
    update(r) {
      const paint = (line, label, w) => {
        const colour = w > 0 ? "var(--pos)" : w < 0 ? "var(--neg)" : "var(--line)";
        line.setAttribute("stroke", colour);
        line.setAttribute("stroke-opacity", w === 0 ? 1 : Math.min(1, Math.abs(w) / 2));
        line.dataset.sign = w > 0 ? "positive" : w < 0 ? "negative" : "zero";
        label.textContent = `w = ${w.toFixed(1)}`;
        label.setAttribute("fill", w === 0 ? "var(--muted)" : colour);
      };
      paint(line1, w1, r.w1);
      paint(line2, w2, r.w2);
      const c = r.current;
      in1.classList.toggle("on", c.x1);
      in2.classList.toggle("on", c.x2);
      v1.textContent = c.x1 ? "1" : "0";
      v2.textContent = c.x2 ? "1" : "0";
      v1.classList.toggle("on", c.x1);
      v2.classList.toggle("on", c.x2);
      const shade = Math.min(1, c.activation);  // darker = more strongly activated
      const grey = Math.round(255 * (1 - shade));
      body.setAttribute("fill", `rgb(${grey},${grey},${grey})`);
      act.setAttribute("fill", shade > 0.5 ? "#fff" : "var(--ink)");
      act.textContent = c.activation.toFixed(2);
      bias.textContent = `bias ${r.bias.toFixed(1)}`;
      relu.textContent = ACT_NAME[r.activation];
      title.textContent = `Inputs ${c.x1 ? 1 : 0} and ${c.x2 ? 1 : 0}; weights ` +
        `${r.w1.toFixed(1)} and ${r.w2.toFixed(1)}; bias ${r.bias.toFixed(1)}; ` +
        `output ${c.activation.toFixed(2)}`;
    },
  };
}

function truthTable() {
  const tbody = el("tbody");
  const legend = el("span", { class: "legend" });
  const head = el("tr");
  const table = el("table", { class: "truth" },
    el("caption", { text: "All four input pairs" }, legend), el("thead", {}, head), tbody);
  return {
    root: table,
    update(r) {
      const act = ACT_NAME[r.activation];
      legend.textContent = r.hidden
        ? `H1, H2 = the hidden neurons' outputs; Sum = the output neuron's sum; ` +
          `Output = ${act}(Sum)`
        : `Sum = w1·x1 + w2·x2 + bias; Output = ${act}(Sum)`;
      const cols = ["x1", "x2", ...(r.hidden ? ["H1", "H2"] : []), "Sum", "Output", "Expected",
        "Actual", "Right?"];
      if (head.children.length !== cols.length) {
        head.replaceChildren(...cols.map((h) => el("th", { scope: "col", text: h })));
      }
      tbody.replaceChildren(...r.table.map((row) => {
        const current = row.x1 === r.current.x1 && row.x2 === r.current.x2;
        return el("tr", { class: `${current ? "current" : ""} ${row.correct ? "" : "wrong"}` },
          el("td", { text: row.x1 ? "1" : "0" }), el("td", { text: row.x2 ? "1" : "0" }),
          ...(r.hidden ? row.hidden.map(([, v]) => el("td", { class: "num-cell",
            text: fmt(v) })) : []),
          el("td", { class: "num-cell", text: fmt(row.weighted_sum) }),
          el("td", { class: "num-cell", text: fmt(row.activation) }),
          el("td", {}, onOff(row.expected)), el("td", {}, onOff(row.actual)),
          el("td", { class: "mark", text: row.correct ? "✓" : "✗",
            "aria-label": row.correct ? "right" : "wrong" }));
      }));
    },
  };
}

// Loss per learning step, drawn as it grows.
function lossChart() {
  const W = 340;
  const H = 150;
  const P = { l: 44, r: 10, t: 12, b: 28 };
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "loss-svg", role: "img",
    "aria-label": "The loss after each learning step" });
  const axes = svg("g", { class: "axes" });
  const series = lineSeries("loss-line");
  root.append(axes, series.root);
  return {
    root,
    reset(steps, top, name) {
      const sx = (k) => P.l + (k / Math.max(1, steps)) * (W - P.l - P.r);
      const sy = (v) => H - P.b - (v / top) * (H - P.t - P.b);
      series.scale(sx, sy, 2.5);
      series.set([]);
      axes.replaceChildren(svg("line", { x1: P.l, x2: W - P.r, y1: H - P.b, y2: H - P.b }),
        svg("line", { x1: P.l, x2: P.l, y1: P.t, y2: H - P.b }),
        svg("text", { x: W - P.r, y: H - 6, "text-anchor": "end" }, `step (of ${steps})`),
        svg("text", { x: P.l + 6, y: P.t + 12, class: "axis-name" }, name));
      const st = niceStep(top, 3);
      for (let v = 0; v <= top + 1e-9; v += st) {
        axes.append(svg("text", { x: P.l - 6, y: sy(v) + 5, "text-anchor": "end" },
          tickText(v)));
      }
    },
    add(frame) {
      series.add([{ x: frame.step, y: frame.loss }]);
    },
  };
}

function ruleText(r, seed) {
  if (r.rule === "perceptron") {
    return "Rule: the perceptron rule. The step has no slope to follow, so for each input " +
      "pair it gets wrong, every weight moves by learning speed × (expected − actual) × its " +
      "input, and the bias by learning speed × (expected − actual).";
  }
  if (r.hidden) {
    return "Rule: gradient descent through the whole network (backpropagation) on the " +
      "cross-entropy of a sigmoid output, from your weights plus a small random nudge " +
      `(seed ${seed}) so that the two hidden neurons can grow different.` +
      (r.activation === "step" ? " The step has no slope, so it learns through its smooth " +
        "version, the sigmoid." : "");
  }
  return "Rule: gradient descent on the cross-entropy loss" + (r.activation === "sigmoid"
    ? " of the sigmoid's output." : r.activation === "relu" ? ", treating the neuron as a " +
      "sigmoid: ReLU is flat wherever the neuron is OFF, so it gives no slope to follow " +
      "there, and both are ON for exactly the same sums." : ".");
}

const WHY_XOR = "One neuron can never compute XOR: its ON side is one side of a straight " +
  "line, and no line has (0,1) and (1,0) on one side with (0,0) and (1,1) on the other. " +
  "Switch on the hidden layer: two lines, combined by a third neuron.";

export async function mount(root, { params, state }) {
  const byName = Object.fromEntries(params.map((p) => [p.name, p]));
  const intro = el("div", { class: "intro" },
    el("p", { text: "One neuron takes two inputs, each 0 (off) or 1 (on). It multiplies each " +
      "input by its weight, adds the bias, and passes the sum through its activation: ReLU " +
      "keeps positive numbers and turns negative ones into 0, step gives 0 or 1, sigmoid " +
      "squashes into 0 to 1. The neuron is ON when its sum is above 0." }),
    el("p", { class: "callout", text: "Your challenge: choose the weights and the bias so " +
      "the neuron computes AND (ON only when both inputs are ON), then OR (ON when at least " +
      "one input is ON). Blue lines push the neuron up, red lines pull it down; the " +
      "stronger the weight, the bolder the line. Then try XOR." }));

  const controls = el("div", { class: "controls neuron-controls" });
  const ctl = {};
  const onInput = (name) => (v) => {
    stopLearning();
    state.set(name, v);
    refresh();
  };
  for (const name of ORDER) {
    ctl[name] = control(byName[name], state.get(name), onInput(name));
    controls.append(ctl[name].el);
  }
  for (const option of ctl.activation.input.options) option.textContent = ACT_NAME[option.value];
  const netControls = el("fieldset", { class: "controls network-controls" },
    el("legend", { text: "The 2-2-1 network's weights" }));
  for (const name of NETWORK) {
    ctl[name] = control(byName[name], state.get(name), onInput(name));
    netControls.append(ctl[name].el);
  }
  const learnBtn = el("button", { type: "button", class: "primary", text: "Learn the weights" });
  const gatesBtn = el("button", { type: "button", text: "Show XOR = AND(OR, NAND)" });
  const actions = el("div", { class: "buttons neuron-actions" }, learnBtn, gatesBtn);

  const pic = drawing();
  const net = networkDrawing();
  const square = unitSquare();
  const expected = el("span");
  const actual = el("span");
  const readout = el("p", { class: "readout", "aria-live": "polite" },
    el("span", { text: "Expected: " }), expected, el("span", { text: "  Actual: " }), actual);
  const verdict = el("p", { class: "verdict", role: "status" });
  const why = el("p", { class: "why", hidden: "" });
  const table = truthTable();
  const error = el("p", { class: "error", role: "alert", hidden: "" });
  const loss = lossChart();
  const rule = el("p", { class: "rule" });
  const progress = el("p", { class: "learn-progress" });  // every step: not announced
  const learnStatus = el("p", { class: "learn-status", role: "status" });  // start and result
  const retryBtn = el("button", { type: "button", class: "retry", hidden: "",
    text: "Learn again with the next seed" });
  const learnPanel = el("div", { class: "learn-panel", hidden: "" }, rule, loss.root,
    progress, learnStatus, retryBtn);
  const squareNote = el("p", { class: "muted square-note" });

  root.append(intro, el("div", { class: "neuron-layout" },
    el("div", { class: "neuron-controls-col" }, controls, netControls, actions, readout),
    el("div", { class: "neuron-drawing" }, pic.root, net.root,
      el("figure", { class: "square" }, square.root, el("figcaption", {}, squareNote))),
    el("div", { class: "neuron-table" }, table.root, verdict, why, error, learnPanel)));

  const ask = latest();
  let drawn = 0;
  let learning = null;  // the running animation's cancel flag
  let lastStart = {};  // the network's weights before the last learning run

  function layout(hidden) {
    netControls.hidden = !hidden;
    for (const name of SINGLE) ctl[name].el.hidden = hidden;
    pic.root.style.display = hidden ? "none" : "";
    net.root.style.display = hidden ? "" : "none";
  }

  async function refresh() {
    const q = state.all();
    const query = { ...q, x1: q.x1 ? "1" : "0", x2: q.x2 ? "1" : "0", hidden: q.hidden ? "1"
      : "0" };
    let r;
    try {
      r = await ask((signal) => getJSON("/api/neuron", query, { signal }));
    } catch (err) {
      error.hidden = false;
      error.textContent = err.message;
      return false;
    }
    if (!r) return false;
    error.hidden = true;
    layout(r.hidden);
    table.update(r);
    table.root.classList.toggle("wide", r.hidden);
    let gates = [];
    if (r.hidden) {
      gates = [0, 1].map((j) => GATES[r.table.map((row) => (row.hidden[j][0] > 0 ? 1 : 0))
        .join("")] || "");
      net.update(r, gates);
      square.update([0, 1].map((j) => ({ name: `h${j + 1}`, label: `hidden ${j + 1}`,
        w1: r.network[`h${j + 1}_w1`], w2: r.network[`h${j + 1}_w2`],
        bias: r.network[`h${j + 1}_bias`], colour: HIDDEN_COLOURS[j] })), r.table, r.target,
      r.region);
      squareNote.textContent = "Each hidden neuron draws its own line; the output neuron " +
        "combines the two, and the network is ON in the blue area, which no single line " +
        "could cut out." + (gates[0] && gates[1]
        ? ` Now hidden 1 computes ${gates[0]} and hidden 2 computes ${gates[1]}.` : "") +
        " A red dot is a pair the network still gets wrong.";
    } else {
      pic.update(r);
      square.update([{ name: "neuron", label: "the neuron", w1: r.w1, w2: r.w2, bias: r.bias,
        colour: "var(--pos)" }], r.table, r.target);
      squareNote.textContent = "Filled dots: the target is ON there. The neuron is ON on the " +
        "shaded side of its line w1·x1 + w2·x2 + bias = 0. A red dot is a pair it still " +
        "gets wrong.";
    }
    expected.replaceChildren(onOff(r.current.expected));
    actual.replaceChildren(onOff(r.current.actual));
    verdict.className = `verdict ${r.solved ? "ok" : ""}`;
    const what = r.hidden ? "the network" : "the neuron";
    verdict.textContent = r.solved
      ? `Solved: ${what} computes ${r.target} on all four input pairs.`
      : `${r.correct_count} of 4 input pairs right for ${r.target}. Keep tuning.`;
    why.hidden = r.separable || r.hidden;
    why.textContent = WHY_XOR;
    if (r.hidden && r.solved && r.target === "XOR" && gates.join() === "OR,NAND") {
      verdict.textContent += " XOR = AND(OR, NAND): hidden 1 is OR, hidden 2 is NAND, and " +
        "the output neuron ANDs them.";
    }
    root.dataset.drawn = String(++drawn);
    root.dataset.solved = String(r.solved);
    observe("neuron", { outputs: r.table.map((row) => (row.actual ? 1 : 0)),
      hidden: Boolean(r.hidden), settings: state.all() });
    return true;
  }

  function setValues(values) {
    for (const [name, v] of Object.entries(values)) {
      state.set(name, v);
      ctl[name]?.set(v);
    }
  }

  function stopLearning() {
    if (learning) {  // a run in progress, stopped by a hand on the weights: say so
      learning.stopped = true;
      learnStatus.textContent = "Stopped: you set the weights yourself. Press Learn the " +
        "weights to go on from here.";
      root.dataset.learn = "stopped";
    }
    learning = null;
    verdict.removeAttribute("aria-busy");
  }

  async function learn() {
    stopLearning();
    const run = { stopped: false };
    learning = run;
    root.dataset.learn = "running";
    learnPanel.hidden = false;
    learnStatus.textContent = "Learning…";
    progress.textContent = "";
    retryBtn.hidden = true;
    verdict.setAttribute("aria-busy", "true");  // no verdict spoken at every step
    const q = state.all();
    lastStart = Object.fromEntries(NETWORK.map((n) => [n, q[n]]));
    let r;
    try {
      r = await getJSON("/api/neuron/learn", { ...q, x1: q.x1 ? "1" : "0", x2: q.x2 ? "1"
        : "0", hidden: q.hidden ? "1" : "0" });
    } catch (err) {
      learnStatus.textContent = err.message;
      root.dataset.learn = "error";
      verdict.removeAttribute("aria-busy");
      return;
    }
    if (run.stopped) return;
    rule.textContent = ruleText(r, q.seed);
    const top = Math.max(...r.frames.map((f) => f.loss), 1e-9) * 1.3;
    loss.reset(r.steps_taken, top, r.loss_name);
    // At most ~40 frames on screen (every step when there are few); always the last one.
    const stride = Math.max(1, Math.ceil(r.frames.length / 40));
    const shown = r.frames.filter((f, i) => i % stride === 0 || i === r.frames.length - 1);
    const frames = reducedMotion() ? [r.frames[r.frames.length - 1]] : shown;
    let at = 0;
    for (const f of frames) {
      if (run.stopped) return;
      setValues(f.weights);
      for (const g of r.frames.slice(at, f.step + 1)) loss.add(g);
      at = f.step + 1;
      progress.textContent = `Step ${f.step} of ${r.steps_taken}: ${r.loss_name} ` +
        `${f.loss.toFixed(3)}, ${f.correct} of 4 right.`;
      await refresh();
      if (!reducedMotion()) await new Promise((done) => setTimeout(done, 45));
    }
    if (run.stopped) return;
    verdict.removeAttribute("aria-busy");
    learnStatus.textContent = r.solved
      ? `Found weights that compute ${r.target} after ${r.steps_taken} steps.`
      : !r.separable && !r.hidden
        ? `After ${r.steps_taken} steps it still gets at most ${Math.max(...r.frames.map((f) =>
          f.correct))} of 4 right, and more steps would not help: see why above.`
        : `Not solved in ${r.steps_taken} steps: the search got stuck` + (r.hidden
          ? r.activation === "relu" ? ", probably with a hidden ReLU that is OFF for all " +
            "four pairs (it then has no slope to learn from). Try another random nudge."
            : ". Try another random nudge." : ".");
    retryBtn.hidden = r.solved || !r.hidden;
    retryBtn.textContent = `Learn again with seed ${q.seed + 1}`;
    root.dataset.learn = "done";
    root.dataset.learned = r.solved ? "solved" : "unsolved";
    learning = null;
  }

  learnBtn.addEventListener("click", learn);
  retryBtn.addEventListener("click", () => {  // from the same weights, another nudge
    setValues({ ...lastStart, seed: state.get("seed") + 1 });
    learn();
  });
  gatesBtn.addEventListener("click", () => {
    stopLearning();
    setValues({ target: "XOR", hidden: true, ...XOR_BY_GATES });
    refresh();
  });
  layout(state.get("hidden"));
  await refresh();
}
