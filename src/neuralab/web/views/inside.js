// Section 4b: inside the very models the comparison above trained. Python computes every
// picture's numbers; the modules under ./inside/ draw them. The comparison shown is the one
// whose settings are in the URL (compare.*), reloaded whenever a run finishes
// (the "neuralab:compare-done" event from the comparison view).
import { getJSON } from "../lib/api.js";
import { slider } from "../lib/controls.js";
import { bytes, el, reveal } from "../lib/dom.js";
import { labState } from "../lib/state.js";
import { logisticImages, markPath, treeDiagram } from "./inside/contrast.js";
import { firstLayerImages, mlpPanel } from "./inside/diagram.js";
import { drawPanel } from "./inside/draw.js";
import { scaleLegend } from "./inside/images.js";
import { mistakesPanel } from "./inside/mistakes.js";

const EMPTY = "Run the comparison above to look inside its models.";
const GONE = "These models are no longer in memory (newer runs took their place). Run the " +
  "comparison above again to look inside it.";

function describeSettings(s) {
  const layers = `${s.mlp_depth} hidden layer${s.mlp_depth > 1 ? "s" : ""} of ${s.mlp_width}`;
  return `Showing the models trained above: MLP with ${layers} neurons, decision tree of ` +
    `depth ${s.tree_depth}, logistic regression; ${s.train_size.toLocaleString("en")} ` +
    `training images, seed ${s.seed}.`;
}

export async function mount(section, { params, state }) {
  const byName = Object.fromEntries(params.map((p) => [p.name, p]));
  const compareSpec = await getJSON("/api/params/compare");
  let settings = labState("compare", compareSpec).all();
  let token = 0; // the latest load; older answers are dropped

  const status = el("p", { class: "inside-status", role: "status", "aria-live": "polite",
    text: "Looking for trained models…" });
  const root = el("div", { class: "inside", "data-state": "loading" },
    el("p", { class: "inside-intro", text: "The lesson says an MLP is hard to interpret and " +
      "shows a picture of somebody else's network. Here is the network you just trained, " +
      "beside the two models that are easier to read, and a pad to test all three on your " +
      "own handwriting." }), status);
  const body = el("div", { class: "inside-body" });
  root.append(body);
  section.append(root);

  const q = (extra = {}) => ({ ...settings, ...extra });
  const fail = (err) => {
    if (err.status === 404) {
      root.dataset.state = "empty";
      status.textContent = root.dataset.loaded ? GONE : EMPTY;
      status.className = "inside-status empty";
    } else {
      root.dataset.state = "error";
      status.textContent = err.message;
      status.className = "inside-status error";
    }
  };

  // --- draw a digit
  let treeWrap = null;
  let diagram = null;
  const draw = drawPanel({
    async predictPNG(png) {
      const qs = new URLSearchParams(q()).toString();
      const r = await fetch(`/api/inside/predict.png?${qs}`, { method: "POST", body: png,
        headers: { "Content-Type": "image/png" } });
      const data = await r.json();
      if (!r.ok) {
        const err = new Error(data.detail?.[0]?.message || data.detail || `HTTP ${r.status}`);
        err.status = r.status;
        if (r.status === 404) fail(err);
        throw err;
      }
      return data;
    },
    randomDigit: (index = Math.floor(Math.random() * settings.val_size)) => digit(index),
    onPrediction(pred) {
      diagram.light(pred);
      if (treeWrap) markPath(treeWrap, pred ? pred.decision_tree.path : null);
    },
  });

  async function digit(index) {
    const d = await getJSON("/api/inside/digit", q({ index }));
    return { ...d, ink: bytes(d.pixels) };
  }

  // --- the MLP
  const kSlider = slider(byName.k, state.get("k"), () => {}, { onChange(v) {
    state.set("k", v);
    loadMlp(token).catch(fail);
  } });
  diagram = mlpPanel({ slider: kSlider.el });
  const firstLayer = el("div", { class: "first-layer-wrap" });

  // --- the other two
  const lrHost = el("div", { class: "lr-host" });
  const levels = slider(byName.levels, state.get("levels"), () => {}, { onChange(v) {
    state.set("levels", v);
    loadTree(token).catch(fail);
  } });
  const treeHost = el("div", { class: "tree-host" });
  const treeNote = el("p", { class: "muted tree-note" });

  // --- mistakes
  const mistakes = mistakesPanel({
    fetchCell: (model, t, p) => getJSON("/api/inside/cell", q({ model, true: t, pred: p })),
    fetchErrors: (model) => getJSON("/api/inside/errors", q({ model })),
    model: state.get("model"),
    onModel: (model) => state.set("model", model),
    async onPickDigit(index) {
      draw.showDigit(await digit(index));
      draw.el.querySelector(".draw-canvas").focus({ preventScroll: true });
      reveal(draw.el, "center");
    },
  });

  body.append(
    el("h3", { text: "Draw a digit" }), draw.el,
    el("h3", { text: "The MLP you trained" }),
    el("p", { class: "muted", text: "Left, the 784 input pixels; then each hidden layer as a " +
      "column of neurons; right, one output neuron per digit. Draw a digit or pick a " +
      "validation digit and the neurons light up (amber) with their activations." }),
    diagram.el,
    el("h4", { text: "First hidden layer: the pattern each neuron responds to" }),
    el("p", { class: "muted", text: "Each image is one neuron's 784 incoming weights laid " +
      "out as the 28 × 28 picture they multiply. Ink on blue pixels raises the neuron's " +
      "activation, ink on red pixels lowers it. All images share one colour scale." }),
    firstLayer,
    el("h3", { text: "For contrast: two models you can read" }),
    el("div", { class: "contrast" },
      el("div", { class: "contrast-lr" },
        el("h4", { text: "Logistic regression: one weight image per digit" }),
        el("p", { class: "muted", text: "A digit's score adds up the ink on its blue pixels " +
          "and subtracts the ink on its red ones; the highest score wins." }), lrHost),
      el("div", { class: "contrast-tree" },
        el("h4", { text: "Decision tree: the first questions it asks" }),
        el("p", { class: "muted", text: "Each box asks about one pixel of the 28 × 28 " +
          "image, by its row (counted from 0 at the top) and its column (from 0 at the left), " +
          "also marked in purple on the little grid. It asks whether the pixel is blank, or " +
          "whether its ink is at most some amount (0 = paper, 1 = full ink). Yes goes left, " +
          "no goes right. The path of your drawing is outlined." }),
        levels.el, treeNote, treeHost)),
    mistakes.el);

  // --- loading
  async function loadMlp(t) {
    const data = await getJSON("/api/inside/mlp", q({ k: state.get("k") }));
    if (t !== token) return null;
    diagram.render(data);
    return data;
  }
  function showFirstLayer(fl) {
    firstLayer.replaceChildren(scaleLegend(fl.scale),
      firstLayerImages(fl, (j) => {
        diagram.select(1, j);
        reveal(diagram.el, "nearest");
      }));
  }
  async function loadTree(t) {
    const data = await getJSON("/api/inside/tree", q({ levels: state.get("levels") }));
    if (t !== token) return;
    treeWrap = treeDiagram(data);
    treeHost.replaceChildren(treeWrap);
    treeNote.textContent = `The tree was cut at depth ${data.depth} and has ${data.n_leaves} ` +
      `leaves; the top ${data.levels} level${data.levels > 1 ? "s" : ""} of questions are drawn.`;
  }
  async function loadLogistic(t) {
    const data = await getJSON("/api/inside/logistic", q());
    if (t !== token) return;
    lrHost.replaceChildren(logisticImages(data));
  }
  async function loadMistakes(t) {
    const data = await getJSON("/api/inside/confusion", q());
    if (t !== token) return;
    await mistakes.render(data);
  }

  let shown = ""; // the settings whose models are on screen
  // `known`: the comparison has just finished training, so there is no need to ask.
  async function load(next, { known = false } = {}) {
    if (next) settings = { ...settings, ...next };
    const key = JSON.stringify(Object.keys(settings).sort().map((k) => [k, settings[k]]));
    if (key === shown && root.dataset.state === "ready") return; // already on screen
    token += 1;
    const t = token;
    root.dataset.state = "loading";
    try {
      if (!known && !(await getJSON("/api/inside/status", q())).trained) {
        if (t === token) fail({ status: 404 });
        return;
      }
      if (t !== token) return;
      const mlp = await loadMlp(t);
      if (t !== token || !mlp) return;
      root.dataset.state = "ready";
      root.dataset.loaded = "1";
      shown = key;
      status.textContent = describeSettings(settings);
      status.className = "inside-status";
      draw.refresh().catch(fail); // what is on the pad, asked again of the new models
      // the rest once the diagram is on screen, so its first frame has nothing else to do
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      if (t !== token) return;
      showFirstLayer(mlp.first_layer);
      await Promise.all([loadLogistic(t), loadTree(t), loadMistakes(t)]);
      if (t === token) root.dataset.complete = String(t);
    } catch (err) {
      if (t === token) fail(err);
    }
  }

  document.addEventListener("neuralab:compare-done", (e) => {
    load(e.detail, { known: true }).catch(fail);
  });
  await load();
}
