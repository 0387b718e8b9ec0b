// @ts-check
// Draws one model's decision boundary (a 100 x 100 grid, limits.output_grid, interpolated to
// twice that) and the data points on a canvas whose backing store the page sizes for
// devicePixelRatio. Runs in the drawing worker (see frame_worker.js), on an OffscreenCanvas:
// no DOM. Uses colors.js for every colour.
import { PALETTE, paintBoundary, paintNeuron, sequentialColor } from "../shared/colors.js";
import { upsample } from "../shared/upsample.js";

// The outputs are interpolated to twice the grid's resolution before colouring (upsample.js).
const UPSAMPLE = 2;

export class BoundaryView {
  /**
   * @param {OffscreenCanvas} canvas @param {number} side grid cells per side
   * @param {number} domain the grid spans [-domain, domain] in x1 and x2 (limits.domain)
   */
  constructor(canvas, side, domain) {
    this.canvas = canvas;
    this.side = side;
    this.domain = domain;
    const fine = side * UPSAMPLE;
    this.grid = new OffscreenCanvas(fine, fine);
    this.gridContext = /** @type {OffscreenCanvasRenderingContext2D} */ (this.grid.getContext("2d"));
    this.image = this.gridContext.createImageData(fine, fine);
    /** the interpolated outputs, reused from frame to frame */
    this.fineOutputs = new Uint8Array(0);
    // A hidden neuron's or an input feature's map, when one is chosen in the network view.
    this.map = new OffscreenCanvas(1, 1);
    this.mapContext = /** @type {OffscreenCanvasRenderingContext2D} */ (this.map.getContext("2d"));
    this.context = /** @type {OffscreenCanvasRenderingContext2D} */ (canvas.getContext("2d"));
    this.layer = new OffscreenCanvas(1, 1); // the points (see pointsLayer)
    this.layerContext = /** @type {OffscreenCanvasRenderingContext2D} */ (this.layer.getContext("2d"));
    /** @type {unknown[]} what the points layer was drawn for */
    this.layerKey = [];
  }

  /**
   * The backing store's side in device pixels: the page measures the displayed size
   * (devicePixelRatio included), which a worker cannot. @param {number} size
   */
  resize(size) {
    if (size > 0 && this.canvas.width !== size) this.canvas.width = this.canvas.height = size;
  }

  /**
   * @param {import("../shared/protocol.js").ModelFrame} model one model of a frame
   * @param {{problem: string, train: number[][], test: number[][], targetLow: number, targetHigh: number}} data
   * @param {{discretize: boolean, showTest: boolean, output: number | null,
   *   map?: {column: number, index: number} | null, highlight?: number | null}} options `map`: show
   *   that column's (0: inputs, l: hidden layer l) neuron instead of the output; `highlight`: a
   *   train point to ring (the explain view's)
   */
  draw(model, data, options) {
    const size = this.canvas.width;
    this.context.imageSmoothingEnabled = true;
    if (options.map) {
      this.drawMap(model, options.map);
    } else {
      this.drawOutput(model, data, options);
      this.context.drawImage(this.grid, 0, 0, size, size);
    }
    this.context.drawImage(this.pointsLayer(data, options.showTest), 0, 0);
    const chosen = options.highlight == null ? null : data.train[options.highlight];
    if (chosen) this.ring(chosen[0], chosen[1]);
  }

  /** A ring around the point at (x1, x2), drawn over the points layer. @param {number} x1 @param {number} x2 */
  ring(x1, x2) {
    const context = this.context;
    const size = this.canvas.width;
    const domain = this.domain;
    context.lineWidth = Math.max(2, size / 200);
    context.strokeStyle = "#000";
    context.beginPath();
    context.arc(((x1 + domain) / (2 * domain)) * size, ((domain - x2) / (2 * domain)) * size, Math.max(6, size / 45), 0, 2 * Math.PI);
    context.stroke();
  }

  /**
   * The points on a transparent layer of the canvas's size, drawn again only when the data,
   * the test-point toggle or the size change: a few hundred circles per frame were a good
   * part of the page's script time.
   * @param {Parameters<BoundaryView["draw"]>[1]} data @param {boolean} showTest
   */
  pointsLayer(data, showTest) {
    const size = this.canvas.width;
    const key = [data.train, data.test, data.problem, showTest, size];
    if (this.layerKey.length !== key.length || key.some((value, i) => value !== this.layerKey[i])) {
      this.layerKey = key;
      this.layer.width = this.layer.height = size; // also clears it
      this.points(data.train, data, false);
      if (showTest) this.points(data.test, data, true);
    }
    return this.layer;
  }

  /**
   * @param {import("../shared/protocol.js").ModelFrame} model
   * @param {{column: number, index: number}} map
   */
  drawMap(model, map) {
    const source = map.column === 0 ? model.arrays.features : model.arrays.neurons;
    const side = source.shape[source.shape.length - 1];
    const cells = side * side;
    const widest = map.column === 0 ? 0 : source.shape[1];
    const start = map.column === 0 ? map.index * cells : ((map.column - 1) * widest + map.index) * cells;
    if (this.map.width !== side) this.map.width = this.map.height = side;
    const image = this.mapContext.createImageData(side, side);
    paintNeuron(image.data, /** @type {Uint8Array} */ (source.data).subarray(start, start + cells));
    this.mapContext.putImageData(image, 0, 0);
    this.context.drawImage(this.map, 0, 0, this.canvas.width, this.canvas.width);
  }

  /**
   * @param {import("../shared/protocol.js").ModelFrame} model
   * @param {{problem: string}} data @param {{discretize: boolean, output: number | null}} options
   */
  drawOutput(model, data, options) {
    const fine = this.side * UPSAMPLE;
    const needed = model.n_outputs * fine * fine;
    if (this.fineOutputs.length !== needed) this.fineOutputs = new Uint8Array(needed);
    const outputs = /** @type {Uint8Array} */ (model.arrays.outputs.data);
    paintBoundary(
      this.image.data,
      {
        problem: data.problem,
        nOutputs: model.n_outputs,
        outputs: upsample(outputs, model.n_outputs, this.side, UPSAMPLE, this.fineOutputs),
      },
      { discretize: options.discretize, output: options.output },
    );
    this.gridContext.putImageData(this.image, 0, 0);
  }

  /**
   * @param {number[][]} rows [x1, x2, label] @param {{problem: string, targetLow: number, targetHigh: number}} data
   * @param {boolean} hollow test points are drawn as rings
   */
  points(rows, data, hollow) {
    const context = this.layerContext;
    const size = this.layer.width;
    const radius = Math.max(2, size / 110);
    const domain = this.domain;
    const span = Math.max(data.targetHigh - data.targetLow, 1e-6);
    context.lineWidth = Math.max(1, radius / 2.5);
    for (const [x1, x2, label] of rows) {
      const rgb = pointColor(data.problem, label, (label - data.targetLow) / span);
      const colour = `rgb(${rgb[0]},${rgb[1]},${rgb[2]})`;
      context.beginPath();
      context.arc(((x1 + domain) / (2 * domain)) * size, ((domain - x2) / (2 * domain)) * size, radius, 0, 2 * Math.PI);
      if (hollow) {
        context.strokeStyle = colour;
        context.stroke();
      } else {
        context.fillStyle = colour;
        context.fill();
        context.strokeStyle = "rgba(255,255,255,0.9)";
        context.stroke();
      }
    }
  }
}

/**
 * @param {string} problem @param {number} label class, label bitmask or target value
 * @param {number} unit the target value scaled to [0, 1] (regression)
 * @returns {number[]}
 */
function pointColor(problem, label, unit) {
  if (problem === "regression") return sequentialColor(Math.min(1, Math.max(0, unit)));
  if (problem === "multilabel") {
    const on = PALETTE.filter((_, k) => (label >> k) & 1);
    if (on.length === 0) return [120, 120, 120];
    return [0, 1, 2].map((c) => Math.round(on.reduce((sum, rgb) => sum + rgb[c], 0) / on.length));
  }
  return PALETTE[label] ?? [0, 0, 0];
}
