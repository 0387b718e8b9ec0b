// @ts-check
// A small canvas plot of an activation g(z) and its slope g'(z), so a learner sees where g is
// flat (vanishing gradient). The numbers are the server's (GET api/activations: the engine's
// own functions); this only draws them. Imports colors.js only; no socket.
import { PALETTE, toHex } from "../shared/colors.js";

const INK = "#555";

/**
 * @typedef {{name: string, g: number[], slope: number[]}} ActivationCurve
 * @typedef {{z: number[], curves: ActivationCurve[]}} ActivationCurves GET api/activations
 */

/**
 * Draws g (solid) and g' (dashed) on `canvas`, its backing store sized for devicePixelRatio.
 * The y range fits both curves and always includes [-1, 1]; the axes cross at the origin.
 * @param {HTMLCanvasElement} canvas
 * @param {ActivationCurves} curves
 * @param {string} name one of the curves'
 */
export function drawActivation(canvas, curves, name) {
  const { z } = curves;
  const chosen = curves.curves.find((curve) => curve.name === name);
  if (!chosen) throw new RangeError(`activation plot: expected one of ${curves.curves.map((curve) => curve.name).join(", ")}, received ${name}`);
  const { g, slope: dg } = chosen;
  const zMax = z[z.length - 1];
  const [dgColor, gColor] = PALETTE.slice(0, 2).map(toHex);
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 160;
  const height = canvas.clientHeight || 100;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.setAttribute("aria-label", `${name}: g(z) and its slope g′(z) for z from −${zMax} to ${zMax}`);
  const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, width, height);

  let low = -1;
  let high = 1;
  for (let i = 0; i < z.length; i++) {
    low = Math.min(low, g[i], dg[i]);
    high = Math.max(high, g[i], dg[i]);
  }
  const pad = 4;
  const span = high - low;
  /** @param {number} value */
  const px = (value) => pad + ((value + zMax) / (2 * zMax)) * (width - 2 * pad);
  /** @param {number} value */
  const py = (value) => height - pad - ((value - low) / span) * (height - 2 * pad);

  context.lineWidth = 1;
  context.strokeStyle = INK;
  context.globalAlpha = 0.5;
  context.beginPath();
  context.moveTo(pad, py(0));
  context.lineTo(width - pad, py(0));
  context.moveTo(px(0), pad);
  context.lineTo(px(0), height - pad);
  context.stroke();
  context.globalAlpha = 1;

  /** @param {number[]} values @param {string} color @param {number[]} dash */
  const line = (values, color, dash) => {
    context.strokeStyle = color;
    context.lineWidth = 1.75;
    context.setLineDash(dash);
    context.beginPath();
    for (let i = 0; i < z.length; i++) {
      if (i === 0) context.moveTo(px(z[i]), py(values[i]));
      else context.lineTo(px(z[i]), py(values[i]));
    }
    context.stroke();
    context.setLineDash([]);
  };
  line(g, gColor, []);
  line(dg, dgColor, [4, 3]);

  context.font = "10px sans-serif";
  context.textBaseline = "middle";
  /** @param {number} row @param {string} color @param {number[]} dash @param {string} text */
  const legend = (row, color, dash, text) => {
    const y = pad + 6 + row * 12;
    context.strokeStyle = color;
    context.setLineDash(dash);
    context.beginPath();
    context.moveTo(pad + 2, y);
    context.lineTo(pad + 16, y);
    context.stroke();
    context.setLineDash([]);
    context.fillStyle = INK;
    context.fillText(text, pad + 20, y);
  };
  legend(0, gColor, [], "g(z)");
  legend(1, dgColor, [4, 3], "g′(z)");
}
