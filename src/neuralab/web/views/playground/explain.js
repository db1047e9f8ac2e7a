// Words for what is on screen: a weight's or a bias's part in its neuron's sum with the
// numbers of one training point plugged in, and what a neuron's picture shows.
import { FEATURE_FNS } from "./draw.js";

const ACT = { relu: (z) => Math.max(0, z), tanh: Math.tanh, sigmoid: (z) => 1 / (1 + Math.exp(-z)),
  linear: (z) => z };
const NAMES = { relu: "ReLU", tanh: "tanh", sigmoid: "sigmoid", linear: "linear" };
const MAX_TERMS = 6;
const num = (v) => (Number.isFinite(v) ? v.toFixed(2).replace("-", "−") : "—");
const paren = (v) => (v < 0 ? `(${num(v)})` : num(v));

// Every hidden layer's outputs at one point (x1, x2): [inputs, layer 1, ...] (no output).
export function forwardPoint(frame, inputs, x1, x2) {
  const outs = [inputs.map((f) => FEATURE_FNS[f.name](x1, x2))];
  frame.layers.slice(0, -1).forEach((l) => {
    const a = outs[outs.length - 1];
    const f = ACT[l.activation] || ACT.linear;
    outs.push(l.biases.map((b, j) => f(a.reduce((s, v, i) => s + v * (l.weights[i][j] ?? 0),
      b ?? 0))));
  });
  return outs;
}

const sourceName = (inputs, layer, a) => (layer === 0 ? inputs[a].label
  : `neuron ${a + 1} of layer ${layer}`);
const targetName = (frame, layer, b) => (layer === frame.layers.length - 1
  ? `the output${frame.layers[layer].biases.length > 1 ? ` ${b + 1}` : ""}`
  : `layer ${layer + 1}, neuron ${b + 1}`);

// The sum z of `frame.layers[layer]`'s neuron `b` at the point, written out.
function sum(frame, inputs, layer, b, point, highlight) {
  const a = forwardPoint(frame, inputs, point[0], point[1])[layer];
  const l = frame.layers[layer];
  const terms = a.map((v, i) => [l.weights[i][b] ?? 0, v, i]);
  const z = terms.reduce((s, [w, v]) => s + w * v, l.biases[b] ?? 0);
  const picked = pick(terms.length, highlight);
  const symbols = written(picked, terms.length, (i) => `w${i + 1}·a${i + 1}`);
  const shown = written(picked, terms.length, (i) => {
    const [w, v] = terms[i];
    return i === highlight ? `[${num(w)}·${paren(v)}]` : `${num(w)}·${paren(v)}`;
  });
  return { a, z, l, text: `z = ${symbols} + b = ${shown} + ${paren(l.biases[b] ?? 0)} = `
    + `${num(z)}` };
}

// Which of `n` terms a sum writes out: all of up to MAX_TERMS, else the first ones and the
// highlighted weight's own term wherever it is.
function pick(n, highlight) {
  const first = (k) => Array.from({ length: Math.min(n, k) }, (_, i) => i);
  if (n <= MAX_TERMS) return first(n);
  if (highlight !== null && highlight >= MAX_TERMS - 1) return [...first(MAX_TERMS - 2), highlight];
  return first(MAX_TERMS - 1);
}

// The picked terms joined by " + ", with "…" where terms are left out.
function written(picked, n, term) {
  const parts = [];
  picked.forEach((i, k) => {
    if (i > (k ? picked[k - 1] + 1 : 0)) parts.push("…");
    parts.push(term(i));
  });
  if (picked[picked.length - 1] < n - 1) parts.push("…");
  return parts.join(" + ");
}

// A weight (`from` = null: the bias) into neuron `to` of `frame.layers[layer]`.
export function weightText(frame, inputs, layer, from, to, point) {
  const where = `at the training point (${num(point[0])}, ${num(point[1])})`;
  const s = sum(frame, inputs, layer, to, point, from);
  if (from === null) {
    const b = s.l.biases[to] ?? 0;
    return `Bias of ${targetName(frame, layer, to)}: b = ${num(b)}, added to the weighted `
      + `inputs whatever the point. ${where[0].toUpperCase()}${where.slice(1)}: ${s.text}; `
      + `the bias adds ${num(b)}.`;
  }
  const w = s.l.weights[from][to] ?? 0;
  const a = s.a[from];
  return `Weight from ${sourceName(inputs, layer, from)} to ${targetName(frame, layer, to)}: `
    + `w${from + 1} = ${num(w)}. ${where[0].toUpperCase()}${where.slice(1)}, a${from + 1} = `
    + `${num(a)} and ${s.text}; this weight adds ${num(w * a)}.`;
}

// What a hidden neuron's picture shows, in plain words with numbers from its thumbnail codes.
export function neuronText(frame, inputs, layer, index, codes) {
  const l = frame.layers[layer - 1];
  const act = NAMES[l.activation] || l.activation;
  let low = 127;
  let high = -128;
  let positive = 0;
  for (const c of codes) {
    low = Math.min(low, c);
    high = Math.max(high, c);
    if (c > 0) positive += 1;
  }
  const weights = l.weights.map((row, i) => [row[index] ?? 0, i]);
  const [w, i] = weights.reduce((m, x) => (Math.abs(x[0]) > Math.abs(m[0]) ? x : m), [0, 0]);
  const rises = w >= 0 ? "rises" : "falls";
  return `Layer ${layer}, neuron ${index + 1} (${act}): it adds up ${weights.length} weighted `
    + `input${weights.length === 1 ? "" : "s"} and a bias of ${num(l.biases[index] ?? 0)}, then `
    + `applies ${act}. Its picture (shown large on the output) is blue where its output is `
    + `positive, red where negative: positive on ${Math.round((100 * positive) / codes.length)}%`
    + ` of the plane, from ${low <= -127 ? "−1.00 or less" : num(low / 127)} to `
    + `${high >= 127 ? "1.00 or more" : num(high / 127)}. It responds most to `
    + `${sourceName(inputs, layer - 1, i)} (weight ${num(w)}): its output ${rises} as that `
    + "rises. Click it, or press Enter, to read and edit its weights.";
}
