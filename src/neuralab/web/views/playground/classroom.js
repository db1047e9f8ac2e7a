// The playground's hideable parts for the teacher's links, on the shared builder
// (web/lib/classroom.js): `playground.hide=features,regularization`.
import { hiddenNames, linkBuilder, registerParts } from "../../lib/classroom.js";

export { linkBuilder };

export const HIDEABLE = [["data", "Data"], ["features", "Features"],
  ["layers", "Hidden layers"], ["learning_rate", "Learning rate"], ["optimizer", "Optimizer"],
  ["activation", "Activation (every layer's)"],
  ["regularization", "Regularization"], ["problem", "Problem type and loss"],
  ["files", "Upload and download"], ["export", "Export"]];

// The parts the link names, known ones only.
export const hiddenParts = () => hiddenNames("playground")
  .filter((k) => HIDEABLE.some(([name]) => name === k));

// Register the parts (`parts[key]`, lists of elements); those the link names are hidden.
export function hide(parts) {
  const known = Object.fromEntries(HIDEABLE.filter(([key]) => parts[key])
    .map(([key]) => [key, parts[key]]));
  registerParts("playground", known, Object.fromEntries(HIDEABLE));
}
