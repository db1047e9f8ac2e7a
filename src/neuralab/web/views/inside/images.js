// Small pictures for the inside view: weight images (blue positive, red negative, on one
// shared scale), digits (dark ink on light paper) and SVG helpers.
import { el } from "../../lib/dom.js";

export const POS = [37, 99, 235]; // --pos
export const NEG = [220, 38, 38]; // --neg
export const SIDE = 28;

// t in -1..1 -> white blended towards blue (t > 0) or red (t < 0).
export function signedRGB(t) {
  const c = t >= 0 ? POS : NEG;
  const a = Math.min(1, Math.abs(t));
  return [255 + (c[0] - 255) * a, 255 + (c[1] - 255) * a, 255 + (c[2] - 255) * a];
}

function canvas28(cls, label) {
  const c = el("canvas", { width: SIDE, height: SIDE, class: cls });
  if (label) {
    c.setAttribute("role", "img");
    c.setAttribute("aria-label", label);
  }
  return c;
}

// Paint 784 values in -1..1 (weight / scale) onto a 28x28 canvas.
export function paintSigned(canvas, values, offset = 0, stride = 1) {
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(SIDE, SIDE);
  for (let i = 0; i < SIDE * SIDE; i += 1) {
    const [r, g, b] = signedRGB(values[offset + i * stride]);
    img.data[4 * i] = r;
    img.data[4 * i + 1] = g;
    img.data[4 * i + 2] = b;
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}

// One weight image out of an encoded block (int8 codes, one shared scale).
export function weightCanvas(codes, k, label, cls = "w-img") {
  const values = new Float32Array(SIDE * SIDE);
  for (let i = 0; i < values.length; i += 1) values[i] = codes[k * SIDE * SIDE + i] / 127;
  return paintSigned(canvas28(cls, label), values);
}

// Paint ink (0..1, or 0..255 when `max` is 255) as dark on light paper.
export function paintInk(canvas, ink, offset = 0, max = 1) {
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(SIDE, SIDE);
  for (let i = 0; i < SIDE * SIDE; i += 1) {
    const v = 255 - Math.round((255 * ink[offset + i]) / max);
    img.data[4 * i] = v;
    img.data[4 * i + 1] = v;
    img.data[4 * i + 2] = v;
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}

export function digitCanvas(pixels, k, label, cls = "d-img") {
  return paintInk(canvas28(cls, label), pixels, k * SIDE * SIDE, 255);
}

// A legend for one shared symmetric scale: -s (red) ... 0 (white) ... +s (blue).
export function scaleLegend(scale, what = "weight") {
  const s = scale.toFixed(scale < 0.1 ? 3 : 2);
  return el("div", { class: "scale-legend", "aria-label":
      `Colour scale shared by all images: red is ${what} -${s}, white 0, blue +${s}` },
  el("span", { text: `−${s}` }),
  el("span", { class: "scale-bar", "aria-hidden": "true" }),
  el("span", { text: `+${s}` }));
}

export const pct = (p) => `${(100 * p).toFixed(p >= 0.995 || p < 0.1 ? 0 : 1)}%`;
