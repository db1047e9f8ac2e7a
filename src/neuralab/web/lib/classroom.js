// The teacher's links: which sections a link shows, the settings it carries, the controls it
// hides (`neuron.hide=w1,bias`, `playground.hide=features`) and the task it sets
// (`task=nand`). A view may register named parts (groups of elements) to hide beside its
// controls; every other control is found by its parameter's name. Only what the link names
// is hidden; names the page does not know are reported, never guessed.
import { el } from "./dom.js";

const parts = {}; // view -> { key: { label, nodes } }
const HIDDEN = "teach-hidden";

// The names `view.hide` lists in the URL (as opened).
export function hiddenNames(view, search = location.search) {
  const raw = new URLSearchParams(search).get(`${view}.hide`) || "";
  return raw.split(",").map((s) => s.trim()).filter(Boolean);
}

// A view's hideable parts: `{ key: [elements] }` with `labels[key]` for the builder. Hides
// at once those the URL names.
export function registerParts(view, named, labels = {}) {
  parts[view] = Object.fromEntries(Object.entries(named).map(([key, nodes]) =>
    [key, { label: labels[key] || key, nodes }]));
  const wanted = new Set(hiddenNames(view));
  for (const [key, { nodes }] of Object.entries(parts[view])) {
    if (wanted.has(key)) for (const node of nodes) node.classList.add(HIDDEN);
  }
}

// The controls of a mounted section that a link may hide: [name, label, element].
function controlsOf(section) {
  const seen = new Set();
  const out = [];
  for (const wrap of section.querySelectorAll(".control")) {
    const input = wrap.querySelector("input[name], select[name], textarea[name]");
    if (!input || seen.has(input.name)) continue;
    seen.add(input.name);
    const label = wrap.querySelector("label")?.textContent.trim() || input.name;
    out.push([input.name, label, wrap]);
  }
  return out;
}

// What a view's sections offer to hide: its registered parts, then its other controls.
export function hideables(view) {
  const sections = [...document.querySelectorAll(`section[data-view="${view}"]`)];
  const own = Object.entries(parts[view] || {}).map(([key, p]) => [key, p.label]);
  const inParts = new Set(Object.values(parts[view] || {}).flatMap((p) => p.nodes));
  const controls = sections.flatMap(controlsOf)
    .filter(([, , wrap]) => ![...inParts].some((node) => node.contains(wrap)))
    .map(([name, label]) => [name, label]);
  const names = new Set(own.map(([k]) => k));
  return [...own, ...controls.filter(([name]) => !names.has(name) && names.add(name))];
}

// Hide, in every mounted section, the controls the URL names; returns the names not found.
export function applyHidden(views) {
  const unknown = [];
  for (const view of views) {
    const sections = [...document.querySelectorAll(`section[data-view="${view}"]`)];
    for (const name of hiddenNames(view)) {
      if (parts[view]?.[name]) continue; // hidden by registerParts
      const found = sections.flatMap(controlsOf).filter(([n]) => n === name);
      if (!found.length) unknown.push(`${view}.hide: ${name}`);
      for (const [, , wrap] of found) wrap.classList.add(HIDDEN);
    }
  }
  return unknown;
}

// The link for `choice`: { sections: [ids], views: [names], hide: {view: [names]}, task,
// preset: {view, values} (the task's settings, unless the page's own are kept), keep (carry
// the page's current settings of those views), embed }.
export function buildLink(choice, search = location.search, origin = location.origin) {
  const now = new URLSearchParams(search);
  const out = new URLSearchParams();
  const all = document.querySelectorAll("section[data-view]").length;
  if (choice.sections.length && choice.sections.length < all) {
    out.set("sections", choice.sections.join(","));
  }
  if (choice.embed) out.set("embed", "1");
  if (choice.task) out.set("task", choice.task);
  for (const view of choice.views) {
    if (choice.keep) {
      for (const [key, value] of now) {
        if (key.startsWith(`${view}.`) && key !== `${view}.hide`) out.set(key, value);
      }
    }
    if (choice.preset?.view === view) {
      for (const [name, value] of Object.entries(choice.preset.values)) {
        if (!out.has(`${view}.${name}`)) out.set(`${view}.${name}`, String(value));
      }
    }
    const hide = choice.hide[view] || [];
    if (hide.length) out.set(`${view}.hide`, hide.join(","));
  }
  const qs = out.toString().replaceAll("%2C", ",");
  return `${origin}/${qs ? `?${qs}` : ""}`;
}

// A section's compact builder (the playground has one in its section): hide its parts,
// keep its settings, and open the link on the section's own page (`/playground`).
export function linkBuilder(view = "playground") {
  const chosen = new Set(hiddenNames(view));
  const link = el("input", { type: "text", readonly: "", class: "teach-link",
    "aria-label": "Classroom link" });
  const update = () => {
    const query = new URLSearchParams(location.search);
    query.delete("sections");
    query.delete("embed");
    if (chosen.size) query.set(`${view}.hide`, [...chosen].join(","));
    else query.delete(`${view}.hide`);
    const qs = query.toString().replaceAll("%2C", ",");
    link.value = `${location.origin}/${view}${qs ? `?${qs}` : ""}`;
  };
  const list = el("div", { class: "teach-hide-list" });
  // The view registers its parts after it builds this: the boxes are made when first opened.
  const fill = () => {
    if (list.children.length) return;
    list.append(...Object.entries(parts[view] || {}).map(([key, { label }]) => {
      const id = `${view}-hide-${key}`;
      const box = el("input", { type: "checkbox", id });
      box.checked = chosen.has(key);
      box.addEventListener("change", () => {
        if (box.checked) chosen.add(key);
        else chosen.delete(key);
        update();
      });
      return el("div", { class: "control checkbox" }, box,
        el("label", { for: id, text: `Hide ${label}` }));
    }));
  };
  const copy = el("button", { type: "button", text: "Copy the link", onclick: () => {
    update();
    copyText(link);
  } });
  const details = el("details", { class: "teach-inline" },
    el("summary", { text: "Classroom link: hide controls for an exercise" }), list, link, copy);
  details.addEventListener("toggle", () => { fill(); update(); });
  return details;
}

// Select the link's text and put it on the clipboard (where the browser allows).
export async function copyText(input) {
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
    return true;
  } catch {
    return false;
  }
}
