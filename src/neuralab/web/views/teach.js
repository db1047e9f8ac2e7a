// "For teachers": build a link for the class. Pick the sections it shows, a task, the
// controls it hides, whether it keeps this page's settings; copy the URL. Opened from the
// header's button (main.js), as a modal dialog, so a learner never meets it by accident.
import { getJSON } from "../lib/api.js";
import { buildLink, copyText, hideables } from "../lib/classroom.js";
import { el } from "../lib/dom.js";

let dialog = null;

function checkbox(id, label, checked, onChange) {
  const box = el("input", { type: "checkbox", id });
  box.checked = checked;
  box.addEventListener("change", () => onChange(box.checked));
  return el("div", { class: "control checkbox" }, box, el("label", { for: id, text: label }));
}

export async function open(opener) {
  if (dialog) {
    dialog.showModal();
    return;
  }
  const sections = [...document.querySelectorAll("section[data-view]")];
  const title = (s) => document.querySelector(`nav a[href="#${s.id}"]`)?.textContent.trim()
    || s.querySelector("h2")?.textContent.trim() || s.id;
  const tasks = await getJSON("/api/tasks").catch(() => []);
  const choice = { sections: [], views: [], hide: {}, task: "", keep: true, embed: false };
  const shown = new Set(sections.filter((s) => !s.hidden).map((s) => s.id));

  const link = el("input", { type: "text", readonly: "", class: "teach-link",
    "aria-label": "Link for the class" });
  const copied = el("p", { class: "muted teach-copied", role: "status" });
  const opened = el("a", { class: "teach-try", target: "_blank", rel: "noopener",
    text: "Open the link in a new tab" });
  const hideBox = el("div", { class: "teach-hide" });

  const update = () => {
    choice.sections = sections.filter((s) => shown.has(s.id)).map((s) => s.id);
    choice.views = [...new Set(sections.filter((s) => shown.has(s.id))
      .map((s) => s.dataset.view))];
    link.value = buildLink(choice);
    opened.href = link.value;
    copied.textContent = "";
  };

  const renderHide = () => {
    hideBox.replaceChildren(...choice.views.map((view) => {
      const items = hideables(view);
      const chosen = new Set(choice.hide[view] || []);
      const name = sections.filter((s) => s.dataset.view === view && shown.has(s.id))
        .map(title).join(", ");
      return el("fieldset", { class: "teach-group" }, el("legend", { text: name }),
        items.length ? el("div", { class: "teach-hide-list" }, ...items.map(([key, label]) =>
          checkbox(`teach-hide-${view}-${key}`, `Hide ${label}`, chosen.has(key), (on) => {
            if (on) chosen.add(key);
            else chosen.delete(key);
            choice.hide[view] = [...chosen];
            update();
          })))
          : el("p", { class: "muted", text: sections.some((s) => s.dataset.view === view
            && s.hidden) ? "Open the whole lab to choose this section's controls."
            : "This section has no controls to hide." }));
    }));
  };

  const sectionBoxes = sections.map((s) => checkbox(`teach-section-${s.id}`, title(s),
    shown.has(s.id), (on) => {
      if (on) shown.add(s.id);
      else shown.delete(s.id);
      update();
      renderHide();
    }));
  const taskSelect = el("select", { id: "teach-task" },
    new Option("No task", ""), ...tasks.map((t) => new Option(t.title, t.id)));
  taskSelect.addEventListener("change", () => {
    choice.task = taskSelect.value;
    const task = tasks.find((t) => t.id === choice.task);
    choice.preset = task ? { view: task.section, values: task.preset } : null;
    if (task) {
      for (const s of sections) {
        if (s.dataset.view !== task.section || shown.has(s.id) || s.dataset.part) continue;
        shown.add(s.id);
        sectionBoxes[sections.indexOf(s)].querySelector("input").checked = true;
      }
    }
    update();
    renderHide();
  });
  const copy = el("button", { type: "button", class: "primary", text: "Copy the link",
    onclick: async () => {
      update();
      copied.textContent = await copyText(link) ? "Copied." : "Selected: press Ctrl+C to copy.";
    } });
  const close = el("button", { type: "button", text: "Close", onclick: () => dialog.close() });

  dialog = el("dialog", { class: "teach", "aria-labelledby": "teach-title" },
    el("div", { class: "teach-head" },
      el("h2", { id: "teach-title", text: "A link for your class" }), close),
    el("p", { class: "muted", text: "The link opens the lab with the sections, settings and " +
      "task you choose here; the controls you tick stay hidden, everything else shows." }),
    el("fieldset", { class: "teach-group" }, el("legend", { text: "Sections shown" }),
      el("div", { class: "teach-hide-list" }, ...sectionBoxes)),
    el("div", { class: "control select" }, el("label", { for: "teach-task", text: "Task" }),
      taskSelect),
    checkbox("teach-keep", "Keep this page's current settings", true, (on) => {
      choice.keep = on;
      update();
    }),
    checkbox("teach-embed", "Without the header and footer", false, (on) => {
      choice.embed = on;
      update();
    }),
    el("h3", { text: "Controls to hide" }), hideBox,
    el("div", { class: "teach-out" }, link, copy), copied,
    el("p", {}, opened, " · ", el("a", { href: "/class", target: "_blank", rel: "noopener",
      text: "Open the class view" })));
  dialog.addEventListener("close", () => opener?.focus());
  document.body.append(dialog);
  update();
  renderHide();
  dialog.showModal();
}
