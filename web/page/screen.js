// @ts-check
// The views of what the page state holds (run state and banner, speed, controls, data, charts,
// network, comparison, each painted frame's numbers): what the server accepted, never the
// page's own guess; what the learner changes goes through `state.post`.
import { showSessionState } from "./banner.js";
import { drawActivation } from "./activation_plot.js";
import { trainedAs } from "../shared/answers.js";
import { createGradientChart, createTrainTestChart } from "./chart.js";
import { caption, CompareView, variantSettings } from "./compare.js";
import { bindControls, showSettings } from "./controls.js";
import { legendStops } from "../shared/colors.js";
import { bindPointsPanel, DataEditor } from "./data_editor.js";
import { bindDatasetPicker } from "./dataset_picker.js";
import { element, notice } from "./dom.js";
import { FrameView } from "./frame_view.js";
import { LayerEditor } from "./layer_editor.js";
import { showLegend } from "./legend.js";
import { NetworkView } from "./network.js";
import { send } from "../shared/protocol.js";

/** @param {string} id */
const checked = (id) => /** @type {HTMLInputElement} */ (element(id)).checked;

export class Screen {
  /**
   * @param {import("../shared/page_state.js").PageState} state @param {import("./drawing.js").Drawing} session
   * @param {Record<string, any>} config GET api/config's @param {Record<string, import("../shared/schema.js").SettingSpec>} specs
   * @param {import("./activation_plot.js").ActivationCurves} curves GET api/activations's
   */
  constructor(state, session, config, specs, curves) {
    this.state = state;
    this.session = session;
    this.config = config;
    this.specs = specs;
    this.curves = curves;
    /** @type {{column: number, index: number, name: string} | null} the map shown large */
    this.mapChoice = null;
    /** @type {number | null} the train point ringed (the explain view's) */
    this.highlight = null;
    const configure = (/** @type {Record<string, unknown>} */ change) => this.configure(change);
    const boundary = /** @type {HTMLCanvasElement} */ (element("boundary"));
    session.boundary(boundary);
    const network = this.network = new NetworkView(element("network"), (selected) => this.choose(selected), (canvas) => session.network(canvas), (layout) => session.layout(layout));
    const variants = variantSettings(specs, config.effects.regenerate);
    this.compare = new CompareView(element("compare"), specs, variants, () => state.compare, (models) => state.post(send.compare(models)), (canvases) => session.compared(canvases));
    const lossChart = createTrainTestChart(element("loss-chart"), "loss");
    this.charts = { lossChart, accuracyChart: createTrainTestChart(element("accuracy-chart"), "accuracy"), gradientChart: createGradientChart(element("gradient-chart")) };
    this.frames = new FrameView({ network, compare: this.compare, ...this.charts });
    this.layerEditor = new LayerEditor(element("layer-editor"), specs, config.defaults.hidden[0], configure);
    this.pickDataset = bindDatasetPicker(element("dataset-picker"), /** @type {HTMLSelectElement} */ (document.querySelector('[data-param="dataset"]')));
    bindControls(document, specs, configure, (name, message) => {
      notice(`${name.replace("_", " ")}: ${message}`);
      this.showSettings(); // the controls show the settings in effect again
    });
    const sendPoints = (/** @type {Record<string, unknown>} */ message) => {
      state.lastPoints = message;
      this.restartWith(message);
    };
    bindPointsPanel(new DataEditor(boundary, sendPoints, config.limits), () => state.data);
    for (const id of ["discretize", "show-test"]) element(id).addEventListener("change", () => this.paintOptions());
    element("gradient-model").addEventListener("change", (event) => this.frames.traceGradients(Number(/** @type {HTMLSelectElement} */ (event.target).value)));
    element("log-scale").addEventListener("change", () => this.charts.lossChart.setLogScale(checked("log-scale")));
  }

  /** @param {{column: number, index: number, name: string} | null} selected the map to show large (null: the output) */
  choose(selected) {
    this.mapChoice = selected;
    element("picture-caption").textContent = selected ? `Showing ${selected.name}: choose it again for the output.` : "";
    this.paintOptions();
  }

  /** The view options the worker paints with. */
  paintOptions() {
    this.session.options({ discretize: checked("discretize"), showTest: checked("show-test"), output: null, map: this.mapChoice, highlight: this.highlight });
  }

  /** @param {Record<string, unknown>} change settings the learner changed */
  configure(change) {
    notice("");
    if (Object.keys(change).some((name) => !this.config.effects.keep_weights.includes(name))) this.frames.clearHistory();
    this.state.post(send.configure(change));
  }

  /** Sends a message that replaces the weights: no curve of the old ones stays. @param {Record<string, unknown>} message */
  restartWith(message) {
    this.frames.clearHistory();
    this.state.post(message);
  }

  /** @param {string} play the session's state (or reconnecting, closed, busy) @param {string} [detail] */
  showState(play, detail = "") {
    showSessionState(this.state, play, detail);
  }

  /** Shows the settings in every control. */
  showSettings() {
    showSettings(document, this.specs, this.state.settings);
    this.layerEditor.show(this.state.settings);
    this.pickDataset(this.state.settings.dataset);
  }

  /** Shows a `ready` or `settings` message: settings, speed, activation, what it trains with. @param {{epochs_per_frame: number, models: import("../shared/protocol.js").ModelSettings[]}} applied */
  showApplied(applied) {
    this.state.speed = applied.epochs_per_frame;
    /** @type {HTMLInputElement} */ (element("speed")).value = String(applied.epochs_per_frame);
    element("speed-value").textContent = String(applied.epochs_per_frame);
    this.showSettings();
    drawActivation(/** @type {HTMLCanvasElement} */ (element("activation-plot")), this.curves, this.state.settings.activations[0]);
    element("trained-as").textContent = trainedAs(applied.models);
  }

  /** The charts and the gradient choice for the comparison the server accepted. */
  showComparison() {
    const names = this.compare.names();
    this.frames.clearHistory();
    for (const chart of [this.charts.lossChart, this.charts.accuracyChart]) chart.setSeries(names.length ? names : [""]);
    element("gradient-model").replaceChildren(...names.map((name, i) => new Option(caption(name, i), String(i))));
    element("gradient-model-choice").hidden = names.length === 0;
    this.frames.traceGradients(0);
  }

  /** The legend and panels for the data in the state (the latest `data` message). */
  showData() {
    const { problem, nOutputs, train, test, targetLow, targetHigh } = this.state.data;
    document.body.dataset.points = String(train.length + test.length);
    showLegend(element("legend"), legendStops(problem, nOutputs, targetLow, targetHigh));
    element("accuracy-section").hidden = problem === "regression"; // no accuracy there
  }
}
