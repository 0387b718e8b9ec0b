// @ts-check
// How far apart the same number ends up across compared models (random restarts: one
// network from several seeds). Pure: no DOM.

/**
 * The lowest, median and highest of the finite values, with the index of the lowest and
 * highest; null when no value is finite.
 * @param {(number | null | undefined)[]} values
 * @returns {{low: number, median: number, high: number, lowIndex: number, highIndex: number, count: number} | null}
 */
export function spread(values) {
  const finite = values
    .map((value, index) => ({ value, index }))
    .filter((entry) => typeof entry.value === "number" && Number.isFinite(entry.value));
  if (finite.length === 0) return null;
  const sorted = [...finite].sort((a, b) => /** @type {number} */ (a.value) - /** @type {number} */ (b.value));
  const middle = sorted.length >> 1;
  const at = (/** @type {number} */ i) => /** @type {number} */ (sorted[i].value);
  const median = sorted.length % 2 ? at(middle) : (at(middle - 1) + at(middle)) / 2;
  return {
    low: at(0),
    median,
    high: at(sorted.length - 1),
    lowIndex: sorted[0].index,
    highIndex: sorted[sorted.length - 1].index,
    count: finite.length,
  };
}

/** @param {number} value */
const short = (value) => Number(value.toPrecision(3)).toString();

/**
 * One sentence on the spread of a loss across models, e.g. "Test loss over 5 seeds: best
 * 0.081 (seed = 3), median 0.2, worst 0.45 (seed = 1)."
 * @param {string} what @param {(number | null | undefined)[]} values @param {string[]} names
 */
export function spreadSentence(what, values, names) {
  const summary = spread(values);
  if (!summary) return `${what}: not measured yet.`;
  const { low, median, high, lowIndex, highIndex, count } = summary;
  return `${what} over ${count} runs: best ${short(low)} (${names[lowIndex]}), median ${short(median)}, worst ${short(high)} (${names[highIndex]}).`;
}
