// @ts-check
// Paints the network view onto one canvas: a line per weight (width the magnitude, colour the
// sign: blue positive, orange negative, as the maps) and every neuron's activation map as a
// thumbnail. Runs in the drawing worker on an OffscreenCanvas; where each thumbnail goes is
// measured by the page (network.js), which lays out the buttons over it. One canvas, not one
// per neuron: some 50 canvases each sent to the compositor at every frame cost more than
// their drawing.
import { paintNeuron } from "../shared/colors.js";
import { modelWeights, networkKey } from "../shared/network_layout.js";

/** @typedef {import("../shared/network_layout.js").NetworkLayout} NetworkLayout */

const POSITIVE = "#0072B2";
const NEGATIVE = "#E69F00";


/**
 * Stroke of a weight: width 0.5 to 4 px by |w| relative to the largest in the network.
 * @param {number} weight @param {number} largest
 */
export function weightStroke(weight, largest) {
  const share = largest > 0 ? Math.min(1, Math.abs(weight) / largest) : 0;
  return { width: 0.5 + 3.5 * share, color: weight >= 0 ? POSITIVE : NEGATIVE, opacity: 0.25 + 0.65 * share };
}

export class NetworkPainter {
  /** @param {OffscreenCanvas} canvas @param {number} side cells per side of a neuron's map */
  constructor(canvas, side) {
    this.canvas = canvas;
    this.context = /** @type {OffscreenCanvasRenderingContext2D} */ (canvas.getContext("2d"));
    /** @type {NetworkLayout | null} */
    this.layout = null;
    this.side = side;
    this.thumb = new OffscreenCanvas(side, side);
    this.thumbContext = /** @type {OffscreenCanvasRenderingContext2D} */ (this.thumb.getContext("2d"));
    this.image = this.thumbContext.createImageData(side, side);
    /** @type {Float32Array[] | null} what the lines show instead of the weights (the explain view's gradients) */
    this.lineValues = null;
  }

  /** @param {NetworkLayout} layout */
  setLayout(layout) {
    this.layout = layout;
    this.canvas.width = Math.max(1, Math.round(layout.width * layout.ratio));
    this.canvas.height = Math.max(1, Math.round(layout.height * layout.ratio));
  }

  /**
   * @param {import("../shared/protocol.js").ModelFrame} model
   * @returns {boolean} false when the page has not laid this architecture out yet
   */
  draw(model) {
    const layout = this.layout;
    if (!layout || layout.key !== networkKey(model.features, model.hidden)) return false;
    const context = this.context;
    context.setTransform(layout.ratio, 0, 0, layout.ratio, 0, 0);
    context.clearRect(0, 0, layout.width, layout.height);
    this.lines(layout.columns, this.lineValues ?? modelWeights(model));
    this.thumbnails(layout.columns, model);
    return true;
  }

  /** @param {number[][][]} columns @param {Float32Array[]} weights */
  lines(columns, weights) {
    const context = this.context;
    let largest = 0;
    for (const matrix of weights) for (const value of matrix) largest = Math.max(largest, Math.abs(value));
    for (let layer = 0; layer + 1 < columns.length; layer += 1) {
      const fanOut = columns[layer + 1].length;
      columns[layer].forEach(([x, y, width, height], from) => {
        columns[layer + 1].forEach(([x2, y2, , height2], to) => {
          const stroke = weightStroke(weights[layer]?.[from * fanOut + to] ?? 0, largest);
          context.globalAlpha = stroke.opacity;
          context.strokeStyle = stroke.color;
          context.lineWidth = stroke.width;
          context.beginPath();
          context.moveTo(x + width, y + height / 2);
          context.lineTo(x2, y2 + height2 / 2);
          context.stroke();
        });
      });
    }
    context.globalAlpha = 1;
  }

  /** @param {number[][][]} columns @param {import("../shared/protocol.js").ModelFrame} model */
  thumbnails(columns, model) {
    const cells = this.side * this.side;
    const features = /** @type {Uint8Array} */ (model.arrays.features.data);
    const neurons = model.arrays.neurons;
    const widest = neurons.shape[1] ?? 0;
    this.context.imageSmoothingEnabled = true;
    columns.forEach((column, index) => {
      column.forEach(([x, y, width, height], j) => {
        const start = index === 0 ? j * cells : ((index - 1) * widest + j) * cells;
        const source = index === 0 ? features : /** @type {Uint8Array} */ (neurons.data);
        paintNeuron(this.image.data, source.subarray(start, start + cells));
        this.thumbContext.putImageData(this.image, 0, 0);
        this.context.drawImage(this.thumb, x, y, width, height);
      });
    });
  }
}
