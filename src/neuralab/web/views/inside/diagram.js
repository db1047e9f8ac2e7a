// The trained MLP drawn: columns of neurons, the strongest connections into each neuron
// (blue positive, red negative, width and opacity by |w|), hover or arrow keys to see a
// neuron's incoming weights and bias, and the activations of a chosen digit lit up.
// Connections are painted on a canvas in a few batched strokes; neurons are SVG circles.
import { el, float32s, int8s, svg } from "../../lib/dom.js";
import { paintInk, paintSigned, pct, SIDE, weightCanvas } from "./images.js";

const LEVELS = 6; // connections are batched into this many strengths per sign
const LIT = [245, 158, 11]; // an active neuron glows amber
const rgba = (c, a) => `rgba(${c[0]},${c[1]},${c[2]},${a.toFixed(3)})`;

function layout(sizes, width, height) {
  const top = 26;
  const bottom = 22;
  const avail = height - top - bottom;
  const side = Math.max(48, Math.min(avail * 0.55, width * 0.2, 190));
  const x0 = 2;
  const labelRoom = width < 600 ? 30 : 62;
  const first = x0 + side + Math.max(24, Math.min(90, width * 0.07));
  const last = width - labelRoom;
  const n = sizes.length - 1;
  const xs = [x0 + side / 2];
  for (let l = 1; l <= n; l += 1) {
    xs.push(n === 1 ? last : first + ((last - first) * (l - 1)) / (n - 1));
  }
  const ys = sizes.map((count, l) => {
    if (l === 0) return [];
    const step = Math.min(34, avail / count);
    const start = top + (avail - step * (count - 1)) / 2;
    return Array.from({ length: count }, (_, i) => start + step * i);
  });
  const radius = sizes.map((n) => Math.max(2, Math.min(10, Math.min(34, avail / n) * 0.36)));
  const input = { x: x0, y: top + (avail - side) / 2, side };
  const spacing = n > 1 ? (last - first) / (n - 1) : last - first;
  return { xs, ys, radius, input, top, height, width, spacing };
}

// Where connection `src` of transition `t` starts: a pixel of the input image or a neuron.
function source(geo, t, src) {
  if (t > 0) return [geo.xs[t], geo.ys[t][src]];
  const cell = geo.input.side / SIDE;
  return [geo.input.x + ((src % SIDE) + 0.5) * cell,
    geo.input.y + (Math.floor(src / SIDE) + 0.5) * cell];
}

export function mlpPanel({ slider }) {
  const rule = el("p", { class: "net-rule" });
  const edges = el("canvas", { class: "net-edges", "aria-hidden": "true" });
  const inputImg = el("canvas", { width: SIDE, height: SIDE, class: "net-input",
    "aria-hidden": "true" });
  const nodes = svg("svg", { class: "net-nodes", tabindex: "0", role: "application",
    "aria-label": "The network diagram. Hover a neuron, or use the arrow keys, to see its " +
      "incoming weights and bias." });
  const frame = el("div", { class: "net", "data-state": "empty" }, edges, inputImg, nodes);
  const info = el("div", { class: "neuron-info", "aria-live": "polite" },
    el("p", { class: "muted", text: "Point at a neuron (or tap it) to see all its incoming " +
      "weights and its bias." }));
  const root = el("div", { class: "net-panel" }, el("div", { class: "net-top" }, rule, slider),
    frame, info);

  let data = null;
  let geo = null;
  let acts = null; // activations of the chosen digit, per layer after the input
  let input = null;
  let circles = []; // per layer: array of circle elements
  let selected = null; // [layer, index]
  const decoded = new Map(); // layer -> Float32Array of all incoming weights
  let hl = null; // highlighted connections of the selected neuron

  function weightsOf(t) {
    if (!decoded.has(t)) decoded.set(t, float32s(data.layers[t].all_weights));
    return decoded.get(t);
  }

  function paintEdges() {
    const dpr = window.devicePixelRatio || 1;
    edges.width = Math.round(geo.width * dpr);
    edges.height = Math.round(geo.height * dpr);
    edges.style.width = `${geo.width}px`;
    edges.style.height = `${geo.height}px`;
    const ctx = edges.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.lineCap = "round";
    data.layers.forEach((layer, t) => {
      const buckets = Array.from({ length: 2 * LEVELS }, () => []);
      const max = layer.max_abs || 1;
      layer.sources.forEach((srcs, j) => {
        const [x2, y2] = [geo.xs[t + 1], geo.ys[t + 1][j]];
        srcs.forEach((src, k) => {
          const w = layer.weights[j][k];
          const level = Math.min(LEVELS - 1, Math.floor((Math.abs(w) / max) * LEVELS));
          buckets[(w >= 0 ? 0 : LEVELS) + level].push(...source(geo, t, src), x2, y2);
        });
      });
      buckets.forEach((coords, b) => {
        if (!coords.length) return;
        const level = (b % LEVELS + 1) / LEVELS;
        ctx.strokeStyle = rgba(b < LEVELS ? [37, 99, 235] : [220, 38, 38], 0.06 + 0.44 * level);
        ctx.lineWidth = 0.3 + 2 * level * level;
        ctx.beginPath();
        for (let i = 0; i < coords.length; i += 4) {
          ctx.moveTo(coords[i], coords[i + 1]);
          ctx.lineTo(coords[i + 2], coords[i + 3]);
        }
        ctx.stroke();
      });
    });
  }

  function paintNodes() {
    const sizes = data.layer_sizes;
    const { x, y, side } = geo.input;
    // Short column titles ("h1", "out") when any two would touch, the input's included.
    const narrow = Math.min(geo.spacing, geo.xs[1] - (x + side / 2)) < 70;
    nodes.setAttribute("width", geo.width);
    nodes.setAttribute("height", geo.height);
    nodes.setAttribute("viewBox", `0 0 ${geo.width} ${geo.height}`);
    const parts = [];
    Object.assign(inputImg.style, { left: `${x}px`, top: `${y}px`, width: `${side}px`,
      height: `${side}px` });
    parts.push(svg("rect", { x, y, width: side, height: side, class: "net-input-frame" }));
    parts.push(svg("text", { x: x + side / 2, y: geo.top - 10, class: "net-col",
      "text-anchor": "middle" }, geo.width < 700 ? "input" : "input 28×28"));
    circles = [[]];
    for (let l = 1; l < sizes.length; l += 1) {
      const out = l === sizes.length - 1;
      const title = out ? (narrow ? "out" : "output") : (narrow ? `h${l}` : `hidden ${l}`);
      parts.push(svg("text", { x: geo.xs[l], y: geo.top - 10, class: "net-col",
        "text-anchor": "middle" }, title));
      parts.push(svg("text", { x: geo.xs[l], y: geo.height - 6, class: "net-count",
        "text-anchor": "middle" }, String(sizes[l])));
      const row = geo.ys[l].map((cy, i) => {
        const c = svg("circle", { cx: geo.xs[l], cy, r: geo.radius[l], class: "neuron",
          "data-layer": l, "data-index": i });
        parts.push(c);
        if (out) {
          parts.push(svg("text", { x: geo.xs[l] + geo.radius[l] + 5, y: cy + 4,
            class: "net-digit" }, String(i)));
        }
        return c;
      });
      circles.push(row);
    }
    const hits = [];
    // Each column of neurons is one pointer target at least 24 px wide: a pointer anywhere in
    // it picks the nearest neuron, so a finger need not hit a 5 px circle.
    for (let l = 1; l < sizes.length; l += 1) {
      const ys = geo.ys[l];
      const half = Math.max(12, geo.radius[l] + 4);
      const pad = Math.max(12, ys.length > 1 ? Math.abs(ys[1] - ys[0]) / 2 : 12);
      const [lo, hi] = [Math.min(...ys), Math.max(...ys)];
      hits.push(svg("rect", { class: "net-hit", "data-layer": l, x: geo.xs[l] - half,
        width: 2 * half, y: lo - pad, height: Math.max(0, hi - lo + 2 * pad) }));
    }
    hl = svg("g", { class: "net-hl" });
    parts.splice(1, 0, hl, ...hits); // under the neurons, which take their own pointer
    nodes.replaceChildren(...parts);
  }

  function light() {
    frame.classList.toggle("lit", Boolean(acts));
    if (input) paintInk(inputImg, input);
    else paintInk(inputImg, new Float32Array(SIDE * SIDE));
    for (let l = 1; l < circles.length; l += 1) {
      const values = acts ? acts[l - 1] : null;
      const out = l === circles.length - 1;
      const max = values ? Math.max(...values, 1e-9) : 1;
      circles[l].forEach((c, i) => {
        if (!values) {
          c.style.fill = "";
          return;
        }
        const a = out ? values[i] : values[i] / max;
        const mix = (k) => Math.round(255 + (LIT[k] - 255) * a);
        c.style.fill = `rgb(${mix(0)},${mix(1)},${mix(2)})`;
      });
    }
    if (selected) describe(...selected);
  }

  function bars(weights, bias) {
    const n = weights.length;
    const w = 300;
    const h = 90;
    const max = Math.max(...weights.map(Math.abs), Math.abs(bias), 1e-9);
    const bw = w / n;
    const chart = svg("svg", { class: "w-bars", viewBox: `0 0 ${w} ${h}`, role: "img",
      "aria-label": `${n} incoming weights, from ${Math.min(...weights).toFixed(2)} to ` +
        `${Math.max(...weights).toFixed(2)}` });
    chart.append(svg("line", { x1: 0, x2: w, y1: h / 2, y2: h / 2, class: "w-axis" }));
    weights.forEach((v, i) => {
      const len = (Math.abs(v) / max) * (h / 2 - 2);
      chart.append(svg("rect", { x: i * bw + bw * 0.1, width: Math.max(0.6, bw * 0.8),
        y: v >= 0 ? h / 2 - len : h / 2, height: Math.max(0.5, len),
        class: v >= 0 ? "w-pos" : "w-neg" }));
    });
    return chart;
  }

  function describe(l, i) {
    const t = l - 1;
    const layer = data.layers[t];
    const all = weightsOf(t);
    const nIn = layer.n_in;
    const nOut = layer.n_out;
    const weights = Array.from({ length: nIn }, (_, s) => all[s * nOut + i]);
    const bias = layer.bias[i];
    const out = l === data.layer_sizes.length - 1;
    const name = out ? `Output neuron for digit ${i}` : `Hidden layer ${l}, neuron ${i + 1}`;
    const fmt = (v) => `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(3)}`;
    const strongest = layer.sources[i].slice(0, 3).map((s, k) => {
      const from = t === 0 ? `pixel (${Math.floor(s / SIDE)}, ${s % SIDE})` : `neuron ${s + 1}`;
      return `${from} ${fmt(layer.weights[i][k])}`;
    }).join(", ");
    let picture;
    if (t === 0) {
      const max = Math.max(...weights.map(Math.abs), 1e-9);
      picture = paintSigned(el("canvas", { width: SIDE, height: SIDE, class: "w-img big",
        role: "img", "aria-label": `its 784 incoming weights as a 28 by 28 image` }),
      weights.map((v) => v / max));
    } else {
      picture = bars(weights, bias);
    }
    const act = acts ? acts[l - 1][i] : null;
    info.replaceChildren(
      el("h4", { class: "neuron-name", text: name }),
      el("div", { class: "neuron-body" }, picture,
        el("dl", { class: "neuron-facts" },
          el("dt", { text: "bias" }), el("dd", { class: "neuron-bias", text: fmt(bias) }),
          el("dt", { text: "incoming" }), el("dd", { text: `${nIn} weights` +
            (t === 0 ? " (one per pixel)" : "") }),
          el("dt", { text: "strongest" }), el("dd", { text: strongest }),
          ...(act === null ? [] : [el("dt", { text: out ? "probability" : "activation" }),
            el("dd", { text: out ? pct(act) : act.toFixed(3) })]))));
    // highlight its kept connections
    hl.replaceChildren(...layer.sources[i].map((s, k) => {
      const [x1, y1] = source(geo, t, s);
      const w = layer.weights[i][k];
      return svg("line", { x1, y1, x2: geo.xs[l], y2: geo.ys[l][i],
        class: w >= 0 ? "hl-pos" : "hl-neg",
        "stroke-width": 1 + 3 * (Math.abs(w) / (layer.max_abs || 1)) });
    }));
  }

  function select(l, i) {
    if (!data) return;
    l = Math.max(1, Math.min(data.layer_sizes.length - 1, l));
    i = Math.max(0, Math.min(data.layer_sizes[l] - 1, i));
    for (const c of nodes.querySelectorAll(".neuron.sel")) c.classList.remove("sel");
    circles[l][i].classList.add("sel");
    selected = [l, i];
    frame.classList.add("focus");
    frame.dataset.selected = `${l}:${i}`;
    describe(l, i);
  }

  const pick = (e) => {
    const hit = e.target.closest?.(".net-hit, .neuron");
    if (!hit || !geo) return;
    const l = +hit.dataset.layer;
    const y = e.clientY - nodes.getBoundingClientRect().top;
    let best = 0;
    geo.ys[l].forEach((cy, i) => {
      if (Math.abs(cy - y) < Math.abs(geo.ys[l][best] - y)) best = i;
    });
    if (!selected || selected[0] !== l || selected[1] !== best) select(l, best);
  };
  nodes.addEventListener("pointermove", pick);
  nodes.addEventListener("pointerdown", pick);
  nodes.addEventListener("keydown", (e) => {
    if (!data) return;
    const [l, i] = selected || [1, -1];
    const moves = { ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] };
    const m = moves[e.key];
    if (!m) return;
    e.preventDefault();
    if (!selected) { select(1, 0); return; }
    const nl = Math.max(1, Math.min(data.layer_sizes.length - 1, l + m[0]));
    const ni = m[0] ? Math.round((i / Math.max(1, data.layer_sizes[l] - 1)) *
      (data.layer_sizes[nl] - 1)) : i + m[1];
    select(nl, ni);
  });

  function draw() {
    if (!data) return;
    const width = frame.clientWidth;
    const height = frame.clientHeight;
    geo = layout(data.layer_sizes, width, height);
    paintEdges();
    paintNodes();
    light();
    if (selected) select(...selected);
  }

  let lastWidth = 0;
  new ResizeObserver(() => {
    if (frame.clientWidth !== lastWidth && data) {
      lastWidth = frame.clientWidth;
      draw();
    }
  }).observe(frame);

  return {
    el: root,
    render(next) {
      const same = data && next.layer_sizes.join() === data.layer_sizes.join();
      data = next;
      decoded.clear();
      if (!same) selected = null;
      rule.textContent = next.rule;
      lastWidth = frame.clientWidth;
      draw();
      if (!selected) {
        info.replaceChildren(el("p", { class: "muted", text: "Hover a neuron (or tap it) to " +
          "see all its incoming weights and its bias." }));
      }
      frame.dataset.state = "ready";
      frame.dataset.layers = next.layer_sizes.join("-");
      frame.dataset.k = String(next.k);
    },
    light(pred) {
      acts = pred ? pred.mlp.activations : null;
      input = pred ? pred.input.flat() : null;
      if (data) light();
    },
    select,
  };
}

// The first hidden layer's weight vectors as 28x28 images on one shared scale.
export function firstLayerImages(block, onPick) {
  const codes = int8s(block.data);
  const grid = el("div", { class: "w-grid first-layer" });
  for (let j = 0; j < block.shape[0]; j += 1) {
    const b = el("button", { type: "button", class: "w-tile",
      "aria-label": `Hidden neuron ${j + 1}'s incoming weights; show it in the diagram` },
    weightCanvas(codes, j), el("span", { text: String(j + 1) }));
    b.addEventListener("click", () => onPick(j));
    grid.append(b);
  }
  return grid;
}
