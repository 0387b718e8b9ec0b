// @ts-check
// The digits page's views of what the page state holds: run state and banner, speed, every
// control (bound from the schema specs), the task buttons, the layers and parameter count the
// server reported, the comparison's presets and model choice. What the learner changes goes
// through `state.post`; nothing here computes what the server decides.
import { showSessionState } from "../page/banner.js";
import { bindControls, showSettings } from "../page/controls.js";
import { element, make, notice } from "../page/dom.js";
import { send } from "../shared/protocol.js";
import { DigitsLayerEditor } from "./layer_editor.js";
import { comparePresets, modelName } from "./presets.js";

/** @typedef {import("../shared/schema.js").SettingSpec} SettingSpec */
/** @typedef {{settings: Record<string, any>, layers: string[], outputs: number, output_activation: string, parameters: number}} DigitsModel */

export class DigitsScreen {
  /**
   * @param {import("../shared/page_state.js").PageState} state @param {Record<string, any>} config GET api/digits/config's
   * @param {Record<string, SettingSpec>} specs @param {() => void} clearHistory forgets the curves (new weights)
   */
  constructor(state, config, specs, clearHistory) {
    this.state = state;
    this.config = config;
    this.specs = specs;
    this.clearHistory = clearHistory;
    /** @type {DigitsModel[]} */
    this.models = [];
    this.pictureModel = 0;
    const configure = (/** @type {Record<string, unknown>} */ change) => this.configure(change);
    this.layerEditor = new DigitsLayerEditor(element("layer-editor"), specs, config.defaults, configure);
    const boxes = element("settings").querySelector(".digit-boxes");
    for (let d = 0; d < config.limits.classes; d++) {
      boxes?.append(make("label", {}, make("input", { type: "checkbox", value: String(d), "data-param": "digits", "data-noun": "digit" }), String(d)));
    }
    for (const button of /** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll("[data-task]"))) {
      const all = Array.from({ length: config.limits.classes }, (_, d) => d);
      button.addEventListener("click", () => configure({ digits: button.dataset.task === "pair" ? all.slice(0, 2) : all }));
    }
    bindControls(element("settings"), specs, configure, (name, message) => {
      notice(`${name.replaceAll("_", " ")}: ${message}`);
      this.showSettings();
    });
    const presets = element("presets");
    for (const preset of comparePresets(specs)) {
      const button = make("button", { type: "button", textContent: preset.title });
      button.dataset.preset = preset.id;
      button.addEventListener("click", () => this.restartWith(send.compare(preset.models)));
      presets.append(button);
    }
    element("stop-compare").addEventListener("click", () => this.restartWith(send.compare([])));
    element("picture-model").addEventListener("change", (event) => {
      this.pictureModel = Number(/** @type {HTMLSelectElement} */ (event.target).value);
    });
  }

  /** @param {Record<string, unknown>} change settings the learner changed */
  configure(change) {
    notice("");
    if (Object.keys(change).some((name) => !this.config.effects.keep_weights.includes(name))) this.clearHistory();
    this.state.post(send.configure(change));
  }

  /** Sends a message that replaces the weights: no curve of the old ones stays. @param {Record<string, unknown>} message */
  restartWith(message) {
    notice("");
    this.clearHistory();
    this.state.post(message);
  }

  /** @param {string} play the session's state (or reconnecting, closed, busy) @param {string} [detail] the server's words */
  showState(play, detail = "") {
    showSessionState(this.state, play, detail);
  }

  showSettings() {
    showSettings(element("settings"), this.specs, this.state.settings);
    this.layerEditor.show(this.state.settings, this.models[0]?.layers ?? []);
  }

  /**
   * A `ready` or `settings` message: settings, speed, each model's layers and parameter count.
   * @param {{epochs_per_frame: number, models: DigitsModel[], train_images?: number, test_images?: number}} applied
   */
  showApplied(applied) {
    this.models = applied.models;
    this.state.speed = applied.epochs_per_frame;
    /** @type {HTMLInputElement} */ (element("speed")).value = String(applied.epochs_per_frame);
    element("speed-value").textContent = String(applied.epochs_per_frame);
    this.showSettings();
    if (applied.train_images !== undefined) element("image-counts").textContent = `${applied.train_images} training images, ${applied.test_images} test images.`;
    const names = this.names();
    element("model-summary").replaceChildren(...applied.models.map((model, m) => make("div", { className: "model-layers" },
      make("strong", { textContent: `${names[m] ? `${names[m]}: ` : ""}${model.parameters.toLocaleString("en")} parameters` }),
      make("ol", {}, ...model.layers.map((layer) => make("li", { textContent: layer })),
        make("li", { textContent: `${model.output_activation} output, ${model.outputs} unit${model.outputs === 1 ? "" : "s"}` })))));
    const summary = element("model-summary");
    summary.dataset.parameters = applied.models.map((model) => model.parameters).join(",");
  }

  /** Each compared model's name ([""] when one model). */
  names() {
    return this.state.compare.length ? this.state.compare.map((change, i) => modelName(change, i)) : [""];
  }

  /** The model choice for the comparison the server accepted. */
  showComparison() {
    const names = this.names();
    const choice = /** @type {HTMLSelectElement} */ (element("picture-model"));
    choice.replaceChildren(...names.map((name, i) => new Option(name, String(i))));
    this.pictureModel = 0;
    element("model-choice").hidden = names.length < 2;
    for (const button of /** @type {NodeListOf<HTMLElement>} */ (element("presets").querySelectorAll("button"))) {
      const preset = comparePresets(this.specs).find((p) => p.id === button.dataset.preset);
      button.setAttribute("aria-pressed", String(JSON.stringify(preset?.models) === JSON.stringify(this.state.compare)));
    }
  }
}
