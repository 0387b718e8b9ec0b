// @ts-check
// The run as a URL hash: every setting that differs from the defaults, readable and short
// ("#dataset=xor&hidden=8,8&learning_rate=0.1"), and back, checked against the schema specs
// so a hand-edited link cannot send garbage. Pure: no DOM, no location.

/** @typedef {import("./schema.js").SettingSpec} SettingSpec */

/** @param {unknown} a @param {unknown} b */
function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * @param {Record<string, unknown>} settings
 * @param {Record<string, unknown>} defaults
 * @param {Record<string, string | number>} [extra] page state that is not a setting (speed...)
 * @returns {string} the hash, without "#"
 */
export function encodeHash(settings, defaults, extra = {}) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(settings)) {
    if (same(value, defaults[name])) continue;
    params.set(name, Array.isArray(value) ? value.join(",") : String(value));
  }
  for (const [name, value] of Object.entries(extra)) params.set(name, String(value));
  return params.toString().replaceAll("%2C", ",").replaceAll("%5E", "^").replaceAll("%2A", "*");
}

/**
 * @param {string} text one value as written in the hash
 * @param {SettingSpec} spec
 * @returns {unknown} the value, or undefined when it does not fit the spec
 */
function parseValue(text, spec) {
  if (spec.kind === "list" && spec.item) {
    const items = text === "" ? [] : text.split(",").map((part) => parseValue(part, /** @type {SettingSpec} */ (spec.item)));
    if (items.some((item) => item === undefined)) return undefined;
    if (spec.maxItems !== null && items.length > spec.maxItems) return undefined;
    return items;
  }
  if (spec.kind === "choice") return spec.choices.includes(text) ? text : undefined;
  if (spec.kind === "boolean") return text === "true" ? true : text === "false" ? false : undefined;
  const number = Number(text);
  if (text.trim() === "" || !Number.isFinite(number)) return undefined;
  if (spec.kind === "integer" && !Number.isInteger(number)) return undefined;
  if (spec.minimum !== null && number < spec.minimum) return undefined;
  if (spec.maximum !== null && number > spec.maximum) return undefined;
  return number;
}

/**
 * @param {string} hash with or without "#"
 * @param {Record<string, SettingSpec>} specs
 * @returns {{settings: Record<string, unknown>, extra: Record<string, string>, rejected: string[]}}
 *   the settings the hash sets, other entries, and the names of values that did not fit
 */
export function decodeHash(hash, specs) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  /** @type {Record<string, unknown>} */
  const settings = {};
  /** @type {Record<string, string>} */
  const extra = {};
  /** @type {string[]} */
  const rejected = [];
  for (const [name, text] of params) {
    const spec = specs[name];
    if (!spec) {
      extra[name] = text;
      continue;
    }
    const value = parseValue(text, spec);
    if (value === undefined) rejected.push(name);
    else settings[name] = value;
  }
  return { settings, extra, rejected };
}
