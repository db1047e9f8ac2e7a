// Section 4c: the lesson's three questions answered with evidence. Three plots from sweeps
// bundled with neuralab (many settings, three seeds each), the learner's own settings marked
// on each, and "Run it yourself": a small learning curve trained live, cell by cell.
import { getJSON, UNREACHABLE } from "../lib/api.js";
import { xyChart } from "../lib/chart.js";
import { el } from "../lib/dom.js";
import { MODELS, mlpWeightCount } from "../lib/models.js";
import { labState } from "../lib/state.js";

const MODEL_COLORS = Object.fromEntries(MODELS.map((m) => [m.key, m.color]));
const DEPTH_COLORS = ["#2563eb", "#0e7490", "#b45309", "#dc2626", "#7c3aed", "#15803d"];
const percent = (x) => `${(100 * x).toFixed(1)}%`;
const count = (n) => n.toLocaleString("en");
const seconds = (s) => (s < 1 ? `${+(s * 1000).toPrecision(2)} ms`
  : `${+s.toPrecision(2)} s`);

function figure(id, question, chartSpec) {
  const host = el("div", { class: "answer-chart" });
  const finding = el("p", { class: "answer-finding" });
  const you = el("p", { class: "answer-you muted" });
  const fig = el("figure", { class: "answer", id },
    el("figcaption", {}, el("h3", { text: question })), host, finding, you);
  return { el: fig, chart: xyChart(host, chartSpec), finding, you };
}

const band = (points, x, tip) => points.map((p) => ({ x: p[x], y: p.mean, low: p.low,
  high: p.high, tip: tip(p) }));

export async function mount(section) {
  const compareSpec = await getJSON("/api/params/compare");
  let settings = labState("compare", compareSpec).all();
  const root = el("div", { class: "answers", "data-state": "loading", "data-live": "idle" });
  const intro = el("p", { class: "answers-intro" });
  const status = el("p", { class: "answers-status", role: "status" });

  const widthDepth = figure("answer-width-depth",
    "Wider or deeper: which helps more, for the same number of weights?", {
      x: { title: "weights and biases in the MLP (log scale)", log: true },
      y: { title: "validation accuracy", percent: true, max: 1, floor: 0 },
      describe: (series, mark) => `MLP accuracy against its number of weights, one line per ` +
        `depth: ${series.map((s) => `${s.label}, ${s.points.map((p) =>
          `${count(p.x)} weights ${percent(p.y)}`).join(", ")}`).join("; ")}.` +
        (mark ? ` Your MLP: ${mark.label}.` : ""),
    });
  const curves = figure("answer-learning-curves", "Does more training data always help?", {
    x: { title: "training images (log scale)", log: true },
    y: { title: "validation accuracy", percent: true, max: 1, floor: 0 },
    describe: (series) => `Validation accuracy against the number of training images: ` +
      series.map((s) => `${s.label}: ${s.points.map((p) =>
        `${count(p.x)} images ${percent(p.y)}`).join(", ")}`).join("; "),
  });
  const timing = figure("answer-timing", "Which model learns fastest, and how does the time " +
    "grow with the data?", {
    x: { title: "training images (log scale)", log: true },
    y: { title: "training time (log)", log: true, format: seconds },
    describe: (series) => `Training time against the number of training images: ` +
      series.map((s) => `${s.label}: ${s.points.map((p) =>
        `${count(p.x)} images ${seconds(p.y)}`).join(", ")}`).join("; "),
  });

  const runBtn = el("button", { type: "button", class: "answers-run",
    text: "Run it yourself" });
  const liveNote = el("p", { class: "answers-live muted", "aria-live": "polite" });
  const liveTable = el("table", { class: "answers-live-table", hidden: "" });
  curves.el.append(el("div", { class: "answers-run-row" }, runBtn, liveNote), liveTable);
  root.append(intro, status, el("div", { class: "answers-grid" }, widthDepth.el, curves.el,
    timing.el));
  section.append(root);

  let data = null;
  let live = []; // records of the learner's own live run
  let controller = null;

  function draw() {
    if (!data) return;
    const { width_depth: wd, learning_curves: lc, timing: tm } = data;
    const params = mlpWeightCount(settings.mlp_width, settings.mlp_depth);
    const depthSeries = wd.series.map((s, i) => ({ key: `depth-${s.depth}`,
      label: `depth ${s.depth}`, color: DEPTH_COLORS[i % DEPTH_COLORS.length],
      points: band(s.points, "parameters", (p) => `depth ${s.depth}, width ${p.width}: ` +
        `${count(p.parameters)} weights, ${percent(p.mean)} (seeds from ${percent(p.low)} ` +
        `to ${percent(p.high)})`) }));
    const mine = wd.series.find((s) => s.depth === settings.mlp_depth)?.points
      .find((p) => p.width === settings.mlp_width);
    widthDepth.chart.set(depthSeries, mine
      ? { x: mine.parameters, y: mine.mean, label: "you" }
      : { x: params, label: "you" });
    widthDepth.finding.textContent = data.findings.width_depth;
    widthDepth.you.textContent = `Your MLP: ${settings.mlp_depth} × ${settings.mlp_width}, ` +
      `${count(params)} weights` + (mine ? `, ${percent(mine.mean)} here on ` +
      `${count(data.train_size)} images.` : " (not on this grid: the line marks its size).");

    const liveSeries = (column) => ["logistic_regression", "decision_tree", "mlp"]
      .filter((m) => live.some((r) => r.model === m && !r.error))
      .map((m) => ({ key: `live-${m}`, label: `${lc.series.find((s) => s.model === m).title}` +
        " (your run)", color: MODEL_COLORS[m], live: true,
      points: live.filter((r) => r.model === m && !r.error)
        .sort((a, b) => a.train_size - b.train_size)
        .map((r) => ({ x: r.train_size, y: r[column] })) }));
    const modelSeries = (block, tip) => block.series.map((s) => ({ key: s.model, label: s.title,
      color: MODEL_COLORS[s.model], points: band(s.points, "train_size", (p) => tip(s, p)) }));
    curves.chart.set([...modelSeries(lc, (s, p) => `${s.title}, ${count(p.train_size)} ` +
      `images: ${percent(p.mean)}`), ...liveSeries("accuracy")],
    { x: settings.train_size, label: "you" });
    curves.finding.textContent = data.findings.learning_curves;
    curves.you.textContent = `Your Dataset Size: ${count(settings.train_size)} images.`;
    timing.chart.set([...modelSeries(tm, (s, p) => `${s.title}, ${count(p.train_size)} ` +
      `images: ${seconds(p.mean)}`), ...liveSeries("seconds")],
    { x: settings.train_size, label: "you" });
    timing.finding.textContent = data.findings.timing;
    root.dataset.state = "ready";
  }

  function showLive() {
    const rows = live.filter((r) => r.model === "mlp");
    liveTable.hidden = rows.length === 0;
    liveTable.replaceChildren(
      el("caption", { text: "Your run, cell by cell" }),
      el("thead", {}, el("tr", {}, ...["Images", "Logistic", "Tree", "MLP"].map((h) =>
        el("th", { scope: "col", text: h })))),
      el("tbody", {}, ...rows.map((r) => el("tr", {},
        el("td", { text: count(r.train_size) }),
        ...["logistic_regression", "decision_tree", "mlp"].map((m) => {
          const rec = live.find((x) => x.model === m && x.train_size === r.train_size);
          return el("td", { text: rec && !rec.error ? percent(rec.accuracy) : "–" });
        })))));
  }

  async function runLive() {
    controller?.abort();
    controller = new AbortController();
    live = [];
    root.dataset.live = "running";
    runBtn.disabled = true;
    liveNote.textContent = `Training the three models at your settings (MLP ` +
      `${settings.mlp_depth} × ${settings.mlp_width}, tree depth ${settings.tree_depth}, ` +
      `seed ${settings.seed}) on growing training sets…`;
    draw();
    showLive();
    const query = new URLSearchParams({ mlp_width: settings.mlp_width,
      mlp_depth: settings.mlp_depth, tree_depth: settings.tree_depth, seed: settings.seed });
    try {
      const response = await fetch(`/api/answers/live?${query}`,
        { signal: controller.signal });
      if (!response.ok) throw new Error(`the server answered ${response.status}`);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        const lines = buffer.split("\n");
        buffer = lines.pop();
        for (const line of lines.filter(Boolean)) {
          const msg = JSON.parse(line);
          if (msg.type === "cell") {
            live.push(...msg.records);
            root.dataset.cells = String(live.length / 3);
            draw();
            showLive();
          }
        }
      }
      liveNote.textContent = `Done: your learning curve is drawn over the bundled one ` +
        "(dashed lines).";
      root.dataset.live = "done";
    } catch (err) {
      if (err.name === "AbortError") return;
      liveNote.textContent = err instanceof TypeError ? UNREACHABLE
        : `The run stopped: ${err.message}`;
      root.dataset.live = "error";
    } finally {
      runBtn.disabled = false;
    }
  }
  runBtn.addEventListener("click", runLive);

  document.addEventListener("neuralab:compare-done", (e) => {
    settings = { ...settings, ...e.detail };
    draw();
  });

  try {
    data = await getJSON("/api/answers");
  } catch (err) {
    status.textContent = `The answers could not load: ${err.message}`;
    root.dataset.state = "error";
    return;
  }
  intro.textContent = "One slider move shows one result, and results vary with the seed. " +
    `These plots come from sweeps bundled with neuralab: many settings, each trained with ` +
    `${data.seeds.length} seeds (the lines are the means, the shaded bands run from the ` +
    "lowest seed to the highest). Your own settings are marked “you”.";
  root.append(el("details", { class: "answers-how" },
    el("summary", { text: "How these plots were made" }),
    el("p", { text: "With the neuralab command, from fixed seeds; run them to make them " +
      "again (or change them and make your own):" }),
    ...data.commands.map((c) => el("pre", {}, el("code", { text: c })))));
  draw();
}
