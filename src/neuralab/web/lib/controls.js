// Labelled controls built from the parameter table: the label is the accessible name.

let counter = 0;
const uid = (name) => `ctl-${name}-${++counter}`;

// A control's help: read by screen readers with the control, and shown (CSS) when the
// keyboard focuses it, a finger touches it or the mouse rests on it, where a `title` would
// only ever appear to a mouse.
function helpText(id, text, input) {
  const help = document.createElement("span");
  help.className = "help";
  help.id = `${id}-help`;
  help.setAttribute("role", "tooltip");
  help.textContent = text;
  input.setAttribute("aria-describedby", help.id);
  // A finger has no hover: a touch shows the help until the control loses the focus (which a
  // touch does not give by itself).
  input.addEventListener("pointerdown", (e) => {
    if (e.pointerType === "mouse") return;
    input.focus({ preventScroll: true });
    input.parentElement.classList.add("show-help");
  });
  input.addEventListener("blur", () => input.parentElement.classList.remove("show-help"));
  return help;
}

function decimals(step) {
  const s = String(step ?? 1);
  return s.includes(".") ? s.split(".")[1].length : 0;
}

// A range slider with its value shown beside it. `onInput(value)` fires on every change.
export function slider(param, value, onInput, { onChange } = {}) {
  const id = uid(param.name);
  const wrap = document.createElement("div");
  wrap.className = "control slider";
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = param.label;
  const input = document.createElement("input");
  Object.assign(input, { type: "range", id, min: param.min, max: param.max,
    step: param.step ?? 1, value });
  input.name = param.name;
  const out = document.createElement("output");
  out.htmlFor = id;
  const fmt = (v) => Number(v).toFixed(decimals(param.step));
  out.textContent = fmt(value);
  const read = () => (param.type === "int" ? parseInt(input.value, 10) : parseFloat(input.value));
  input.addEventListener("input", () => { out.textContent = fmt(input.value); onInput(read()); });
  if (onChange) input.addEventListener("change", () => onChange(read()));
  wrap.append(label, input, out);
  if (param.help) wrap.append(helpText(id, param.help, input));
  return { el: wrap, input, set(v) { input.value = v; out.textContent = fmt(v); } };
}

export function select(param, value, onChange) {
  const id = uid(param.name);
  const wrap = document.createElement("div");
  wrap.className = "control select";
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = param.label;
  const sel = document.createElement("select");
  sel.id = id;
  sel.name = param.name;
  for (const c of param.choices) sel.append(new Option(c, c, false, c === value));
  sel.addEventListener("change", () => onChange(sel.value));
  wrap.append(label, sel);
  return { el: wrap, input: sel, set(v) { sel.value = v; } };
}

export function checkbox(param, value, onChange) {
  const id = uid(param.name);
  const wrap = document.createElement("div");
  wrap.className = "control checkbox";
  const input = document.createElement("input");
  Object.assign(input, { type: "checkbox", id, checked: !!value });
  input.name = param.name;
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = param.label;
  input.addEventListener("change", () => onChange(input.checked));
  wrap.append(input, label);
  return { el: wrap, input, set(v) { input.checked = !!v; } };
}

// Build the control that fits the parameter's type.
export function control(param, value, onInput, opts) {
  if (param.choices) return select(param, value, onInput);
  if (param.type === "bool") return checkbox(param, value, onInput);
  return slider(param, value, onInput, opts);
}
