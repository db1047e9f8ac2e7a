// Section 2: images are arrays of numbers. Python builds the pictures and shrinks the
// astronaut; this module paints what it sends and reads numbers back under the pointer.
import { getJSON, latest, postJSON } from "../lib/api.js";
import { control } from "../lib/controls.js";
import { bytes, el, touchFirst } from "../lib/dom.js";
import { observe } from "../lib/tasks.js";

const CHANNELS = ["red", "green", "blue"];
const TITLES = { red: "Red", green: "Green", blue: "Blue", combined: "Combined" };

// What the learner typed, as a number: "0,5" (a decimal comma) is 0.5; "" is nothing; any
// other text is sent as typed so the server can name the cell and what it got.
export function readCell(text) {
  const t = text.trim().replace(/^(-?\d*),(\d+)$/, "$1.$2");
  if (t === "") return null;
  const n = Number(t);
  return /^-?(\d+\.?\d*|\.\d+)$/.test(t) && Number.isFinite(n) ? n : text.trim();
}

const fmt = (v) => String(Math.round(v * 1000) / 1000);

function matrixEditor(param, value, onChange, onFocus) {
  const inputs = [];
  const grid = el("div", { class: `matrix ${param.name}`, role: "group",
    "aria-label": `${param.label} values` });
  const step = param.step ?? 0.1;
  value.forEach((row, r) => row.forEach((v, c) => {
    // A text box, not type=number: a number box drops a decimal comma and hides bad text.
    const input = el("input", { type: "text", value: fmt(v), inputmode: "decimal",
      autocomplete: "off", spellcheck: "false",
      "aria-label": `${param.label} row ${r + 1} column ${c + 1}` });
    input.addEventListener("input", () => onChange());
    input.addEventListener("focus", () => onFocus(r, c));
    input.addEventListener("keydown", (e) => {
      const dir = { ArrowUp: 1, ArrowDown: -1 }[e.key];
      const now = readCell(input.value);
      if (!dir || typeof now !== "number") return;
      e.preventDefault();
      const next = Math.min(param.max, Math.max(param.min, Math.round((now + dir * step) * 1e6) / 1e6));
      input.value = fmt(next);
      onChange();
    });
    inputs.push(input);
    grid.append(input);
  }));
  const read = () => {
    const cells = inputs.map((i) => readCell(i.value));
    return [0, 1, 2].map((r) => cells.slice(r * 3, r * 3 + 3));
  };
  return { el: el("div", { class: "matrix-box" },
    el("div", { class: `matrix-title ${param.name}`, text: param.label }), grid),
  inputs, read };
}

// "(r, g, b) = (0.8, 0, 0)": what one pixel holds, in the 0 to 1 of the lesson.
const rgbText = (rgb) => `(r, g, b) = (${rgb.map(fmt).join(", ")})`;

function picture(name, onPoint) {
  const cells = Array.from({ length: 9 }, (_, i) => {
    const cell = el("div", { class: "px" });
    cell.addEventListener("pointerenter", () => onPoint(name, Math.floor(i / 3), i % 3));
    cell.addEventListener("pointerdown", () => onPoint(name, Math.floor(i / 3), i % 3));
    return cell;
  });
  const grid = el("div", { class: "picture", role: "img", "aria-label": `${TITLES[name]} picture` },
    ...cells);
  return {
    el: el("figure", { class: "pic" }, grid, el("figcaption", { text: TITLES[name] })),
    update(hex, rgb) {
      hex.flat().forEach((h, i) => {
        const [r, c] = [Math.floor(i / 3), i % 3];
        cells[i].style.background = h;
        cells[i].title = `Row ${r + 1}, column ${c + 1}: ${rgbText(rgb[r][c])}`;
      });
    },
    mark(r, c) { cells.forEach((x, i) => x.classList.toggle("marked", i === r * 3 + c)); },
  };
}

function tiny(root, params, state) {
  const editors = {};
  const error = el("div", { class: "error", role: "alert", hidden: "" });
  const readout = el("p", { class: "px-readout", "aria-live": "polite",
    text: "Point at a pixel of a picture, or click a number, to read its colour." });
  const ask = latest();
  let drawn = 0;
  let values = null; // the last drawn matrices, channel by channel
  const pics = {};

  // Show one pixel's three numbers (0 to 1) under the pictures and mark it in each.
  function point(name, r, c) {
    if (!values) return;
    const rgb = CHANNELS.map((ch, k) => (name === "combined" || name === ch ? values[k][r][c] : 0));
    readout.textContent = `${TITLES[name]}, row ${r + 1}, column ${c + 1}: ${rgbText(rgb)}`;
    for (const pic of Object.values(pics)) pic.mark(r, c);
  }
  for (const n of ["red", "green", "blue", "combined"]) pics[n] = picture(n, point);

  async function refresh() {
    const body = {};
    for (const ch of CHANNELS) body[ch] = editors[ch].read();
    let r;
    try {
      r = await ask((signal) => postJSON("/api/pixels/compose", body, { signal }));
    } catch (err) {
      for (const ch of CHANNELS) {
        editors[ch].inputs.forEach((i) => i.removeAttribute("aria-invalid"));
      }
      const problems = Array.isArray(err.detail) ? err.detail : [];
      for (const d of problems) {
        const [row, col] = d.index || [];
        if (editors[d.param] && col !== undefined) {
          editors[d.param].inputs[row * 3 + col].setAttribute("aria-invalid", "true");
        }
      }
      error.hidden = false;
      const lines = problems.length ? problems.map((d) => d.message) : [err.message];
      error.replaceChildren(...lines.map((m) => el("p", { text: `${m}.` })));
      return;
    }
    if (!r) return;
    error.hidden = true;
    values = CHANNELS.map((ch) => body[ch]);
    for (const ch of CHANNELS) {
      editors[ch].inputs.forEach((i) => i.removeAttribute("aria-invalid"));
      state.set(ch, body[ch]);
    }
    observe("pixels", { red: body.red, green: body.green, blue: body.blue });
    for (const name of Object.keys(pics)) {
      const rgb = body.red.map((row, i) => row.map((_, j) => CHANNELS.map((ch, k) =>
        (name === "combined" || name === ch ? values[k][i][j] : 0))));
      pics[name].update(r[name], rgb);
    }
    root.dataset.drawn = String(++drawn);
  }

  for (const ch of CHANNELS) {
    const p = params.find((q) => q.name === ch);
    editors[ch] = matrixEditor(p, state.get(ch), refresh, (r, c) => point(ch, r, c));
  }
  const part = el("div", { class: "tiny" },
    el("h3", { text: "Build a 3x3 picture" }),
    el("p", { text: "Each pixel mixes red, green and blue light, each from 0 (none) to 1 " +
      "(full). (1, 0, 0) is pure red, (0, 1, 0) pure green, (0.5, 0.5, 0.5) grey. Change " +
      "the numbers and watch the pictures follow." }),
    el("div", { class: "tiny-row" },
      el("div", { class: "matrices" }, ...CHANNELS.map((ch) => editors[ch].el)),
      el("div", { class: "pictures-box" },
        el("div", { class: "pictures" }, ...Object.values(pics).map((p) => p.el)), readout)),
    error,
    el("p", { class: "muted", text: "Stacked together the three matrices make an array of " +
      "shape (3, 3, 3): height, width, and the three colour values of each pixel." }));
  return { part, refresh };
}

function astronaut(root, params, state) {
  const resParam = params.find((p) => p.name === "resolution");
  const shape = el("output", { class: "shape" });
  const hover = el("p", { class: "hover", "aria-live": "polite",
    text: touchFirst() ? "Tap a pixel to read its numbers."
      : "Point at a pixel (or focus the picture and use the arrow keys) to read its numbers." });
  const names = ["small", "red", "green", "blue"];
  const caption = { small: "Low resolution", red: "Red channel", green: "Green channel",
    blue: "Blue channel" };
  const canvases = {};
  const cursors = {};
  const figs = names.map((n) => {
    canvases[n] = el("canvas", { width: 64, height: 64, class: "pixelated",
      tabindex: n === "small" ? "0" : "-1",
      "aria-label": `${caption[n]} of the astronaut; arrow keys move the pixel readout` });
    cursors[n] = el("div", { class: "cursor", hidden: "" });
    return el("figure", { class: "astro" }, el("div", { class: "frame" }, canvases[n], cursors[n]),
      el("figcaption", { text: caption[n] }));
  });
  const original = el("img", { src: "/api/pixels/astronaut.jpg", alt: "The astronaut, full size",
    width: 512, height: 512 });
  let data = null;
  let side = 0;
  let cursor = null;
  const ask = latest();
  let prevSide = 0;

  function paint() {
    for (const n of names) {
      const cv = canvases[n];
      cv.width = side;
      cv.height = side;
      const img = new ImageData(side, side);
      const ch = CHANNELS.indexOf(n);
      for (let i = 0, j = 0; i < data.length; i += 3, j += 4) {
        img.data[j] = ch < 0 || ch === 0 ? data[i] : 0;
        img.data[j + 1] = ch < 0 || ch === 1 ? data[i + 1] : 0;
        img.data[j + 2] = ch < 0 || ch === 2 ? data[i + 2] : 0;
        img.data[j + 3] = 255;
      }
      cv.getContext("2d").putImageData(img, 0, 0);
    }
  }

  function show(row, col) {
    if (!data) return;
    cursor = [Math.max(0, Math.min(side - 1, row)), Math.max(0, Math.min(side - 1, col))];
    part.dataset.read = "1";
    const [r0, c0] = cursor;
    const k = (r0 * side + c0) * 3;
    hover.textContent = `Pixel at row ${r0}, column ${c0}: (r, g, b) = ` +
      `(${data[k]}, ${data[k + 1]}, ${data[k + 2]}), out of 255.`;
    for (const n of names) {
      const c = cursors[n];
      c.hidden = false;
      Object.assign(c.style, { left: `${(100 * c0) / side}%`, top: `${(100 * r0) / side}%`,
        width: `${100 / side}%`, height: `${100 / side}%` });
    }
  }

  // A mouse reads as it moves; a finger reads where it taps (a touch has no hover).
  for (const n of names) {
    const at = (e) => {
      const box = canvases[n].getBoundingClientRect();
      show(Math.floor(((e.clientY - box.top) / box.height) * side),
        Math.floor(((e.clientX - box.left) / box.width) * side));
    };
    canvases[n].addEventListener("pointermove", at);
    canvases[n].addEventListener("pointerdown", at);
    canvases[n].addEventListener("click", at);
  }
  canvases.small.addEventListener("keydown", (e) => {
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (!moves[e.key]) return;
    e.preventDefault();
    const [r0, c0] = cursor || [Math.floor(side / 2), Math.floor(side / 2)];
    show(r0 + moves[e.key][0], c0 + moves[e.key][1]);
  });

  async function load(resolution) {
    let r;
    try {
      r = await ask((signal) => getJSON("/api/pixels/astronaut", { resolution }, { signal }));
    } catch (err) {
      hover.textContent = `The picture could not load: ${err.message}`;
      return;
    }
    if (!r) return;
    data = bytes(r.data);
    side = r.shape[0];
    shape.textContent = `(${r.shape.join(", ")})`;
    paint();
    if (cursor && prevSide) {
      show(Math.floor((cursor[0] * side) / prevSide), Math.floor((cursor[1] * side) / prevSide));
    }
    prevSide = side;
    root.dataset.astronaut = String(side);
  }
  const res = control(resParam, state.get("resolution"),
    (v) => { state.set("resolution", v); load(v); });

  const part = el("div", { class: "astronaut" },
    el("h3", { text: "A real photo is the same, only bigger" }),
    el("p", { text: "This astronaut photo is 512 x 512 pixels. Shrink it and look at the " +
      "numbers: every picture a model sees is an array of shape (height, width, 3)." }),
    el("div", { class: "controls" }, res.el,
      el("p", { class: "shape-line" }, el("span", { text: "Array shape: " }), shape)),
    el("div", { class: "astro-row" },
      el("figure", { class: "astro" }, el("div", { class: "frame" }, original),
        el("figcaption", { text: "Original (512 x 512)" })), ...figs),
    hover);
  return { part, load: () => load(state.get("resolution")) };
}

export async function mount(root, { params, state }) {
  const a = tiny(root, params, state);
  const b = astronaut(root, params, state);
  root.append(a.part, b.part);
  await Promise.all([a.refresh(), b.load()]);
}
