// @ts-check
// What a dataset's thumbnail shows: its sample points as pixel positions and colours (the
// boundary's class and value colours, from colors.js), and the samples grouped by problem.
// Pure: imports only colors.js and must not touch the DOM (tested under node).
import { classColor, multilabelColor, sequentialColor } from "./colors.js";

/** @typedef {import("./colors.js").Problem} Problem */
/** @typedef {import("./colors.js").RGB} RGB */
/**
 * One dataset of GET /api/datasets: (x, y, label) rows, label being the class, the label
 * bitmask or the regression value.
 * @typedef {{name: string, problem: Problem, n_outputs: number, points: number[][]}} DatasetSample
 */
/** @typedef {{x: number, y: number, color: RGB}} Dot a point in pixels, y pointing down */

/** The order problems are listed in (the order of the issue and of the dataset list). */
export const PROBLEM_ORDER = Object.freeze(["binary", "multiclass", "multilabel", "regression"]);

/**
 * The sample's points in a side x side square showing [-domain, domain] in x and y (x to
 * the right, y up, as in the boundary), each coloured as the boundary colours its points.
 * @param {DatasetSample} sample @param {number} side pixels @param {number} domain
 * @returns {Dot[]}
 */
export function previewDots(sample, side, domain) {
  const color = pointColors(sample);
  return sample.points.map(([x, y, label]) => ({
    x: ((x + domain) / (2 * domain)) * side,
    y: ((domain - y) / (2 * domain)) * side,
    color: color(label),
  }));
}

/**
 * @param {DatasetSample} sample
 * @returns {(label: number) => RGB} a class, a label bitmask or a value to its colour
 */
function pointColors(sample) {
  if (sample.problem === "regression") {
    // The value scale spans this sample, as the boundary's spans the data on screen.
    const values = sample.points.map((point) => point[2]);
    const low = Math.min(...values);
    const span = Math.max(...values) - low || 1;
    return (value) => sequentialColor((value - low) / span);
  }
  if (sample.problem === "multilabel") {
    return (mask) => {
      const on = [];
      for (let k = 0; k < sample.n_outputs; k++) if (mask & (1 << k)) on.push(k);
      return multilabelColor(on, 1);
    };
  }
  // Full confidence: the class's own palette colour, untinted.
  return (label) => classColor(label, 1, Math.max(2, sample.n_outputs));
}

/**
 * The samples grouped by problem, problems in PROBLEM_ORDER (unknown ones last), datasets
 * in the order given.
 * @param {DatasetSample[]} samples
 * @returns {{problem: string, samples: DatasetSample[]}[]}
 */
export function groupByProblem(samples) {
  /** @type {Map<string, DatasetSample[]>} */
  const groups = new Map(PROBLEM_ORDER.map((problem) => [problem, []]));
  for (const sample of samples) {
    let group = groups.get(sample.problem);
    if (!group) groups.set(sample.problem, (group = []));
    group.push(sample);
  }
  return [...groups].filter(([, group]) => group.length).map(([problem, group]) => ({ problem, samples: group }));
}
