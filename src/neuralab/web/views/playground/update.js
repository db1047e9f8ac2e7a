// "One update, slowly": backpropagation on one training point, stage by stage, on the
// playground's own network drawing. The server computes everything (the socket's `trace`
// and `apply` messages, from neuralab.labs.playground.backprop); this module only walks the
// learner through it: the forward values layer by layer, the loss, dL/dz flowing back layer
// by layer with each weight's gradient on its line, then each weight's change.
import { el, svg } from "../../lib/dom.js";

const ACT = { tanh: "tanh", relu: "ReLU", sigmoid: "sigmoid", linear: "linear",
  softmax: "softmax" };
const SLOPE = { tanh: "(1 − a²)", sigmoid: "a(1 − a)", relu: "(1 if z > 0, else 0)",
  linear: "(1 for a linear neuron)" };
const CLASS_NAMES = ["red", "blue", "green", "amber", "violet", "cyan", "pink", "grey"]; // draw.js
const MAX_NEURON_LINES = 6;
const MAX_GRAD_LINES = 8;
const POS = "#2563eb";
const NEG = "#dc2626";
const LEGEND = {
  input: "On the drawing: the value of each input for this point.",
  forward: "On the drawing: each neuron's output a, the layer worked out now outlined.",
  loss: "On the drawing: every neuron's output for this point.",
  backward: "On the drawing: each neuron's dL/dz (purple); the lines are the gradients of the "
    + "weights into the outlined layer.",
  change: "On the drawing: each weight's change (blue up, red down, wider for larger).",
};
const MAX_LABELS = 10; // neurons per column that get their value written beside them
const MAX_TERMS = 4; // inputs written out term by term in a neuron's sum

// A number as the walk-through writes it: three decimals, or three significant digits when
// it is small (a weight's change is often a few thousandths).
export function num(v) {
  if (v === null || v === undefined) return "—";
  if (Number.isInteger(v)) return String(v); // a target, a class, a dead weight
  const a = Math.abs(v);
  if (a >= 0.01 && a < 1e4) return v.toFixed(3);
  return String(Number(v.toPrecision(3)));
}
// f'(z) with this neuron's numbers in, from its output a (or its sum z for ReLU)
function slopeOf(act, a, z) {
  if (act === "tanh") return `(1 − ${paren(a)}²)`;
  if (act === "sigmoid") return `${num(a)}(1 − ${num(a)})`;
  if (act === "relu") return z > 0 ? "1 (z > 0)" : "0 (z ≤ 0)";
  return "1";
}
const sameWeights = (layers, traced) => layers.length === traced.length && layers.every(
  (l, i) => JSON.stringify(l.weights) === JSON.stringify(traced[i].weights)
    && JSON.stringify(l.biases) === JSON.stringify(traced[i].biases));
const cap = (text) => text[0].toUpperCase() + text.slice(1);
const paren = (v) => (v < 0 ? `(${num(v)})` : num(v));

// The stages of a trace: the point's inputs, forward layer by layer, the loss, backward
// layer by layer, then the changes. Column k of the drawing is layer k (0: the inputs).
function stagesOf(t) {
  const L = t.layers.length;
  const out = [{ id: "pick" }, { id: "input", kind: "input", layer: 0 }];
  for (let k = 1; k <= L; k += 1) out.push({ id: `forward-${k}`, kind: "forward", layer: k });
  out.push({ id: "loss", kind: "loss", layer: L });
  for (let k = L; k >= 1; k -= 1) out.push({ id: `backward-${k}`, kind: "backward", layer: k });
  out.push({ id: "change", kind: "change" });
  return out;
}

// `oneUpdate({ host, net, canvas, send, data, frame, inputs, root, repaint })`: the button, the
// panel and the drawing's overlay. `receive(m)` takes the socket's trace/applied messages;
// `mark()` rings the chosen point on the output after it is painted.
export function oneUpdate({ host, net, canvas, send, data, frame, inputs, root, repaint }) {
  if (!document.querySelector("link[data-pg-update]")) {
    document.head.append(el("link", { rel: "stylesheet", "data-pg-update": "",
      href: "/static/views/playground/update.css" }));
  }
  let trace = null;
  let point = null; // the chosen training point's index
  let stages = [{ id: "pick" }];
  let at = 0;
  let open = false;
  let refreshing = false;

  const overlay = svg("svg", { class: "pg-slow-overlay", "aria-hidden": "true" });
  host.append(overlay);
  const start = el("button", { type: "button", class: "pg-slow-start", text: "One update, slowly",
    onclick: () => show() });
  const stepLine = el("p", { class: "pg-slow-step" });
  const say = el("p", { class: "pg-slow-say", "aria-live": "polite" });
  const math = el("div", { class: "pg-slow-math" });
  const back = el("button", { type: "button", text: "← Back", "aria-label": "Back",
    onclick: () => go(at - 1) });
  const next = el("button", { type: "button", class: "primary", text: "Next →",
    "aria-label": "Next", onclick: () => go(at + 1) });
  const applyBtn = el("button", { type: "button", class: "primary", text: "Apply this update",
    onclick: () => send({ type: "apply", point }) });
  const close = el("button", { type: "button", text: "Close", onclick: () => hide() });
  const random = el("button", { type: "button", text: "A random point", onclick: () => {
    const n = count();
    if (n) choose(Math.floor(Math.random() * n));
  } });
  const number = el("input", { type: "number", min: "0", step: "1", value: "0",
    id: "pg-slow-point", inputmode: "numeric" });
  const use = el("button", { type: "button", text: "Use this point", onclick: () => {
    const i = Number(number.value);
    if (Number.isInteger(i) && i >= 0 && i < count()) choose(i);
    else say.textContent = `Choose a training point from 0 to ${count() - 1}.`;
  } });
  const picker = el("div", { class: "pg-slow-pick" }, random,
    el("label", { for: "pg-slow-point", text: "Training point" }), number, use);
  const panel = el("section", { class: "pg-slow", "aria-label": "One update, slowly",
    hidden: "", "data-stage": "pick", tabindex: "-1" },
  el("p", { class: "pg-slow-title", text: "One update, slowly" }), stepLine, say, picker, math,
  el("div", { class: "pg-slow-nav" }, back, next, applyBtn, close));
  panel.addEventListener("keydown", (e) => {
    if (e.target.tagName === "INPUT") return;
    if (e.key === "ArrowRight" && at < stages.length - 1 && trace) go(at + 1);
    else if (e.key === "ArrowLeft" && at > 0) go(at - 1);
    else return;
    e.preventDefault();
  });

  const count = () => (data()?.train.length || 0) / 3;
  const inputLabel = (j) => inputs()[j]?.label ?? `input ${j + 1}`;
  const L = () => trace.layers.length;
  const isOutput = (k) => k === L();
  const neuronName = (k, j) => (k === 0 ? inputLabel(j)
    : isOutput(k) ? (trace.output.length > 1 ? `output ${j + 1}` : "the output")
      : `neuron ${j + 1} of layer ${k}`);
  const shortName = (k, j) => (k === 0 ? inputLabel(j)
    : isOutput(k) ? (trace.output.length > 1 ? `out ${j + 1}` : "out") : `n${j + 1}`);

  // ------------------------------------------------------------------ opening and closing
  function show() {
    if (root.dataset.state === "playing") send({ type: "pause" });
    open = true;
    panel.hidden = false;
    start.setAttribute("aria-expanded", "true");
    host.classList.add("pg-slowing");
    canvas.classList.add("pg-picking");
    number.max = String(Math.max(0, count() - 1));
    go(0);
    panel.focus();
  }
  function hide() {
    open = false;
    trace = null;
    point = null;
    panel.hidden = true;
    start.setAttribute("aria-expanded", "false");
    host.classList.remove("pg-slowing");
    canvas.classList.remove("pg-picking");
    overlay.replaceChildren();
    repaint();
    start.focus();
  }
  function choose(i) {
    point = i;
    number.value = String(i);
    say.textContent = `Working out one update on training point ${i}…`;
    send({ type: "trace", point: i });
    repaint();
  }
  // Run pressed again closes the walk-through; a frame of other weights (a step, an edit, a
  // reset) makes the trace stale
  new MutationObserver((records) => {
    if (!open) return;
    for (const r of records) {
      if (r.attributeName === "data-state" && r.oldValue !== "playing"
        && root.dataset.state === "playing") { hide(); return; }
    }
    const now = frame();
    if (trace && now && !sameWeights(now.layers, trace.layers)) {
      trace = null;
      stages = [{ id: "pick" }];
      go(0);
      say.textContent = "The network has changed since: pick a point again.";
    }
  }).observe(root, { attributes: true, attributeOldValue: true,
    attributeFilter: ["data-state", "data-frames"] });
  new ResizeObserver(() => requestAnimationFrame(() => open && draw())).observe(host);

  // on the last stage, a weight's line (or a bias's square) under the pointer shows its
  // arithmetic while it is hovered
  let previewing = false;
  host.addEventListener("pointermove", (e) => {
    if (!open || !trace || stages[at].id !== "change") return;
    const r = host.getBoundingClientRect();
    const hit = e.target.closest?.(".pg-node") ? null
      : net.weightAt(trace, e.clientX - r.left, e.clientY - r.top);
    if (hit) {
      previewing = true;
      arithmetic({ k: hit.layer + 1, from: hit.from, to: hit.to });
    } else if (previewing) {
      previewing = false;
      arithmetic(chosen);
    }
  });
  host.addEventListener("pointerleave", () => {
    if (previewing && trace) arithmetic(chosen);
    previewing = false;
  });

  canvas.addEventListener("click", (e) => {
    const d = data();
    if (!open || !d) return;
    const r = canvas.getBoundingClientRect();
    const x1 = ((e.clientX - r.left) / r.width) * 12 - 6;
    const x2 = 6 - ((e.clientY - r.top) / r.height) * 12;
    let best = -1;
    let bestD = Infinity;
    for (let i = 0; i < d.train.length; i += 3) {
      const dist = (d.train[i] - x1) ** 2 + (d.train[i + 1] - x2) ** 2;
      if (dist < bestD) { bestD = dist; best = i / 3; }
    }
    if (best >= 0) choose(best);
  });

  // ------------------------------------------------------------------ stages
  function go(i) {
    at = Math.max(0, Math.min(stages.length - 1, i));
    const stage = stages[at];
    panel.dataset.stage = stage.id;
    picker.hidden = stage.id !== "pick";
    back.disabled = at === 0;
    next.disabled = !trace || at === stages.length - 1;
    next.hidden = stage.id === "change";
    // a button that goes away under the focus hands it on, so the arrow keys keep working
    if (document.activeElement === next && next.hidden) applyBtn.focus();
    else if (document.activeElement === back && back.disabled) panel.focus();
    applyBtn.hidden = stage.id !== "change";
    stepLine.textContent = trace ? `Stage ${at} of ${stages.length - 1}: ${title(stage)}`
      : "Choose the point";
    const [sentence, lines] = explain(stage);
    say.textContent = sentence;
    const legend = LEGEND[stage.kind];
    math.replaceChildren(...(legend && trace ? [line(legend, { class: "pg-slow-line note" })]
      : []), ...lines);
    draw();
  }

  function title(stage) {
    if (stage.id === "pick") return "choose the point";
    if (stage.kind === "input") return "the inputs";
    if (stage.kind === "forward") return isOutput(stage.layer) ? "forward, the output"
      : `forward, layer ${stage.layer}`;
    if (stage.kind === "loss") return "the loss";
    if (stage.kind === "backward") return isOutput(stage.layer) ? "backward, the output"
      : `backward, layer ${stage.layer}`;
    return "each weight's change";
  }

  const line = (text, attrs = {}) => el("p", { class: "pg-slow-line", ...attrs, text });

  function targetWords() {
    const t = trace;
    if (t.output_kind === "softmax") {
      return `class ${t.label + 1} (${CLASS_NAMES[t.label % CLASS_NAMES.length]})`;
    }
    if (t.output_kind === "linear") return num(t.target[0]);
    return `${num(t.target[0])} (${t.label > 0 ? "blue" : "red"})`;
  }

  function explain(stage) {
    const t = trace;
    if (stage.id === "pick") {
      return [point === null ? "Pick a training point: click one on the output picture, take a "
        + "random one, or type its number. Training is paused while you look."
        : `Working out one update on training point ${point}…`, []];
    }
    if (stage.kind === "input") {
      const feats = t.features.map((v, j) => `${inputLabel(j)} = ${num(v)}`).join(", ");
      return [`Training point ${t.point}, at (${num(t.xy[0])}, ${num(t.xy[1])}), goes in: `
        + `${feats}. Its target is ${targetWords()}.`,
      [line("One point, a batch of 1: training averages the gradients of "
        + `${t.training_batch_size} points before it moves the weights; here we follow one.`)]];
    }
    if (stage.kind === "forward") {
      const k = stage.layer;
      const l = t.layers[k - 1];
      const act = ACT[l.activation];
      const ins = k === 1 ? t.features : t.layers[k - 2].a;
      const lines = l.z.map((z, j) => {
        const terms = ins.length <= MAX_TERMS
          ? ins.map((a, i) => `${paren(l.weights[i][j])}×${paren(a)}`).join(" + ")
          : "Σ weight × input";
        const f = l.activation === "softmax" ? `softmax → ${num(l.a[j])}`
          : `a = ${act}(${num(z)}) = ${num(l.a[j])}`;
        return line(`${shortName(k, j)}: z = ${terms} + ${paren(l.biases[j])} = ${num(z)}; ${f}`,
          { "data-neuron": `${k}-${j}` });
      });
      if (lines.length > MAX_NEURON_LINES) {
        const more = lines.length - MAX_NEURON_LINES;
        lines.splice(MAX_NEURON_LINES, more, line(`… and ${more} more neurons.`));
      }
      if (isOutput(k)) {
        const out = t.output.map(num).join(", ");
        const how = l.activation === "softmax" ? "softmax turns the sums into probabilities "
          + "that add up to 1" : l.activation === "linear" ? "the output neuron's sum is its "
          + "output (linear)" : `the output neuron passes its sum through ${act}`;
        return [`The output: ${how}. The network answers ${out} for this point.`, lines];
      }
      return [`Layer ${k}: each neuron adds up its inputs times their weights plus its bias `
        + `(z), then applies ${act} (a). ${cap(neuronName(k, 0))} gives ${num(l.a[0])}.`, lines];
    }
    if (stage.kind === "loss") {
      const o = t.output;
      let formula;
      if (t.loss_kind === "square") {
        formula = `loss = ½ (output − target)² = ½ (${num(o[0])} − ${paren(t.target[0])})² `
          + `= ${num(t.loss)}`;
      } else if (t.output_kind === "softmax") {
        const k = Math.round(t.label);
        formula = `loss = −log(probability of class ${k + 1}) = −log(${num(o[k])}) = `
          + `${num(t.loss)}`;
      } else {
        formula = t.target[0] > 0 ? `loss = −log(output) = −log(${num(o[0])}) = ${num(t.loss)}`
          : `loss = −log(1 − output) = −log(1 − ${num(o[0])}) = ${num(t.loss)}`;
      }
      const what = t.loss_kind === "square" ? "half the squared error" : "cross-entropy";
      return [`The output is ${o.map(num).join(", ")} and the target is ${targetWords()}: `
        + `the loss (${what}) is ${num(t.loss)}.`, [line(formula, { class: "pg-slow-line em" })]];
    }
    if (stage.kind === "backward") return backward(stage.layer);
    return change();
  }

  function backward(k) {
    const t = trace;
    const l = t.layers[k - 1];
    const ins = k === 1 ? t.features : t.layers[k - 2].a;
    const lines = [];
    let sentence;
    if (isOutput(k)) {
      const d = l.delta[0];
      const o = t.output[0];
      let rule;
      if (t.output_kind === "softmax") rule = "dL/dz = probability − target, for each output";
      else if (t.loss_kind === "cross_entropy") rule = `dL/dz = output − target = ${num(o)} − `
        + `${paren(t.target[0])} = ${num(d)}`;
      else if (t.output_kind === "tanh") rule = `dL/dz = (output − target) × (1 − output²) = `
        + `(${num(o)} − ${paren(t.target[0])}) × (1 − ${paren(o)}²) = ${num(d)}`;
      else rule = `dL/dz = output − target = ${num(o)} − ${paren(t.target[0])} = ${num(d)}`;
      lines.push(line(rule, { class: "pg-slow-line em" }));
      if (t.output_kind === "softmax") {
        lines.push(...l.delta.map((v, j) => line(`out ${j + 1}: ${num(t.output[j])} − `
          + `${num(t.target[j])} = ${num(v)}`)));
        sentence = `The output gave class ${t.label + 1} a probability of `
          + `${num(t.output[Math.round(t.label)])} where the target is 1, so the loss falls if `
          + "that class's sum goes up and the others go down.";
      } else {
        const high = d > 0;
        sentence = `The output was ${num(o)} but the target is ${num(t.target[0])}, so the `
          + `output is too ${high ? "high" : "low"}: the loss falls if its sum z goes `
          + `${high ? "down" : "up"} (dL/dz = ${num(d)}).`;
      }
    } else {
      const above = t.layers[k];
      l.delta.forEach((d, j) => {
        const terms = above.delta.length <= MAX_TERMS
          ? above.delta.map((v, m) => `${paren(above.weights[j][m])}×${paren(v)}`).join(" + ")
          : "Σ weight × dL/dz above";
        lines.push(line(`${shortName(k, j)}: dL/da = ${terms} = ${num(l.grad_a[j])}; dL/dz = `
          + `${num(l.grad_a[j])} × ${slopeOf(l.activation, l.a[j], l.z[j])} = ${num(d)}`,
        { "data-neuron": `${k}-${j}` }));
      });
      if (lines.length > MAX_NEURON_LINES) {
        const more = lines.length - MAX_NEURON_LINES;
        lines.splice(MAX_NEURON_LINES, more, line(`… and ${more} more neurons.`));
      }
      const d = l.delta[0];
      sentence = `The blame flows back to layer ${k}: each neuron's dL/da adds up the dL/dz of `
        + "the layer above times the weights that join them, and its slope "
        + `${SLOPE[l.activation]} gives dL/dz. ${cap(neuronName(k, 0))} gets dL/dz = ${num(d)}`
        + (d === 0 ? ", so it does not move." : `: the loss falls if its sum goes ${d > 0
          ? "down" : "up"}.`);
    }
    // the weights into this layer: gradient = input × dL/dz
    const grads = [];
    l.weight_grads.forEach((row, i) => row.forEach((g, j) => grads.push(
      line(`weight ${shortName(k - 1, i)} → ${shortName(k, j)}: ${paren(ins[i])} × `
        + `${paren(l.delta[j])} = ${num(g)}`))));
    lines.push(line("Each weight's gradient is its input times the dL/dz of the neuron it "
      + "feeds (blue positive, red negative, wider for larger):",
    { class: "pg-slow-line note" }), ...grads.slice(0, MAX_GRAD_LINES));
    if (grads.length > MAX_GRAD_LINES) {
      lines.push(line(`… and ${grads.length - MAX_GRAD_LINES} more (every one is in the last `
        + "stage's table)."));
    }
    return [sentence, lines];
  }

  // The weight whose optimizer arithmetic is shown: { k, from, to } (from null: the bias),
  // chosen in the list or a row of the table; a hovered row or line shows instead meanwhile.
  let chosen = { k: 1, from: 0, to: 0 };
  let changeTable = null;
  const keyOf = (w) => `${w.k}:${w.from ?? "b"}:${w.to}`;
  const weightName = (w) => (w.from === null
    ? `bias of ${shortName(w.k, w.to)}${isOutput(w.k) ? "" : ` (layer ${w.k})`}`
    : `${shortName(w.k - 1, w.from)} → ${shortName(w.k, w.to)}`
      + `${isOutput(w.k) ? "" : ` (layer ${w.k})`}`);
  const OPT_NAME = { sgd: "Plain gradient descent (sgd)", momentum: "Momentum", adam: "Adam" };
  const SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹";
  // three significant digits (the arithmetic's numbers are often small), and a constant as
  // it is written (1 − 0.9 is 0.1, not 0.09999999999999998)
  const sig = (v) => (v === null || v === undefined ? "—" : Math.abs(v) >= 1000 ? num(v)
    : String(Number(v.toPrecision(3))).replace("-", "−"));
  const psig = (v) => (v < 0 ? `(${sig(v)})` : sig(v));
  const konst = (v) => {
    const e = Math.round(Math.log10(v)); // ε = 1e-8 as 10⁻⁸ (a phone may break "1e-8")
    return e < -3 && Math.abs(10 ** e - v) < v * 1e-9 ? `10${sup(e)}`
      : String(Number(v.toPrecision(12)));
  };
  const sup = (n) => String(n).split("").map((d) => (d === "-" ? "⁻" : SUP[Number(d)])).join("");
  const opt = el("div", { class: "pg-slow-opt", "data-weight": "" });
  const optList = el("select", { id: "pg-slow-weight", class: "pg-slow-weight" });
  optList.addEventListener("change", () => {
    const [k, from, to] = optList.value.split(":");
    chosen = { k: Number(k), from: from === "b" ? null : Number(from), to: Number(to) };
    arithmetic(chosen);
  });

  // One row of arithmetic: the rule, the numbers in it, the result (each kept whole; the
  // row wraps between them on a narrow screen).
  const row = (rule, numbers, result, cls = "") => el("p", { class: `pg-opt-row ${cls}` },
    el("span", { class: "rule", text: rule }),
    ...(numbers ? [el("span", { class: "nums", text: `= ${numbers}` })] : []),
    el("span", { class: "res", text: `= ${result}` }));

  // The optimizer's formula with the numbers of weight `w` in.
  function arithmetic(w) {
    const t = trace;
    if (!t) return;
    const l = t.layers[w.k - 1];
    const bias = w.from === null;
    const at = (a) => (bias ? a[w.to] : a[w.from][w.to]);
    const st = l.state[bias ? "biases" : "weights"];
    const old = at(bias ? l.biases : l.weights);
    const g = at(bias ? l.bias_grads : l.weight_grads);
    const step = at(bias ? l.bias_steps : l.weight_steps);
    const rate = sig(t.learning_rate);
    const c = t.constants;
    const wasDead = !bias && l.dead[w.from][w.to] && !l.killed[w.from][w.to];
    const name = bias ? "b" : "w";
    const rows = [row("g = gradient", null, sig(g))];
    if (wasDead) {
      rows.push(line("This weight is dead (L1 set it to zero): it stays at 0.",
        { class: "pg-slow-line note" }));
    } else if (t.optimizer === "momentum") {
      const v = at(st.velocity);
      const vNew = at(st.new_velocity);
      const mu = konst(c.momentum);
      rows.push(row(`v ← ${mu}·v + g`, `${mu} × ${psig(v)} + ${psig(g)}`, sig(vNew)),
        row(`Δ${name} = −rate·v`, `−${rate} × ${psig(vNew)}`, sig(-step), "em"));
    } else if (t.optimizer === "adam") {
      const n = t.t + 1;
      const m = at(st.m);
      const sq = at(st.s);
      const mNew = at(st.new_m);
      const sNew = at(st.new_s);
      const mHat = at(st.m_hat);
      const sHat = at(st.s_hat);
      const [a1, a2] = [konst(c.beta1), konst(c.beta2)];
      const [b1, b2] = [konst(1 - c.beta1), konst(1 - c.beta2)];
      rows.push(
        row(`m ← ${a1}·m + ${b1}·g`, `${a1} × ${psig(m)} + ${b1} × ${psig(g)}`, sig(mNew)),
        row(`s ← ${a2}·s + ${b2}·g²`, `${a2} × ${psig(sq)} + ${b2} × ${psig(g)}²`,
          sig(sNew)),
        row(`m̂ = m ÷ (1 − ${a1}${sup(n)})`, `${psig(mNew)} ÷ ${sig(1 - c.beta1 ** n)}`,
          sig(mHat)),
        row(`ŝ = s ÷ (1 − ${a2}${sup(n)})`, `${psig(sNew)} ÷ ${sig(1 - c.beta2 ** n)}`,
          sig(sHat)),
        row(`Δ${name} = −rate·m̂ ÷ (√ŝ + ε)`, `−${rate} × ${psig(mHat)} ÷ `
          + `(${sig(Math.sqrt(sHat))} + ${konst(c.epsilon)})`, sig(-step), "em"));
    } else {
      rows.push(row(`Δ${name} = −rate·g`, `−${rate} × ${psig(g)}`, sig(-step), "em"));
    }
    const newValue = at(bias ? l.new_biases : l.new_weights);
    const regOn = !bias && t.regularization !== "none" && t.regularization_rate && !wasDead;
    if (regOn) {
      const pull = at(l.regularization);
      const lam = sig(t.regularization_rate);
      rows.push(row(t.regularization === "l2" ? "pull = rate·λ·w (L2)"
        : "pull = rate·λ·sign(w) (L1)", t.regularization === "l2"
        ? `${rate} × ${lam} × ${psig(old)}` : `${rate} × ${lam} × ${psig(Math.sign(old))}`,
      sig(pull)));
      rows.push(row(`new ${name} = ${name} + Δ${name} − pull`, `${psig(old)} + ${psig(-step)}`
        + ` − ${psig(pull)}`, sig(newValue), "em"));
      if (l.killed[w.from][w.to]) {
        rows.push(line("That crosses zero: L1 sets this weight to 0 for good.",
          { class: "pg-slow-line note" }));
      }
    } else if (!wasDead) {
      rows.push(row(`new ${name} = ${name} + Δ${name}`, `${psig(old)} + ${psig(-step)}`,
        sig(newValue), "em"));
    }
    const note = t.optimizer_fresh ? [line(`${OPT_NAME[t.optimizer]} was just chosen: its `
      + `${t.optimizer === "adam" ? "m and s start" : "velocity starts"} at 0.`,
    { class: "pg-slow-line note" })] : [];
    const head = t.optimizer === "adam" ? `Adam's update number ${t.t + 1}`
      : OPT_NAME[t.optimizer];
    opt.dataset.weight = keyOf(w);
    opt.replaceChildren(
      el("div", { class: "pg-opt-pick" },
        el("label", { for: "pg-slow-weight", text: "Show the arithmetic for" }), optList),
      el("p", { class: "pg-opt-title", text: `${head}, ${weightName(w)}:` }), ...note, ...rows);
    changeTable?.querySelectorAll("tr.sel").forEach((r) => r.classList.remove("sel"));
    changeTable?.querySelector(`tr[data-key="${keyOf(w)}"]`)?.classList.add("sel");
    shown = w;
    ring();
  }

  // The weight whose arithmetic is shown, marked on the drawing: a halo along its line, or a
  // ring around the neuron of a bias.
  let shown = null;
  function ring() {
    overlay.querySelector(".pg-slow-chosen")?.remove();
    const g = net.geometry?.();
    if (!open || !trace || !shown || !g || stages[at].id !== "change") return;
    const to = g.centres[shown.k]?.[shown.to];
    if (!to) return;
    const mark = shown.from === null
      ? svg("circle", { cx: to.x, cy: to.y, r: g.box / 2 + 6 })
      : curve(g, g.centres[shown.k - 1][shown.from], to, "currentColor", 12);
    mark.setAttribute("class", "pg-slow-chosen");
    overlay.prepend(mark);
  }

  function change() {
    const t = trace;
    const reg = t.regularization === "none" || !t.regularization_rate ? ""
      : t.regularization === "l2" ? ` − ${num(t.learning_rate)} × ${num(t.regularization_rate)}`
        + " × old (L2)" : ` − ${num(t.learning_rate)} × ${num(t.regularization_rate)} × `
        + "sign(old) (L1; a weight this takes across zero is set to zero for good)";
    const rows = [];
    const options = [];
    const pick = (w) => () => { chosen = w; optList.value = keyOf(w); arithmetic(w); };
    const preview = (w) => () => arithmetic(w);
    const unpreview = () => arithmetic(chosen);
    const tableRow = (w, cells) => {
      options.push(new Option(weightName(w), keyOf(w), false, keyOf(w) === keyOf(chosen)));
      return el("tr", { "data-layer": w.k, ...(w.from === null ? { "data-bias": w.to }
        : { "data-from": w.from, "data-to": w.to }), "data-key": keyOf(w),
      onclick: pick(w), onmouseenter: preview(w), onmouseleave: unpreview }, ...cells);
    };
    t.layers.forEach((l, c) => {
      const k = c + 1;
      l.weights.forEach((r, i) => r.forEach((w, j) => rows.push(tableRow({ k, from: i, to: j }, [
        el("th", { scope: "row", text: `${shortName(k - 1, i)} → ${k === L() ? "" : `L${k} `}`
          + `${shortName(k, j)}` }),
        el("td", { text: num(w) }), el("td", { class: "grad", text: num(l.weight_grads[i][j]) }),
        el("td", { text: num(l.weight_changes[i][j]) }),
        el("td", { class: "new", text: num(l.new_weights[i][j]) })]))));
      l.biases.forEach((b, j) => rows.push(tableRow({ k, from: null, to: j }, [
        el("th", { scope: "row", text: `bias ${k === L() ? "" : `L${k} `}${shortName(k, j)}` }),
        el("td", { text: num(b) }), el("td", { class: "grad", text: num(l.bias_grads[j]) }),
        el("td", { text: num(l.bias_changes[j]) }),
        el("td", { class: "new", text: num(l.new_biases[j]) })])));
    });
    if (!options.some((o) => o.selected)) {
      chosen = { k: 1, from: 0, to: 0 };
      options[0].selected = true;
    }
    optList.replaceChildren(...options);
    const table = el("div", { class: "pg-slow-table", tabindex: "0", role: "region",
      "aria-label": "Each weight's change" }, el("table", {},
      el("thead", {}, el("tr", {}, ...["weight", "old", "gradient", "change", "new"].map(
        (h) => el("th", { scope: "col", text: h, class: h === "gradient" ? "grad" : "" })))),
      el("tbody", {}, ...rows)));
    const killed = t.layers.reduce((n, l) => n + l.killed.flat().filter(Boolean).length, 0);
    const dead = killed ? [line(`L1 takes ${killed} weight${killed === 1 ? "" : "s"} across `
      + "zero: set to zero for good (a dead weight no gradient moves again).",
    { class: "pg-slow-line note" })] : [];
    const rule = {
      sgd: `new = old − learning rate × gradient${reg}`,
      momentum: `v ← ${t.constants.momentum}·v + gradient; new = old − learning rate × v`
        + reg,
      adam: `m, s ← running means of the gradient and its square; new = old − learning rate × `
        + `m̂ ÷ (√ŝ + ε)${reg}`,
    }[t.optimizer];
    const how = {
      sgd: "Each weight moves against its gradient, a step of learning rate × gradient.",
      momentum: "Momentum keeps a velocity for each weight: 0.9 of the last one plus the new "
        + "gradient, and moves the weight by learning rate × velocity, so steps that agree "
        + "build up speed.",
      adam: "Adam keeps two running means for each weight, of the gradient (m) and of its "
        + "square (s), and moves the weight by about the learning rate in the direction of m: "
        + "m ÷ √s, corrected while the means are young.",
    }[t.optimizer];
    changeTable = table;
    arithmetic(chosen);
    return [`${how}${reg ? " Then the regularization pulls it toward zero." : ""} `
      + "Choose a weight, or point at its row or line, to see its numbers. Apply the update to "
      + "make it, or close.",
    [line(rule, { class: "pg-slow-line em" }),
      line(`One point, a batch of 1: a training step averages the gradients of `
        + `${t.training_batch_size} points first.`, { class: "pg-slow-line note" }), ...dead,
      opt, table]];
  }

  // ------------------------------------------------------------------ the drawing
  function curve(g, a, b, colour, width, dash = "") {
    const { box } = g;
    const d = `M${a.x + box / 2},${a.y} C${a.x + box},${a.y} ${b.x - box},${b.y} `
      + `${b.x - box / 2},${b.y}`;
    return svg("path", { d, stroke: colour, "stroke-width": width.toFixed(2), fill: "none",
      "stroke-linecap": "round", ...(dash ? { "stroke-dasharray": dash } : {}) });
  }

  function lines(g, k, values, scale = null) {
    const most = scale ?? Math.max(1e-12, ...values.flat().map(Math.abs));
    const out = [];
    values.forEach((row, i) => row.forEach((v, j) => {
      if (v === null || v === 0) return;
      out.push(curve(g, g.centres[k - 1][i], g.centres[k][j], v > 0 ? POS : NEG,
        1 + 6 * Math.min(1, Math.abs(v) / most)));
    }));
    return out;
  }

  function label(g, k, j, text, kind) {
    const p = g.centres[k][j];
    const w = 9 * text.length + 10;
    const y = p.y; // on the neuron itself: its neighbours stay clear
    // the inputs' names are on their left and the output is at the edge: keep both in view
    const x = k === 0 ? p.x - g.box / 2 + w / 2 + 2
      : k === g.centres.length - 1 ? Math.min(p.x, g.width - w / 2 - 1) : p.x;
    const group = svg("g", { class: `pg-slow-val ${kind}`, "data-layer": k, "data-index": j });
    group.append(svg("rect", { x: x - w / 2, y: y - 10, width: w, height: 20, rx: 4 }),
      svg("text", { x, y: y + 5, "text-anchor": "middle" }, text));
    return group;
  }

  function draw() {
    overlay.replaceChildren();
    const g = net.geometry?.();
    if (!open || !trace || !g) return;
    const stage = stages[at];
    overlay.setAttribute("width", g.width);
    overlay.setAttribute("height", g.height);
    overlay.setAttribute("viewBox", `0 0 ${g.width} ${g.height}`);
    const parts = [];
    const column = (k) => {
      const xs = g.centres[k];
      const x = Math.min(xs[0].x - g.box / 2 - 8, g.width - g.box - 17);
      parts.push(svg("rect", { class: "pg-slow-col", x, y: 2, width: g.box + 16,
        height: g.height - 4, rx: 8 }));
    };
    const values = (k, arr, kind) => {
      if (arr.length > MAX_LABELS) return;
      arr.forEach((v, j) => parts.push(label(g, k, j, num(v), kind)));
    };
    const acts = (k) => (k === 0 ? trace.features : trace.layers[k - 1].a);
    if (stage.kind === "input" || stage.kind === "forward" || stage.kind === "loss") {
      const upto = stage.layer;
      column(upto);
      if (upto > 0 && stage.kind === "forward") {
        parts.push(...lines(g, upto, trace.layers[upto - 1].weights, 2));
      }
      for (let k = 0; k <= upto; k += 1) values(k, acts(k), k === upto ? "now" : "done");
    } else if (stage.kind === "backward") {
      const k = stage.layer;
      column(k);
      parts.push(...lines(g, k, trace.layers[k - 1].weight_grads));
      for (let c = trace.layers.length; c >= k; c -= 1) {
        values(c, trace.layers[c - 1].delta, c === k ? "now grad" : "done grad");
      }
    } else if (stage.kind === "change") {
      const most = Math.max(1e-12, ...trace.layers.flatMap((l) => l.weight_changes.flat())
        .map(Math.abs));
      trace.layers.forEach((l, c) => parts.push(...lines(g, c + 1, l.weight_changes, most)));
    }
    overlay.append(...parts);
    ring();
  }

  return {
    el: el("div", { class: "pg-slow-host" }, start, panel),
    receive(m) {
      if (m.type === "trace") {
        if (!open || m.trace.point !== point) return;
        const again = refreshing && trace;
        refreshing = false;
        trace = m.trace;
        stages = stagesOf(trace);
        if (again) { // the same point after a new rate, optimizer or regularization: same stage
          go(Math.min(at, stages.length - 1));
          return;
        }
        const lost = picker.contains(document.activeElement) || !panel.contains(
          document.activeElement);
        go(1);
        if (lost) next.focus(); // the picker hides: Next (and the arrow keys) carry on
      } else if (m.type === "applied") {
        trace = null;
        stages = [{ id: "pick" }];
        panel.dataset.applied = String(Number(panel.dataset.applied || 0) + 1);
        go(0);
        say.textContent = `Applied: every weight moved by its change (training point `
          + `${m.trace.point}'s loss was ${num(m.trace.loss)}). Pick a point for another `
          + "update, or the same one to see its loss fall.";
        random.focus();
      }
    },
    // The rate, optimizer or regularization changed: the same point's update again (the
    // server takes the change before this message).
    refresh() {
      if (!open || point === null || !trace) return;
      refreshing = true;
      send({ type: "trace", point });
    },
    mark() {
      const d = data();
      if (!open || point === null || !d || point * 3 >= d.train.length) return;
      const ctx = canvas.getContext("2d");
      const css = canvas.clientWidth || 300;
      const x = ((d.train[point * 3] + 6) / 12) * css;
      const y = css - ((d.train[point * 3 + 1] + 6) / 12) * css;
      ctx.lineWidth = 3;
      ctx.strokeStyle = "#111827";
      ctx.beginPath();
      ctx.arc(x, y, 9, 0, 2 * Math.PI);
      ctx.stroke();
      ctx.lineWidth = 2;
      ctx.strokeStyle = "#fff";
      ctx.beginPath();
      ctx.arc(x, y, 6.5, 0, 2 * Math.PI);
      ctx.stroke();
    },
  };
}
