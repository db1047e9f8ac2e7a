// Section 4: three models learn to read handwritten digits. Python trains them; this module
// shows sample digits, the four sliders, the three validation accuracies and the MLP's
// training curve as it streams over one WebSocket per page.
import { getJSON, wsURL } from "../lib/api.js";
import { lineSeries, niceStep, tickText } from "../lib/chart.js";
import { slider } from "../lib/controls.js";
import { bytes, el, svg } from "../lib/dom.js";

const SLIDERS = ["mlp_width", "mlp_depth", "tree_depth", "train_size"];
const SAMPLE_COUNT = 10;
const CLEAR_AFTER_MS = 120;
const COLORS = { loss: "var(--accent)", logistic_regression: "#0e7490",
  decision_tree: "#b45309", mlp: "var(--pos)" };
const MODELS = [
  { key: "logistic_regression", name: "Logistic regression",
    what: "one weight per pixel for each digit" },
  { key: "decision_tree", name: "Decision tree", what: "a cascade of yes/no pixel questions" },
  { key: "mlp", name: "MLP", what: "layers of ReLU neurons" },
];
const QUESTIONS = [
  { q: "What happens when you make the MLP wider, and what happens when you make it deeper?",
    hint: "Try Width 64 with Depth 1, then Width 8 with Depth 8. Watch the accuracy and " +
      "the shape of the loss curve: more neurons side by side and more layers stacked are " +
      "not the same kind of extra capacity, and deep, narrow networks are harder to train." },
  { q: "Does more training data always help?",
    hint: "Slide Dataset Size from 100 to 5000 and note each model's accuracy. Who gains " +
      "the most? Does the decision tree keep improving if its depth stays at 5?" },
  { q: "Which model learns the most from the fewest examples?",
    hint: "Set Dataset Size to 100 or 200 and compare the three accuracies. With little " +
      "data, a model with fewer numbers to adjust often generalises better." },
];

const pct = (x) => `${(100 * x).toFixed(1)}%`;
const secs = (s) => `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`;

// ---------------------------------------------------------------------------- sample digits

function digitCanvas(pixels, start) {
  const canvas = el("canvas", { width: 28, height: 28, class: "digit-img" });
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(28, 28);
  for (let i = 0; i < 784; i += 1) {
    const v = 255 - pixels[start + i]; // dark ink on light paper, like a pencil
    img.data.set([v, v, v, 255], 4 * i);
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}

function samplesPanel() {
  const strip = el("div", { class: "digit-strip", role: "list" });
  const shape = el("p", { class: "data-shape" });
  const more = el("button", { type: "button", text: "Show other digits" });
  let offset = 0;

  async function show() {
    const data = await getJSON("/api/mnist/samples", { count: SAMPLE_COUNT, offset });
    const ink = bytes(data.pixels);
    const [h, w] = data.image_shape;
    strip.replaceChildren(...data.labels.map((label, k) => {
      const canvas = digitCanvas(ink, k * h * w);
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", `a handwritten ${label}`);
      return el("figure", { class: "digit", role: "listitem" }, canvas,
        el("figcaption", {}, "Label: ", el("strong", { text: String(label) })));
    }));
    const [n, d] = data.shape;
    const num = (x) => x.toLocaleString("en");
    shape.replaceChildren(
      el("code", { class: "shape", text: `X.shape = (${n}, ${d})` }),
      ` ${num(n)} images, each ${h} × ${w} = ${d} pixels flattened into one row of numbers ` +
        `from 0 (white) to 1 (black). Images ${num(data.offset)}–` +
        `${num(data.offset + data.count - 1)}.`);
  }
  more.addEventListener("click", () => {
    offset = (offset + 997 * SAMPLE_COUNT) % (70000 - SAMPLE_COUNT);
    show().catch((err) => { shape.textContent = `Could not load digits: ${err.message}`; });
  });
  const panel = el("div", { class: "compare-data" },
    el("h3", { text: "The data" }), strip,
    el("div", { class: "data-foot" }, shape, more));
  return { el: panel, show };
}

// ---------------------------------------------------------------------------- results

function accuracyCards() {
  const cards = {};
  const root = el("div", { class: "acc-cards" });
  for (const m of MODELS) {
    const value = el("span", { class: "acc-value", text: "–" });
    const bar = el("span", { class: "acc-bar-fill" });
    const note = el("span", { class: "acc-note", text: "waiting" });
    const card = el("div", { class: `acc-card acc-${m.key}`, "data-model": m.key },
      el("span", { class: "acc-name", text: m.name }),
      value,
      el("span", { class: "acc-bar", "aria-hidden": "true" }, bar),
      note,
      el("span", { class: "acc-what", text: m.what }));
    card.style.setProperty("--model", COLORS[m.key]);
    root.append(card);
    cards[m.key] = { card, value, bar, note };
  }
  function set(key, { accuracy, note, state }) {
    const c = cards[key];
    if (accuracy === null) {
      c.value.textContent = "–";
      c.bar.style.width = "0";
    } else if (accuracy !== undefined) {
      c.value.textContent = pct(accuracy);
      c.bar.style.width = `${(100 * accuracy).toFixed(1)}%`;
    }
    if (note !== undefined) {
      c.note.textContent = note;
      c.note.title = note.includes("reused")
        ? "Trained earlier with the same settings: the server kept the model." : "";
    }
    if (state) c.card.dataset.state = state;
  }
  return { el: root, set };
}

// The MLP's training loss (left axis) and validation accuracy (right axis, 0–100%) per
// epoch; the other two models' accuracies are dashed lines on the accuracy axis. Changes are
// drawn at most once per animation frame: new epochs alone are appended (a path segment and
// a marker each); a new run, a longer epoch axis, a higher loss axis or a new width lay the
// chart out afresh.
const BASELINES = ["logistic_regression", "decision_tree"];
const SHORT = { logistic_regression: "Logistic", decision_tree: "Tree" }; // for phones
// The epoch axis grows in steps, so that most epochs only append.
const epochAxis = (n) => (n <= 5 ? 5 : n <= 10 ? 10 : Math.ceil(n / 10) * 10);

function lossChart(host) {
  const key = el("ul", { class: "chart-key" });
  const plot = svg("svg", { class: "chart-svg", "aria-hidden": "true" });
  const area = svg("rect", { class: "plot-area" });
  const axes = svg("g", { class: "axes" });
  const refs = Object.fromEntries(BASELINES.map((k) => [k,
    svg("line", { class: "baseline", stroke: COLORS[k], visibility: "hidden" })]));
  const loss = lineSeries("series");
  const acc = lineSeries("series");
  loss.root.style.setProperty("--c", COLORS.loss);
  acc.root.style.setProperty("--c", COLORS.mlp);
  plot.append(area, axes, ...Object.values(refs), loss.root, acc.root);
  host.setAttribute("role", "img");
  host.append(key, plot);

  let points = []; // every epoch of the current run
  let shown = 0; // how many of them are drawn
  let topLoss = 0; // the run's largest finite loss
  let lines = {}; // model key -> { name, accuracy }
  let redraw = true; // a new run: draw everything afresh
  let linesChanged = true;
  let width = 0; // of the host, from a ResizeObserver
  let W = 0;
  let narrow = false;
  let epochs = 0; // right end of the epoch axis
  let lossMax = 0; // top of the loss axis
  let accY = (a) => a;
  let frame = 0;
  let clearing = 0;
  let onDrawn = () => {};

  const lossPoint = (p) => ({ x: p.epoch, y: p.loss,
    tip: `epoch ${p.epoch}: loss ${p.loss.toFixed(3)}` });
  const accPoint = (p) => ({ x: p.epoch, y: p.val_accuracy,
    tip: `epoch ${p.epoch}: accuracy ${pct(p.val_accuracy)}` });

  // Axes, grid and ticks for the current width and ranges; then every point again.
  function layout() {
    W = width || 640;
    narrow = W < 500;
    host.classList.toggle("narrow", narrow);
    const H = narrow ? 236 : 262;
    const pad = narrow ? { l: 46, r: 54, t: 10, b: 42 } : { l: 58, r: 64, t: 12, b: 44 };
    const [x0, x1, y0, y1] = [pad.l, W - pad.r, H - pad.b, pad.t];
    plot.setAttribute("viewBox", `0 0 ${W} ${H}`);
    plot.setAttribute("width", W);
    plot.setAttribute("height", H);
    Object.entries({ x: x0, y: y1, width: x1 - x0, height: y0 - y1 })
      .forEach(([k, v]) => area.setAttribute(k, v));
    const sx = (x) => x0 + (x / epochs) * (x1 - x0);
    const sLoss = (y) => y0 - (y / lossMax) * (y0 - y1);
    accY = (a) => y0 - a * (y0 - y1);
    // grid lines every 20% of accuracy; the loss has its own ticks on the left axis
    const parts = [svg("line", { class: "axis", x1: x0, x2: x0, y1, y2: y0 })];
    for (let i = 0; i <= 5; i += 1) {
      const y = accY(i / 5);
      if (i) parts.push(svg("line", { class: "grid", x1: x0, x2: x1, y1: y, y2: y }));
      parts.push(svg("text", { class: "acc", x: x1 + 7, y: y + 4.5 }, `${20 * i}%`));
    }
    const lossStep = niceStep(lossMax / 1.08, 4);
    for (let v = 0; v <= lossMax + 1e-9; v += lossStep) {
      const y = sLoss(v);
      parts.push(svg("line", { class: "axis", x1: x0 - 5, x2: x0, y1: y, y2: y }),
        svg("text", { class: "loss", x: x0 - 8, y: y + 4.5, "text-anchor": "end" },
          tickText(v)));
    }
    const step = [1, 2, 5, 10].find((s) => epochs / s <= (narrow ? 10 : 12)) || 10;
    for (let e = 0; e <= epochs; e += step) {
      if (e) parts.push(svg("line", { class: "grid", x1: sx(e), x2: sx(e), y1, y2: y0 }));
      parts.push(svg("text", { x: sx(e), y: y0 + 18, "text-anchor": "middle" }, String(e)));
    }
    const turned = (x, text, cls) => svg("text", { class: `title ${cls}`,
      transform: `translate(${x} ${(y0 + y1) / 2}) rotate(-90)`, "text-anchor": "middle" }, text);
    parts.push(svg("line", { class: "axis", x1: x0, x2: x1, y1: y0, y2: y0 }),
      svg("text", { class: "title", x: (x0 + x1) / 2, y: H - 6, "text-anchor": "middle" },
        "epoch"),
      turned(14, narrow ? "loss" : "training loss", "loss"),
      turned(W - 8, narrow ? "accuracy" : "validation accuracy", "acc"));
    axes.replaceChildren(...parts);
    for (const line of Object.values(refs)) {
      line.setAttribute("x1", x0);
      line.setAttribute("x2", x1);
    }
    const radius = Math.max(2.2, Math.min(3.5, (x1 - x0) / epochs / 3)); // dense runs: smaller
    loss.scale(sx, sLoss, radius);
    acc.scale(sx, accY, radius);
    loss.set(points.map(lossPoint));
    acc.set(points.map(accPoint));
  }

  // The dashed reference lines and the legend.
  function drawLines() {
    for (const k of BASELINES) {
      refs[k].setAttribute("visibility", lines[k] ? "visible" : "hidden");
      if (lines[k]) {
        refs[k].setAttribute("y1", accY(lines[k].accuracy));
        refs[k].setAttribute("y2", accY(lines[k].accuracy));
      }
    }
    const item = (text, color, cls) => {
      const li = el("li", { class: cls }, el("i", { "aria-hidden": "true" }), text);
      li.style.setProperty("--c", color);
      return li;
    };
    key.replaceChildren(
      item(narrow ? "MLP loss" : "MLP loss (training)", COLORS.loss, "dot"),
      item("MLP accuracy", COLORS.mlp, "dot"),
      ...BASELINES.filter((k) => lines[k]).map((k) => item(
        `${narrow ? SHORT[k] : lines[k].name} ${pct(lines[k].accuracy)}`, COLORS[k], "dash")));
  }

  function describe() {
    const last = points[points.length - 1];
    const parts = [last
      ? `The MLP after epoch ${last.epoch}: training loss ${last.loss.toFixed(3)}, ` +
        `validation accuracy ${pct(last.val_accuracy)}`
      : "The MLP's training loss and validation accuracy per epoch: no epoch yet"];
    for (const k of BASELINES) {
      if (lines[k]) parts.push(`${lines[k].name}: ${pct(lines[k].accuracy)}`);
    }
    host.setAttribute("aria-label", `${parts.join(". ")}.`);
  }

  function draw() {
    cancelAnimationFrame(frame);
    frame = 0;
    clearTimeout(clearing);
    const axis = epochAxis(points.length);
    const top = topLoss > 0 ? 1.08 * topLoss : 1; // a little headroom over the top point
    if (redraw || axis !== epochs || top !== lossMax || (width || 640) !== W) {
      epochs = axis;
      lossMax = top;
      layout();
      redraw = false;
      linesChanged = true;
    } else if (shown < points.length) {
      const fresh = points.slice(shown);
      loss.add(fresh.map(lossPoint));
      acc.add(fresh.map(accPoint));
    }
    if (linesChanged) drawLines();
    linesChanged = false;
    shown = points.length;
    describe();
    onDrawn(shown);
  }
  const later = () => { if (!frame) frame = requestAnimationFrame(draw); };
  new ResizeObserver(([entry]) => {
    const w = Math.round(entry.contentRect.width);
    if (w && w !== width) {
      width = w;
      draw();
    }
  }).observe(host);
  return {
    // A new run: the old curve goes with the new run's first points, or after a short
    // while if none come (results seen before arrive within one frame).
    reset() {
      points = [];
      shown = 0;
      topLoss = 0;
      lines = {};
      redraw = true;
      clearTimeout(clearing);
      clearing = setTimeout(later, CLEAR_AFTER_MS);
    },
    add(point) {
      points.push(point);
      if (Number.isFinite(point.loss)) topLoss = Math.max(topLoss, point.loss);
      later();
    },
    baseline(key, name, accuracy) {
      if (lines[key] && lines[key].accuracy === accuracy) return;
      lines[key] = { name, accuracy };
      linesChanged = true;
      later();
    },
    // draw what is pending now rather than at the next frame
    flush() {
      if (frame) draw();
    },
    set onDrawn(fn) { onDrawn = fn; },
  };
}

// ---------------------------------------------------------------------------- the socket

// One WebSocket per page, reopened with a growing delay if it drops. A run asked for while
// the socket is down is sent as soon as it is back.
function connect(onMessage, onState) {
  let socket = null;
  let pending = null;
  let delay = 250;

  function open() {
    socket = new WebSocket(wsURL("/api/compare/ws"));
    socket.addEventListener("open", () => {
      delay = 250;
      onState("open");
      if (pending) {
        socket.send(JSON.stringify(pending));
        pending = null;
      }
    });
    socket.addEventListener("message", (e) => onMessage(JSON.parse(e.data)));
    socket.addEventListener("close", () => {
      onState("closed");
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 5000);
    });
  }
  open();
  return {
    send(message) {
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
      else pending = message;
    },
  };
}

// ---------------------------------------------------------------------------- the view

export function mount(section, { params, state }) {
  const byName = Object.fromEntries(params.map((p) => [p.name, p]));
  const root = el("div", { class: "compare", "data-state": "idle", "data-epochs": "0",
    "data-cancelled": "0" });
  const intro = el("p", {},
    "A computer sees each handwritten digit as a grid of grey levels. Lay the grid out as " +
    "one long row of numbers and the whole data set becomes a table: the input of a function " +
    "whose output should be the digit. Three kinds of model learn that function from the " +
    "first images (Dataset Size) and are then graded on 2,000 images they have never seen.");

  const samples = samplesPanel();
  const controls = el("div", { class: "controls compare-controls" });
  const status = el("p", { class: "compare-status", role: "status", "aria-live": "polite",
    text: "Connecting…" });
  const cards = accuracyCards();
  const chartHost = el("div", { class: "compare-chart" });
  const chartFrame = el("div", { class: "compare-chart-frame" }, chartHost);
  const questions = el("aside", { class: "questions compare-questions",
    "aria-labelledby": "compare-q-title" },
  el("h3", { id: "compare-q-title", text: "Try to answer" }),
  el("ol", {}, ...QUESTIONS.map(({ q, hint }) => el("li", {},
    el("p", { text: q }),
    el("details", {}, el("summary", { text: "Hint" }), el("p", { text: hint }))))));

  const results = el("div", { class: "compare-results" },
    el("h3", { text: "Accuracy on 2,000 unseen images" }), cards.el,
    el("h3", { text: "The MLP learning, epoch by epoch" }), chartFrame);
  const lab = el("div", { class: "compare-lab" },
    el("div", { class: "compare-main" },
      el("h3", { text: "The models" }), controls, status, results),
    questions);
  root.append(intro, samples.el, lab);
  section.append(root);

  const chart = lossChart(chartHost);
  chart.onDrawn = (n) => { root.dataset.epochs = String(n); };

  // --- runs
  let current = 0; // id of the run whose results are shown
  let sentAt = 0;
  let cancelled = 0;
  let prefix = ""; // says so while a run replaces one that was cancelled

  function setStatus(text, kind = "") {
    status.textContent = text;
    status.className = `compare-status ${kind}`.trim();
  }

  // Progress of the run shown; while a slider is held, its hint stays on screen instead.
  function progress(text, kind = "busy") {
    if (!root.classList.contains("stale")) setStatus(text, kind);
  }

  function startRun() {
    current += 1;
    prefix = "";
    sentAt = performance.now();
    root.classList.remove("stale");
    root.dataset.state = "running";
    socket.send({ type: "run", id: current, params: state.all() });
    root.dataset.epochs = "0";
    chart.reset();
    for (const m of MODELS) {
      cards.set(m.key, { accuracy: null, note: "training…", state: "running" });
    }
    setStatus("Training…", "busy");
  }

  function onMessage(msg) {
    if (msg.type === "error" && msg.run === undefined) {
      root.dataset.state = "error";
      setStatus(msg.detail.map((d) => d.message).join("; "), "bad");
      return;
    }
    if (msg.type === "cancelled" && msg.run !== current) {
      cancelled += 1;
      root.dataset.cancelled = String(cancelled);
      if (root.dataset.state === "running") {
        prefix = "Previous run cancelled. ";
        progress(`${prefix}Training…`);
      }
      return;
    }
    if (msg.run !== current) return;
    switch (msg.type) {
      case "waiting":
        progress("Waiting for a free processor core (other trainings are running)…");
        break;
      case "started":
        progress(`${prefix}Training…`);
        break;
      case "epoch":
        chart.add(msg);
        cards.set("mlp", { accuracy: msg.val_accuracy, note: `epoch ${msg.epoch}` });
        progress(`${prefix}Training… MLP epoch ${msg.epoch}`);
        break;
      case "model":
        showModel(msg.model, msg);
        break;
      case "done":
        for (const [key, r] of Object.entries(msg.result.models)) showModel(key, r);
        chart.flush();
        root.dataset.state = "done";
        document.dispatchEvent(new CustomEvent("neuralab:compare-done",
          { detail: msg.result.params }));
        progress(`Done in ${secs((performance.now() - sentAt) / 1000)}`, "ok");
        break;
      case "cancelled":
        root.dataset.state = "cancelled";
        cancelled += 1;
        root.dataset.cancelled = String(cancelled);
        progress("Cancelled", "bad");
        break;
      case "error":
        root.dataset.state = "error";
        setStatus(msg.detail.map((d) => d.message).join("; "), "bad");
        break;
      default:
        break;
    }
  }

  function showModel(key, r) {
    const note = `${secs(r.seconds)}${r.cached ? " (reused)" : ""}`;
    cards.set(key, { accuracy: r.accuracy, note, state: "done" });
    const m = MODELS.find((x) => x.key === key);
    if (key !== "mlp") chart.baseline(key, m.name, r.accuracy);
  }

  let dropped = false;
  const socket = connect(onMessage, (s) => {
    if (s === "closed") {
      const running = root.dataset.state === "running";
      if (running && !dropped) startRun(); // the run died with the socket: queue it again
      if (!dropped) setStatus("Connection lost. Reconnecting…", "bad");
      dropped = true;
    } else if (dropped) {
      dropped = false;
      if (root.dataset.state !== "running") setStatus("Reconnected.", "ok");
      else setStatus("Reconnected. Training…", "busy");
    }
  });

  // --- sliders: moving marks the results stale, releasing starts a new run
  for (const name of SLIDERS) {
    const p = byName[name];
    const s = slider(p, state.get(name), () => {
      root.classList.add("stale");
      setStatus("Release the slider to train with the new settings.", "busy");
    }, { onChange: (v) => { state.set(name, v); startRun(); } });
    controls.append(s.el);
  }

  samples.show().catch((err) => {
    console.warn("MNIST samples could not load", err);
  });
  startRun();
}
