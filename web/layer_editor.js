// @ts-check
// The hidden layers as controls: add or remove a layer, +/- neurons in each, and each
// layer's own activation and dropout. Reports settings changes; the list logic is layers.js.
import { addLayer, layersChange, removeLayer, resizeLayer, setLayerValue } from "./layers.js";

/** @typedef {import("./schema.js").SettingSpec} SettingSpec */

/** @param {string} text @param {string} label @param {() => void} onClick */
function button(text, label, onClick) {
  const element = document.createElement("button");
  element.type = "button";
  element.textContent = text;
  element.setAttribute("aria-label", label);
  element.addEventListener("click", onClick);
  return element;
}

export class LayerEditor {
  /**
   * @param {HTMLElement} root holds the layer rows (.layer-rows) and the add/remove buttons
   * @param {Record<string, SettingSpec>} specs
   * @param {(change: Record<string, unknown>) => void} onChange
   */
  constructor(root, specs, onChange) {
    this.rows = /** @type {HTMLElement} */ (root.querySelector(".layer-rows"));
    this.onChange = onChange;
    const neurons = /** @type {SettingSpec} */ (specs.hidden.item);
    this.low = neurons.minimum ?? 1;
    this.high = neurons.maximum ?? 16;
    this.maxLayers = specs.hidden.maxItems ?? 6;
    this.activations = specs.activations.item?.choices ?? [];
    const rate = specs.dropout.item;
    this.maxDropout = rate?.maximum ?? 0.9;
    /** @type {{hidden: number[], activations: string[], dropout: number[]}} */
    this.settings = { hidden: [], activations: [], dropout: [] };
    this.add = /** @type {HTMLButtonElement} */ (root.querySelector('[data-action="add-layer"]'));
    this.remove = /** @type {HTMLButtonElement} */ (root.querySelector('[data-action="remove-layer"]'));
    this.add.addEventListener("click", () => this.layers(addLayer(this.settings.hidden, this.maxLayers, 4)));
    this.remove.addEventListener("click", () => this.layers(removeLayer(this.settings.hidden)));
  }

  /** @param {number[] | null} hidden the new layers, or null when the edit is refused */
  layers(hidden) {
    if (hidden) this.onChange(layersChange(this.settings, hidden));
  }

  /** Rebuilds the rows for these settings. @param {Record<string, any>} settings */
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
    const row = document.createElement("div");
    row.className = "layer-row";
    const title = document.createElement("span");
    title.textContent = `Layer ${index + 1}`;
    const fewer = button("−", `fewer neurons in ${name}`, () => this.layers(resizeLayer(hidden, index, -1, this.low, this.high)));
    const more = button("+", `more neurons in ${name}`, () => this.layers(resizeLayer(hidden, index, 1, this.low, this.high)));
    fewer.disabled = count <= this.low;
    more.disabled = count >= this.high;
    const shown = document.createElement("output");
    shown.textContent = String(count);
    shown.setAttribute("aria-label", `neurons in ${name}`);
    const activation = document.createElement("select");
    activation.setAttribute("aria-label", `activation of ${name}`);
    for (const choice of this.activations) activation.add(new Option(choice.replaceAll("_", " "), choice));
    activation.value = activations[Math.min(index, activations.length - 1)];
    activation.addEventListener("input", () =>
      this.onChange({ activations: setLayerValue(activations, hidden.length, index, activation.value) }),
    );
    const rate = document.createElement("input");
    rate.type = "number";
    rate.min = "0";
    rate.max = String(this.maxDropout);
    rate.step = "0.05";
    rate.value = String(dropout[Math.min(index, dropout.length - 1)]);
    rate.setAttribute("aria-label", `dropout of ${name}`);
    rate.title = "dropout rate";
    rate.addEventListener("change", () => {
      const value = Number(rate.value);
      if (rate.value.trim() !== "" && value >= 0 && value <= this.maxDropout) {
        this.onChange({ dropout: setLayerValue(dropout, hidden.length, index, value) });
      } else rate.value = String(dropout[Math.min(index, dropout.length - 1)]);
    });
    row.append(title, fewer, shown, more, activation, rate);
    return row;
  }
}
