import assert from "node:assert/strict";
import { test } from "node:test";
import { chainText, domainPoint, layerInputs, lossFormula, nearestPoint, num, prediction, sumText } from "../../web/shared/step_text.js";

/** A one-hidden-unit explanation with the fields these helpers read. */
const explanation = /** @type {any} */ ({
  x: [0.5, -2],
  layers: [
    { inputs: ["x1", "x2", "x1*x2", "sin_x1"], weights: [[1], [2], [3], [4]], biases: [0.5], units: [{ z: 0.5 - 4 - 3 + 4 * Math.sin(0.5), a: 0.25 }] },
    { inputs: ["h1.1"], weights: [[-2]], biases: [0.1], units: [{ z: -0.4, a: 0.4 }] },
  ],
});

test("num keeps 4 significant digits and switches to exponents for the very small and large", () => {
  assert.equal(num(0.123456), "0.1235");
  assert.equal(num(-12.3456), "-12.35");
  assert.equal(num(0), "0");
  assert.equal(num(1.5e-5), "1.500e-5");
  assert.equal(num(123456), "1.235e5");
  assert.equal(num(null), "–");
  assert.equal(num(NaN), "NaN");
});

test("every loss kind has its formula, an unknown one its name", () => {
  for (const kind of ["sigmoid_ce", "sigmoid_ce_naive", "softmax_ce", "softmax_ce_naive", "sigmoid_mse", "softmax_mse", "linear_mse", "relu_mse", "perceptron"]) {
    assert.match(lossFormula(kind), /^L = /, kind);
  }
  assert.match(lossFormula("softmax_ce"), /logsumexp/);
  assert.equal(lossFormula("new_kind"), "L: new_kind");
});

test("prediction is a class for classification and the value for regression", () => {
  assert.equal(prediction(/** @type {any} */ ({ outputs: [0.7] }), "sigmoid_ce"), "class 1");
  assert.equal(prediction(/** @type {any} */ ({ outputs: [0.1, 0.6, 0.3] }), "softmax_ce"), "class 1");
  assert.equal(prediction(/** @type {any} */ ({ outputs: [2.5] }), "linear_mse"), "2.5");
});

test("a layer's inputs are the point's features first, the previous layer's outputs after", () => {
  const [x1, x2, product, sine] = layerInputs(explanation, 0);
  assert.deepEqual([x1, x2, product], [0.5, -2, -1]);
  assert.equal(sine, Math.sin(0.5));
  assert.deepEqual(layerInputs(explanation, 1), [0.25]);
});

test("the sum of a unit lists its terms and ends at its z", () => {
  assert.equal(sumText(explanation, 1, 0), "z = w1·a(h1.1) + b = (-2)·(0.25) + (0.1) = -0.4");
  assert.match(sumText(explanation, 0, 0), /^z = w1·a\(x1\) \+ w2·a\(x2\) \+ w3·a\(x1\*x2\) \+ w4·a\(sin_x1\) \+ b = \(1\)·\(0.5\)/);
});

test("the chain rule names its factors and multiplies them", () => {
  const chain = { factors: [{ name: "dL/da", value: 0.5 }, { name: "da/dz = tanh'(z)", value: -0.25 }, { name: "dz/dw = a(x1)", value: 2 }], product: -0.25, gradient: -0.25 };
  assert.equal(chainText(chain), "dL/dw = dL/da · da/dz · dz/dw = (0.5)(-0.25)(2) = -0.25");
});

test("the nearest point to a click, in the domain the picture spans", () => {
  const rows = [[0, 0, 1], [3, 3, 0], [-4, 5, 1]];
  const { x, y } = domainPoint(300, 100, 400, 6); // right of centre, above it
  assert.deepEqual([x, y], [3, 3]);
  assert.equal(nearestPoint(rows, x, y), 1);
  assert.equal(nearestPoint(rows, -3.5, 4), 2);
  assert.equal(nearestPoint([], 0, 0), -1);
});
