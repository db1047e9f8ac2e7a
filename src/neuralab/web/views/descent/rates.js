// The learning-rate curve: steps to the minimum against the rate, on a log axis.
import { lineSeries, niceStep, tickText } from "../../lib/chart.js";
import { svg } from "../../lib/dom.js";
import { OPTIMIZERS } from "./common.js";

// Steps to reach the minimum against the learning rate (log axis), one series per optimizer;
// rates that diverge sit on the top row, those that never get there on the row below it.
export function rateChart(W, H) {
  const P = { l: 78, r: 16, t: 56, b: 46 };
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "rate-svg", role: "img",
    "aria-label": "Steps needed to reach the minimum at each learning rate, on a log scale" });
  const axes = svg("g", { class: "axes" });
  const bands = svg("g", { class: "bands" });
  const series = OPTIMIZERS.map((o) => {
    const s = lineSeries(`series ${o.name}`);
    s.root.setAttribute("stroke", o.colour);
    s.root.setAttribute("fill", o.colour);
    return s;
  });
  const extremes = svg("g", { class: "extremes" });
  const now = svg("line", { class: "now" });
  // The y axis's name, over the curves and the rate's line (which may cross it), with a halo.
  const title = svg("text", { class: "axis-name over" }, "steps to the minimum");
  const overlay = svg("g", { class: "axes" });
  overlay.append(title);
  root.append(axes, bands, ...series.map((s) => s.root), extremes, now, overlay);
  const lx = (r) => Math.log10(r);
  let sx = (r) => r;
  return {
    root,
    set(data, enabled) {
      const rates = data.curves.gd.map((e) => e.rate);
      const lo = lx(rates[0]);
      const hi = lx(rates[rates.length - 1]);
      const top = data.max_steps;
      sx = (r) => P.l + ((lx(r) - lo) / (hi - lo)) * (W - P.l - P.r);
      const rowDiv = P.t - 38;  // the two rows clear of the top tick
      const rowNot = P.t - 20;
      const sy = (s) => H - P.b - (s / top) * (H - P.t - P.b);
      axes.replaceChildren(svg("line", { x1: P.l, x2: W - P.r, y1: H - P.b, y2: H - P.b }),
        svg("line", { x1: P.l, x2: P.l, y1: P.t, y2: H - P.b }));
      for (let e = Math.ceil(lo); e <= hi; e += 1) {
        const r = 10 ** e;
        axes.append(svg("line", { x1: sx(r), x2: sx(r), y1: H - P.b, y2: H - P.b + 5 }),
          svg("text", { x: sx(r), y: H - P.b + 23, "text-anchor": "middle" }, tickText(r)));
      }
      const st = niceStep(top, 5);
      for (let s = 0; s <= top; s += st) {
        axes.append(svg("text", { x: P.l - 8, y: sy(s) + 5, "text-anchor": "end" }, String(s)));
      }
      axes.append(svg("text", { x: W - P.r, y: H - 4, "text-anchor": "end", class: "axis-name" },
        "learning rate (log scale)"), svg("text", { x: P.l - 8, y: rowDiv + 5,
        "text-anchor": "end", class: "row-name" }, "diverges"),
      svg("text", { x: P.l - 8, y: rowNot + 5, "text-anchor": "end", class: "row-name" },
        `> ${top}`));
      title.setAttribute("x", P.l + 6);
      title.setAttribute("y", P.t + 14);
      const marks = [];
      OPTIMIZERS.forEach((o, i) => {
        const on = enabled[o.name];
        series[i].root.style.display = on ? "" : "none";
        series[i].scale(sx, sy, 3.5);
        const pts = data.curves[o.name].map((e) => ({ x: e.rate, y: e.outcome === "reached"
          ? e.steps : NaN, tip: `${o.label}, rate ${e.rate}: ${e.outcome === "reached"
          ? `${e.steps} steps` : e.outcome}` }));
        series[i].set(pts);
        if (!on) return;
        for (const e of data.curves[o.name]) {
          if (e.outcome === "reached") continue;
          const y = (e.outcome === "diverged" ? rowDiv : rowNot) + (i - 1) * 4;
          const m = svg("text", { x: sx(e.rate), y: y + 5, "text-anchor": "middle",
            fill: o.colour, class: e.outcome === "diverged" ? "div" : "slow" },
          e.outcome === "diverged" ? "×" : "·");
          m.append(svg("title", {}, `${o.label}, rate ${e.rate}: ${e.outcome}`));
          marks.push(m);
        }
      });
      extremes.replaceChildren(...marks);
      now.setAttribute("y1", rowDiv - 10);
      now.setAttribute("y2", H - P.b);
    },
    setRate(rate) {
      now.setAttribute("x1", sx(rate));
      now.setAttribute("x2", sx(rate));
    },
  };
}
