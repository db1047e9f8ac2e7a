// Section 4: three models learn to read handwritten digits. Python trains them; this module
// shows sample digits, the four sliders, the three validation accuracies (with what changed
// since the run before), the MLP's training curve as it streams over one WebSocket per page,
// and the runs of this visit in a table.
import { getJSON, wsURL } from "../lib/api.js";
import { trainingChart } from "../lib/chart.js";
import { slider } from "../lib/controls.js";
import { bytes, el } from "../lib/dom.js";
import { MODELS } from "../lib/models.js";
import { observe } from "../lib/tasks.js";

const SLIDERS = ["mlp_width", "mlp_depth", "tree_depth", "train_size"];
const SAMPLE_COUNT = 10;
const KEYBOARD_WAIT_MS = 250; // after an arrow key, wait for the next before training
const HISTORY_ROWS = 12;
const LOSS_TOP = 2.5; // a fixed loss axis (an untrained 10-way softmax starts at ln 10 = 2.3)
const COLORS = { loss: "var(--accent)",
  ...Object.fromEntries(MODELS.map((m) => [m.key, m.color])) };

const percent = (x) => `${(100 * x).toFixed(1)}%`;
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
  let total = 70000; // MNIST's size, until the server has said

  async function show() {
    const data = await getJSON("/api/mnist/samples", { count: SAMPLE_COUNT, offset });
    total = data.shape[0];
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
    offset = (offset + 997 * SAMPLE_COUNT) % (total - SAMPLE_COUNT);
    show().catch((err) => { shape.textContent = `Could not load digits: ${err.message}`; });
  });
  const panel = el("div", { class: "compare-data" },
    el("h3", { text: "The data" }), strip,
    el("div", { class: "data-foot" }, shape, more));
  return { el: panel, show };
}

// ---------------------------------------------------------------------------- results

const points = (a, b) => {
  const d = 100 * (a - b);
  if (Math.abs(d) < 0.05) return "no change";
  return `${d > 0 ? "+" : "−"}${Math.abs(d).toFixed(1)} pts`;
};

// One card per model. A new run keeps the last value on screen, greyed, until the new one
// comes; then the card says how it changed.
function accuracyCards() {
  const cards = {};
  const root = el("div", { class: "acc-cards" });
  for (const m of MODELS) {
    const value = el("span", { class: "acc-value", text: "–" });
    const bar = el("span", { class: "acc-bar-fill" });
    const note = el("span", { class: "acc-note", text: "waiting" });
    const change = el("span", { class: "acc-change" });
    const card = el("div", { class: `acc-card acc-${m.key}`, "data-model": m.key },
      el("span", { class: "acc-name", text: m.name }),
      value,
      el("span", { class: "acc-bar", "aria-hidden": "true" }, bar),
      el("span", { class: "acc-foot" }, note, change),
      el("span", { class: "acc-what", text: m.what }));
    card.style.setProperty("--model", COLORS[m.key]);
    root.append(card);
    cards[m.key] = { card, value, bar, note, change, shown: null };
  }
  return {
    el: root,
    // a new run: the old numbers stay, marked as being replaced
    running() {
      for (const c of Object.values(cards)) {
        c.card.dataset.state = "running";
        c.note.textContent = "training…";
        c.change.textContent = "";
      }
    },
    // a model's new result, and how it differs from the run before (`before`: its accuracy)
    show(key, { accuracy, note, before, final = true }) {
      const c = cards[key];
      c.value.textContent = percent(accuracy);
      c.bar.style.width = `${(100 * accuracy).toFixed(1)}%`;
      c.note.textContent = note;
      if (final) {
        c.card.dataset.state = "done";
        c.change.textContent = before === undefined ? "" : points(accuracy, before);
        c.change.className = `acc-change ${accuracy > before + 5e-4 ? "up"
          : accuracy < before - 5e-4 ? "down" : ""}`;
      }
    },
  };
}

// The runs of this visit: settings and the three accuracies, newest first. A row's button
// brings its settings back (its models are still on the server, so they come at once).
function historyTable(onRestore) {
  const body = el("tbody");
  const table = el("table", { class: "compare-history" },
    el("caption", { text: "Your runs in this visit (newest first)" }),
    el("thead", {}, el("tr", {}, ...["Width", "Depth", "Tree depth", "Images",
      ...MODELS.map((m) => m.short), ""].map((h, i) => el("th", { scope: "col",
      ...(i === 7 ? { "aria-label": "Use these settings" } : {}), text: h })))),
    body);
  const wrap = el("div", { class: "compare-history-wrap", hidden: "" }, table);
  const rows = [];
  return {
    el: wrap,
    add(params, accuracies) {
      const same = (r) => SLIDERS.every((k) => r.params[k] === params[k]);
      const old = rows.findIndex(same);
      if (old >= 0) rows.splice(old, 1);
      rows.unshift({ params, accuracies });
      rows.length = Math.min(rows.length, HISTORY_ROWS);
      body.replaceChildren(...rows.map((r, i) => el("tr", { class: i === 0 ? "current" : "" },
        ...SLIDERS.map((k) => el("td", { text: r.params[k].toLocaleString("en") })),
        ...MODELS.map((m) => el("td", { class: "num", text: percent(r.accuracies[m.key]) })),
        el("td", {}, i === 0 ? el("span", { class: "muted", text: "shown" })
          : el("button", { type: "button", class: "link", text: "Show",
            "aria-label": `Show the run with width ${r.params.mlp_width}, depth ` +
              `${r.params.mlp_depth}, tree depth ${r.params.tree_depth}, ` +
              `${r.params.train_size} images`,
            onclick: () => onRestore(r.params) })))));
      wrap.hidden = rows.length < 2;
    },
  };
}

// The MLP's training loss (left axis, fixed from 0 to 2.5) and validation accuracy (right
// axis) per epoch; the other two models' accuracies are dashed lines on the accuracy axis.
function mlpChart(host) {
  return trainingChart(host, {
    series: [
      { key: "loss", label: "MLP loss (training)", short: "MLP loss", color: COLORS.loss,
        axis: "left" },
      { key: "val_accuracy", label: "MLP accuracy", short: "MLP accuracy", color: COLORS.mlp,
        axis: "right" },
    ],
    left: { title: "training loss", short: "loss", top: LOSS_TOP },
    right: { title: "validation accuracy", short: "accuracy" },
    describe(run, lines) {
      const last = run[run.length - 1];
      const parts = [last
        ? `The MLP after epoch ${last.epoch}: training loss ${last.loss.toFixed(3)}, ` +
          `validation accuracy ${percent(last.val_accuracy)}`
        : "The MLP's training loss and validation accuracy per epoch: no epoch yet"];
      for (const l of Object.values(lines)) parts.push(`${l.name}: ${percent(l.value)}`);
      return `${parts.join(". ")}.`;
    },
  });
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

export async function mount(section, { params, state }) {
  const byName = Object.fromEntries(params.map((p) => [p.name, p]));
  const root = el("div", { class: "compare", "data-state": "idle", "data-epochs": "0",
    "data-cancelled": "0", "data-runs": "0", "data-pending": "0",
    "data-connection": "connecting" });
  const valSize = state.get("val_size").toLocaleString("en");
  const intro = el("p", {},
    "A computer sees each handwritten digit as a grid of grey levels. Lay the grid out as " +
    "one long row of numbers and the whole data set becomes a table: the input of a function " +
    "whose output should be the digit. Three kinds of model learn that function from the " +
    `first images (Dataset Size) and are then graded on ${valSize} images they have never ` +
    "seen.");

  const samples = samplesPanel();
  const controls = el("div", { class: "controls compare-controls" });
  // `status` is spoken by screen readers: a run's start and its result. `progress` (each
  // epoch) is only shown.
  const status = el("p", { class: "compare-status", role: "status", "aria-live": "polite",
    text: "Connecting…" });
  const progressLine = el("span", { class: "compare-progress", "aria-hidden": "true" });
  const cards = accuracyCards();
  const chartHost = el("div", { class: "compare-chart" });
  const budget = el("p", { class: "compare-budget muted" });
  const chartFrame = el("div", { class: "compare-chart-frame" }, chartHost);
  const questions = el("aside", { class: "questions compare-questions",
    "aria-labelledby": "compare-q-title" },
  el("h3", { id: "compare-q-title", text: "Try to answer" }));
  const resetBtn = el("button", { type: "button", class: "compare-reset",
    text: "Reset to defaults" });
  const history = historyTable((settings) => {
    for (const name of SLIDERS) {
      sliders[name].set(settings[name]);
      state.set(name, settings[name]);
    }
    startRun();
  });

  const results = el("div", { class: "compare-results" },
    el("h3", { text: `Accuracy on ${valSize} unseen images` }), cards.el,
    el("h3", { text: "The MLP learning, epoch by epoch" }), chartFrame, budget);
  const lab = el("div", { class: "compare-lab" },
    el("div", { class: "compare-main" },
      el("div", { class: "compare-head" }, el("h3", { text: "The models" }), resetBtn),
      controls, el("div", { class: "compare-status-row" }, status, progressLine), results,
      history.el),
    questions);
  root.append(intro, samples.el, lab);
  section.append(root);

  const chart = mlpChart(chartHost);
  chart.onDrawn = (n) => { root.dataset.epochs = String(n); };

  // --- runs
  let current = 0; // id of the run whose results are shown
  let sentAt = 0;
  let cancelled = 0;
  let last = {}; // model key -> accuracy of the last finished run
  let prefix = ""; // says so while a run replaces one that was cancelled

  function setStatus(text, kind = "") {
    status.textContent = text;
    status.className = `compare-status ${kind}`.trim();
    progressLine.textContent = "";
  }

  // Progress of the run shown (not spoken); while a slider is held, its hint stays instead.
  function progress(text) {
    if (!root.classList.contains("stale")) progressLine.textContent = text;
  }

  function startRun() {
    clearTimeout(keyboardTimer);
    root.dataset.pending = "0";
    current += 1;
    prefix = "";
    sentAt = performance.now();
    root.classList.remove("stale");
    root.dataset.state = "running";
    root.dataset.runs = String(current);
    socket.send({ type: "run", id: current, params: state.all() });
    root.dataset.epochs = "0";
    chart.reset();
    cards.running();
    budget.textContent = "";
    setStatus(root.dataset.connection === "closed"
      ? "The lab server cannot be reached; the run will start when it is back."
      : "Training…", "busy");
  }

  function finish(result) {
    for (const [key, r] of Object.entries(result.models)) showModel(key, r);
    chart.flush();
    root.dataset.state = "done";
    const accuracies = Object.fromEntries(MODELS.map((m) => [m.key,
      result.models[m.key].accuracy]));
    history.add(result.params, accuracies);
    last = accuracies;
    const r = result.models.mlp.recipe;
    budget.textContent = `This MLP trained for ${result.models.mlp.epochs} epochs of ` +
      `batches of ${r.batch_size} images (${r.parameters.toLocaleString("en")} numbers to ` +
      "adjust). Smaller networks get more epochs, for about the same computation, so that " +
      "every setting is trained fairly.";
    document.dispatchEvent(new CustomEvent("neuralab:compare-done", { detail: result.params }));
    observe("compare", { val_accuracy: result.models.mlp.accuracy, parameters: r.parameters,
      settings: result.params });
    const summary = MODELS.map((m) => `${m.short} ${percent(accuracies[m.key])}`).join(", ");
    setStatus(`Done in ${secs((performance.now() - sentAt) / 1000)}: ${summary}`, "ok");
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
      if (root.dataset.state === "running") prefix = "Previous run cancelled. ";
      return;
    }
    if (msg.run !== current) return;
    switch (msg.type) {
      case "waiting": {
        const wait = msg.expected_seconds ? `, about ${Math.ceil(msg.expected_seconds)} s` : "";
        progress(msg.position
          ? `Waiting for a free processor core: number ${msg.position} in line${wait}…`
          : "Waiting for a free processor core (other trainings are running)…");
        break;
      }
      case "started":
        progress(`${prefix}Training…`);
        break;
      case "epoch":
        chart.add(msg);
        cards.show("mlp", { accuracy: msg.val_accuracy, note: `epoch ${msg.epoch}`,
          final: false });
        progress(`${prefix}MLP epoch ${msg.epoch}`);
        break;
      case "model":
        showModel(msg.model, msg);
        break;
      case "done":
        finish(msg.result);
        break;
      case "cancelled":
        root.dataset.state = "cancelled";
        cancelled += 1;
        root.dataset.cancelled = String(cancelled);
        setStatus("Cancelled", "bad");
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
    cards.show(key, { accuracy: r.accuracy, note, before: last[key] });
    const m = MODELS.find((x) => x.key === key);
    if (key !== "mlp") {
      chart.baseline(key, { name: m.name, short: m.short, value: r.accuracy,
        color: COLORS[key] });
    }
  }

  const socket = connect(onMessage, (s) => {
    const was = root.dataset.connection;
    root.dataset.connection = s;
    if (s === "closed") {
      if (was === "closed") return;
      const running = root.dataset.state === "running";
      if (running) startRun(); // the run died with the socket: ask for it again
      setStatus("The lab server cannot be reached (is `neuralab` still running?). " +
        "Reconnecting every few seconds…", "bad");
    } else if (was === "closed") {
      if (root.dataset.state !== "running") setStatus("Reconnected.", "ok");
      else setStatus("Reconnected. Training…", "busy");
    }
  });

  // --- sliders: moving marks the results stale; a release trains at once, arrow keys
  // after a short wait for the next press, so that six presses make one run
  let keyboardTimer = 0;
  const sliders = {};
  for (const name of SLIDERS) {
    const p = byName[name];
    let fromKeys = false;
    const s = slider(p, state.get(name), () => {
      root.classList.add("stale");
      if (!fromKeys) setStatus("Release the slider to train with the new settings.", "busy");
    }, { onChange: (v) => {
      state.set(name, v);
      if (!fromKeys) return startRun();
      clearTimeout(keyboardTimer);
      root.dataset.pending = "1"; // a run is coming once the keys rest
      keyboardTimer = setTimeout(startRun, KEYBOARD_WAIT_MS);
    } });
    s.input.addEventListener("keydown", () => { fromKeys = true; });
    s.input.addEventListener("pointerdown", () => { fromKeys = false; });
    sliders[name] = s;
    controls.append(s.el);
  }
  resetBtn.addEventListener("click", () => {
    for (const name of SLIDERS) {
      sliders[name].set(byName[name].default);
      state.set(name, byName[name].default);
    }
    startRun();
  });

  samples.show().catch((err) => {
    console.warn("MNIST samples could not load", err);
  });
  getJSON("/api/compare/questions").then((qs) => {
    questions.append(el("ol", {}, ...qs.map(({ question, hint }) => el("li", {},
      el("p", { text: question }),
      el("details", {}, el("summary", { text: "Hint" }), el("p", { text: hint }))))));
  }).catch((err) => questions.append(el("p", { class: "error", text: err.message })));
  startRun();
}
