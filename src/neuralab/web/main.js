// Mounts one view module per lab section. Each view exports `mount(element, ctx)`.
import { fetchParams } from "./lib/api.js";
import { applyHidden } from "./lib/classroom.js";
import { labState } from "./lib/state.js";
import { linkedTask, reportPresence, startTask } from "./lib/tasks.js";

const TOP_KEYS = ["sections", "embed", "task", "token"];

// Keep --header-h at the sticky header's height: scroll-padding-top (style.css) uses it so
// that nothing focused or scrolled to hides under the header.
function trackHeader() {
  const header = document.querySelector(".site-header");
  const set = () => document.documentElement.style.setProperty("--header-h",
    `${header.getBoundingClientRect().height}px`);
  new ResizeObserver(set).observe(header);
  set();
}

// `?sections=mnist,inside` shows only those sections (by id or view name), for a teacher's
// link or a notebook cell; `&embed=1` also drops the header and footer. Hidden sections are
// not mounted at all, so they cost nothing.
// The playground's own page, /playground, is the lab with only that section, for a projector.
function chooseSections() {
  const query = new URLSearchParams(location.search);
  if (location.pathname.replace(/\/$/, "") === "/playground") {
    query.set("sections", "playground");
    query.set("embed", "1");
  }
  const all = [...document.querySelectorAll("section[data-view]")];
  const wanted = (query.get("sections") || "").split(",").map((s) => s.trim()).filter(Boolean);
  const shown = wanted.length
    ? all.filter((s) => wanted.includes(s.id) || wanted.includes(s.dataset.view)) : all;
  if (!shown.length) return all; // nothing matched: show the whole lab rather than nothing
  for (const s of all) {
    if (shown.includes(s)) continue;
    s.hidden = true;
    document.querySelector(`nav a[href="#${s.id}"]`)?.setAttribute("hidden", "");
  }
  if (query.get("embed") === "1") document.body.classList.add("embedded");
  return shown;
}

// A URL value as the page reads it, and a default in the same form, for comparing.
const asText = (p, v) => (p.shape ? v.flat().join() : String(v));
function read(p, raw) {
  if (p.type === "bool") return String(raw === "1" || raw === "true");
  if (p.type === "int" || p.type === "float") return raw.split(",").map(Number).join();
  return raw;
}

// The link's fields the page could not use as given: unknown names, and values state.js
// refused or moved into range (it wrote the corrected URL back). The playground names its
// own settings' problems in its section.
function linkProblems(opened, spec, views) {
  const now = new URLSearchParams(location.search);
  const known = new Set(Array.from(document.querySelectorAll("section[data-view]"),
    (s) => s.dataset.view));
  const bad = [];
  for (const [key, raw] of opened) {
    if (TOP_KEYS.includes(key)) continue;
    const [view, name] = key.split(/\.(.*)/s);
    const param = (spec[view] || []).find((p) => p.name === name);
    if (!known.has(view) || (name !== "hide" && !param)) {
      if (view !== "playground") bad.push(`${key} (unknown)`);
    } else if (name !== "hide" && views.includes(view) && view !== "playground") {
      const given = read(param, raw);
      if (given !== (now.has(key) ? read(param, now.get(key)) : asText(param, param.default))) {
        bad.push(now.has(key) ? `${key} (now ${now.get(key)})` : `${key} (the default)`);
      }
    }
  }
  const wanted = (opened.get("sections") || "").split(",").map((s) => s.trim()).filter(Boolean);
  for (const name of wanted) {
    if (!document.querySelector(`section[data-view="${name}"], section#${CSS.escape(name)}`)) {
      bad.push(`sections: ${name} (unknown)`);
    }
  }
  return bad;
}

function showLinkNote(problems) {
  if (!problems.length) return;
  const note = document.createElement("p");
  note.className = "link-note";
  note.setAttribute("role", "status");
  note.textContent = `This link's ${problems.join("; ")} could not be used as given: the ` +
    "page uses the default or the nearest allowed value instead.";
  document.querySelector("main").prepend(note);
}

// The "For teachers" button, in the footer (out of a learner's way, and the header stays one
// line on a projector): the link builder loads only when a teacher opens it.
function teacherButton() {
  const footer = document.querySelector(".site-footer");
  if (!footer || document.body.classList.contains("embedded")) return;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "teach-open";
  button.textContent = "For teachers";
  button.addEventListener("click", async () => {
    const mod = await import("./views/teach.js");
    mod.open(button);
  });
  footer.append(" ", button);
}

async function main() {
  const opened = new URLSearchParams(location.search);
  const sections = chooseSections();
  trackHeader();
  const [spec, linked] = await Promise.all([fetchParams(), linkedTask()]);
  const views = [...new Set(sections.map((s) => s.dataset.view))];
  // Every view's state is read (and a bad value corrected in the URL) before any mounts.
  const states = new Map(sections.map((s) => [s, labState(s.dataset.view,
    spec[s.dataset.view] || [])]));
  const problems = linkProblems(opened, spec, views);
  if (linked.problem) problems.push(linked.problem);
  teacherButton();
  await Promise.all(sections.map(async (el) => {
    const view = el.dataset.view;
    try {
      const mod = await import(`./views/${view}.js`);
      const params = spec[view] || [];
      await mod.mount(el, { params, state: states.get(el) });
    } catch (err) {
      console.error(`view ${view} failed to mount`, err);
      const p = document.createElement("p");
      p.className = "error";
      p.textContent = `This section could not start: ${err.message}`;
      el.append(p);
    }
  }));
  problems.push(...applyHidden(views));
  const taskProblem = startTask(linked.task, sections);
  if (taskProblem) problems.push(taskProblem);
  showLinkNote(problems);
  reportPresence();
  document.body.dataset.ready = "true";
}

main();
