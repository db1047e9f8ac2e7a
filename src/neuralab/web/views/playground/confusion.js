// Accuracy and the confusion matrices (training and test) as tables: rows the true class,
// columns the predicted one. Only the cells' text changes from frame to frame.
import { el } from "../../lib/dom.js";

export function confusionTables() {
  const host = el("div", { class: "pg-confusion" });
  let key = "";
  let cells = {};

  function build(k) {
    const names = k === 2 ? ["−1", "1"] : Array.from({ length: k }, (_, i) => String(i));
    cells = {};
    host.replaceChildren(...["train", "test"].map((part) => {
      const caption = part === "train" ? "Training points" : "Test points";
      cells[part] = names.map(() => names.map(() => el("td")));
      const accuracy = el("span", { class: "pg-acc" });
      cells[`${part}_accuracy`] = accuracy;
      return el("table", { class: "pg-matrix" },
        el("caption", {}, el("span", { text: `${caption}: ` }), accuracy),
        el("thead", {}, el("tr", {}, el("td", { class: "pg-corner", text: "true ↓ predicted →" }),
          ...names.map((n) => el("th", { scope: "col", text: `Class ${n}` })))),
        el("tbody", {}, ...names.map((n, i) => el("tr", {},
          el("th", { scope: "row", text: `Class ${n}` }), ...cells[part][i]))));
    }));
  }

  return {
    el: host,
    update(frame) {
      const train = frame.train_confusion;
      host.hidden = !train;
      if (!train) return;
      const k = train.length;
      if (String(k) !== key) { build(k); key = String(k); }
      for (const part of ["train", "test"]) {
        const m = frame[`${part}_confusion`] || [];
        m.forEach((row, i) => row.forEach((c, j) => {
          const td = cells[part][i][j];
          const text = String(c);
          if (td.textContent !== text) td.textContent = text;
          td.className = i === j ? "pg-right" : c ? "pg-wrong" : "";
        }));
        const a = frame[`${part}_accuracy`];
        cells[`${part}_accuracy`].textContent = a === undefined || a === null ? ""
          : `accuracy ${(100 * a).toFixed(1)}%`;
      }
    },
  };
}
