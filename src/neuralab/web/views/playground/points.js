// "Edit points": the learner's own data. While the mode is on, a click on the output adds a
// point of the chosen class (or value) and a click on a point removes it; a small form does the
// same from the keyboard. The server checks each point and restarts the network at epoch 0.
import { el } from "../../lib/dom.js";
import { CLASS_COLOURS } from "./draw.js";

const COLOUR_NAMES = ["red", "blue", "green", "amber", "violet", "cyan", "pink", "grey"];
const NEAR = 8; // pixels: a click this close to a drawn point removes it

// `send(message)` talks to the socket; `canvas` is the output; `shown()` gives
// { data, showTest } as drawn.
export function pointsEditor({ send, canvas, shown, onEdit }) {
  let data = null;
  const toggle = el("button", { type: "button", class: "pg-edit-toggle", "aria-pressed": "false",
    text: "Edit points" });
  const classPick = el("select", { id: "pg-point-class" });
  const classLabel = el("label", { for: "pg-point-class", text: "Class of new points" });
  const value = el("input", { type: "number", id: "pg-point-value", min: "-2", max: "2",
    step: "0.1", value: "1" });
  const valueLabel = el("label", { for: "pg-point-value", text: "Value of new points" });
  const field = (name, label) => el("input", { type: "number", min: "-6", max: "6", step: "0.1",
    value: "0", "aria-label": label, class: "pg-point-xy", name });
  const x1 = field("x1", "New point x1");
  const x2 = field("x2", "New point x2");
  const tag = (text, input) => el("label", { class: "pg-point-field" },
    el("span", { text, "aria-hidden": "true" }), input);
  const count = el("p", { class: "pg-point-count", "aria-live": "polite" });
  const label = () => Number(data?.problem === "regression" ? value.value : classPick.value);
  const add = el("button", { type: "button", text: "Add the point", onclick: () => {
    submit("add", Number(x1.value), Number(x2.value));
  } });
  const remove = el("button", { type: "button", text: "Remove the point nearest", onclick: () => {
    const p = nearest(Number(x1.value), Number(x2.value), Infinity);
    if (p) submit("remove", p[0], p[1]);
  } });
  const classBox = el("div", { class: "control select" }, classLabel, classPick);
  const valueBox = el("div", { class: "control" }, valueLabel, value);
  const panel = el("div", { class: "pg-points-panel", hidden: "" },
    el("p", { class: "pg-hint", text: "Click the output to add a point there; click a point to "
      + "remove it. The network starts again from epoch 0 on your points." }),
    classBox, valueBox,
    el("div", { class: "pg-point-form", role: "group", "aria-label": "Add or remove a point" },
      tag("x1", x1), tag("x2", x2), add, remove), count);

  function submit(action, a, b) {
    const m = { type: "point", action, x1: a, x2: b };
    if (action === "add") m.label = label();
    onEdit();
    send(m);
  }

  // The drawn point nearest (a, b) in plane units, if within `limit` units: [x1, x2].
  function nearest(a, b, limit) {
    const { showTest } = shown();
    let best = null;
    let d = limit;
    for (const flat of [data?.train || [], showTest ? data?.test || [] : []]) {
      for (let i = 0; i < flat.length; i += 3) {
        const e = Math.hypot(flat[i] - a, flat[i + 1] - b);
        if (e < d) { d = e; best = [flat[i], flat[i + 1]]; }
      }
    }
    return best;
  }

  toggle.addEventListener("click", () => {
    const on = toggle.getAttribute("aria-pressed") !== "true";
    toggle.setAttribute("aria-pressed", String(on));
    panel.hidden = !on;
    canvas.classList.toggle("pg-editing", on);
  });
  canvas.addEventListener("click", (e) => {
    if (toggle.getAttribute("aria-pressed") !== "true" || !data) return;
    const r = canvas.getBoundingClientRect();
    const a = ((e.clientX - r.left) / r.width) * 12 - 6;
    const b = 6 - ((e.clientY - r.top) / r.height) * 12;
    const p = nearest(a, b, (NEAR / r.width) * 12);
    if (p) submit("remove", p[0], p[1]);
    else submit("add", Math.round(a * 100) / 100, Math.round(b * 100) / 100);
  });

  return {
    el: el("div", { class: "pg-points" }, toggle, panel),
    // New points from the server: the class picker follows their classes.
    update(points) {
      const kinds = points.problem === "regression" ? null
        : points.classes > 2 ? Array.from({ length: points.classes }, (_, k) => [k, k])
          : [[1, 1], [-1, 0]];
      const key = kinds ? kinds.map(([v]) => v).join() : "regression";
      if (classPick.dataset.key !== key) {
        const old = classPick.value;
        classPick.replaceChildren(...(kinds || []).map(([v, c]) => new Option(
          `Class ${v} (${COLOUR_NAMES[c % CLASS_COLOURS.length]})`, String(v))));
        if ([...classPick.options].some((o) => o.value === old)) classPick.value = old;
        classPick.dataset.key = key;
      }
      data = points;
      classBox.hidden = !kinds;
      valueBox.hidden = !!kinds;
      const n = (flat) => flat.length / 3;
      count.textContent = `${n(points.train)} training points, ${n(points.test)} test points`;
    },
  };
}
