// @ts-check
// The comparisons the digits page offers in one click, as `compare` messages' model changes,
// kept only where every value is one of the server's choices (a server without conv layers,
// say, offers no "dense vs conv"). Pure: no DOM.

/** @typedef {{id: string, title: string, models: Record<string, unknown>[]}} Preset */

/** @type {readonly Preset[]} */
const PRESETS = [
  { id: "dense-conv", title: "Dense vs conv first layer", models: [{ first_layer: "dense" }, { first_layer: "conv" }] },
  { id: "dense-conv-local", title: "Dense vs conv vs local", models: [{ first_layer: "dense" }, { first_layer: "conv" }, { first_layer: "local" }] },
  { id: "softmax-naive", title: "Softmax from logits vs naive", models: [{ loss: "softmax_ce" }, { loss: "softmax_ce_naive" }] },
  { id: "adam-sgd", title: "Adam vs gradient descent", models: [{ optimizer: "adam" }, { optimizer: "sgd" }] },
];

/**
 * @param {Record<string, import("../shared/schema.js").SettingSpec>} specs the digits settings'
 * @returns {Preset[]}
 */
export function comparePresets(specs) {
  const fits = (/** @type {Record<string, unknown>} */ change) =>
    Object.entries(change).every(([name, value]) => specs[name]?.kind === "choice" && specs[name].choices.includes(String(value)));
  return PRESETS.filter((preset) => preset.models.every(fits));
}

/**
 * A compared model's name: what its change sets ("first layer conv"), or its letter.
 * @param {Record<string, unknown>} change @param {number} index
 */
export function modelName(change, index) {
  const words = Object.entries(change).map(([name, value]) => `${name.replaceAll("_", " ")} ${Array.isArray(value) ? value.join(",") : String(value).replaceAll("_", " ")}`);
  return `${String.fromCharCode(65 + index)}: ${words.join(", ") || "as set"}`;
}
