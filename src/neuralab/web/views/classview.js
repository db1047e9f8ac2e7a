// The teacher's class view (/class): learners connected now, how many did each task, and
// how long comparisons wait, from GET /api/class every REFRESH ms. Counts only, no names.
import { getJSON } from "../lib/api.js";
import { el, plural } from "../lib/dom.js";

const REFRESH = 2000;

const secs = (s) => (s === null || s === undefined ? "–"
  : `${s < 10 ? s.toFixed(1) : Math.round(s)} s`);

function figure(label, value, id) {
  return el("div", { class: "class-figure" },
    el("span", { class: "class-number", id, text: value }),
    el("span", { class: "class-label", text: label }));
}

function render(root, c) {
  const q = c.comparisons;
  const tasks = el("table", { class: "class-tasks" },
    el("caption", { text: "Tasks done" }),
    el("thead", {}, el("tr", {}, ...["Task", "Section", "Learners done"].map((h) =>
      el("th", { scope: "col", text: h })))),
    el("tbody", {}, ...c.tasks.map((t) => el("tr", { "data-task": t.id },
      el("th", { scope: "row", text: t.title }), el("td", { text: t.place }),
      el("td", { class: "num-cell", text: String(t.done) })))));
  root.replaceChildren(
    el("div", { class: "class-figures" },
      figure("learners connected now", String(c.learners), "class-learners"),
      figure("comparisons training", `${q.running} of ${q.cores}`, "class-running"),
      figure("comparisons waiting", String(q.waiting), "class-waiting"),
      figure("wait, median", secs(q.wait.p50), "class-p50"),
      figure("wait, 95th percentile", secs(q.wait.p95), "class-p95")),
    el("p", { class: "muted", text: q.wait.count
      ? `Waits of the last ${plural(q.wait.count, "comparison")}; at most ${q.queue} may wait.`
      : "No comparison has been trained yet." }),
    tasks);
}

async function main() {
  const root = document.querySelector(".class-view");
  let n = 0;
  const tick = async () => {
    try {
      render(root, await getJSON("/api/class"));
      root.dataset.state = "ready";
      root.dataset.refreshed = String(++n);
    } catch (err) {
      root.dataset.state = "error";
      root.replaceChildren(el("p", { class: "error", text: err.message }));
    }
  };
  await tick();
  setInterval(tick, REFRESH);
  document.body.dataset.ready = "true";
}

main();
