// Section 6: what comes next, from one neuron to the language models behind chatbots.
import { getJSON } from "../lib/api.js";
import { el } from "../lib/dom.js";
import { mlpWeightCount } from "../lib/models.js";
import { labState } from "../lib/state.js";

const STEPS = [
  ["One neuron", "computes AND or OR once its two weights and its bias are right."],
  ["Many neurons in layers (an MLP)", "combine such simple pieces into functions that read " +
    "handwritten digits. Training sets the weights, by gradient descent, instead of you."],
  ["GPT-1 (2018)", "was a network trained on a few thousand books to guess the next word of " +
    "a text. Its writing was clumsy, but it showed that a network could pick up how " +
    "language works from examples alone."],
  ["GPT-2 (2019)", "was the same idea, about ten times bigger, with much more text from the " +
    "web. Scale alone made its paragraphs far more fluent."],
  ["Today's chatbots", "keep growing the network, the data and the computing power, and are " +
    "then tuned on conversations so that they answer questions."],
];

function sizeText(settings, compareSpec) {
  const def = Object.fromEntries(compareSpec.map((p) => [p.name, p.default]));
  const n = mlpWeightCount(settings.mlp_width, settings.mlp_depth);
  const isDefault = settings.mlp_width === def.mlp_width && settings.mlp_depth === def.mlp_depth;
  const layers = `${settings.mlp_depth} hidden layer${settings.mlp_depth > 1 ? "s" : ""} of ` +
    `${settings.mlp_width}`;
  return "language needs millions or billions of weights. The neuron of section 5 has " +
    "three numbers to set; the " + (isDefault ? "default " : "") + `MLP of section 4 ` +
    `(${layers} neurons) already has ${n.toLocaleString("en")} weights and biases, ` +
    "and a model like GPT-2 has over a billion.";
}

export async function mount(root) {
  const compareSpec = await getJSON("/api/params/compare");
  const settings = labState("compare", compareSpec).all();
  const size = el("span", { class: "mlp-size", text: sizeText(settings, compareSpec) });
  document.addEventListener("neuralab:compare-done", (e) => {
    size.textContent = sizeText({ ...settings, ...e.detail }, compareSpec);
  });
  root.append(
    el("p", { text: "Could the MLPs of this lab learn to hold a conversation? In principle a " +
      "big enough network can approximate almost any function, but three things stand in " +
      "the way:" }),
    el("ul", { class: "hurdles" },
      el("li", {}, el("strong", { text: "Memorising: " }), el("span", { text: "a network " +
        "can learn its training conversations by heart instead of the patterns behind them." })),
      el("li", {}, el("strong", { text: "Size: " }), size),
      el("li", {}, el("strong", { text: "Cost: " }), el("span", { text: "training that many " +
        "weights on that much text takes thousands of graphics chips running for weeks." }))),
    el("ol", { class: "timeline" }, ...STEPS.map(([t, d]) => el("li", {},
      el("strong", { text: t }), el("span", { text: " " + d })))),
    el("p", { class: "callout", text: "The GPT models are not MLPs alone: they are " +
      "transformers, a network design that lets every word look at all the words before it. " +
      "Inside, though, you will find the same ingredients as here: weighted sums, simple " +
      "non-linear functions like ReLU, and gradient descent to set millions of weights. " +
      "Transformers are the next step." }));
}
