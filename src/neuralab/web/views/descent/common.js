// What the two-weight views share: the three optimizers (name, label, colour, dash) and how
// a number is shown.

export const OPTIMIZERS = [
  { name: "gd", label: "Gradient descent", colour: "#ea580c", dash: "" },
  { name: "momentum", label: "Momentum", colour: "#7c3aed", dash: "9 5" },
  { name: "adam", label: "Adam", colour: "#0f766e", dash: "2 4" },
];

export function num(v) {
  if (Math.abs(v) >= 1e4) return v.toExponential(2);
  return Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(1) : v.toFixed(3);
}
