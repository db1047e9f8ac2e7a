// Section 5b, the playground: many neurons on the plane, trained live in Python. One socket
// per page (/api/playground/ws): settings go up, frames come down at the page's pace (the page
// acknowledges each frame it painted; the server never queues frames for a slow page).
// Every setting and the seed live in the URL, so a link reproduces the run from epoch 0.
import { ApiError, wsURL } from "../lib/api.js";
import { control, select } from "../lib/controls.js";
import { el, int8s } from "../lib/dom.js";
import { observe } from "../lib/tasks.js";
import { hiddenParts, hide, linkBuilder } from "./playground/classroom.js";
import { confusionTables } from "./playground/confusion.js";
import { fmt, lossChart, networkView, outputView } from "./playground/draw.js";
import { neuronText, weightText } from "./playground/explain.js";
import { pointsEditor } from "./playground/points.js";
import { oneUpdate } from "./playground/update.js";

const DATASETS = [["circle", "Circle"], ["xor", "Exclusive or"], ["gaussian", "Gaussian"],
  ["spiral", "Spiral"], ["three_spirals", "Three spirals"], ["blobs", "Blobs"],
  ["plane", "Plane"], ["multi_gaussian", "Multi gaussian"]];
const REGRESSION = ["plane", "multi_gaussian"];
const MULTI = ["three_spirals", "blobs"];
const FEATURES = ["x1", "x2", "x1_squared", "x2_squared", "x1_x2", "sin_x1", "sin_x2"];
const LIVE = ["learning_rate", "regularization", "regularization_rate", "batch_size",
  "optimizer"];
const ACTIVATIONS = ["relu", "tanh", "sigmoid", "linear"];
const EXPORT_FILES = { json: ["network.json", "application/json"],
  numpy: ["network_numpy.py", "text/x-python"], torch: ["network_torch.py", "text/x-python"] };
const MAX_LAYERS = 8;
const MAX_NEURONS = 32;

// A select of a number from the table's list of options (the URL's value kept if off-list).
function optionSelect(param, value, onChange) {
  const options = [...new Set([...param.options, value])].sort((a, b) => a - b);
  const ctl = select({ ...param, choices: options.map(String) }, String(value),
    (v) => onChange(Number(v)));
  return ctl;
}

// The settings of the link as it was opened that the page could not use as they were
// (state.js has already put their defaults, or the nearest value in range, in their place).
function urlProblems(byName, state) {
  const opened = new URL(performance.getEntriesByType("navigation")[0]?.name || location.href);
  const bad = [];
  for (const [key, raw] of opened.searchParams) {
    if (!key.startsWith("playground.") || key === "playground.hide") continue;
    const name = key.slice("playground.".length);
    const p = byName[name];
    if (!p) { bad.push(`${name} (unknown)`); continue; }
    const v = state.get(name);
    const shown = p.type === "bool" ? (v ? "1" : "0") : String(v);
    const same = p.type === "bool" ? ["1", "true", "0", "false"].includes(raw)
      : p.type === "int" || p.type === "float" ? Number(raw) === v : raw === shown;
    if (!same) bad.push(`${p.label || name} (now ${shown || "the default"})`);
  }
  return bad.length ? `The link's ${bad.join(", ")} could not be used as given: the page uses `
    + "the default or the nearest allowed value." : "";
}

// The link's layers ("4,2": up to 8 of 1 to 32 neurons) and per-layer activations (one known
// name per layer, or none) as the server will accept them; a bad one goes back to its default
// before anything is sent, and urlProblems() then names it.
function checkLayers(byName, state) {
  const sizes = (state.get("layers") || "").split(",").filter(Boolean);
  if (sizes.length > MAX_LAYERS || !sizes.every((n) => /^\d+$/.test(n)
      && Number(n) >= 1 && Number(n) <= MAX_NEURONS)) {
    state.set("layers", byName.layers.default);
  }
  const count = (state.get("layers") || "").split(",").filter(Boolean).length;
  const acts = (state.get("activations") || "").split(",").filter(Boolean);
  if (acts.length && (acts.length !== count
      || !acts.every((a) => byName.activation.choices.includes(a)))) {
    state.set("activations", byName.activations.default);
  }
}

export async function mount(section, { params, state }) {
  const byName = Object.fromEntries(params.map((p) => [p.name, p]));
  checkLayers(byName, state);
  const root = el("div", { class: "pg", "data-state": "connecting", "data-epoch": "0",
    "data-frames": "0" });
  section.append(el("p", { class: "pg-lead", text: "Many neurons together: choose the data, "
    + "inputs and layers, press Run, and watch each neuron's picture of the plane change as "
    + "the network learns (blue positive, red negative)." }), root);

  // ---------------------------------------------------------------- the run's socket
  let ws = null;
  let latestFrame = null;
  let painted = 0;
  let raf = 0;
  let data = null;
  let frame = null;
  let hovered = null; // [layer, index] whose heatmap is shown on the output
  let uploadId = null;
  let stopped = null; // a "paused" or "diverged" state waiting for its frame
  const send = (m) => { if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(m)); };
  const settings = () => state.all();
  const reset = () => {
    stopped = null;
    chart.reset();
    uploadId = null;
    send({ type: "reset", params: settings() });
  };

  function connect() {
    ws = new WebSocket(wsURL("/api/playground/ws"));
    ws.onopen = () => reset();
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type === "frame") {
        latestFrame = m;
        if (!raf) raf = requestAnimationFrame(paint);
      } else if (m.type === "points") {
        data = m;
        pointsEdit.update(m);
        if (m.id) {
          uploadId = m.id;
          updateDownload();
        }
        if (frame) paintOutput();
      } else if (m.type === "state") {
        // a stop is shown with its last frame, which may still be on its way
        stopped = null;
        if (m.state === "playing" || (frame && frame.epoch >= m.epoch)) setState(m.state);
        else stopped = m;
      } else if (m.type === "export") {
        const [name, type] = EXPORT_FILES[m.format];
        const link = el("a", { href: URL.createObjectURL(new Blob([m.text], { type })),
          download: name });
        link.click();
        URL.revokeObjectURL(link.href);
        message.textContent = `Saved ${name}.`;
      } else if (m.type === "trace" || m.type === "applied") {
        slow.receive(m);
      } else if (m.type === "error") {
        message.textContent = m.detail.map((d) => d.message).join("; ");
      }
    };
    ws.onclose = () => {
      setState("disconnected");
      message.textContent = "The lab server cannot be reached: is `neuralab` still running?";
    };
  }

  function setState(s) {
    root.dataset.state = s;
    run.setAttribute("aria-pressed", String(s === "playing"));
    run.textContent = s === "playing" ? "❚❚ Pause" : "▶ Run";
    diverged.hidden = s !== "diverged";
  }

  function paint() {
    raf = 0;
    const f = latestFrame;
    latestFrame = null;
    if (!f) return;
    // Acknowledge as the frame is taken: the server makes the next one while this is drawn,
    // and the page never holds more than one.
    send({ type: "ack" });
    frame = f;
    paintOutput();
    net.draw(f, inputs());
    refreshEditor();
    epoch.value = String(f.epoch);
    trainLoss.value = fmt(f.train_loss);
    testLoss.value = fmt(f.test_loss);
    if (Number.isFinite(f.test_loss)) {
      observe("playground", { dataset: state.get("dataset"), test_loss: f.test_loss,
        hidden_layers: (state.get("layers") || "").split(",").filter(Boolean).length });
    }
    confusion.update(f);
    chart.add({ epoch: f.epoch, train: f.train_loss ?? NaN, test: f.test_loss ?? NaN });
    if (f.state) setState(f.state);
    if (stopped && f.epoch >= stopped.epoch) {
      setState(stopped.state);
      stopped = null;
    }
    painted += 1;
    root.dataset.epoch = String(f.epoch);
    root.dataset.frames = String(painted);
  }

  function paintOutput() {
    const neuron = hovered && hovered[0] > 0 && hovered[0] <= frame.neurons.length
      ? frame.neurons[hovered[0] - 1][hovered[1]] : null;
    output.draw({ frame, neuron, data, showTest: showTest.input.checked,
      discrete: discrete.input.checked });
    slow.mark();
  }

  // ---------------------------------------------------------------- controls
  const change = (name, value) => {
    state.set(name, value);
    if (LIVE.includes(name)) {
      send({ type: "set", params: { [name]: value } });
      slow.refresh(); // the walk-through shows the update these settings make
    } else reset();
  };
  const ctl = (name) => control(byName[name], state.get(name), (v) => change(name, v));

  const run = el("button", { type: "button", class: "primary pg-run", "aria-label": "Run/Pause",
    "aria-pressed": "false", text: "▶ Run",
    onclick: () => send({ type: root.dataset.state === "playing" ? "pause" : "play" }) });
  const stepBtn = el("button", { type: "button", text: "Step",
    onclick: () => send({ type: "step" }) });
  const resetBtn = el("button", { type: "button", text: "Reset the network", onclick: reset });
  const epoch = el("output", { "aria-labelledby": "pg-epoch-label", class: "pg-big" });
  const trainLoss = el("output", { "aria-labelledby": "pg-train-label" });
  const testLoss = el("output", { "aria-labelledby": "pg-test-label" });
  const readout = (id, text, out) => el("div", { class: "pg-readout" },
    el("span", { id, text }), out);

  // data
  const dataButtons = DATASETS.map(([name, label]) => el("button", { type: "button",
    class: "pg-data", "aria-pressed": String(state.get("dataset") === name), text: label,
    onclick: () => chooseData(name) }));
  // one tab stop for the eight buttons: the arrow keys move between them
  const roving = (buttons, current) => buttons.forEach((b) => {
    b.tabIndex = b === current ? 0 : -1;
  });
  dataButtons.forEach((b, i) => b.addEventListener("keydown", (e) => {
    const by = { ArrowRight: 1, ArrowDown: 2, ArrowLeft: -1, ArrowUp: -2 }[e.key];
    if (!by) return;
    e.preventDefault();
    const next = dataButtons[(i + by + dataButtons.length) % dataButtons.length];
    roving(dataButtons, next);
    next.focus();
  }));
  roving(dataButtons, dataButtons.find((b) => b.getAttribute("aria-pressed") === "true")
    || dataButtons[0]);
  function chooseData(name) {
    state.set("dataset", name);
    const problem = REGRESSION.includes(name) ? "regression" : "classification";
    state.set("problem", problem);
    problemCtl.set(problem);
    if (MULTI.includes(name)) { state.set("loss", "cross_entropy"); lossCtl.set("cross_entropy"); }
    if (problem === "regression") { state.set("loss", "square"); lossCtl.set("square"); }
    dataButtons.forEach((b, i) => b.setAttribute("aria-pressed",
      String(DATASETS[i][0] === name)));
    roving(dataButtons, dataButtons[DATASETS.findIndex(([n]) => n === name)]);
    reset();
  }
  const problemCtl = ctl("problem");
  problemCtl.input.addEventListener("change", () => chooseData(
    problemCtl.input.value === "regression" ? "plane" : "circle"));
  const lossCtl = ctl("loss");
  const regenerate = el("button", { type: "button", text: "Regenerate data", onclick: () => {
    const seed = Math.floor(Math.random() * 2 ** 31);
    state.set("seed", seed);
    send({ type: "regenerate", seed });
  } });
  const upload = el("input", { type: "file", accept: ".csv,text/csv", id: "pg-upload" });
  const uploadLabel = el("label", { for: "pg-upload", class: "pg-file",
    text: "Upload points (CSV)" });
  const download = el("a", { class: "pg-download", text: "Download the points (CSV)",
    download: "playground-points.csv" });
  upload.addEventListener("change", async () => {
    const file = upload.files[0];
    if (!file) return;
    message.textContent = "";
    const res = await fetch(`/api/playground/points?problem=${state.get("problem")}`,
      { method: "POST", body: await file.arrayBuffer() });
    const body = await res.json().catch(() => ({}));
    upload.value = "";
    if (!res.ok) {
      message.textContent = `The file was not used: ${new ApiError(res.status, body.detail)
        .message}. The data is unchanged.`;
      return;
    }
    uploadId = body.id;
    stopped = null;
    chart.reset();
    send({ type: "use", id: body.id });
    message.textContent = `Training on your ${body.count} points.`;
    updateDownload();
  });
  function updateDownload() {
    download.href = uploadId ? `/api/playground/points/${uploadId}.csv`
      : `/api/playground/points.csv?${new URLSearchParams(Object.entries(settings()))}`;
  }

  // features
  const featureCtls = FEATURES.map((name) => control(byName[name], state.get(name), (v) => {
    if (!v && FEATURES.filter((f) => f !== name && state.get(f)).length === 0) {
      featureCtls[FEATURES.indexOf(name)].set(true); // keep at least one input
      message.textContent = "At least one input must stay on.";
      return;
    }
    change(name, v);
  }));
  const inputs = () => FEATURES.filter((f) => state.get(f))
    .map((f) => ({ name: f, label: byName[f].label }));

  // layers
  const layers = () => (state.get("layers") || "").split(",").filter(Boolean).map(Number);
  const activationHidden = hiddenParts().includes("activation");
  const layerActivations = () => {
    const list = (state.get("activations") || "").split(",").filter(Boolean);
    return layers().map((_, i) => list[i] || state.get("activation"));
  };
  const setLayers = (sizes) => {
    // each kept layer keeps its activation; a new layer takes the one Activation
    const acts = layerActivations().slice(0, sizes.length);
    while (acts.length < sizes.length) acts.push(state.get("activation"));
    state.set("layers", sizes.join(","));
    state.set("activations", acts.every((a) => a === state.get("activation")) ? ""
      : acts.join(","));
    drawLayerButtons();
    reset();
  };
  const layerCount = el("span", { class: "pg-layer-count" });
  const layerButtons = el("div", { class: "pg-layer-buttons" });
  const addLayer = el("button", { type: "button", text: "Add a layer", onclick: () => {
    if (layers().length < MAX_LAYERS) setLayers([...layers(), 2]);
  } });
  const removeLayer = el("button", { type: "button", text: "Remove a layer", onclick: () => {
    if (layers().length) setLayers(layers().slice(0, -1));
  } });
  function drawLayerButtons() {
    const sizes = layers();
    const acts = layerActivations();
    layerCount.textContent = `${sizes.length} hidden layer${sizes.length === 1 ? "" : "s"}`;
    addLayer.disabled = sizes.length >= MAX_LAYERS;
    removeLayer.disabled = sizes.length === 0;
    const resize = (i, by) => () => {
      const s = layers();
      s[i] = Math.max(1, Math.min(MAX_NEURONS, s[i] + by));
      setLayers(s);
    };
    layerButtons.replaceChildren(...sizes.map((n, i) => {
      const more = el("button", { type: "button", "aria-label": `More neurons in layer ${i + 1}`,
        text: "+", onclick: resize(i, 1) });
      const fewer = el("button", { type: "button",
        "aria-label": `Fewer neurons in layer ${i + 1}`, text: "−", onclick: resize(i, -1) });
      more.disabled = n >= MAX_NEURONS;
      fewer.disabled = n <= 1;
      const act = el("select", { "aria-label": `Activation of layer ${i + 1}`,
        class: `pg-layer-act${activationHidden ? " pg-hidden" : ""}` },
      ...ACTIVATIONS.map((a) => new Option(a, a, false,
        a === acts[i])));
      act.addEventListener("change", () => {
        const list = layerActivations();
        list[i] = act.value;
        state.set("activations", list.every((a) => a === list[0]) && list[0]
          === state.get("activation") ? "" : list.join(","));
        reset();
      });
      return el("div", { class: "pg-layer" }, el("span", { text: `Layer ${i + 1}: ${n}` }),
        more, fewer, act);
    }));
  }

  // hyperparameters
  const rateCtl = optionSelect(byName.learning_rate, state.get("learning_rate"),
    (v) => change("learning_rate", v));
  const regRateCtl = optionSelect(byName.regularization_rate, state.get("regularization_rate"),
    (v) => change("regularization_rate", v));

  // pictures
  const outputCanvas = el("canvas", { class: "pg-output", role: "img",
    "aria-label": "The network's output over the plane, with the points" });
  const output = outputView(outputCanvas);
  const showTest = control({ name: "show_test", type: "bool", label: "Show test data" }, false,
    () => frame && paintOutput());
  const discrete = control({ name: "discretize", type: "bool", label: "Discretize output" },
    false, () => frame && paintOutput());
  const explain = el("p", { class: "pg-explain", "aria-live": "polite" });
  const netHost = el("div", { class: "pg-net" });
  const editor = el("div", { class: "pg-editor", hidden: "" });
  const net = networkView(netHost, (layer, index, how) => {
    hovered = index === null ? null : [layer, index];
    explain.textContent = index === null ? "" : describe(layer, index);
    if (frame) paintOutput();
    if ((how === "choose" || how === "keys") && index !== null && layer > 0) {
      openEditor(layer, index, how === "keys");
    } else if (how === "keys" && layer === 0) {
      explain.textContent = `Input ${inputs()[index].label} has no weights coming in: its `
        + "weights are those of the neurons in layer 1 (arrow right, then Enter).";
    }
  });
  function describe(layer, index) {
    if (layer === 0) return `Input ${inputs()[index].label}: its value at each point of the plane.`;
    if (layer > frame.neurons.length) {
      const acc = frame.train_accuracy;
      return `The output: what the whole network answers, drawn large on the right. It adds up `
        + `the ${frame.layers[layer - 1].weights.length} neurons before it`
        + (acc === undefined || acc === null ? ". Blue means a positive value, red negative."
          : `; its colour at a place is the class it gives there (it gets ${(100 * acc)
            .toFixed(1)}% of the training points right).`);
    }
    return neuronText(frame, inputs(), layer, index, int8s(frame.neurons[layer - 1][index]));
  }
  // the numbers of the formulas: the first training point
  const refPoint = () => (data?.train?.length ? [data.train[0], data.train[1]] : [1, 1]);
  const explainWeight = (layer, from, to) => {
    explain.textContent = weightText(frame, inputs(), layer, from, to, refPoint());
  };
  netHost.addEventListener("pointermove", (e) => {
    if (!frame || e.target.closest(".pg-node")) return;
    const r = netHost.getBoundingClientRect();
    const hit = net.weightAt(frame, e.clientX - r.left, e.clientY - r.top);
    netHost.classList.toggle("pg-on-weight", !!hit);
    if (hit) explainWeight(hit.layer, hit.from, hit.to);
    else if (!hovered) explain.textContent = "";
  });
  netHost.addEventListener("pointerleave", () => netHost.classList.remove("pg-on-weight"));
  // A neuron's incoming weights and its bias, each with its value and a field to set it:
  // opened by a click, or from the keyboard (Enter or W on a focused neuron, focus moves in;
  // Escape closes and gives the focus back to the neuron). One server message per edit.
  let editing = null; // { layer, index, fields: [{ input, source }] }
  const editorError = el("p", { class: "pg-editor-error", id: "pg-editor-error",
    role: "alert" });
  const unitName = (layer, index) => (layer === 0 ? `input ${inputs()[index].label}`
    : layer === frame.layers.length ? `the output${frame.layers[layer - 1].biases.length > 1
      ? ` ${index + 1}` : ""}` : `layer ${layer} neuron ${index + 1}`);
  const shown = (v) => (v ?? 0).toFixed(3);
  function closeEditor(giveBack) {
    if (giveBack || editor.contains(document.activeElement)) {
      net.node(editing?.layer, editing?.index)?.focus();
    }
    editor.hidden = true;
    editing = null;
  }
  editor.addEventListener("keydown", (e) => {
    if (e.key !== "Escape") return;
    e.preventDefault();
    e.stopPropagation();
    closeEditor(true);
  });
  function openEditor(layer, index, focusIn = false) {
    const l = frame.layers[layer - 1];
    const target = unitName(layer, index);
    const field = (label, value, source) => {
      const input = el("input", { type: "number", step: "0.1", min: "-100", max: "100",
        value: shown(value), "aria-label": label });
      input.addEventListener("focus", () => explainWeight(layer - 1, source, index));
      input.addEventListener("change", () => {
        const text = input.value.trim(); // "" too when what was typed is not a number
        const v = Number(text);
        if (text === "" || !Number.isFinite(v) || Math.abs(v) > 100) {
          const say = `${label}: a weight must be a number from -100 to 100.`;
          message.textContent = say;
          editorError.textContent = say;
          input.setAttribute("aria-invalid", "true");
          input.setAttribute("aria-describedby", editorError.id);
          return;
        }
        input.removeAttribute("aria-invalid");
        input.removeAttribute("aria-describedby");
        editorError.textContent = "";
        send({ type: "edit", layer, neuron: index, source, value: v });
      });
      return { input, source, el: el("label", { class: "pg-field" },
        el("span", { text: label }), input) };
    };
    const fields = [...l.weights.map((row, a) => field(`Weight from ${unitName(layer - 1, a)} `
      + `to ${target}`, row[index], a)), field(`Bias of ${target}`, l.biases[index], null)];
    editing = { layer, index, fields };
    editorError.textContent = "";
    const title = el("p", { class: "pg-editor-title", id: "pg-editor-title",
      text: `Weights into ${target}: output = activation(Σ weight × input + bias)` });
    editor.setAttribute("role", "group");
    editor.setAttribute("aria-labelledby", title.id);
    editor.replaceChildren(title,
      el("p", { class: "pg-editor-hint", text: "Type a value from -100 to 100 and press Enter; "
        + "Escape closes." }),
      ...fields.map((f) => f.el), editorError,
      el("button", { type: "button", text: "Close", onclick: () => closeEditor(false) }));
    editor.hidden = false;
    if (focusIn) fields[0].input.focus();
  }
  // A new frame: the fields follow the network (an edit, training) except the one being typed
  // in; a neuron that is gone (a new network) closes the editor.
  function refreshEditor() {
    if (!editing) return;
    const l = frame.layers[editing.layer - 1];
    if (!l || editing.index >= l.biases.length) {
      closeEditor(false);
      return;
    }
    for (const { input, source } of editing.fields) {
      if (input === document.activeElement || input.getAttribute("aria-invalid")) continue;
      const v = source === null ? l.biases[editing.index] : l.weights[source]?.[editing.index];
      if (v === undefined) { closeEditor(false); return; }
      input.value = shown(v);
    }
  }

  const slow = oneUpdate({ host: netHost, net, canvas: outputCanvas, send, root, inputs,
    data: () => data, frame: () => frame, repaint: () => frame && paintOutput() });

  const chartCanvas = el("canvas", { class: "pg-chart", "aria-hidden": "true" });
  const chartTip = el("p", { class: "pg-chart-tip", "aria-live": "off" });
  const chart = lossChart(chartCanvas, chartTip);
  const confusion = confusionTables();
  const pointsEdit = pointsEditor({ send, canvas: outputCanvas,
    shown: () => ({ showTest: showTest.input.checked }),
    onEdit: () => { stopped = null; chart.reset(); message.textContent = ""; } });
  const message = el("p", { class: "pg-message", role: "status" });
  const lower = el("button", { type: "button", text: "Lower the learning rate", onclick: () => {
    const options = byName.learning_rate.options;
    const lowerRate = [...options].reverse().find((o) => o < state.get("learning_rate"))
      ?? options[0];
    state.set("learning_rate", lowerRate);
    rateCtl.set(String(lowerRate));
    reset();
  } });
  const diverged = el("div", { class: "pg-diverged", role: "alert", hidden: "" },
    el("p", { text: "Training stopped: the loss became infinite. The learning rate is too "
      + "large for these weights, so each update overshoots and the weights blow up." }),
    el("button", { type: "button", text: "Start again", onclick: reset }), lower);

  // ---------------------------------------------------------------- layout
  const group = (title, ...children) => el("fieldset", { class: "pg-group" },
    el("legend", { text: title }), ...children);
  const activationCtl = control(byName.activation, state.get("activation"), (v) => {
    state.set("activation", v);
    state.set("activations", ""); // the one activation sets every layer's
    drawLayerButtons();
    reset();
  });
  const optimizerCtl = ctl("optimizer");
  const regularizationCtl = ctl("regularization");
  const files = el("div", { class: "pg-files" }, uploadLabel, upload, download);
  const dataGroup = group("Data", el("div", { class: "pg-datasets", role: "group",
    "aria-label": "Data set (arrow keys choose)" }, ...dataButtons), ctl("ratio").el,
  ctl("noise").el, ctl("batch_size").el, regenerate, files);
  const featureGroup = group("Features", el("div", { class: "pg-features" },
    ...featureCtls.map((c) => c.el)));
  const layerGroup = group("Hidden layers", el("div", { class: "pg-layer-bar" }, addLayer,
    removeLayer, layerCount), layerButtons);
  const exports = el("div", { class: "pg-exports" },
    ...[["json", "Export JSON"], ["numpy", "Export numpy script"],
      ["torch", "Export PyTorch script"]].map(([format, text]) => el("button", {
      type: "button", text, onclick: () => send({ type: "export", format }) })));
  root.append(
    el("div", { class: "pg-bar" }, run, stepBtn, resetBtn,
      readout("pg-epoch-label", "Epoch", epoch), rateCtl.el, optimizerCtl.el, activationCtl.el,
      regularizationCtl.el, regRateCtl.el, problemCtl.el, lossCtl.el),
    el("div", { class: "pg-main" },
      el("div", { class: "pg-col pg-data-col" }, dataGroup),
      el("div", { class: "pg-col pg-net-col" }, featureGroup, layerGroup, netHost, explain,
        slow.el, editor),
      el("div", { class: "pg-col pg-out-col" },
        group("Output", el("div", { class: "pg-losses" },
          readout("pg-train-label", "Training loss", trainLoss),
          readout("pg-test-label", "Test loss", testLoss)), diverged, outputCanvas,
        el("div", { class: "pg-toggles" }, showTest.el, discrete.el), pointsEdit.el,
        confusion.el, chartCanvas,
        chartTip, message, exports))),
    linkBuilder(),
  );
  hide({ data: [dataGroup, pointsEdit.el], features: [featureGroup], layers: [layerGroup],
    learning_rate: [rateCtl.el], optimizer: [optimizerCtl.el], activation: [activationCtl.el],
    regularization: [regularizationCtl.el, regRateCtl.el],
    problem: [problemCtl.el, lossCtl.el], files: [files], export: [exports] }, hiddenParts());
  drawLayerButtons();
  updateDownload();
  message.textContent = urlProblems(byName, state);
  const keepDownload = () => updateDownload();
  root.addEventListener("change", keepDownload);
  root.addEventListener("click", keepDownload);
  new ResizeObserver(() => { if (frame) { paintOutput(); net.draw(frame, inputs()); } })
    .observe(root);
  connect();
}
