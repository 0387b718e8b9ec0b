// @ts-check
// A user's CSV of points, read and checked as docs/protocol.md's `points` message checks them,
// each bad row reported by line; also builds that message and guesses the problem type.
// Pure: imports nothing, no DOM, no socket (node --test runs it).

/** @typedef {"binary" | "multiclass" | "multilabel" | "regression"} Problem */
/** @typedef {{x: number, y: number, label: number}} Point */
/** @typedef {{line: number | null, message: string}} CsvError line: 1-based; null for the point count */
/**
 * GET /api/config's `limits`, the part a `points` message is checked against.
 * @typedef {{domain: number, max_points: number, min_user_points: number,
 *   max_regression_target: number, outputs: Record<string, number[]>}} PointLimits
 */

/** The problems a `points` message names. */
export const PROBLEMS = Object.freeze(["binary", "multiclass", "multilabel", "regression"]);
const HEADER_NAMES = [["x", "x1"], ["y", "x2"], ["label", "value"]];
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DECIMAL_COMMA = /^[+-]?\d*,\d+$/;

/**
 * @param {string} field trimmed, unquoted
 * @param {boolean} decimalComma "1,5" reads as 1.5 (files separated by ";" or tab)
 * @returns {number} NaN when the field is not a plain decimal number
 */
function parseNumber(field, decimalComma) {
  const text = decimalComma && DECIMAL_COMMA.test(field) ? field.replace(",", ".") : field;
  return NUMBER.test(text) ? Number(text) : NaN;
}

/** @param {string} field @returns {string} the field as quoted in messages, long ones cut */
function quote(field) {
  return JSON.stringify(field.length > 40 ? `${field.slice(0, 40)}…` : field);
}

/** @param {string} field */
function unquote(field) {
  const trimmed = field.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')
    ? trimmed.slice(1, -1).trim()
    : trimmed;
}

/** @param {string} line @param {string} separator @returns {string[]} trailing empty extras dropped */
function splitFields(line, separator) {
  const fields = line.split(separator).map(unquote);
  while (fields.length > 3 && fields[fields.length - 1] === "") fields.pop();
  return fields;
}

/**
 * What a label must be, for messages; and the test it must pass.
 * @param {Problem | null} problem @param {number} nOutputs @param {number} maxTarget
 * @returns {{expected: string, valid: (label: number) => boolean}}
 */
function labelRule(problem, nOutputs, maxTarget) {
  const count = problem === "binary" ? 2 : problem === "multiclass" ? nOutputs : 2 ** nOutputs;
  if (problem === "binary") return { expected: "0 or 1 for binary data", valid: (v) => v === 0 || v === 1 };
  if (problem === "multiclass" || problem === "multilabel") {
    const what = problem === "multiclass" ? "a class index" : "a label bitmask";
    return {
      expected: `${what} from 0 to ${count - 1} for ${problem} data`,
      valid: (v) => Number.isInteger(v) && v >= 0 && v < count,
    };
  }
  const suffix = problem === "regression" ? " for regression data" : "";
  return {
    expected: `a number from -${maxTarget} to ${maxTarget}${suffix}`,
    valid: (v) => Math.abs(v) <= maxTarget,
  };
}

/**
 * Reads a CSV of points: an optional header row `x,y,label` (or `x1,x2,label`, `x,y,value`),
 * then one `x,y,label` row per point. The separator is the first line's tab, ";" or ","
 * (in that order of preference); with ";" or tab a decimal comma ("1,5") is read as a point.
 * Blank lines and lines starting with # are skipped; fields may be double-quoted.
 *
 * Every bad field gives an error naming its 1-based line; a point count outside 2..maxPoints
 * gives one error with `line: null`, listed first. `points` holds the rows that passed, so
 * send them only when `errors` is empty.
 *
 * @param {string} text the file's contents
 * @param {PointLimits} limits the server's (GET /api/config)
 * @param {{problem?: Problem | null, nOutputs?: number}} [options]
 *   problem: null (the default) checks labels only as numbers within the regression target
 *   limit (then see inferProblem); nOutputs: classes (multiclass) or labels (multilabel) within
 *   limits.outputs, else ignored
 * @returns {{points: Point[], errors: CsvError[]}}
 */
export function parsePointsCsv(text, limits, options = {}) {
  const { problem = null, nOutputs = 1 } = options;
  const { domain, max_points: maxPoints, min_user_points: minPoints } = limits;
  if (problem !== null && !PROBLEMS.includes(problem)) {
    throw new RangeError(`parsePointsCsv: problem must be one of ${PROBLEMS.join(", ")}, received ${problem}`);
  }
  if (problem === "multiclass" || problem === "multilabel") {
    const [low, high] = limits.outputs[problem];
    if (!Number.isInteger(nOutputs) || nOutputs < low || nOutputs > high) {
      throw new RangeError(`parsePointsCsv: nOutputs must be ${low} to ${high} for ${problem}, received ${nOutputs}`);
    }
  }
  const rule = labelRule(problem, nOutputs, limits.max_regression_target);
  /** @type {Point[]} */
  const points = [];
  /** @type {CsvError[]} */
  const errors = [];
  const fail = (/** @type {number} */ line, /** @type {string} */ message) => errors.push({ line, message: `line ${line}: ${message}` });
  let separator = "";
  let rows = 0;
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = index + 1;
    const raw = lines[index].trim();
    if (raw === "" || raw.startsWith("#")) continue;
    const first = separator === "";
    if (first) separator = raw.includes("\t") ? "\t" : raw.includes(";") ? ";" : ",";
    const decimalComma = separator !== ",";
    const fields = splitFields(raw, separator);
    if (first && Number.isNaN(parseNumber(fields[0], decimalComma))) {
      const names = fields.map((field) => field.toLowerCase());
      const known = names.length === 3 && names.every((name, k) => HEADER_NAMES[k].includes(name));
      if (!known) fail(line, `header must be "x,y,label" (or "x1,x2,label" or "x,y,value"), received ${quote(raw)}`);
      continue;
    }
    rows++;
    if (fields.length !== 3) {
      const name = separator === "\t" ? "tabs" : `"${separator}"`;
      fail(line, `expected 3 columns (x, y, label) separated by ${name}, received ${fields.length}: ${quote(raw)}`);
      continue;
    }
    const values = fields.map((field) => parseNumber(field, decimalComma));
    let good = true;
    for (const k of [0, 1]) {
      if (!(Math.abs(values[k]) <= domain)) {
        fail(line, `${k === 0 ? "x" : "y"} must be a number from -${domain} to ${domain}, received ${quote(fields[k])}`);
        good = false;
      }
    }
    if (!Number.isFinite(values[2]) || !rule.valid(values[2])) {
      fail(line, `label must be ${rule.expected}, received ${quote(fields[2])}`);
      good = false;
    }
    if (good) points.push({ x: values[0], y: values[1], label: values[2] });
  }
  if (rows < minPoints || rows > maxPoints) {
    errors.unshift({ line: null, message: `expected ${minPoints} to ${maxPoints} points, received ${rows}` });
  }
  return { points, errors };
}

/** @param {number} value @returns {number} rounded to 4 decimals, never -0 */
function round4(value) {
  const rounded = Math.round(value * 1e4) / 1e4;
  return rounded === 0 ? 0 : rounded;
}

/**
 * The protocol's `points` client message, coordinates rounded to 4 decimals (labels as given).
 * @param {Point[]} points
 * @param {Problem} problem
 * @param {number} [nOutputs] 1 for binary and regression
 * @returns {{type: "points", problem: Problem, n_outputs: number, points: Point[]}}
 */
export function pointsMessage(points, problem, nOutputs = 1) {
  return {
    type: "points",
    problem,
    n_outputs: nOutputs,
    points: points.map(({ x, y, label }) => ({ x: round4(x), y: round4(y), label })),
  };
}

/**
 * Guesses the problem of points uploaded without one: labels all 0 or 1 are binary; class
 * indices (0 to the most classes less one) reaching 2 or more are multiclass (n_outputs =
 * largest label + 1); anything else (fractions, negatives, larger integers) is regression.
 * Multilabel is never guessed.
 * @param {Point[]} points
 * @param {PointLimits} limits the server's: how many classes there may be
 * @returns {{problem: Problem, nOutputs: number}}
 */
export function inferProblem(points, limits) {
  const lastClass = limits.outputs.multiclass[1] - 1;
  let largest = 0;
  for (const { label } of points) {
    if (!Number.isInteger(label) || label < 0 || label > lastClass) return { problem: "regression", nOutputs: 1 };
    largest = Math.max(largest, label);
  }
  return largest <= 1 ? { problem: "binary", nOutputs: 1 } : { problem: "multiclass", nOutputs: largest + 1 };
}
