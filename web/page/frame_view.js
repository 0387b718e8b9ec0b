// @ts-check
// Shows the numbers of the frames the drawing worker painted, a batch at a time (see
// frame_worker.js): every frame's point on the loss, accuracy and gradient charts; the
// latest frame's epoch, losses and epochs per second, compared models' table and weights
// (for hover). The pictures are the worker's (frame_painter.js). Knows nothing of the
// socket or the controls.
import { element } from "./dom.js";

/** @typedef {import("../shared/protocol.js").Frame} Frame */
/** @typedef {import("../shared/protocol.js").ModelFrame} ModelFrame */

/** @param {number | null | undefined} value */
const formatted = (value) => (value === null || value === undefined ? "–" : value.toPrecision(4));

export class FrameView {
  /**
   * @param {{network: import("./network.js").NetworkView, compare: import("./compare.js").CompareView,
   *   lossChart: import("./chart.js").LossChart, accuracyChart: import("./chart.js").LossChart,
   *   gradientChart: import("./chart.js").GradientChart}} views
   */
  constructor(views) {
    this.views = views;
    this.lastEpoch = -1;
    /** @type {{time: number, epoch: number}[]} the last second of frames */
    this.recent = [];
    this.gradientModel = 0; // the compared model whose gradient norms are charted
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

  /** A new session replaced the one shown: no curve, epoch or loss of the old one stays. */
  restart() {
    this.clearHistory();
    element("epoch").textContent = "0";
    for (const id of ["train-loss", "test-loss", "test-accuracy", "rate"]) element(id).textContent = "–";
  }

  /**
   * @param {Frame[]} frames painted frames' numbers, oldest first; no grids, and weights in the
   *   latest only
   * @returns {ModelFrame} the latest frame's first model (the one the main picture shows)
   */
  show(frames) {
    for (const frame of frames) this.chart(frame);
    const frame = frames[frames.length - 1];
    const model = frame.models[0];
    const shown = frame.models.length > 1 ? frame.models : [];
    this.views.network.show(model);
    this.views.compare.show(shown);
    element("epoch").textContent = String(model.epoch);
    element("train-loss").textContent = formatted(model.train_loss);
    element("test-loss").textContent = formatted(model.test_loss);
    element("test-accuracy").textContent = formatted(model.test_accuracy);
    element("rate").textContent = this.rate();
    return model;
  }

  /** @param {Frame} frame one frame's points on the charts */
  chart(frame) {
    const { lossChart, accuracyChart, gradientChart } = this.views;
    const model = frame.models[0];
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
    this.recent.push({ time: performance.now(), epoch: model.epoch });
  }

  /** @returns {string} epochs per second over the last second */
  rate() {
    const recent = this.recent;
    const now = performance.now();
    while (recent.length > 2 && now - recent[0].time > 1000) recent.shift();
    if (recent.length < 2) return "–";
    const span = (recent[recent.length - 1].time - recent[0].time) / 1000;
    return span > 0.2 ? ((recent[recent.length - 1].epoch - recent[0].epoch) / span).toFixed(0) : "–";
  }
}
