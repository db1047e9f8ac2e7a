// The other two models, for contrast: logistic regression's ten weight images and the
// decision tree's top levels (which pixel, which threshold, how many images go each way).
import { el, int8s } from "../../lib/dom.js";
import { scaleLegend, SIDE, weightCanvas } from "./images.js";

export function logisticImages(block) {
  const codes = int8s(block.data);
  const grid = el("div", { class: "w-grid lr-grid" });
  for (let d = 0; d < block.shape[0]; d += 1) {
    grid.append(el("figure", { class: "lr-tile" },
      weightCanvas(codes, d, `Logistic regression's weights for digit ${d}`),
      el("figcaption", { text: `digit ${d}` })));
  }
  return el("div", { class: "lr" }, grid, scaleLegend(block.scale));
}

function pixelMap(row, col) {
  const c = el("canvas", { width: SIDE, height: SIDE, class: "px-map", role: "img",
    "aria-label": `pixel at row ${row}, column ${col} of the 28 by 28 image` });
  const ctx = c.getContext("2d");
  ctx.fillStyle = "#f3f4f6";
  ctx.fillRect(0, 0, SIDE, SIDE);
  ctx.fillStyle = "#e5e7eb";
  ctx.fillRect(4, 4, 20, 20); // where MNIST puts the digit
  ctx.fillStyle = "rgba(124,58,237,.25)"; // a crosshair through the pixel
  ctx.fillRect(0, row, SIDE, 1);
  ctx.fillRect(col, 0, 1, SIDE);
  ctx.fillStyle = "#7c3aed";
  ctx.fillRect(col - 0.5, row - 0.5, 2, 2);
  return c;
}

// The question a split asks. MNIST ink comes in steps of 1/255, so a threshold below one
// step asks whether the pixel has any ink at all.
export function question(threshold) {
  return threshold < 1 / 255 ? "is the pixel blank?" : `ink at most ${threshold.toFixed(2)}?`;
}

function countsLine(node) {
  const total = node.samples;
  const top = node.counts[node.majority];
  return `${total} image${total === 1 ? "" : "s"} · mostly ${node.majority} ` +
    `(${Math.round((100 * top) / Math.max(1, total))}%)`;
}

function nodeCard(node) {
  const card = el("div", { class: "t-node", "data-node": String(node.id) });
  if (node.split) {
    const s = node.split;
    card.classList.add("t-ask");
    card.append(pixelMap(s.row, s.col), el("div", { class: "t-text" },
      el("span", { class: "t-where", text: `Row ${s.row}, column ${s.col}:` }),
      el("strong", { class: "t-ask-text", text: question(s.threshold) }),
      el("span", { class: "t-count", text: countsLine(node) })));
  } else {
    const share = Math.round((100 * node.counts[node.majority]) / Math.max(1, node.samples));
    card.classList.add("t-leaf");
    // Read aloud as "Answer 4: 140 images, 60% are 4. More questions follow (not drawn)."
    card.append(el("span", { class: "visually-hidden", text: "Answer " }),
      el("span", { class: "t-major", text: String(node.majority) }),
      el("span", { class: "visually-hidden", text: ": " }),
      el("div", { class: "t-text" },
        el("span", { class: "t-count", text: `${node.samples} images, ${share}% ` +
          `are ${node.majority}.` }),
        el("span", { class: "t-more", text: node.more
          ? " More questions follow (not drawn)." : " Final answer." })));
  }
  return card;
}

function branch(node) {
  const li = el("li", {}, nodeCard(node));
  if (node.children) {
    const [yes, no] = node.children;
    li.append(el("ul", {},
      el("li", { class: "t-yes" }, el("span", { class: "t-edge",
        text: `yes · ${node.split.left}` }), ...branch(yes).childNodes),
      el("li", { class: "t-no" }, el("span", { class: "t-edge",
        text: `no · ${node.split.right}` }), ...branch(no).childNodes)));
  }
  return li;
}

export function treeDiagram(data) {
  const list = el("ul", { class: "tree", "aria-label": "The decision tree's first questions" },
    branch(data.root));
  return el("div", { class: "tree-wrap", "data-levels": String(data.levels),
    "data-depth": String(data.depth) }, list);
}

// Mark the path an input takes through the shown levels.
export function markPath(wrap, path) {
  for (const n of wrap.querySelectorAll(".t-node.on-path")) n.classList.remove("on-path");
  for (const id of path || []) {
    wrap.querySelector(`.t-node[data-node="${id}"]`)?.classList.add("on-path");
  }
}
