// Where the models go wrong: a confusion matrix per model (click a cell to see the digits
// behind it) and a gallery of misclassified digits, the most confident mistakes first.
import { bytes, el } from "../../lib/dom.js";
import { digitCanvas } from "./images.js";

export const TITLES = { mlp: "MLP", logistic_regression: "Logistic regression",
  decision_tree: "Decision tree" };
export const ORDER = ["mlp", "logistic_regression", "decision_tree"];

function matrixTable(key, m, onCell) {
  const rows = m.matrix;
  const head = el("tr", {}, el("th", { class: "cm-corner", scope: "col",
    "aria-label": "rows: true digit; columns: predicted digit" }, ""),
  ...rows.map((_, d) => el("th", { scope: "col", text: String(d) })));
  const body = rows.map((row, t) => {
    const total = Math.max(1, row.reduce((a, b) => a + b, 0));
    return el("tr", {}, el("th", { scope: "row", text: String(t) }), ...row.map((n, p) => {
      const share = n / total;
      const ok = t === p;
      const tint = ok ? `rgba(37,99,235,${(0.08 + 0.85 * share).toFixed(3)})`
        : `rgba(220,38,38,${n ? (0.12 + 1.6 * share).toFixed(3) : 0})`;
      const button = el("button", { type: "button", class: `cm-cell${ok ? " ok" : ""}`,
        "data-true": String(t), "data-pred": String(p), "data-count": String(n),
        "aria-label": `${TITLES[key]}: ${n} images of ${t} ${ok ? "read correctly" :
          `read as ${p}`}` }, n ? String(n) : "");
      button.style.background = tint;
      if (share > 0.55) button.classList.add("dark");
      button.addEventListener("click", () => onCell(key, t, p, button));
      return el("td", {}, button);
    }));
  });
  return el("table", { class: "cm", "data-model": key },
    el("caption", {}, el("strong", { text: TITLES[key] }),
      ` ${(100 * m.accuracy).toFixed(1)}% right`),
    el("thead", {}, head), el("tbody", {}, ...body));
}

export function digitGrid(data, caption) {
  const px = bytes(data.pixels);
  return el("div", { class: "d-grid" }, ...data.indices.map((idx, k) => {
    const fig = el("figure", { class: "d-tile", "data-index": String(idx) },
      digitCanvas(px, k, `validation digit ${idx}, a ${data.labels[k]}`),
      el("figcaption", {}, ...caption(k)));
    return fig;
  }));
}

export function mistakesPanel({ fetchCell, fetchErrors, onPickDigit }) {
  const matrices = el("div", { class: "cm-row" });
  const cellOut = el("div", { class: "cm-out", "aria-live": "polite" },
    el("p", { class: "muted", text: "Click a cell to see the digits behind it." }));
  const select = el("select", { id: "inside-gallery-model" },
    ...ORDER.map((k) => new Option(TITLES[k], k)));
  const gallery = el("div", { class: "gallery" });
  const galleryNote = el("p", { class: "muted gallery-note" });
  const root = el("div", { class: "mistakes" },
    el("h3", { text: "Confusion matrices (2,000 validation images)" }),
    el("p", { class: "muted", text: "Row: the true digit. Column: what the model said. " +
      "Blue cells are right, red cells are mistakes; the darker, the larger the share of " +
      "that row." }),
    matrices, cellOut,
    el("h3", { text: "Misclassified digits" }),
    el("div", { class: "control select" }, el("label", { for: "inside-gallery-model",
      text: "Model" }), select),
    galleryNote, gallery);

  let current = null;

  async function showCell(key, t, p, button) {
    for (const b of matrices.querySelectorAll(".cm-cell.sel")) b.classList.remove("sel");
    button.classList.add("sel");
    cellOut.replaceChildren(el("p", { class: "muted", text: "Loading…" }));
    try {
      const data = await fetchCell(key, t, p);
      const what = t === p ? `${data.total} images of ${t} that the ${TITLES[key]} read ` +
        "correctly" : `${data.total} images of ${t} that the ${TITLES[key]} read as ${p}`;
      const shown = data.indices.length < data.total ? ` (the first ${data.indices.length})`
        : "";
      cellOut.replaceChildren(el("p", { class: "cm-what", text: `${what}${shown}.` }),
        data.total ? clickable(digitGrid(data, (k) => [`#${data.indices[k]}`]))
          : el("p", { class: "muted", text: "No digits here." }));
      cellOut.dataset.cell = `${key}:${t}:${p}`;
    } catch (err) {
      cellOut.replaceChildren(el("p", { class: "error", text: err.message }));
    }
  }

  function clickable(grid) {
    for (const tile of grid.children) {
      tile.tabIndex = 0;
      tile.setAttribute("role", "button");
      tile.title = "Try this digit in the drawing pad";
      const pick = () => onPickDigit(+tile.dataset.index);
      tile.addEventListener("click", pick);
      tile.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") pick(); });
    }
    return grid;
  }

  async function showGallery() {
    const key = select.value;
    try {
      const data = await fetchErrors(key);
      galleryNote.textContent = `${data.total} of 2,000 validation images wrong; the ` +
        `${data.indices.length} shown are the ones the ${TITLES[key]} was surest about. ` +
        "Click one to try it in the drawing pad.";
      gallery.replaceChildren(clickable(digitGrid(data, (k) => [
        el("span", { class: "g-true", text: `${data.labels[k]}` }), " → ",
        el("span", { class: "g-said", text: `${data.predictions[key][k]}` })])));
      gallery.dataset.model = key;
    } catch (err) {
      gallery.replaceChildren(el("p", { class: "error", text: err.message }));
    }
  }
  select.addEventListener("change", showGallery);

  return {
    el: root,
    render(confusion) {
      current = confusion;
      matrices.replaceChildren(...ORDER.map((k) => matrixTable(k, current.models[k], showCell)));
      cellOut.replaceChildren(el("p", { class: "muted", text: "Click a cell to see the " +
        "digits behind it." }));
      return showGallery();
    },
  };
}
