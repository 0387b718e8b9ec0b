// @ts-check
// Binds the controls declared in index.html (data-param="name") to settings: fills choices
// and bounds from the schema specs, shows the settings the server applied, and reports each
// change. Values are judged by the server, not here: a refused one is answered with the value
// in effect, which showSettings puts back. No socket.
import { fromLogPosition, parseIntegerList, toLogPosition } from "../shared/schema.js";

/** @typedef {import("../shared/schema.js").SettingSpec} SettingSpec */
/** @typedef {HTMLInputElement | HTMLSelectElement} Control */

/**
 * @param {ParentNode} root
 * @param {Record<string, SettingSpec>} specs
 * @param {(change: Record<string, unknown>) => void} onChange
 * @param {(name: string, message: string) => void} onInvalid
 */
export function bindControls(root, specs, onChange, onInvalid) {
  for (const control of /** @type {NodeListOf<Control>} */ (root.querySelectorAll("[data-param]"))) {
    const name = /** @type {string} */ (control.dataset.param);
    const spec = specs[name];
    if (!spec) throw new Error(`control for unknown setting ${name}`);
    prepare(control, spec);
    const event = control instanceof HTMLInputElement && control.type === "text" ? "change" : "input";
    control.addEventListener(event, () => {
      const value = readControl(root, control, spec);
      if (value && "error" in value) onInvalid(name, value.error);
      else if (value) onChange({ [name]: value.value });
    });
  }
}

/** @param {Control} control @param {SettingSpec} spec */
function prepare(control, spec) {
  const choices = spec.kind === "list" ? spec.item?.choices ?? [] : spec.choices;
  const numbered = spec.kind === "list" && spec.item?.kind !== "choice"; // the digits lab's digits
  if (control instanceof HTMLInputElement && control.type === "checkbox" && spec.kind === "list" && !numbered && !choices.includes(control.value)) {
    throw new Error(`${spec.name}: the page offers "${control.value}", the server ${choices.join(", ")}`);
  }
  if (control instanceof HTMLSelectElement && control.options.length === 0) {
    // data-fixed choices are shown but set elsewhere (the dataset "custom" by user points).
    const fixed = (control.dataset.fixed ?? "").split(" ");
    for (const choice of choices) {
      const option = new Option(choice.replaceAll("_", " "), choice);
      option.disabled = fixed.includes(choice);
      control.add(option);
    }
  }
  const bounds = spec.kind === "list" && spec.item ? spec.item : spec;
  const bounded = control instanceof HTMLInputElement && (control.type === "range" || control.type === "number");
  if (bounded && control.dataset.scale !== "log") {
    if (bounds.minimum !== null) control.min = String(bounds.minimum);
    if (bounds.maximum !== null) control.max = String(bounds.maximum);
  }
}

/**
 * The setting a control now says, or what is wrong with it; null when it says nothing.
 * @param {ParentNode} root @param {Control} control @param {SettingSpec} spec
 * @returns {{value: unknown} | {error: string} | null}
 */
function readControl(root, control, spec) {
  if (control instanceof HTMLSelectElement) {
    return { value: spec.kind === "list" ? [control.value] : control.value };
  }
  if (control.type === "checkbox" && spec.kind === "boolean") return { value: control.checked };
  if (control.type === "checkbox") {
    const group = /** @type {NodeListOf<HTMLInputElement>} */ (root.querySelectorAll(`[data-param="${spec.name}"]`));
    const numbered = spec.item?.kind === "integer" || spec.item?.kind === "number";
    const value = [...group].filter((box) => box.checked).map((box) => (numbered ? Number(box.value) : box.value));
    return value.length ? { value } : { error: `choose at least one ${control.dataset.noun ?? "input feature"}` };
  }
  if (control.type === "text") return parseIntegerList(control.value);
  let value = Number(control.value);
  if (control.dataset.scale === "log") value = fromLogPosition(value, Number(spec.minimum), Number(spec.maximum));
  if (control.value.trim() === "" || !Number.isFinite(value)) return { error: `expected a number, received "${control.value}"` };
  return { value: spec.kind === "list" ? [value] : value };
}

/**
 * Shows `settings` (the server's: the ready message's or a `settings` answer's) in every
 * control, and their values in [data-show="name"] elements.
 * @param {ParentNode} root @param {Record<string, SettingSpec>} specs @param {Record<string, any>} settings
 */
export function showSettings(root, specs, settings) {
  for (const control of /** @type {NodeListOf<Control>} */ (root.querySelectorAll("[data-param]"))) {
    const name = /** @type {string} */ (control.dataset.param);
    const value = settings[name];
    if (value === undefined) continue;
    if (control instanceof HTMLSelectElement) control.value = Array.isArray(value) ? value[0] : value;
    else if (control.type === "checkbox") {
      control.checked = typeof value === "boolean" ? value : value.map(String).includes(control.value);
    } else if (control.type === "text") control.value = value.join(", ");
    else if (control.dataset.scale === "log") {
      control.value = String(toLogPosition(value, Number(specs[name].minimum), Number(specs[name].maximum)));
    } else control.value = String(Array.isArray(value) ? value[0] : value);
  }
  for (const label of /** @type {NodeListOf<HTMLElement>} */ (root.querySelectorAll("[data-show]"))) {
    const value = settings[/** @type {string} */ (label.dataset.show)];
    if (value !== undefined) label.textContent = Array.isArray(value) ? String(value[0]) : String(value);
  }
  // Parameters of a choice not made (Adam's betas under plain SGD) would only distract.
  for (const element of /** @type {NodeListOf<HTMLElement>} */ (root.querySelectorAll("[data-relevant]"))) {
    element.hidden = !isRelevant(/** @type {string} */ (element.dataset.relevant), settings);
  }
}

/**
 * Whether a `data-relevant` condition ("optimizer=adam,rmsprop") holds for these settings.
 * @param {string} condition @param {Record<string, unknown>} settings
 */
export function isRelevant(condition, settings) {
  const [name, values] = condition.split("=");
  return values.split(",").includes(String(settings[name]));
}
