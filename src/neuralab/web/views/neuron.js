// Section 5: a single ReLU neuron tuned by hand. Python computes; this module draws the
// answer once per change (stale answers are dropped, so a fast slider never draws twice).
import { getJSON, latest } from "../lib/api.js";
import { control } from "../lib/controls.js";
import { el, svg } from "../lib/dom.js";

const ORDER = ["target", "w1", "w2", "bias", "x1", "x2"];

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
  const relu = svg("text", { x: 204, y: 148, class: "cap relu" }, "ReLU");
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
      title.textContent = `Inputs ${c.x1 ? 1 : 0} and ${c.x2 ? 1 : 0}; weights ` +
        `${r.w1.toFixed(1)} and ${r.w2.toFixed(1)}; bias ${r.bias.toFixed(1)}; ` +
        `output ${c.activation.toFixed(2)}`;
    },
  };
}

function truthTable() {
  const tbody = el("tbody");
  const table = el("table", { class: "truth" },
    el("caption", { text: "All four input pairs" },
      el("span", { class: "legend", text: "Sum = w1·x1 + w2·x2 + bias; Output = ReLU(Sum)" })),
    el("thead", {}, el("tr", {},
      ...["x1", "x2", "Sum", "Output", "Expected", "Actual", "Right?"]
        .map((h) => el("th", { scope: "col", text: h })))),
    tbody);
  return {
    root: table,
    update(r) {
      tbody.replaceChildren(...r.table.map((row) => {
        const current = row.x1 === r.current.x1 && row.x2 === r.current.x2;
        return el("tr", { class: `${current ? "current" : ""} ${row.correct ? "" : "wrong"}` },
          el("td", { text: row.x1 ? "1" : "0" }), el("td", { text: row.x2 ? "1" : "0" }),
          el("td", { class: "num-cell", text: fmt(row.weighted_sum) }),
          el("td", { class: "num-cell", text: fmt(row.activation) }),
          el("td", {}, onOff(row.expected)), el("td", {}, onOff(row.actual)),
          el("td", { class: "mark", text: row.correct ? "✓" : "✗",
            "aria-label": row.correct ? "right" : "wrong" }));
      }));
    },
  };
}

export async function mount(root, { params, state }) {
  const byName = Object.fromEntries(params.map((p) => [p.name, p]));
  const intro = el("div", { class: "intro" },
    el("p", { text: "One neuron takes two inputs, each 0 (off) or 1 (on). It multiplies each " +
      "input by its weight, adds the bias, and passes the sum through ReLU, which keeps " +
      "positive numbers and turns negative ones into 0. The neuron is ON when its output " +
      "is above 0." }),
    el("p", { class: "callout", text: "Your challenge: choose the weights and the bias so " +
      "the neuron computes AND (ON only when both inputs are ON), then OR (ON when at least " +
      "one input is ON). Blue lines push the neuron up, red lines pull it down; the " +
      "stronger the weight, the bolder the line." }));

  const controls = el("div", { class: "controls neuron-controls" });
  const ctl = {};
  for (const name of ORDER) {
    const p = byName[name];
    ctl[name] = control(p, state.get(name), (v) => { state.set(name, v); refresh(); });
    controls.append(ctl[name].el);
  }
  const pic = drawing();
  const expected = el("span");
  const actual = el("span");
  const readout = el("p", { class: "readout", "aria-live": "polite" },
    el("span", { text: "Expected: " }), expected, el("span", { text: "  Actual: " }), actual);
  const verdict = el("p", { class: "verdict", role: "status" });
  const table = truthTable();
  const error = el("p", { class: "error", role: "alert", hidden: "" });

  root.append(intro, el("div", { class: "neuron-layout" },
    el("div", { class: "neuron-controls-col" }, controls, readout),
    el("div", { class: "neuron-drawing" }, pic.root),
    el("div", { class: "neuron-table" }, table.root, verdict, error)));

  const ask = latest();
  let drawn = 0;
  async function refresh() {
    const q = state.all();
    const query = { ...q, x1: q.x1 ? "1" : "0", x2: q.x2 ? "1" : "0" };
    let r;
    try {
      r = await ask((signal) => getJSON("/api/neuron", query, { signal }));
    } catch (err) {
      error.hidden = false;
      error.textContent = err.message;
      return;
    }
    if (!r) return;
    error.hidden = true;
    pic.update(r);
    table.update(r);
    expected.replaceChildren(onOff(r.current.expected));
    actual.replaceChildren(onOff(r.current.actual));
    verdict.className = `verdict ${r.solved ? "ok" : ""}`;
    verdict.textContent = r.solved
      ? `Solved: the neuron computes ${r.target} on all four input pairs.`
      : `${r.correct_count} of 4 input pairs right for ${r.target}. Keep tuning.`;
    root.dataset.drawn = String(++drawn);
    root.dataset.solved = String(r.solved);
  }
  await refresh();
}
