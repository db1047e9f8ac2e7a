// Facts about the lesson's models that views need at once, without asking the server.

// The weights and biases of an MLP on 28 x 28 inputs with `depth` hidden layers of `width`
// neurons and 10 outputs: 784 x 32 + 32 + 32 x 32 + 32 + 32 x 10 + 10 = 26,506 by default
// (the server counts the same: labs/compare.py mlp_recipe's "parameters").
export function mlpWeightCount(width, depth, inputs = 784, outputs = 10) {
  const sizes = [inputs, ...Array(depth).fill(width), outputs];
  return sizes.slice(1).reduce((sum, n, i) => sum + sizes[i] * n + n, 0);
}
