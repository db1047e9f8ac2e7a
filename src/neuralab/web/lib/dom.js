// DOM, SVG and byte helpers that every view shares.

const SVG_NS = "http://www.w3.org/2000/svg";

// An HTML element: attributes ("class", "text", "onclick"... or any attribute), then children.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

// An SVG element with its attributes and, optionally, its text.
export function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

// base64 -> bytes, and typed views of them (the server sends arrays as base64).
export function bytes(b64) {
  const raw = atob(b64);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i += 1) out[i] = raw.charCodeAt(i);
  return out;
}
export const int8s = (b64) => new Int8Array(bytes(b64).buffer);
export const float32s = (b64) => new Float32Array(bytes(b64).buffer);

// True on a device whose main pointer is a finger (no hover, no keyboard shortcuts to show).
export const touchFirst = () => matchMedia("(hover: none) and (pointer: coarse)").matches;

// True when the learner asked the system for less motion.
export const reducedMotion = () => matchMedia("(prefers-reduced-motion: reduce)").matches;

// "1 image", "2 images", "1,456 images".
export const plural = (n, one, many = `${one}s`) =>
  `${Number(n).toLocaleString("en")} ${n === 1 ? one : many}`;

// Scroll `node` into view (at once when the learner asked for less motion), unless it is
// already wholly on screen below the sticky header.
export function reveal(node, block = "start") {
  const r = node.getBoundingClientRect();
  const top = parseFloat(getComputedStyle(document.documentElement).scrollPaddingTop) || 0;
  if (r.top >= top && r.bottom <= innerHeight) return;
  node.scrollIntoView({ behavior: reducedMotion() ? "auto" : "smooth", block });
}
