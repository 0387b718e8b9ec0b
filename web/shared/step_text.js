// @ts-check
// The words and numbers of the "Explain a step" view: an explanation's numbers written as the
// learner reads them, the loss formulas, a point's input features, the point under a click.
// Pure: no DOM, no socket (node --test runs it).

/**
 * A number short enough for a table and exact enough to check by hand: 4 significant digits,
 * exponent notation outside [0.001, 10000).
 * @param {number | null | undefined} value
 */
export function num(value) {
  if (value === null || value === undefined) return "–";
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return "0";
  const size = Math.abs(value);
  if (size >= 1e-3 && size < 1e4) return String(Number(value.toPrecision(4)));
  return value.toExponential(3).replace("e+", "e");
}

/** The same number in parentheses when negative, so a product of factors reads unambiguously. @param {number} value */
export const factor = (value) => `(${num(value)})`;

// The loss of one point by the engine's loss kind (hyper.py's LossKind, lower case).
const LOSS_FORMULAS = /** @type {Record<string, string>} */ ({
  sigmoid_ce: "L = softplus(z) − y·z (binary cross-entropy from the logit z)",
  sigmoid_ce_naive: "L = −y·log(ŷ) − (1 − y)·log(1 − ŷ), ŷ = sigmoid(z) (through the probability)",
  softmax_ce: "L = logsumexp(z) − z_y (cross-entropy from the logits)",
  softmax_ce_naive: "L = −log(ŷ_y), ŷ = softmax(z) (through the probabilities)",
  sigmoid_mse: "L = mean((ŷ − y)²), ŷ = sigmoid(z) (mean squared error)",
  softmax_mse: "L = mean((ŷ − y)²), ŷ = softmax(z) (mean squared error)",
  linear_mse: "L = mean((ŷ − y)²), ŷ = z (mean squared error)",
  relu_mse: "L = mean((ŷ − y)²), ŷ = relu(z) (mean squared error)",
  perceptron: "L = (ŷ − y)·z, ŷ = step(z) (the perceptron criterion)",
});

/** @param {string} kind an explanation's loss_kind */
export const lossFormula = (kind) => LOSS_FORMULAS[kind] ?? `L: ${kind}`;

/**
 * What the network predicts: a class for classification, the value for regression.
 * @param {import("./protocol.js").OutputNumbers} output @param {string} kind
 */
export function prediction({ outputs }, kind) {
  if (outputs.length > 1) return `class ${outputs.indexOf(Math.max(...outputs))}`;
  if (kind.endsWith("_mse") && !kind.startsWith("sigmoid")) return num(outputs[0]);
  return `class ${outputs[0] >= 0.5 ? 1 : 0}`;
}

/** The input features by the engine's names (limits.FEATURE_NAMES), of a point x. */
const FEATURES = /** @type {Record<string, (x1: number, x2: number) => number>} */ ({
  x1: (x1) => x1,
  x2: (_, x2) => x2,
  "x1^2": (x1) => x1 * x1,
  "x2^2": (_, x2) => x2 * x2,
  "x1*x2": (x1, x2) => x1 * x2,
  sin_x1: (x1) => Math.sin(x1),
  sin_x2: (_, x2) => Math.sin(x2),
});

/**
 * What each input of a layer holds for the explained point: the features for the first
 * layer, the previous layer's outputs (dropout included) after it.
 * @param {import("./protocol.js").Explanation} explanation @param {number} layer
 * @returns {number[]}
 */
export function layerInputs(explanation, layer) {
  if (layer > 0) return explanation.layers[layer - 1].units.map((unit) => unit.a);
  const [x1, x2] = explanation.x;
  return explanation.layers[0].inputs.map((name) => FEATURES[name]?.(x1, x2) ?? NaN);
}

/**
 * z of unit `unit` written out: its terms w·a, the bias, and their sum.
 * @param {import("./protocol.js").Explanation} explanation @param {number} layer @param {number} unit
 */
export function sumText(explanation, layer, unit) {
  const { weights, biases, inputs } = explanation.layers[layer];
  const values = layerInputs(explanation, layer);
  const terms = values.map((a, i) => `${factor(weights[i][unit])}·${factor(a)}`);
  const names = inputs.map((name, i) => `w${i + 1}·a(${name})`);
  return `z = ${[...names, "b"].join(" + ")} = ${[...terms, factor(biases[unit])].join(" + ")} = ${num(explanation.layers[layer].units[unit].z)}`;
}

/** @param {import("./protocol.js").ChainRule} chain @returns {string} dL/dw = names = (f1)(f2) = product */
export function chainText({ factors, product }) {
  const names = factors.map((each) => each.name.split(" = ")[0]).join(" · ");
  return `dL/dw = ${names} = ${factors.map((each) => factor(each.value)).join("")} = ${num(product)}`;
}

/**
 * The training point nearest to (x, y), or -1 when there is none.
 * @param {number[][]} rows [x1, x2, label] @param {number} x @param {number} y
 */
export function nearestPoint(rows, x, y) {
  let best = -1;
  let distance = Infinity;
  rows.forEach(([x1, x2], i) => {
    const squared = (x1 - x) ** 2 + (x2 - y) ** 2;
    if (squared < distance) [best, distance] = [i, squared];
  });
  return best;
}

/**
 * A click's offset in a square picture of `size` pixels as a point of the plotting domain
 * [-domain, domain]² (x2 grows upwards), as the drawing worker places the points.
 * @param {number} px @param {number} py @param {number} size @param {number} domain
 */
export function domainPoint(px, py, size, domain) {
  return { x: (px / size) * 2 * domain - domain, y: domain - (py / size) * 2 * domain };
}
