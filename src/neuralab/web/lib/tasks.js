// Tasks with a checked target (the teacher's `?task=nand`). The tasks come from the server
// (`/api/tasks`, defined once in neuralab/labs/tasks.py); each view reports what it shows
// with `observe(view, facts)`, and the task of the link is checked against it here, with the
// same kinds and targets as the Python check. The page says "done" once, in a live region,
// and tells the class view (anonymously: a random id per tab, no name).
import { getJSON, postJSON } from "./api.js";
import { el } from "./dom.js";

const facts = {}; // view -> the newest facts it reported
const listeners = new Set();

// A view reports what it shows now (cheap: nothing happens unless a task listens).
export function observe(view, what) {
  facts[view] = what;
  for (const fn of listeners) fn(view, what);
}

const same = (a, b) => Math.abs(a - b) < 1e-6;

// { done, progress } for `task` given its section's facts (see labs/tasks.py).
export function check(task, f) {
  const g = task.goal;
  if (!f) return { done: false, progress: "Not started." };
  switch (task.kind) {
    case "truth_table": {
      const right = f.outputs.filter((v, i) => v === g.outputs[i]).length;
      if (f.hidden !== g.hidden) {
        const where = g.hidden ? "Turn the hidden layer on" : "Turn the hidden layer off";
        return { done: false,
          progress: `${where} for this task; ${right} of 4 input pairs right.` };
      }
      return { done: right === 4, progress: `${right} of 4 input pairs right.` };
    }
    case "compare":
      return { done: f.val_accuracy >= g.min_accuracy && f.parameters < g.max_parameters,
        progress: `Last MLP: ${(100 * f.val_accuracy).toFixed(1)}% with ` +
          `${Math.round(f.parameters).toLocaleString("en")} weights.` };
    case "playground":
      if (f.dataset !== g.dataset) return { done: false, progress: `Pick the ${g.dataset} data.` };
      if (f.hidden_layers !== g.hidden_layers) {
        return { done: false, progress: `Use ${g.hidden_layers} hidden layers ` +
          `(now ${f.hidden_layers}).` };
      }
      return { done: f.test_loss < g.max_test_loss,
        progress: `Test loss ${f.test_loss.toFixed(3)}.` };
    case "descent": {
      if (f.surface !== g.surface) {
        return { done: false, progress: `Pick the ${g.surface} surface.` };
      }
      const step = f.reached_at[g.optimizer];
      if (step === null || step === undefined) {
        return { done: false, progress: "Not at the minimum yet." };
      }
      return { done: step < g.max_steps, progress: `Reached the minimum in ${step} steps.` };
    }
    case "pixels": {
      const off = ["red", "green", "blue"]
        .filter((c, i) => !same(f[c][g.row][g.col], g.rgb[i])).length;
      return { done: off === 0, progress: off === 0 ? "The centre pixel is yellow."
        : `${off} of 3 channels still to set.` };
    }
    default:
      return { done: false, progress: "" };
  }
}

// This tab's anonymous id (kept for the tab's life, never sent anywhere but this server).
function tabId() {
  let id = sessionStorage.getItem("neuralab-tab");
  if (!id) {
    id = Array.from(crypto.getRandomValues(new Uint8Array(12)),
      (b) => b.toString(16).padStart(2, "0")).join("");
    sessionStorage.setItem("neuralab-tab", id);
  }
  return id;
}

const HEARTBEAT = 20000; // ms between "still here" reports (the class view counts 45 s)

// Tell the class view this tab is open, now and every HEARTBEAT while it is shown.
export function reportPresence() {
  const send = () => postJSON("/api/class/report", { tab: tabId() }).catch(() => {});
  send();
  setInterval(() => { if (document.visibilityState === "visible") send(); }, HEARTBEAT);
}

// The task the link names (`?task=`): { task } or { problem } naming what is wrong (none:
// {}). A task's preset settings (the neuron's target for NAND) are put in the URL, unless
// the link sets them itself, so that the views mount with them.
export async function linkedTask() {
  const query = new URLSearchParams(location.search);
  const id = query.get("task");
  if (!id) return {};
  let tasks;
  try {
    tasks = await getJSON("/api/tasks");
  } catch {
    return {};
  }
  const task = tasks.find((t) => t.id === id);
  if (!task) {
    return { problem: `task: no task named "${id}" (tasks: ${tasks.map((t) => t.id).join(", ")})` };
  }
  let changed = false;
  for (const [name, value] of Object.entries(task.preset || {})) {
    const key = `${task.section}.${name}`;
    if (!query.has(key)) {
      query.set(key, String(value));
      changed = true;
    }
  }
  if (changed) history.replaceState(null, "", `${location.pathname}?${query}${location.hash}`);
  return { task };
}

// The task box in its section, checked live. Returns a problem when its section is not shown.
export function startTask(task, mounted) {
  if (!task) return "";
  const section = mounted.find((s) => s.dataset.view === task.section);
  if (!section) return `task: "${task.id}" belongs to a section this link does not show`;
  const progress = el("p", { class: "task-progress", text: "Not started." });
  const badge = el("span", { class: "task-badge", text: "To do" });
  const live = el("p", { class: "visually-hidden", role: "status", "aria-live": "polite" });
  const box = el("aside", { class: "task-box", "aria-labelledby": "task-title",
    "data-task": task.id, "data-state": "todo" },
  el("h3", { id: "task-title" }, el("span", { class: "task-kicker", text: "Task: " }),
    task.title, " ", badge),
  el("p", { text: task.text }), progress, live);
  section.querySelector("h2").after(box);
  let done = false;
  const update = (view, f) => {
    if (view !== task.section || done) return;
    const r = check(task, f);
    progress.textContent = r.progress;
    if (!r.done) return;
    done = true;
    box.dataset.state = "done";
    badge.textContent = "Done";
    live.textContent = `Task done: ${task.title}.`;
    postJSON("/api/class/report", { tab: tabId(), task: task.id, facts: f }).catch(() => {});
  };
  listeners.add(update);
  if (facts[task.section]) update(task.section, facts[task.section]);
  return "";
}
