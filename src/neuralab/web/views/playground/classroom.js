// The classroom link builder: a teacher picks controls to hide, and gets a link to the
// playground as it is now (every setting and the seed) with those controls hidden
// (`playground.hide=features,regularization`). Only what was chosen is hidden.
import { el } from "../../lib/dom.js";

export const HIDEABLE = [["data", "Data"], ["features", "Features"],
  ["layers", "Hidden layers"], ["learning_rate", "Learning rate"], ["optimizer", "Optimizer"],
  ["activation", "Activation (every layer's)"],
  ["regularization", "Regularization"], ["problem", "Problem type and loss"],
  ["files", "Upload and download"], ["export", "Export"]];

// The parts the link names, known ones only.
export function hiddenParts() {
  const raw = new URLSearchParams(location.search).get("playground.hide") || "";
  return raw.split(",").filter((k) => HIDEABLE.some(([name]) => name === k));
}

// Hide `parts[key]` (lists of elements) for each key in `hidden`.
export function hide(parts, hidden) {
  for (const key of hidden) for (const node of parts[key]) node.classList.add("pg-hidden");
}

// The builder, closed until opened.
export function linkBuilder() {
  const chosen = new Set(hiddenParts());
  const link = el("input", { type: "text", readonly: "", class: "pg-link",
    "aria-label": "Classroom link" });
  const update = () => {
    const query = new URLSearchParams(location.search);
    query.delete("sections");
    query.delete("embed");
    if (chosen.size) query.set("playground.hide", [...chosen].join(","));
    else query.delete("playground.hide");
    const qs = query.toString().replaceAll("%2C", ",");
    link.value = `${location.origin}/playground${qs ? `?${qs}` : ""}`;
  };
  const boxes = HIDEABLE.map(([key, label]) => {
    const id = `pg-hide-${key}`;
    const box = el("input", { type: "checkbox", id });
    box.checked = chosen.has(key);
    box.addEventListener("change", () => {
      if (box.checked) chosen.add(key);
      else chosen.delete(key);
      update();
    });
    return el("div", { class: "control checkbox" }, box,
      el("label", { for: id, text: `Hide ${label}` }));
  });
  const copy = el("button", { type: "button", text: "Copy the link", onclick: async () => {
    update();
    link.select();
    await navigator.clipboard?.writeText(link.value).catch(() => {});
  } });
  const details = el("details", { class: "pg-classroom" },
    el("summary", { text: "Classroom link: hide controls for an exercise" }),
    el("div", { class: "pg-hide-list" }, ...boxes), link, copy);
  details.addEventListener("toggle", update);
  return details;
}
