// Step / Play / Reset over the steps 0..last() of a path that is already computed: the
// descent views walk their paths with it. Play runs a timer that stops at the end (Pause
// while it runs); with reduced motion Play jumps straight to the end.

import { el, reducedMotion } from "./dom.js";

/**
 * @param {object} o
 * @param {string} o.label  the accessible name of the button group
 * @param {number} o.interval  milliseconds between two steps while playing
 * @param {() => number | null} o.last  the last step, or null while there is no path
 * @param {(step: number) => void} o.show  draws step `step`
 * @param {() => number} [o.stride]  steps per tick while playing (long paths go faster)
 */
export function player({ label, interval, last, show, stride = () => 1 }) {
  const stepBtn = el("button", { type: "button", text: "Step" });
  const playBtn = el("button", { type: "button", class: "primary", text: "Play",
    "aria-pressed": "false" });
  const resetBtn = el("button", { type: "button", text: "Reset" });
  const group = el("div", { class: "buttons", role: "group", "aria-label": label },
    stepBtn, playBtn, resetBtn);
  let step = 0;
  let timer = null;

  function stop() {
    clearInterval(timer);
    timer = null;
    playBtn.textContent = "Play";
    playBtn.setAttribute("aria-pressed", "false");
  }

  function go(to) {
    step = to;
    show(step);
  }

  stepBtn.addEventListener("click", () => {
    const end = last();
    if (end !== null && step < end) go(step + 1);
  });
  resetBtn.addEventListener("click", () => { stop(); go(0); });
  playBtn.addEventListener("click", () => {
    if (timer) { stop(); return; }
    const end = last();
    if (end === null) return;
    if (step >= end) step = 0;
    if (reducedMotion()) { go(end); return; }
    playBtn.textContent = "Pause";
    playBtn.setAttribute("aria-pressed", "true");
    timer = setInterval(() => {
      const now = last();
      if (now === null || step >= now) { stop(); return; }
      go(Math.min(now, step + stride()));
    }, interval);
  });

  return {
    group,
    stop,
    /** The step shown now. */
    get step() { return step; },
    /** Move to `to` without drawing (the caller draws, e.g. once new paths arrive). */
    set step(to) { step = to; },
    /** Enable Step only while there is a step after this one. */
    update() {
      const end = last();
      stepBtn.disabled = end === null || step >= end;
    },
  };
}
