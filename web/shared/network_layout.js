// @ts-check
// What the page (network.js lays the thumbnails out) and the drawing worker (network_painter.js
// paints them) agree on about the network view. Pure: no DOM.

/**
 * Where the page laid the thumbnails out, in CSS pixels of the network view.
 * @typedef {{key: string, width: number, height: number, ratio: number, columns: number[][][]}} NetworkLayout
 *   `key`: the architecture it is for (networkKey); `columns`: per column, each thumbnail's
 *   [x, y, width, height]
 */

/** @param {string[]} features @param {number[]} hidden the architecture a layout fits */
export const networkKey = (features, hidden) => JSON.stringify([features, hidden]);

/**
 * The weight matrices of a model, (fan_in, fan_out) row-major, first layer first.
 * @param {import("./protocol.js").ModelFrame} model
 * @returns {Float32Array[]}
 */
export function modelWeights(model) {
  const weights = [];
  for (let layer = 0; `weights.${layer + 1}` in model.arrays; layer += 1) {
    weights.push(/** @type {Float32Array} */ (model.arrays[`weights.${layer}`].data));
  }
  return weights;
}
