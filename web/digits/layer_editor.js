// @ts-check
// The hidden layers one by one: a conv or local first layer's activation, then each dense
// layer's units and activation; add or remove the last dense layer. Sends whole lists
// (hidden, activations) through `configure`; shows what the server applied. DOM only.
import { make } from "../page/dom.js";

/** @typedef {import("../shared/schema.js").SettingSpec} SettingSpec */

export class DigitsLayerEditor {
  /**
   * @param {HTMLElement} root #layer-editor @param {Record<string, SettingSpec>} specs
   * @param {Record<string, any>} defaults GET api/digits/config's
   * @param {(change: Record<string, unknown>) => void} configure
   */
  constructor(root, specs, defaults, configure) {
    this.rows = /** @type {HTMLElement} */ (root.querySelector(".layer-rows"));
    this.specs = specs;
    this.configure = configure;
    /** @type {Record<string, any>} */
    this.settings = defaults;
    this.defaultUnits = defaults.hidden[0] ?? Number(specs.hidden.item?.minimum ?? 1);
    root.querySelector('[data-action="add-layer"]')?.addEventListener("click", () => {
      const { hidden, activations } = this.lists();
      if (this.specs.hidden.maxItems !== null && hidden.length >= this.specs.hidden.maxItems) return;
      this.configure({ hidden: [...hidden, hidden.at(-1) ?? this.defaultUnits], activations: [...activations, activations.at(-1)] });
    });
    root.querySelector('[data-action="remove-layer"]')?.addEventListener("click", () => {
      const { hidden, activations } = this.lists();
      if (hidden.length === 0) return;
      this.configure({ hidden: hidden.slice(0, -1), activations: activations.slice(0, -1) });
    });
  }

  /** The settings' lists, activations one per hidden layer (the first one's first). */
  lists() {
    const hidden = /** @type {number[]} */ ([...this.settings.hidden]);
    const depth = hidden.length + (this.settings.first_layer === "dense" ? 0 : 1);
    const given = /** @type {string[]} */ (this.settings.activations);
    const activations = Array.from({ length: Math.max(depth, 1) }, (_, i) => given[Math.min(i, given.length - 1)]);
    return { hidden, activations };
  }

  /** @param {Record<string, any>} settings the server's @param {string[]} layerNames the server's names of each hidden layer */
  show(settings, layerNames) {
    this.settings = settings;
    const { hidden, activations } = this.lists();
    const offset = settings.first_layer === "dense" ? 0 : 1;
    const choices = this.specs.activations.item?.choices ?? [];
    const activationSelect = (/** @type {number} */ i) => {
      const select = make("select", { "aria-label": `activation of hidden layer ${i + 1}` }, ...choices.map((c) => new Option(c.replaceAll("_", " "), c)));
      select.value = activations[i];
      select.addEventListener("input", () => this.configure({ activations: activations.map((a, j) => (j === i ? select.value : a)) }));
      return select;
    };
    const rows = [];
    if (offset) rows.push(make("div", { className: "layer-row" }, make("span", { textContent: layerNames[0] ?? settings.first_layer }), activationSelect(0)));
    hidden.forEach((units, d) => {
      const unitSpec = this.specs.hidden.item;
      const input = make("input", { type: "number", value: String(units), min: String(unitSpec?.minimum ?? 1), max: String(unitSpec?.maximum ?? ""), "aria-label": `units of dense layer ${d + 1}` });
      input.addEventListener("change", () => {
        const value = Number(input.value);
        if (Number.isInteger(value)) this.configure({ hidden: hidden.map((u, j) => (j === d ? value : u)) });
      });
      rows.push(make("div", { className: "layer-row" }, make("span", { textContent: `dense ${d + 1}` }), input, "units", activationSelect(d + offset)));
    });
    this.rows.replaceChildren(...rows);
  }
}
