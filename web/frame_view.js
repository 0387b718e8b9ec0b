// @ts-check
// Shows one frame everywhere it appears: the main boundary, the neuron maps, compared
// boundaries, the numbers, the loss and gradient charts, and the epochs per second.
// Knows nothing of the socket or the controls.

/** @typedef {import("./protocol.js").Frame} Frame */
/** @typedef {import("./protocol.js").ModelFrame} ModelFrame */

const NETWORK_MS = 66; // about 15 network drawings a second

/** @param {number | null | undefined} value */
const formatted = (value) => (value === null || value === undefined ? "–" : value.toPrecision(4));

export class FrameView {
  /**
   * @param {{boundary: import("./boundary.js").BoundaryView, network: import("./network.js").NetworkView,
   *   compare: import("./compare.js").CompareView, lossChart: import("./chart.js").LossChart,
   *   accuracyChart: import("./chart.js").LossChart, gradientChart: import("./chart.js").GradientChart}} views
   * @param {(id: string) => HTMLElement} element
   */
  constructor(views, element) {
    this.views = views;
    this.element = element;
    this.lastEpoch = -1;
    /** @type {{time: number, epoch: number}[]} the last second of frames */
    this.recent = [];
    this.gradientModel = 0; // the compared model whose gradient norms are charted
    /** @type {ModelFrame | null} a model whose network is not drawn yet */
    this.pendingNetwork = null;
    this.networkDrawn = -Infinity;
  }

  /**
   * Draws the network (thumbnails and weights) of the latest frame if it is due: at most
   * every NETWORK_MS, which is smooth for thumbnails of 32 x 32 and spares the page
   * re-sending some 50 canvases and a few hundred lines at every frame. Call it on every
   * animation frame, so the last frame's network is drawn even when no frame follows.
   */
  flush() {
    if (!this.pendingNetwork) return;
    const now = performance.now();
    if (now - this.networkDrawn < NETWORK_MS) return;
    this.networkDrawn = now;
    this.views.network.draw(this.pendingNetwork);
    this.pendingNetwork = null;
  }

  /**
   * Charts the gradient norms of compared model `index` from now on (one model's layers
   * are already up to seven lines). @param {number} index
   */
  traceGradients(index) {
    this.gradientModel = index;
    this.views.gradientChart.clear();
  }

  /** Forget the curves and the rate: the weights were replaced. */
  clearHistory() {
    this.views.lossChart.clear();
    this.views.accuracyChart.clear();
    this.views.gradientChart.clear();
    this.lastEpoch = -1;
    this.recent.length = 0;
  }

  /**
   * @param {Frame} frame @param {Parameters<import("./boundary.js").BoundaryView["draw"]>[1]} data
   * @param {Parameters<import("./boundary.js").BoundaryView["draw"]>[2]} options
   * @returns {ModelFrame} the first model (the one the main picture shows)
   */
  show(frame, data, options) {
    const { boundary, network, compare, lossChart, accuracyChart, gradientChart } = this.views;
    const model = frame.models[0];
    // A diverged model keeps its last good weights: what is drawn is never garbage.
    boundary.draw(model, data, options);
    this.pendingNetwork = model;
    this.flush();
    compare.draw(frame.models, data, options);
    this.element("epoch").textContent = String(model.epoch);
    this.element("train-loss").textContent = formatted(model.train_loss);
    this.element("test-loss").textContent = formatted(model.test_loss);
    this.element("test-accuracy").textContent = formatted(model.test_accuracy);
    if (model.epoch < this.lastEpoch) this.clearHistory();
    if (model.epoch > this.lastEpoch) {
      frame.models.forEach((each, i) => {
        lossChart.add(each.epoch, each.train_loss, each.test_loss, i);
        accuracyChart.add(each.epoch, each.train_accuracy, each.test_accuracy, i);
      });
      const traced = frame.models[this.gradientModel] ?? model;
      gradientChart.add(traced.epoch, traced.grad_norms);
      this.lastEpoch = model.epoch;
    }
    this.element("rate").textContent = this.rate(model.epoch);
    return model;
  }

  /** @param {number} epoch @returns {string} epochs per second over the last second */
  rate(epoch) {
    const now = performance.now();
    const recent = this.recent;
    recent.push({ time: now, epoch });
    while (recent.length > 2 && now - recent[0].time > 1000) recent.shift();
    const span = (recent[recent.length - 1].time - recent[0].time) / 1000;
    return span > 0.2 ? ((recent[recent.length - 1].epoch - recent[0].epoch) / span).toFixed(0) : "–";
  }
}
