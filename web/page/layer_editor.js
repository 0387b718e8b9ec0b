// @ts-check
// The hidden layers as controls: add or remove a layer, +/- neurons in each, and each
// layer's own activation and dropout. Reports settings changes and shows the settings the
// server applied (its lists one entry per layer); the list logic is layers.js.
import { make } from "./dom.js";
import { addLayer, removeLayer, resizeLayer } from "../shared/layers.js";

/** @typedef {import("../shared/schema.js").SettingSpec} SettingSpec */

/** @param {string} text @param {string} label @param {boolean} disabled @param {() => void} onClick */
function button(text, label, disabled, onClick) {
  const made = make("button", { type: "button", textContent: text, disabled, "aria-label": label });
  made.addEventListener("click", onClick);
  return made;
}

export class LayerEditor {
  /**
   * @param {HTMLElement} root holds the layer rows (.layer-rows) and the add/remove buttons
   * @param {Record<string, SettingSpec>} specs
   * @param {number} neurons a first layer's neurons (the default network's first layer)
   * @param {(change: Record<string, unknown>) => void} onChange
   */
  constructor(root, specs, neurons, onChange) {
    this.rows = /** @type {HTMLElement} */ (root.querySelector(".layer-rows"));
    this.onChange = onChange;
    const item = /** @type {SettingSpec} */ (specs.hidden.item);
    this.low = Number(item.minimum);
    this.high = Number(item.maximum);
    this.maxLayers = Number(specs.hidden.maxItems);
    this.activations = /** @type {SettingSpec} */ (specs.activations.item).choices;
    this.maxDropout = Number(specs.dropout.item?.maximum);
    /** @type {{hidden: number[], activations: string[], dropout: number[]}} */
    this.settings = { hidden: [], activations: [], dropout: [] };
    this.add = /** @type {HTMLButtonElement} */ (root.querySelector('[data-action="add-layer"]'));
    this.remove = /** @type {HTMLButtonElement} */ (root.querySelector('[data-action="remove-layer"]'));
    this.add.addEventListener("click", () => this.layers(addLayer(this.settings.hidden, this.maxLayers, neurons)));
    this.remove.addEventListener("click", () => this.layers(removeLayer(this.settings.hidden)));
  }

  /**
   * @param {number[] | null} hidden the new layers, or null when the edit is refused; the
   *   server fits the per-layer lists to them
   */
  layers(hidden) {
    if (!hidden) return;
    // The next click builds on this one even before the server's answer redraws the rows.
    this.settings = { ...this.settings, hidden };
    this.onChange({ hidden });
  }

  /**
   * Rebuilds the rows for the settings the server applied: its per-layer lists hold one
   * entry per layer. @param {Record<string, any>} settings
   */
  show(settings) {
    const { hidden, activations, dropout } = settings;
    this.settings = { hidden, activations, dropout };
    this.add.disabled = hidden.length >= this.maxLayers;
    this.remove.disabled = hidden.length === 0;
    const focused = document.activeElement?.getAttribute("aria-label");
    this.rows.replaceChildren(...hidden.map((count, i) => this.row(i, count)));
    // Rebuilding must not lose the keyboard's place: a user pressing + again keeps focus.
    if (focused) /** @type {HTMLElement | null} */ (this.rows.querySelector(`[aria-label="${focused}"]`))?.focus();
  }

  /** @param {number} index @param {number} count */
  row(index, count) {
    const { hidden, activations, dropout } = this.settings;
    const name = `layer ${index + 1}`;
    const resize = (/** @type {number} */ delta) => this.layers(resizeLayer(this.settings.hidden, index, delta, this.low, this.high));
    const fewer = button("−", `fewer neurons in ${name}`, count <= this.low, () => resize(-1));
    const more = button("+", `more neurons in ${name}`, count >= this.high, () => resize(1));
    const shown = make("output", { textContent: String(count), "aria-label": `neurons in ${name}` });
    const activation = make("select", { "aria-label": `activation of ${name}` });
    for (const choice of this.activations) activation.add(new Option(choice.replaceAll("_", " "), choice));
    activation.value = activations[index];
    activation.addEventListener("input", () => this.onChange({ activations: activations.with(index, activation.value) }));
    const rate = make("input", { type: "number", min: "0", max: String(this.maxDropout), step: "0.05", value: String(dropout[index]), title: "dropout rate", "aria-label": `dropout of ${name}` });
    // The server judges the rate: a refused one is answered with the rate in effect.
    rate.addEventListener("change", () => this.onChange({ dropout: dropout.with(index, rate.value.trim() === "" ? NaN : Number(rate.value)) }));
    return make("div", { className: "layer-row" }, make("span", { textContent: `Layer ${index + 1}` }), fewer, shown, more, activation, rate);
  }
}
