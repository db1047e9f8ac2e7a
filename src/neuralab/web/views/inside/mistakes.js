// Where the models go wrong: a confusion matrix per model (click a cell to see the digits
// behind it) and a gallery of misclassified digits, the most confident mistakes first.
import { bytes, el, plural, reveal, touchFirst } from "../../lib/dom.js";
import { INSIDE_ORDER, MODEL } from "../../lib/models.js";
import { digitCanvas } from "./images.js";

const TITLES = Object.fromEntries(INSIDE_ORDER.map((key) => [key, MODEL[key].name]));
const ORDER = INSIDE_ORDER;
const PROMPT = () => `${touchFirst() ? "Tap" : "Click"} a cell to see the digits behind it.`;

// Relative luminance of an sRGB colour (0..255 channels), as WCAG defines it.
function luminance(rgb) {
  const lin = rgb.map((c) => { const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
  return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
}
const INK = 0.0137; // luminance of --ink (#111827)
const contrast = (a, b) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
const BLUE = [37, 99, 235];
const RED = [220, 38, 38];

// A cell's background (the hue mixed into white by `alpha`) and a text colour that keeps a
// contrast of at least 4.5: the shade is nudged out of the middle tones where neither dark
// nor white text would be readable.
export function cellColours(ok, share, n) {
  const hue = ok ? BLUE : RED;
  let alpha = ok ? 0.08 + 0.85 * share : (n ? Math.min(1, 0.12 + 1.6 * share) : 0);
  const mix = (a) => hue.map((c) => Math.round(255 + (c - 255) * a));
  const lum = (a) => luminance(mix(a));
  if (contrast(lum(alpha), INK) < 4.5 && contrast(lum(alpha), 1) < 4.5) {
    const goDark = alpha >= 0.5;
    while (alpha > 0 && alpha < 1 && contrast(lum(alpha), goDark ? 1 : INK) < 4.5) {
      alpha = Math.max(0, Math.min(1, alpha + (goDark ? 0.02 : -0.02)));
    }
  }
  const bg = lum(alpha); // after the nudge, the better of the two reaches 4.5
  const dark = contrast(bg, 1) > contrast(bg, INK);
  return { background: `rgb(${mix(alpha).join(",")})`, dark };
}

// One confusion matrix: a table of buttons that is a single tab stop; the arrow keys (and
// Home/End) move between its cells.
function matrixTable(key, m, onCell) {
  const rows = m.matrix;
  const grid = [];
  let current = [0, 0];
  const head = el("tr", {}, el("th", { class: "cm-corner", scope: "col" },
    el("span", { class: "visually-hidden", text: "True digit (rows) by predicted digit " +
      "(columns)" })),
  ...rows.map((_, d) => el("th", { scope: "col", text: String(d) })));
  const body = rows.map((row, t) => {
    const total = Math.max(1, row.reduce((a, b) => a + b, 0));
    grid.push([]);
    return el("tr", {}, el("th", { scope: "row", text: String(t) }), ...row.map((n, p) => {
      const ok = t === p;
      const { background, dark } = cellColours(ok, n / total, n);
      const button = el("button", { type: "button", class: `cm-cell${ok ? " ok" : ""}`,
        tabindex: t === 0 && p === 0 ? "0" : "-1",
        "data-true": String(t), "data-pred": String(p), "data-count": String(n),
        "aria-label": `${TITLES[key]}: ${plural(n, "image")} of ${t} ${ok ? "read correctly" :
          `read as ${p}`}` }, n ? String(n) : "");
      button.style.background = background;
      if (dark) button.classList.add("dark");
      button.addEventListener("click", () => { move(t, p, false); onCell(key, t, p, button); });
      grid[t].push(button);
      return el("td", {}, button);
    }));
  });
  function move(t, p, focus = true) {
    const [r, c] = [Math.max(0, Math.min(rows.length - 1, t)),
      Math.max(0, Math.min(rows.length - 1, p))];
    grid[current[0]][current[1]].tabIndex = -1;
    current = [r, c];
    grid[r][c].tabIndex = 0;
    if (focus) grid[r][c].focus();
  }
  const table = el("table", { class: "cm", "data-model": key },
    el("caption", {}, el("strong", { text: TITLES[key] }),
      ` ${(100 * m.accuracy).toFixed(1)}% right`),
    el("thead", {}, head), el("tbody", {}, ...body));
  table.addEventListener("keydown", (e) => {
    const [t, p] = current;
    const last = rows.length - 1;
    const to = { ArrowUp: [t - 1, p], ArrowDown: [t + 1, p], ArrowLeft: [t, p - 1],
      ArrowRight: [t, p + 1], Home: [t, 0], End: [t, last],
      PageUp: [0, p], PageDown: [last, p] }[e.key];
    if (!to || !e.target.classList.contains("cm-cell")) return;
    e.preventDefault();
    move(...to);
  });
  return { table, focusCell: () => grid[current[0]][current[1]].focus() };
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

export function mistakesPanel({ fetchCell, fetchErrors, onPickDigit, model = "mlp",
  onModel = () => {} }) {
  const matrices = el("div", { class: "cm-row" });
  // No live region: the focus moves to what a cell shows, which is read out from there.
  const cellOut = el("div", { class: "cm-out" }, el("p", { class: "muted", text: PROMPT() }));
  const select = el("select", { id: "inside-gallery-model" },
    ...ORDER.map((k) => new Option(TITLES[k], k, false, k === model)));
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
  const tables = {};

  // The digits of a cell go below the three matrices: the focus moves to them and they are
  // scrolled into view (on a phone they are far below the matrix that was tapped).
  async function showCell(key, t, p, button) {
    for (const b of matrices.querySelectorAll(".cm-cell.sel")) b.classList.remove("sel");
    button.classList.add("sel");
    cellOut.dataset.state = "loading";
    cellOut.replaceChildren(el("p", { class: "muted", text: "Loading…" }));
    try {
      const data = await fetchCell(key, t, p);
      const what = `${plural(data.total, "image")} of ${t} that the ${TITLES[key]} read ` +
        (t === p ? "correctly" : `as ${p}`);
      const shown = data.indices.length < data.total ? ` (the first ${data.indices.length})`
        : "";
      const title = el("p", { class: "cm-what", tabindex: "-1", text: `${what}${shown}.` });
      const back = el("button", { type: "button", class: "cm-back",
        text: `Back to the ${TITLES[key]} matrix` });
      back.addEventListener("click", () => {
        tables[key].focusCell();
        reveal(tables[key].table, "center");
      });
      cellOut.replaceChildren(title,
        data.total ? clickable(digitGrid(data, (k) => [`#${data.indices[k]}`]))
          : el("p", { class: "muted", text: "No digits here." }), back);
      cellOut.dataset.cell = `${key}:${t}:${p}`;
      cellOut.dataset.state = "ready";
      title.focus({ preventScroll: true });
      reveal(cellOut);
    } catch (err) {
      cellOut.dataset.state = "error";
      cellOut.replaceChildren(el("p", { class: "error", text: err.message }));
    }
  }

  function clickable(grid) {
    for (const tile of grid.children) {
      tile.tabIndex = 0;
      tile.setAttribute("role", "button");
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
      galleryNote.textContent = `${data.total.toLocaleString("en")} of 2,000 validation ` +
        `images wrong; the ${data.indices.length} shown are the ones the ` +
        `${TITLES[key]} was surest about. Click one to try it in the drawing pad.`;
      gallery.replaceChildren(clickable(digitGrid(data, (k) => [
        el("span", { class: "g-true", text: `${data.labels[k]}` }), " → ",
        el("span", { class: "g-said", text: `${data.predictions[key][k]}` })])));
      gallery.dataset.model = key;
    } catch (err) {
      gallery.replaceChildren(el("p", { class: "error", text: err.message }));
    }
  }
  select.addEventListener("change", () => { onModel(select.value); showGallery(); });

  return {
    el: root,
    render(confusion) {
      current = confusion;
      for (const k of ORDER) tables[k] = matrixTable(k, current.models[k], showCell);
      matrices.replaceChildren(...ORDER.map((k) => tables[k].table));
      cellOut.replaceChildren(el("p", { class: "muted", text: PROMPT() }));
      return showGallery();
    },
  };
}
