// Facts about the lesson's models that views need at once, without asking the server.

// The weights and biases of an MLP on 28 x 28 inputs with `depth` hidden layers of `width`
// neurons and 10 outputs: 784 x 32 + 32 + 32 x 32 + 32 + 32 x 10 + 10 = 26,506 by default
// (the server counts the same: labs/compare.py mlp_recipe's "parameters").
export function mlpWeightCount(width, depth, inputs = 784, outputs = 10) {
  const sizes = [inputs, ...Array(depth).fill(width), outputs];
  return sizes.slice(1).reduce((sum, n, i) => sum + sizes[i] * n + n, 0);
}

// The lesson's three models in the comparison's order: key (as the server names them), title,
// a short column name, what the model is made of, and its colour (CSS variables of style.css).
export const MODELS = [
  { key: "logistic_regression", name: "Logistic regression", short: "Logistic",
    what: "one weight per pixel for each digit", color: "var(--model-lr)" },
  { key: "decision_tree", name: "Decision tree", short: "Tree",
    what: "a cascade of yes/no pixel questions", color: "var(--model-tree)" },
  { key: "mlp", name: "MLP", short: "MLP", what: "layers of ReLU neurons", color: "var(--pos)" },
];
export const MODEL = Object.fromEntries(MODELS.map((m) => [m.key, m]));
// The order of the inside views, which start from the network just trained.
export const INSIDE_ORDER = ["mlp", "logistic_regression", "decision_tree"];
