// "Draw a digit": a canvas for mouse, touch and pen, the 28x28 input the models see, and
// the three models' predictions, updated while drawing. At most two requests are in flight
// (so the end of a stroke need not wait for a whole earlier round trip); when one comes back
// and the drawing has changed since the last one sent, the next goes at once. Updates are
// thus throttled to the round-trip time, and an answer older than the one shown is dropped.
import { el } from "../../lib/dom.js";
import { INSIDE_ORDER, MODEL } from "../../lib/models.js";
import { paintInk, pct, SIDE } from "./images.js";
import { encodeGreyPNG } from "./png.js";

const SIZE = 280; // the canvas's own pixels
const SENT = 112; // the drawing is sent as a 112x112 PNG (4 x 28)
const PEN = 20;
const MAX_IN_FLIGHT = 2;
const MODELS = INSIDE_ORDER.map((key) => MODEL[key]);

export function drawPanel({ predictPNG, randomDigit, onPrediction }) {
  const canvas = el("canvas", { width: SIZE, height: SIZE, class: "draw-canvas",
    role: "img", "aria-label": "Draw a digit", tabindex: "0" });
  const ctx = canvas.getContext("2d", { willReadFrequently: false });
  const small = el("canvas", { width: SENT, height: SENT });
  const smallCtx = small.getContext("2d", { willReadFrequently: true });
  const input = el("canvas", { width: SIDE, height: SIDE, class: "draw-input", role: "img",
    "aria-label": "The 28x28 input the models see" });
  const clear = el("button", { type: "button", text: "Clear" });
  const random = el("button", { type: "button", text: "Random validation digit" });
  const note = el("p", { class: "draw-note", role: "status", "aria-live": "polite",
    text: "Draw a digit from 0 to 9 with the mouse, a finger or a pen." });
  const cards = {};
  const cardRow = el("div", { class: "pred-cards" }, ...MODELS.map((m) => {
    const digit = el("span", { class: "pred-digit", text: "–" });
    const sub = el("span", { class: "pred-sub", text: "" });
    cards[m.key] = { digit, sub };
    return el("div", { class: `pred-card pred-${m.key}`, "data-model": m.key },
      el("span", { class: "pred-name", text: m.name }), digit, sub);
  }));
  const bars = [];
  const barList = el("ol", { class: "prob-bars", start: "0",
    "aria-label": "The MLP's probability for each digit" }, ...Array.from({ length: 10 },
    (_, d) => {
      const fill = el("span", { class: "prob-fill" });
      const value = el("span", { class: "prob-value", text: "" });
      bars.push({ fill, value });
      return el("li", { class: "prob", "data-digit": String(d) },
        el("span", { class: "prob-digit", text: String(d) }),
        el("span", { class: "prob-track" }, fill), value);
    }));

  const root = el("div", { class: "draw", "data-seq": "0", "data-shown": "0" },
    el("div", { class: "draw-pad" }, canvas,
      el("div", { class: "draw-buttons" }, clear, random)),
    el("div", { class: "draw-seen" },
      el("span", { class: "draw-label", text: "What the models see" }), input,
      el("span", { class: "draw-label muted", text: "28 × 28, fitted in 20 × 20 and centred " +
        "by mass, as MNIST was made" })),
    el("div", { class: "draw-out" }, note, cardRow,
      el("h4", { text: "MLP: probability of each digit" }), barList));

  let seq = 0; // version of the drawing
  let sent = 0; // the version last sent
  let shownSeq = 0; // the version whose answer is on screen
  let inFlight = 0;
  let blank = true;
  let last = null; // last pointer position

  function paper() {
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, SIZE, SIZE);
  }
  paper();

  function show(pred, version, text) {
    if (version !== undefined) {
      shownSeq = version;
      root.dataset.shown = String(version);
    }
    if (!pred) {
      for (const m of MODELS) {
        cards[m.key].digit.textContent = "–";
        cards[m.key].sub.textContent = "";
      }
      for (const b of bars) {
        b.fill.style.width = "0";
        b.value.textContent = "";
      }
      paintInk(input, new Float32Array(SIDE * SIDE));
      onPrediction(null);
      return;
    }
    for (const m of MODELS) {
      const p = pred[m.key];
      cards[m.key].digit.textContent = String(p.digit);
      cards[m.key].sub.textContent = m.key === "decision_tree"
        ? `${p.counts[p.digit]} of ${p.counts.reduce((a, b) => a + b, 0)} in its leaf`
        : pct(p.probabilities[p.digit]);
    }
    const probs = pred.mlp.probabilities;
    const top = probs.indexOf(Math.max(...probs));
    probs.forEach((p, d) => {
      bars[d].fill.style.width = `${(100 * p).toFixed(1)}%`;
      bars[d].value.textContent = pct(p);
      bars[d].fill.parentElement.parentElement.classList.toggle("top", d === top);
    });
    paintInk(input, pred.input.flat());
    if (text) note.textContent = text;
    onPrediction(pred);
  }

  async function send() {
    if (inFlight >= MAX_IN_FLIGHT || blank || sent === seq) return;
    inFlight += 1;
    const version = seq;
    sent = version;
    try {
      smallCtx.drawImage(canvas, 0, 0, SENT, SENT);
      const rgba = smallCtx.getImageData(0, 0, SENT, SENT).data;
      const grey = new Uint8Array(SENT * SENT);
      for (let i = 0; i < grey.length; i += 1) grey[i] = rgba[4 * i];
      const pred = await predictPNG(encodeGreyPNG(grey, SENT, SENT));
      if (pred && version > shownSeq && !blank) show(pred, version);
    } catch (err) {
      note.textContent = err.message;
    } finally {
      inFlight -= 1;
      send();
    }
  }

  function changed() {
    seq += 1;
    blank = false;
    root.dataset.seq = String(seq);
    send();
  }

  const at = (e) => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) * SIZE) / r.width, ((e.clientY - r.top) * SIZE) / r.height];
  };
  function stroke(points) {
    ctx.strokeStyle = "#111";
    ctx.lineWidth = PEN;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(...last);
    for (const p of points) ctx.lineTo(...p);
    ctx.stroke();
    last = points[points.length - 1];
  }
  canvas.addEventListener("pointerdown", (e) => {
    if (e.button > 0) return;
    e.preventDefault();
    try {
      canvas.setPointerCapture(e.pointerId);
    } catch {
      // a synthetic or vanished pointer: drawing still works without capture
    }
    last = at(e);
    stroke([[last[0] + 0.01, last[1]]]);
    if (root.dataset.source === "validation") note.textContent = "Your strokes are added to it.";
    root.dataset.source = "drawing";
    changed();
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!last) return;
    const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [e];
    stroke((events.length ? events : [e]).map(at));
    changed();
  });
  const end = () => { last = null; };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);

  function reset(text = "Draw a digit from 0 to 9 with the mouse, a finger or a pen.") {
    paper();
    seq += 1;
    blank = true;
    root.dataset.seq = String(seq);
    root.dataset.source = "";
    note.textContent = text;
    show(null, seq);
  }
  clear.addEventListener("click", () => reset());
  canvas.addEventListener("keydown", (e) => {
    if (e.key === "Delete" || e.key === "Backspace") reset();
  });

  // A validation digit, painted large and smooth so the learner can add strokes to it.
  let shownIndex = null;
  function showDigit(d) {
    shownIndex = d.index;
    const tile = el("canvas", { width: SIDE, height: SIDE });
    paintInk(tile, d.ink, 0, 255);
    paper();
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(tile, 28, 28, SIZE - 56, SIZE - 56);
    seq += 1;
    sent = seq; // its answer comes with it: nothing to send
    blank = false;
    root.dataset.seq = String(seq);
    root.dataset.source = "validation";
    show(d.predictions, seq, `Validation digit #${d.index}, labelled ${d.label}. ` +
      "Draw on it to change it.");
  }

  random.addEventListener("click", async () => {
    random.disabled = true;
    try {
      const d = await randomDigit();
      if (d) showDigit(d);
    } catch (err) {
      note.textContent = err.message;
    } finally {
      random.disabled = false;
    }
  });

  // Ask the (possibly new) models about what is on the pad.
  async function refresh() {
    if (blank) return show(null, seq);
    if (root.dataset.source === "validation" && shownIndex !== null) {
      const version = seq;
      const d = await randomDigit(shownIndex);
      if (version === seq) show(d.predictions, seq);
      return undefined;
    }
    return changed();
  }

  return { el: root, reset, showDigit, refresh };
}
