// The playground's pictures: heatmaps from the server's int8 codes, the points, the network
// (every neuron's thumbnail, every weight a line) and the loss over epochs. Canvas only, so a
// frame costs a few draw calls whatever the network's size.

import { el, int8s } from "../../lib/dom.js";

const POS = [37, 99, 235]; // --pos
const NEG = [220, 38, 38]; // --neg
export const CLASS_COLOURS = [[220, 38, 38], [37, 99, 235], [22, 163, 74], [217, 119, 6],
  [124, 58, 237], [8, 145, 178], [219, 39, 119], [75, 85, 99]];

// code (-128..127, as value * 127) -> RGBA, white at 0, --neg at -1, --pos at +1
function table(discrete) {
  const lut = new Uint32Array(256);
  for (let c = -128; c < 128; c += 1) {
    let v = Math.max(-1, Math.min(1, c / 127));
    if (discrete) v = v >= 0 ? 1 : -1;
    const [r, g, b] = v >= 0 ? POS : NEG;
    const t = Math.abs(v) * 0.8;
    const mix = (x) => Math.round(255 + (x - 255) * t);
    lut[c & 255] = (255 << 24) | (mix(b) << 16) | (mix(g) << 8) | mix(r); // little-endian RGBA
  }
  return lut;
}
const LUTS = { smooth: table(false), discrete: table(true) };

// (class << 8 | code) -> RGBA: the class's colour, stronger with the confidence code
function classTable(discrete) {
  const lut = new Uint32Array(CLASS_COLOURS.length * 256);
  CLASS_COLOURS.forEach(([r, g, b], k) => {
    for (let c = -128; c < 128; c += 1) {
      const t = discrete ? 0.8 : 0.25 + 0.55 * ((c + 127) / 254);
      const mix = (x) => Math.round(255 + (x - 255) * t);
      lut[(k << 8) | (c & 255)] = (255 << 24) | (mix(b) << 16) | (mix(g) << 8) | mix(r);
    }
  });
  return lut;
}
const CLASS_LUTS = { smooth: classTable(false), discrete: classTable(true) };

// Paint `codes` (size x size) into `canvas` (made `size` pixels square), reusing its pixels.
function paintCodes(canvas, codes, size, discrete, classes = null) {
  if (canvas.width !== size) {
    canvas.width = size;
    canvas.height = size;
  }
  const ctx = canvas.getContext("2d");
  if (!canvas.pixels || canvas.pixels.width !== size) canvas.pixels = ctx.createImageData(size, size);
  const img = canvas.pixels;
  const px = new Uint32Array(img.data.buffer);
  if (classes) {
    const lut = discrete ? CLASS_LUTS.discrete : CLASS_LUTS.smooth;
    for (let i = 0; i < px.length; i += 1) {
      px[i] = lut[((classes[i] % CLASS_COLOURS.length) << 8) | (codes[i] & 255)];
    }
  } else {
    const lut = discrete ? LUTS.discrete : LUTS.smooth;
    for (let i = 0; i < px.length; i += 1) px[i] = lut[codes[i] & 255];
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}
const image = (codes, size, discrete, classes = null) =>
  paintCodes(document.createElement("canvas"), codes, size, discrete, classes);

// Sharp canvas at the device's pixel ratio, `css` pixels wide and high.
function sized(canvas, css) {
  const ratio = window.devicePixelRatio || 1;
  const want = Math.round(css * ratio);
  if (canvas.width !== want) {
    canvas.width = want;
    canvas.height = want;
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(want / css, 0, 0, want / css, 0, 0);
  return ctx;
}

const pointColour = (label, data) => {
  if (data.problem === "regression") {
    const [r, g, b] = label >= 0 ? POS : NEG;
    return `rgb(${r},${g},${b})`;
  }
  const k = data.classes > 2 ? label : label > 0 ? 1 : 0;
  const [r, g, b] = CLASS_COLOURS[k % CLASS_COLOURS.length];
  return `rgb(${r},${g},${b})`;
};

// The output: the heatmap (or a neuron's, while it is hovered) and the points on top.
export function outputView(canvas) {
  let last = null;
  const scratch = document.createElement("canvas"); // the grid at its own size
  const dots = { canvas: document.createElement("canvas"), data: null, key: "" };
  return {
    draw({ frame, neuron, data, showTest, discrete }) {
      const css = canvas.clientWidth || 300;
      const ctx = sized(canvas, css);
      ctx.imageSmoothingEnabled = true;
      let picture;
      if (neuron) {
        picture = paintCodes(scratch, int8s(neuron), frame.thumb, discrete);
      } else if (frame.output.classes) {
        picture = paintCodes(scratch, int8s(frame.output.confidence), frame.size, discrete,
          int8s(frame.output.classes));
      } else {
        picture = paintCodes(scratch, int8s(frame.output.values), frame.size, discrete);
      }
      ctx.drawImage(picture, 0, 0, css, css);
      last = { frame, data };
      if (!data) return;
      // The points change far less often than the heatmap: drawn once into their own layer
      // (a few hundred arcs), then copied onto each frame with one drawImage.
      const ratio = window.devicePixelRatio || 1;
      const key = `${css}|${ratio}|${showTest}`;
      if (dots.data !== data || dots.key !== key) {
        dots.data = data;
        dots.key = key;
        const dctx = sized(dots.canvas, css);
        dctx.clearRect(0, 0, css, css);
        const at = (v) => ((v + 6) / 12) * css;
        const dot = (flat, ring) => {
          for (let i = 0; i < flat.length; i += 3) {
            dctx.beginPath();
            dctx.arc(at(flat[i]), css - at(flat[i + 1]), css > 320 ? 3.6 : 3, 0, 2 * Math.PI);
            dctx.fillStyle = pointColour(flat[i + 2], data);
            dctx.fill();
            dctx.lineWidth = ring ? 2 : 1;
            dctx.strokeStyle = ring ? "#111827" : "#fff";
            dctx.stroke();
          }
        };
        dot(data.train, false);
        if (showTest) dot(data.test, true);
      }
      ctx.drawImage(dots.canvas, 0, 0, css, css);
    },
    get last() { return last; },
  };
}

// Input feature thumbnails, computed here (they never change).
export const FEATURE_FNS = { x1: (a) => a, x2: (a, b) => b, x1_squared: (a) => a * a,
  x2_squared: (a, b) => b * b, x1_x2: (a, b) => a * b, sin_x1: (a) => Math.sin(a),
  sin_x2: (a, b) => Math.sin(b) };
const featureCache = {};
function featureImage(name) {
  if (!featureCache[name]) {
    const n = 25;
    const codes = new Int8Array(n * n);
    const scale = name.includes("squared") || name === "x1_x2" ? 36 : name.startsWith("sin") ? 1
      : 6;
    for (let r = 0; r < n; r += 1) {
      for (let c = 0; c < n; c += 1) {
        const x1 = -6 + (12 * c) / (n - 1);
        const x2 = 6 - (12 * r) / (n - 1);
        const v = FEATURE_FNS[name](x1, x2) / scale;
        codes[r * n + c] = Math.round(Math.max(-1, Math.min(1, v)) * 127);
      }
    }
    featureCache[name] = image(codes, n, false);
  }
  return featureCache[name];
}

// The network: inputs, hidden neurons (thumbnails) and the output, joined by weights.
// `onNeuron(layer, index | null, how)` is told when a neuron is hovered or focused ("hover"),
// clicked ("choose") or opened from the keyboard ("keys": Enter or W).
export function networkView(host, onNeuron) {
  const lines = el("canvas", { class: "pg-lines", "aria-hidden": "true" });
  const layer = el("div", { class: "pg-neurons" });
  host.append(lines, layer);
  let shape = "";
  let boxes = []; // [{ layer, index, x, y, canvas }]
  let geometry = null;

  function layout(inputs, hidden, outputs) {
    const width = host.clientWidth || 600;
    const columns = [inputs.length, ...hidden, outputs];
    const most = Math.max(...columns);
    const box = Math.max(16, Math.min(40, Math.floor(360 / (most * 1.35))));
    const gap = Math.round(box * 0.35);
    const height = most * (box + gap) + gap;
    const step = (width - box - 60) / Math.max(1, columns.length - 1);
    host.style.height = `${height}px`;
    const centres = columns.map((k, c) => Array.from({ length: k }, (_, j) => ({
      x: 50 + c * step + box / 2,
      y: (height - k * (box + gap) + gap) / 2 + j * (box + gap) + box / 2,
    })));
    layer.replaceChildren();
    boxes = [];
    centres.forEach((column, c) => column.forEach((p, j) => {
      const isInput = c === 0;
      const isOutput = c === columns.length - 1;
      const canvas = el("canvas", { width: 25, height: 25 });
      const label = isInput ? `Input ${inputs[j].label}`
        : isOutput ? `Output${outputs > 1 ? ` ${j + 1}` : ""}`
          : `Layer ${c}, neuron ${j + 1}`;
      const node = el("button", { type: "button", class: `pg-node${isOutput ? " out" : ""}`,
        "aria-label": label, "data-layer": c, "data-index": j }, canvas);
      if (isInput) {
        canvas.getContext("2d").drawImage(featureImage(inputs[j].name), 0, 0, 25, 25);
        node.append(el("span", { class: "pg-node-name", "aria-hidden": "true",
          text: inputs[j].label }));
      }
      Object.assign(node.style, { left: `${p.x - box / 2}px`, top: `${p.y - box / 2}px`,
        width: `${box}px`, height: `${box}px` });
      const tell = (how) => () => onNeuron(c, j, how);
      node.addEventListener("pointerenter", tell("hover"));
      node.addEventListener("focus", tell("hover"));
      node.addEventListener("pointerleave", () => onNeuron(c, null, "hover"));
      node.addEventListener("blur", () => onNeuron(c, null, "hover"));
      node.addEventListener("click", tell("choose"));
      node.tabIndex = c === 1 && j === 0 ? 0 : -1;
      node.addEventListener("keydown", (e) => move(e, c, j));
      layer.append(node);
      boxes.push({ layer: c, index: j, canvas, node });
    }));
    if (!boxes.some((b) => b.node.tabIndex === 0) && boxes.length) boxes[0].node.tabIndex = 0;
    geometry = { width, height, centres, box };
  }

  // One tab stop for the whole network: the arrow keys move between neurons and layers;
  // Enter or W opens the neuron's weights (onNeuron's "keys").
  function move(e, c, j) {
    if ((e.key === "Enter" || e.key === "w" || e.key === "W") && !e.ctrlKey && !e.metaKey
      && !e.altKey) {
      e.preventDefault(); // no click as well
      onNeuron(c, j, "keys");
      return;
    }
    const by = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] }[
      e.key];
    if (!by) return;
    e.preventDefault();
    const columns = geometry.centres.length;
    const col = Math.max(0, Math.min(columns - 1, c + by[0]));
    const size = geometry.centres[col].length;
    const row = Math.max(0, Math.min(size - 1, by[0] ? Math.min(j, size - 1) : j + by[1]));
    const target = boxes.find((b) => b.layer === col && b.index === row);
    boxes.forEach((b) => { b.node.tabIndex = b === target ? 0 : -1; });
    target.node.focus();
  }

  return {
    draw(frame, inputs) {
      const hidden = frame.neurons.map((l) => l.length);
      const outputs = frame.layers[frame.layers.length - 1].biases.length;
      const key = `${inputs.map((i) => i.name)}|${hidden}|${outputs}|${host.clientWidth}`;
      if (key !== shape) {
        layout(inputs, hidden, outputs);
        shape = key;
      }
      for (const b of boxes) {
        if (b.layer === 0 || b.layer > hidden.length) continue;
        paintCodes(b.canvas, int8s(frame.neurons[b.layer - 1][b.index]), frame.thumb, false);
      }
      const { width, height, centres, box } = geometry;
      const ratio = window.devicePixelRatio || 1;
      if (lines.width !== Math.round(width * ratio) || lines.height !== Math.round(height * ratio)) {
        lines.width = Math.round(width * ratio);
        lines.height = Math.round(height * ratio);
        Object.assign(lines.style, { width: `${width}px`, height: `${height}px` });
      }
      const ctx = lines.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, width, height);
      ctx.lineCap = "round";
      frame.layers.forEach((l, i) => {
        const from = centres[i];
        const to = centres[i + 1];
        l.weights.forEach((row, a) => row.forEach((w, b) => {
          if (w === null || l.dead[a][b]) return;
          ctx.strokeStyle = w >= 0 ? "rgba(37,99,235,.75)" : "rgba(220,38,38,.75)";
          ctx.lineWidth = Math.min(6, 0.5 + Math.abs(w) * 1.5);
          ctx.beginPath();
          ctx.moveTo(from[a].x + box / 2, from[a].y);
          ctx.bezierCurveTo(from[a].x + box, from[a].y, to[b].x - box, to[b].y,
            to[b].x - box / 2, to[b].y);
          ctx.stroke();
        }));
        l.biases.forEach((bias, b) => { // each bias: a small square at the neuron's corner
          if (bias === null) return;
          ctx.fillStyle = bias >= 0 ? "#2563eb" : "#dc2626";
          const s = Math.min(8, 3 + Math.abs(bias) * 3);
          ctx.fillRect(to[b].x - box / 2 - s - 1, to[b].y + box / 2 - s, s, s);
        });
      });
    },
    // The weight ({ layer, from, to }) or bias ({ layer, from: null, to }) drawn at (x, y)
    // (pixels in the host), or null: `layer` indexes frame.layers.
    weightAt(frame, x, y) {
      if (!geometry) return null;
      const { centres, box } = geometry;
      let best = null;
      let nearest = 5; // pixels
      frame.layers.forEach((l, i) => {
        const from = centres[i];
        const to = centres[i + 1];
        l.biases.forEach((_, b) => {
          const bx = to[b].x - box / 2 - 5;
          const by = to[b].y + box / 2 - 4;
          if (Math.abs(x - bx) <= 6 && Math.abs(y - by) <= 6) best = { layer: i, from: null, to: b };
        });
        if (best) return;
        l.weights.forEach((row, a) => row.forEach((w, b) => {
          if (w === null || l.dead[a][b]) return;
          const p0 = [from[a].x + box / 2, from[a].y];
          const p1 = [from[a].x + box, from[a].y];
          const p2 = [to[b].x - box, to[b].y];
          const p3 = [to[b].x - box / 2, to[b].y];
          for (let k = 0; k <= 24; k += 1) {
            const t = k / 24;
            const u = 1 - t;
            const px = u * u * u * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0]
              + t * t * t * p3[0];
            const py = u * u * u * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1]
              + t * t * t * p3[1];
            const d = Math.hypot(px - x, py - y);
            if (d < nearest) {
              nearest = d;
              best = { layer: i, from: a, to: b };
            }
          }
        }));
      });
      return best;
    },
    geometry() { return geometry; }, // { width, height, centres[column][row], box }
    node(layerIndex, index) {
      return boxes.find((b) => b.layer === layerIndex && b.index === index)?.node;
    },
  };
}

// The training and test loss over epochs (at most ~300 points kept, thinned evenly).
export function lossChart(canvas, tip) {
  let points = [];
  const draw = () => {
    const W = canvas.clientWidth || 300;
    const H = canvas.clientHeight || 90;
    const ratio = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(W * ratio) || canvas.height !== Math.round(H * ratio)) {
      canvas.width = Math.round(W * ratio);
      canvas.height = Math.round(H * ratio);
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, W, H);
    ctx.strokeStyle = "#d1d5db";
    ctx.strokeRect(0.5, 0.5, W - 1, H - 1);
    ctx.font = "12px system-ui, sans-serif";
    ctx.fillStyle = "#4b5563";
    if (points.length < 2) {  // an empty box says what it will show, wrapped to its width
      const lines = [];
      for (const word of "Training and test loss, epoch by epoch, once the network trains"
        .split(" ")) {
        const line = lines.length ? `${lines[lines.length - 1]} ${word}` : word;
        if (lines.length && ctx.measureText(line).width <= W - 16) lines[lines.length - 1] = line;
        else lines.push(word);
      }
      lines.forEach((line, i) => ctx.fillText(line, 8, H / 2 + 4 + (i - (lines.length - 1) / 2)
        * 15));
      return;
    }
    // the legend: which line is which
    ctx.textAlign = "right";
    let x = W - 8;
    for (const [name, colour] of [["test", "#9ca3af"], ["training", "#111827"]]) {
      ctx.fillText(name, x, 14);
      x -= ctx.measureText(name).width + 4;
      ctx.fillStyle = colour;
      ctx.fillRect(x - 14, 9, 14, 2);
      ctx.fillStyle = "#4b5563";
      x -= 22;
    }
    ctx.textAlign = "left";
    const last = points[points.length - 1].epoch || 1;
    const top = Math.max(1e-9, ...points.flatMap((p) => [p.train, p.test]
      .filter(Number.isFinite)));
    for (const [key, colour] of [["train", "#111827"], ["test", "#9ca3af"]]) {
      ctx.strokeStyle = colour;
      ctx.lineWidth = 2;
      ctx.beginPath();
      points.forEach((p, i) => {
        if (!Number.isFinite(p[key])) return;
        const x = 2 + (p.epoch / last) * (W - 4);
        const y = H - 2 - (p[key] / top) * (H - 6);
        if (i) ctx.lineTo(x, y);
        else ctx.moveTo(x, y);
      });
      ctx.stroke();
    }
  };
  canvas.addEventListener("pointermove", (e) => {
    if (!points.length) return;
    const r = canvas.getBoundingClientRect();
    const epoch = ((e.clientX - r.left) / r.width) * points[points.length - 1].epoch;
    const p = points.reduce((a, b) => (Math.abs(b.epoch - epoch) < Math.abs(a.epoch - epoch)
      ? b : a));
    tip.textContent = `Epoch ${p.epoch}: training loss ${fmt(p.train)}, test loss ${fmt(p.test)}`;
  });
  canvas.addEventListener("pointerleave", () => { tip.textContent = ""; });
  return {
    reset() { points = []; draw(); },
    add(p) {
      if (points.length && p.epoch <= points[points.length - 1].epoch) return;
      points.push(p);
      if (points.length > 300) points = points.filter((_, i) => i % 2 === 0 || i === 300);
      draw();
    },
    draw,
  };
}

export const fmt = (v) => (v === null || v === undefined ? "—"
  : Number.isFinite(v) ? v.toFixed(3) : String(v));
