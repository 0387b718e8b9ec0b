// @ts-check
// What a digits frame's numbers say: the confusion matrix's totals, each shown test image's
// predicted digit and whether it is right, the order the grid shows them in, a prediction's
// top digit. Pure: no DOM (node --test runs it).

/**
 * @param {ArrayLike<number>} counts k x k test counts, row-major, rows the true digit
 * @param {number} k
 * @returns {{rows: number[][], diagonal: number, total: number, accuracy: number | null, largest: number}}
 */
export function confusionSummary(counts, k) {
  const rows = Array.from({ length: k }, (_, r) => Array.from({ length: k }, (_, c) => Math.round(counts[r * k + c])));
  const diagonal = rows.reduce((sum, row, r) => sum + row[r], 0);
  const total = rows.flat().reduce((sum, value) => sum + value, 0);
  const largest = Math.max(0, ...rows.flat());
  return { rows, diagonal, total, accuracy: total ? diagonal / total : null, largest };
}

/**
 * The class with the highest probability (the first such, on ties).
 * @param {ArrayLike<number>} probabilities @returns {number} its index
 */
export function topClass(probabilities) {
  let best = 0;
  for (let i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[best]) best = i;
  return best;
}

/**
 * Each shown test image's verdict, in the grid's order: as the test set lists them, or the
 * misclassified ones first (each part keeping that order).
 * @param {ArrayLike<number>} probabilities (shown, k) uint8, 255 = 1
 * @param {number} k classes @param {number[]} labels each shown image's digit
 * @param {number[]} digits class c is digit digits[c] @param {boolean} misclassifiedFirst
 * @returns {{index: number, label: number, predicted: number, correct: boolean, probabilities: number[]}[]}
 */
export function verdicts(probabilities, k, labels, digits, misclassifiedFirst) {
  const all = labels.map((label, index) => {
    const row = Array.from({ length: k }, (_, c) => probabilities[index * k + c] / 255);
    const predicted = digits[topClass(row)];
    return { index, label, predicted, correct: predicted === label, probabilities: row };
  });
  if (!misclassifiedFirst) return all;
  return [...all.filter((v) => !v.correct), ...all.filter((v) => v.correct)];
}

/**
 * A number as the page shows it: 3 significant digits (in e-notation below 0.001), or "–" for
 * none (a diverged run's null).
 * @param {number | null | undefined} value @param {boolean} [percent]
 */
export function formatNumber(value, percent = false) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  if (percent) return `${(100 * value).toFixed(1)}%`;
  // A trained loss reaches 1e-5: "8.63e-5" keeps the table's columns narrow.
  return value !== 0 && Math.abs(value) < 1e-3 ? value.toExponential(2) : String(Number(value.toPrecision(3)));
}
