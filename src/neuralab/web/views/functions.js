// Section 1: machine learning is learning functions. The learner writes a function header;
// the server reads it with Python's ast (never runs it) and this module shows the feedback.
import { getJSON, latest, postJSON } from "../lib/api.js";
import { el, touchFirst } from "../lib/dom.js";

const ICON = { ok: "✓", hint: "•", problem: "✗" };

function card(system, extra = []) {
  return el("article", { class: `fn-card ${system.worked ? "worked" : "exercise"}` },
    el("h3", { text: system.title }),
    el("p", { text: system.story }),
    ...extra);
}

function exercise(system, param, state) {
  const id = `fn-code-${system.key}`;
  const box = el("textarea", { id, class: "code", rows: "5", spellcheck: "false",
    autocapitalize: "off", autocomplete: "off", maxlength: String(param.max_length),
    placeholder: "def name(input_name: type) -> type:" });
  box.value = state.get(system.key) || "";
  const label = el("label", { for: id, class: "fn-label", text: param.label });
  const check = el("button", { type: "button", class: "primary", text: "Check my header" });
  const feedback = el("ul", { class: "feedback", "aria-live": "polite" });
  const summary = el("p", { class: "fn-summary", role: "status" });
  const reveal = el("details", { class: "solution" },
    el("summary", { text: "Show a possible solution (try first!)" }),
    el("pre", {}, el("code", { text: system.solution })),
    el("p", { class: "muted", text: `It takes ${system.takes}, and gives ${system.gives}. ` +
      "Other names are fine; the types are what matter." }));
  const ask = latest();
  let timer = null;

  async function run() {
    let r;
    try {
      r = await ask((signal) => postJSON("/api/functions/check",
        { exercise: system.key, code: box.value }, { signal }));
    } catch (err) {
      summary.className = "fn-summary bad";
      summary.textContent = err.message;
      feedback.replaceChildren();
      return;
    }
    if (!r) return;
    feedback.replaceChildren(...r.notes.map((n) => el("li", { class: n.level },
      el("span", { class: "icon", "aria-hidden": "true", text: ICON[n.level] || "•" }),
      el("span", { text: n.text }))));
    if (r.matches) {
      summary.className = "fn-summary ok";
      summary.textContent = "Well done: this header fits the system.";
    } else if (!r.valid_python && r.error_line) {
      summary.className = "fn-summary bad";
      summary.textContent = `Python cannot read line ${r.error_line} yet.`;
    } else {
      summary.className = "fn-summary";
      summary.textContent = r.is_function ? "Almost: see the notes below." : "";
    }
  }

  box.addEventListener("input", () => {
    state.set(system.key, box.value);
    clearTimeout(timer);
    timer = setTimeout(run, 350);
  });
  box.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
  });
  check.addEventListener("click", run);
  const prompt = el("p", { class: "io" },
    el("strong", { text: "Think first: " }),
    el("span", { text: "what does the system need to look at, and what should it answer?" }));
  return {
    el: card(system, [prompt, label, box,
      el("div", { class: "fn-actions" }, check,
        ...(touchFirst() ? [] : [el("span", { class: "muted small", text: "or Ctrl+Enter" })])),
      summary, feedback, reveal]),
    start: () => (box.value.trim() ? run() : null),
  };
}

export async function mount(root, { params, state }) {
  const systems = await getJSON("/api/functions/systems");
  const byName = Object.fromEntries(params.map((p) => [p.name, p]));
  root.append(el("div", { class: "intro" },
    el("p", { text: "A music app that suggests your next song is a function: your listening " +
      "history goes in, a list of songs comes out. Machine learning builds such functions " +
      "from examples instead of writing their rules by hand. Before building one, name what " +
      "goes in and what comes out, as a Python function header." })));

  const worked = systems.find((s) => s.worked);
  const workedCard = card(worked, [
    el("p", { class: "io" }, el("strong", { text: "In: " }), el("span", { text: worked.takes }),
      el("strong", { text: " · Out: " }), el("span", { text: worked.gives })),
    el("pre", {}, el("code", { text: worked.solution })),
    el("p", { class: "muted", text: "The header names the input and its type (str: text) " +
      "and the output's type after the arrow (float: a number). The body is not written " +
      "yet: that is the part the machine learns." })]);
  const exercises = systems.filter((s) => !s.worked).map((s) => exercise(s, byName[s.key], state));
  root.append(el("div", { class: "fn-grid" },
    el("div", { class: "fn-example" }, el("p", { class: "kicker", text: "Worked example" }),
      workedCard),
    ...exercises.map((x, i) => el("div", {},
      el("p", { class: "kicker", text: `Your turn ${i + 1}` }), x.el))));
  root.append(el("p", { class: "callout", text: "How can a picture go into a function? " +
    "A computer only works with numbers, so the picture becomes an array of numbers. The " +
    "next section shows how. Text becomes numbers too, which is how chatbots read it." }));
  await Promise.all(exercises.map((x) => x.start()));
}
