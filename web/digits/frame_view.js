// @ts-check
// What one digits frame shows: every model's numbers (the table, the header's epoch and
// accuracy), the curves (one line pair per model), and the chosen model's confusion matrix,
// test-digit verdicts and first-layer weights. DOM only; the frames come decoded.
import { element, make } from "../page/dom.js";
import { formatNumber } from "./results.js";

/** @typedef {import("../shared/protocol.js").Frame} Frame */

export class DigitsFrameView {
  /**
   * @param {{confusion: import("./confusion_view.js").ConfusionView, grid: import("./test_grid.js").TestGrid,
   *   weights: import("./weights_view.js").WeightsView, lossChart: import("../page/chart.js").LossChart,
   *   accuracyChart: import("../page/chart.js").LossChart}} views
   * @param {import("./screen.js").DigitsScreen} screen its model names, settings and chosen model
   */
  constructor(views, screen) {
    this.views = views;
    this.screen = screen;
    /** @type {number[]} each model's last epoch charted */
    this.lastEpochs = [];
  }

  clearHistory() {
    this.views.lossChart.clear();
    this.views.accuracyChart.clear();
    this.lastEpochs = [];
  }

  /** The comparison changed: one line pair per model. */
  setModels() {
    const names = this.screen.names();
    for (const chart of [this.views.lossChart, this.views.accuracyChart]) chart.setSeries(names);
    this.clearHistory();
  }

  /** @param {Frame} frame */
  show(frame) {
    const names = this.screen.names();
    frame.models.forEach((model, m) => {
      if (model.epoch < (this.lastEpochs[m] ?? -1)) this.clearHistory(); // new weights
      if (model.epoch !== this.lastEpochs[m]) {
        this.views.lossChart.add(model.epoch, model.train_loss, model.test_loss, m);
        this.views.accuracyChart.add(model.epoch, model.train_accuracy, model.test_accuracy, m);
        this.lastEpochs[m] = model.epoch;
      }
    });
    const first = frame.models[0];
    element("epoch").textContent = String(first.epoch);
    const accuracy = element("test-accuracy");
    accuracy.textContent = frame.models.map((model) => formatNumber(model.test_accuracy, true)).join(" / ");
    accuracy.dataset.value = String(first.test_accuracy ?? "");
    // A halted model says so in its row: in compare mode the banner waits for every model.
    const halt = (/** @type {Record<string, any>} */ model) => (model.diverged ? "diverged" : model.stopped_early ? "stopped-early" : "");
    const rows = frame.models.map((model, m) => make("tr", { className: halt(model) },
      make("td", { textContent: `${names[m] || "model"}${model.stopped_early ? ` (stopped early: best epoch ${model.best_epoch})` : ""}` }),
      ...[model.train_loss, model.test_loss].map((v) => make("td", { textContent: model.diverged ? "diverged" : formatNumber(v) })),
      ...[model.train_accuracy, model.test_accuracy].map((v) => make("td", { textContent: formatNumber(v, true) }))));
    element("numbers").querySelector("tbody")?.replaceChildren(...rows);
    const chosen = frame.models[Math.min(this.screen.pictureModel, frame.models.length - 1)];
    const settings = this.screen.models[Math.min(this.screen.pictureModel, this.screen.models.length - 1)]?.settings ?? this.screen.state.settings;
    this.views.confusion.show(chosen.arrays.confusion);
    if (chosen.arrays.probabilities) this.views.grid.show(chosen.arrays.probabilities);
    this.views.weights.show(/** @type {any} */ (chosen.arrays.weights), settings);
  }
}
