// @ts-check
// Compare mode: variant rows ("the same, but activation = sigmoid"), a seeds button for
// random restarts, the compared boundaries side by side (canvases the drawing worker
// paints) and their numbers. Builds `compare` messages; the caller sends them, and says which
// comparison the server accepted (the page state's). The server judges each variant's values.
import { make, notice } from "./dom.js";
import { spreadSentence } from "../shared/spread.js";

/** @typedef {import("../shared/schema.js").SettingSpec} SettingSpec */

export const SEEDS = 5;
const MAX_MODELS = 4; // the page shows up to 4 side by side (the server trains up to 8)

/**
 * The settings a variant may change: every model setting, i.e. all but those that make new
 * data (the compared models share the data; GET /api/config's effects.regenerate).
 * @param {Record<string, SettingSpec>} specs @param {string[]} regenerate
 */
export function variantSettings(specs, regenerate) {
  return Object.keys(specs).filter((name) => !regenerate.includes(name));
}

/**
 * @param {SettingSpec} spec @param {string} text
 * @returns {{value: unknown} | {error: string}}
 */
function scalarValue(spec, text) {
  if (spec.kind === "choice") return { value: text };
  if (spec.kind === "boolean") return text === "true" || text === "false" ? { value: text === "true" } : { error: `${spec.name}: expected true or false, received "${text}"` };
  const number = Number(text);
  return text.trim() !== "" && Number.isFinite(number) ? { value: number } : { error: `${spec.name}: expected a number, received "${text}"` };
}

/**
 * A variant's value from what a user typed or chose: a list setting takes values separated
 * by commas or spaces. Only the form is checked here; bounds and choices are the server's.
 * @param {SettingSpec} spec @param {string} text
 * @returns {{value: unknown} | {error: string}}
 */
export function variantValue(spec, text) {
  if (spec.kind !== "list" || !spec.item) return scalarValue(spec, text.trim());
  const item = { ...spec.item, name: spec.name };
  const values = [];
  for (const part of text.split(/[\s,]+/).filter(Boolean)) {
    const parsed = scalarValue(item, part);
    if ("error" in parsed) return parsed;
    values.push(parsed.value);
  }
  return { value: values };
}

/** @param {Record<string, unknown>} change */
export function variantName(change) {
  const entries = Object.entries(change);
  if (entries.length === 0) return "this model";
  return entries.map(([name, value]) => `${name.replaceAll("_", " ")} = ${Array.isArray(value) ? value.join(", ") : value}`).join(", ");
}

/** "A: activations = sigmoid": compared model `i`'s caption. @param {string} name @param {number} i */
export const caption = (name, i) => `${String.fromCharCode(65 + i)}: ${name}`;

export class CompareView {
  /**
   * @param {HTMLElement} root the compare card
   * @param {Record<string, SettingSpec>} specs
   * @param {string[]} variants the settings a variant may change (variantSettings)
   * @param {() => Record<string, unknown>[]} compared the models the server compares ([] when not comparing)
   * @param {(models: Record<string, unknown>[]) => void} sendCompare
   * @param {(canvases: HTMLCanvasElement[]) => void} paintOn hands the boundaries' canvases
   *   to the drawing worker, one per compared model
   */
  constructor(root, specs, variants, compared, sendCompare, paintOn) {
    this.root = root;
    this.paintOn = paintOn;
    this.specs = specs;
    this.variants = variants;
    this.sendCompare = sendCompare;
    this.compared = compared;
    this.shownKey = "[]"; // the names the boundaries and the table were built for
    this.rows = /** @type {HTMLElement} */ (root.querySelector(".variants"));
    this.grid = /** @type {HTMLElement} */ (root.querySelector(".compare-grid"));
    this.table = /** @type {HTMLTableElement} */ (root.querySelector(".compare-numbers"));
    this.spread = /** @type {HTMLElement} */ (root.querySelector(".compare-spread"));
    root.querySelector('[data-action="add"]')?.addEventListener("click", () => this.addRow("activations", "sigmoid"));
    root.querySelector('[data-action="seeds"]')?.addEventListener("click", () => this.sendCompare(Array.from({ length: SEEDS }, (_, seed) => ({ seed }))));
    root.querySelector('[data-action="stop"]')?.addEventListener("click", () => this.sendCompare([]));
    root.querySelector('[data-action="compare"]')?.addEventListener("click", () => this.compareRows());
  }

  /** @param {string} name @param {string} text */
  addRow(name, text) {
    if (this.rows.children.length >= MAX_MODELS - 1) {
      notice(`At most ${MAX_MODELS - 1} variants next to this model.`);
      return;
    }
    const setting = make("select", { "aria-label": "setting the variant changes" });
    for (const option of this.variants) setting.add(new Option(option.replaceAll("_", " "), option));
    setting.value = name;
    const value = make("input", { type: "text", value: text, "aria-label": "its value in the variant" });
    const remove = make("button", { type: "button", textContent: "Remove" });
    const row = make("div", { className: "variant" }, "The same, but ", setting, " = ", value, remove);
    remove.addEventListener("click", () => row.remove());
    this.rows.append(row);
  }

  compareRows() {
    /** @type {Record<string, unknown>[]} */
    const models = [{}];
    for (const row of this.rows.querySelectorAll(".variant")) {
      const name = /** @type {HTMLSelectElement} */ (row.querySelector("select")).value;
      const parsed = variantValue(this.specs[name], /** @type {HTMLInputElement} */ (row.querySelector("input")).value);
      if ("error" in parsed) {
        notice(`Variant not compared: ${parsed.error}`);
        return;
      }
      models.push({ [name]: parsed.value });
    }
    if (models.length < 2) {
      notice("Add a variant to compare with.");
      return;
    }
    this.sendCompare(models);
  }

  /** Names of the compared models, for charts and labels. */
  names() {
    return this.compared().map((change) => variantName(change));
  }

  /**
   * Lays out a boundary and a table row per model of a painted frame when the set changed,
   * and fills in their numbers.
   * @param {import("../shared/protocol.js").ModelFrame[]} models a compared frame's ([] for one model)
   */
  show(models) {
    const names = this.shownNames(models);
    const key = JSON.stringify(names); // a new set of the same size needs new captions
    if (this.shownKey !== key) {
      this.shownKey = key;
      this.label(names);
    }
    this.showNumbers(models, names);
  }

  /**
   * A frame in flight may still hold the models of the previous set: one name each.
   * @param {unknown[]} models
   */
  shownNames(models) {
    const all = this.names();
    return models.map((_, i) => all[i] ?? "");
  }

  /** New boundaries and table rows, captioned "A: ...", "B: ...". @param {string[]} names */
  label(names) {
    const captions = names.map(caption);
    this.grid.replaceChildren();
    const canvases = captions.map((text) => {
      const canvas = make("canvas", { className: "boundary small", role: "img", "aria-label": `decision boundary of ${text}` });
      this.grid.append(make("figure", {}, canvas, make("figcaption", { textContent: text })));
      return canvas;
    });
    this.paintOn(canvases);
    const body = /** @type {HTMLTableSectionElement} */ (this.table.tBodies[0]);
    body.replaceChildren();
    for (const text of captions) {
      const row = body.insertRow();
      row.insertCell().textContent = text;
      for (let column = 0; column < 3; column++) row.insertCell();
    }
    this.table.hidden = captions.length === 0;
  }

  /**
   * Each compared model's losses and accuracy, and for seeds (random restarts) how far
   * apart the runs ended.
   * @param {import("../shared/protocol.js").ModelFrame[]} models @param {string[]} names their captions
   */
  showNumbers(models, names) {
    const rows = /** @type {HTMLTableSectionElement} */ (this.table.tBodies[0]).rows;
    const formatted = (/** @type {number | null} */ value) => (value === null ? "–" : value.toPrecision(3));
    models.forEach((model, i) => {
      const cells = rows[i].cells;
      cells[1].textContent = formatted(model.train_loss);
      cells[2].textContent = formatted(model.test_loss);
      cells[3].textContent = formatted(model.test_accuracy);
    });
    const seeds = models.length > 1 && this.compared().every((change) => Object.keys(change).join() === "seed");
    if (this.spread.hidden === seeds) this.spread.hidden = !seeds; // unchanged: no restyle
    if (seeds) {
      this.spread.textContent = `${spreadSentence("Test loss", models.map((model) => model.test_loss), names)} Each run is the same network from other random weights: where it ends depends on where it starts.`;
    }
  }
}
