// @ts-check
// What a setting accepts, read from the JSON Schema of GET /api/config, so that ranges,
// choices and defaults live in one place (protocol.py). Pure: no DOM.

/**
 * @typedef {{name: string, kind: "choice" | "number" | "integer" | "boolean" | "list",
 *   choices: string[], minimum: number | null, maximum: number | null,
 *   item: SettingSpec | null, maxItems: number | null}} SettingSpec
 */

/**
 * @param {Record<string, any>} schema the settings schema
 * @param {Record<string, any>} node a property or item schema
 * @param {string} name
 * @returns {SettingSpec}
 */
function specOf(schema, node, name) {
  const resolved = node.$ref ? schema.$defs[node.$ref.split("/").pop()] : node;
  /** @type {SettingSpec} */
  const spec = { name, kind: "number", choices: [], minimum: null, maximum: null, item: null, maxItems: null };
  if (resolved.enum) {
    spec.kind = "choice";
    spec.choices = resolved.enum;
  } else if (resolved.type === "array") {
    spec.kind = "list";
    spec.item = specOf(schema, resolved.items, name);
    spec.maxItems = resolved.maxItems ?? null;
  } else if (resolved.type === "boolean") {
    spec.kind = "boolean";
  } else {
    spec.kind = resolved.type === "integer" ? "integer" : "number";
    spec.minimum = resolved.minimum ?? resolved.exclusiveMinimum ?? null;
    spec.maximum = resolved.maximum ?? resolved.exclusiveMaximum ?? null;
  }
  return spec;
}

/**
 * Every setting's spec by name.
 * @param {Record<string, any>} schema
 * @returns {Record<string, SettingSpec>}
 */
export function settingSpecs(schema) {
  /** @type {Record<string, SettingSpec>} */
  const specs = {};
  for (const [name, node] of Object.entries(schema.properties)) specs[name] = specOf(schema, node, name);
  return specs;
}

/**
 * Parses "4, 2" into [4, 2], or says what is not a whole number. Bounds are the server's to
 * judge: it refuses a list out of them, naming the layer, and answers with the one in effect.
 * @param {string} text
 * @returns {{value: number[]} | {error: string}}
 */
export function parseIntegerList(text) {
  const parts = text.split(/[\s,]+/).filter((part) => part !== "");
  const value = parts.map(Number);
  const bad = parts.find((part, i) => !Number.isInteger(value[i]));
  return bad === undefined ? { value } : { error: `expected whole numbers separated by commas, received "${bad}"` };
}

/**
 * A log-scale slider position (0..1) for a value between spec bounds, and back.
 * @param {number} value @param {number} low @param {number} high
 */
export function toLogPosition(value, low, high) {
  return (Math.log(value) - Math.log(low)) / (Math.log(high) - Math.log(low));
}

/** @param {number} position @param {number} low @param {number} high */
export function fromLogPosition(position, low, high) {
  const value = Math.exp(Math.log(low) + position * (Math.log(high) - Math.log(low)));
  return Number(value.toPrecision(2));
}
