// The 2-2-1 network: two inputs, two hidden neurons and one output neuron, every connection
// coloured by its weight's sign and every neuron showing its value for the chosen inputs.
import { svg } from "../../lib/dom.js";

export const HIDDEN_COLOURS = ["#ea580c", "#0f766e"];
const POS = { i1: [120, 36], i2: [260, 36], h1: [120, 150], h2: [260, 150], o: [190, 262] };
const EDGES = [["i1", "h1", "h1_w1"], ["i2", "h1", "h1_w2"], ["i1", "h2", "h2_w1"],
  ["i2", "h2", "h2_w2"], ["h1", "o", "out_w1"], ["h2", "o", "out_w2"]];

export function networkDrawing() {
  const root = svg("svg", { viewBox: "0 0 380 300", class: "network-svg", role: "img",
    "aria-label": "The 2-2-1 network: two inputs, two hidden neurons, one output neuron" });
  const title = svg("title", {}, "The network");
  const edges = {};
  const labels = {};
  const g = svg("g");
  for (const [a, b, name] of EDGES) {
    const [x1, y1] = POS[a];
    const [x2, y2] = POS[b];
    edges[name] = svg("line", { x1, y1, x2, y2, "stroke-width": 5, "stroke-linecap": "round" });
    const t = b === "o" ? 0.45 : a.slice(1) === b.slice(1) ? 0.3 : 0.18;
    labels[name] = svg("text", { x: x1 + (x2 - x1) * t + (x2 > x1 ? 8 : -8),
      y: y1 + (y2 - y1) * t, class: "net-w", "text-anchor": x2 > x1 ? "start" : "end" });
    g.append(edges[name]);
  }
  const nodes = {};
  for (const [name, [cx, cy]] of Object.entries(POS)) {
    const input = name.startsWith("i");
    const c = svg("circle", { cx, cy, r: input ? 20 : 27,
      class: input ? "net-input" : "net-body" });
    const v = svg("text", { x: cx, y: cy + 6, class: input ? "net-ival" : "net-act",
      "text-anchor": "middle" });
    nodes[name] = { c, v };
  }
  const caps = [svg("text", { x: 90, y: 41, class: "cap", "text-anchor": "end" }, "inputs"),
    svg("text", { x: 86, y: 140, class: "cap", "text-anchor": "end" }, "hidden 1"),
    svg("text", { x: 222, y: 258, class: "cap" }),
    svg("text", { x: 86, y: 162, class: "cap gate", "text-anchor": "end" }),
    svg("text", { x: 294, y: 162, class: "cap gate" }),
    svg("text", { x: 294, y: 140, class: "cap" }, "hidden 2"),
    svg("text", { x: 222, y: 278, class: "cap gate" })];
  root.append(title, g, ...Object.values(labels),
    ...Object.values(nodes).flatMap((n) => [n.c, n.v]), ...caps);
  nodes.h1.c.setAttribute("stroke", HIDDEN_COLOURS[0]);
  nodes.h2.c.setAttribute("stroke", HIDDEN_COLOURS[1]);

  return {
    root,
    // r: the server's answer with `network` (weights) and `current.hidden`; gates: what each
    // hidden neuron computes on the four pairs ("OR", "NAND", ... or "")
    update(r, gates) {
      for (const [, , name] of EDGES) {
        const w = r.network[name];
        const colour = w > 0 ? "var(--pos)" : w < 0 ? "var(--neg)" : "var(--line)";
        edges[name].setAttribute("stroke", colour);
        edges[name].setAttribute("stroke-opacity", w === 0 ? 1 : Math.min(1, 0.25 +
          Math.abs(w) / 4));
        edges[name].dataset.sign = w > 0 ? "positive" : w < 0 ? "negative" : "zero";
        labels[name].textContent = w.toFixed(1);
        labels[name].setAttribute("fill", w === 0 ? "var(--muted)" : colour);
      }
      const c = r.current;
      const paint = (node, value, on) => {
        const shade = Math.max(0, Math.min(1, value));
        const grey = Math.round(255 * (1 - shade));
        node.c.setAttribute("fill", `rgb(${grey},${grey},${grey})`);
        node.v.setAttribute("fill", shade > 0.5 ? "#fff" : "var(--ink)");
        node.v.textContent = value.toFixed(2);
        node.c.classList.toggle("on", on);
      };
      for (const [name, x] of [["i1", c.x1], ["i2", c.x2]]) {
        nodes[name].c.classList.toggle("on", x);
        nodes[name].v.classList.toggle("on", x);
        nodes[name].v.textContent = x ? "1" : "0";
      }
      paint(nodes.h1, c.hidden[0][1], c.hidden[0][0] > 0);
      paint(nodes.h2, c.hidden[1][1], c.hidden[1][0] > 0);
      paint(nodes.o, c.activation, c.actual);
      caps[1].textContent = `bias ${r.network.h1_bias.toFixed(1)}`;
      caps[5].textContent = `bias ${r.network.h2_bias.toFixed(1)}`;
      caps[3].textContent = gates[0] ? `= ${gates[0]}` : "";
      caps[4].textContent = gates[1] ? `= ${gates[1]}` : "";
      caps[2].textContent = `output, bias ${r.network.out_bias.toFixed(1)}`;
      caps[6].textContent = r.solved ? `= ${r.target}` : "";
      title.textContent = `Inputs ${+c.x1} and ${+c.x2}; hidden neurons ` +
        `${c.hidden[0][1].toFixed(2)} and ${c.hidden[1][1].toFixed(2)}; output ` +
        `${c.activation.toFixed(2)}`;
    },
  };
}
