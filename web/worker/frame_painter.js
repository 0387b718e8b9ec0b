// @ts-check
// Everything of a frame that is pictures, painted in the drawing worker: the main boundary
// (or the neuron map chosen for it), the compared boundaries and the network view. Holds
// the newest frame until the worker's animation-frame loop paints it (latest wins).
import { BoundaryView } from "./boundary.js";
import { NetworkPainter } from "./network_painter.js";

/** @typedef {import("../shared/protocol.js").Frame} Frame */
/** @typedef {Parameters<BoundaryView["draw"]>[1]} PointsData */
/** @typedef {Parameters<BoundaryView["draw"]>[2]} PaintOptions */

const NETWORK_MS = 66; // about 15 network paintings a second: smooth for maps of 32 x 32

export class FramePainter {
  /**
   * @param {number} side the output grid's cells per side @param {number} neuronSide a neuron map's
   * @param {number} domain the grids span [-domain, domain] in x1 and x2
   */
  constructor(side, neuronSide, domain) {
    this.side = side;
    this.domain = domain;
    this.neuronSide = neuronSide;
    /** @type {BoundaryView | null} */
    this.boundary = null;
    /** @type {BoundaryView[]} one per compared model, once the page has laid them out */
    this.compared = [];
    /** @type {NetworkPainter | null} */
    this.network = null;
    /** @type {PointsData} */
    this.data = { problem: "binary", train: [], test: [], targetLow: 0, targetHigh: 1 };
    /** @type {PaintOptions} */
    this.options = { discretize: false, showTest: false, output: null, map: null, highlight: null };
    /** @type {Frame | null} the frame painted last */
    this.last = null;
    this.stale = false; // paint `last` again: a view, a size or an option changed
    this.networkPending = false;
    this.networkPainted = -Infinity;
  }

  /** @param {OffscreenCanvas} canvas */
  setBoundary(canvas) {
    this.boundary = new BoundaryView(canvas, this.side, this.domain);
    this.stale = true;
  }

  /** @param {OffscreenCanvas[]} canvases */
  setCompared(canvases) {
    this.compared = canvases.map((canvas) => new BoundaryView(canvas, this.side, this.domain));
    this.stale = true;
  }

  /** @param {OffscreenCanvas} canvas */
  setNetwork(canvas) {
    this.network = new NetworkPainter(canvas, this.neuronSide);
  }

  /** @param {import("../shared/network_layout.js").NetworkLayout} layout */
  setLayout(layout) {
    this.network?.setLayout(layout);
    this.networkPending = true;
    this.networkPainted = -Infinity;
  }

  /** @param {Float32Array[] | null} values per layer, (fan_in, fan_out) row-major; null: the weights */
  setLineValues(values) {
    if (this.network) this.network.lineValues = values;
    this.networkPending = true;
    this.networkPainted = -Infinity;
  }

  /** @param {"boundary" | number} target the main boundary or compared model `target` @param {number} size */
  resize(target, size) {
    const view = target === "boundary" ? this.boundary : this.compared[target];
    view?.resize(size);
    this.stale = true;
  }

  /** @param {PointsData} data */
  setData(data) {
    this.data = data;
    this.stale = true;
  }

  /** @param {PaintOptions} options */
  setOptions(options) {
    this.options = options;
    this.stale = true;
  }

  /**
   * Paints `frame` (or the last frame again if something it is drawn with changed) and the
   * network when it is due. Call on every animation frame.
   * @param {Frame | null} frame a frame not painted yet
   */
  paint(frame) {
    const shown = frame ?? (this.stale ? this.last : null);
    this.stale = false;
    if (shown) {
      this.last = shown;
      this.networkPending = true;
      const [model] = shown.models;
      // A diverged model keeps its last good weights: what is drawn is never garbage.
      this.boundary?.draw(model, this.data, this.options);
      const models = shown.models.length > 1 ? shown.models : [];
      if (models.length === this.compared.length) {
        models.forEach((each, i) => this.compared[i].draw(each, this.data, { ...this.options, map: null, highlight: null }));
      }
    }
    this.paintNetwork();
  }

  /** The last frame's network, at most every NETWORK_MS (and surely the last one). */
  paintNetwork() {
    if (!this.networkPending || !this.network || !this.last) return;
    const now = performance.now();
    if (now - this.networkPainted < NETWORK_MS) return;
    if (this.network.draw(this.last.models[0])) {
      this.networkPainted = now;
      this.networkPending = false;
    }
  }
}
