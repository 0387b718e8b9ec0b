// @ts-check
// The Keras 3 script: its header and imports around the shared data section and the Keras model
// and training sections; the perceptron goes to the numpy script. Must not import the JAX writers.

import { perceptronNumpy } from "./perceptron.js";
import { planOf } from "./plan.js";
import { kerasModelLines } from "./keras_layers.js";
import { kerasTrainingLines } from "./keras_training.js";
import { dataLines, headerLines, naturalForm } from "./sections.js";

/** @typedef {import("./plan.js").Problem} Problem */
/** @typedef {import("./plan.js").CodeOptions} CodeOptions */

/**
 * A complete Keras 3 script equivalent to the current configuration (a plain numpy loop for
 * the perceptron rule, which is not a Keras loss).
 * @param {Record<string, any>} settings the playground's settings (docs/protocol.md section 8)
 * @param {Problem} problem
 * @param {number} nOutputs classes (multiclass) or labels (multilabel); 1 otherwise
 * @param {CodeOptions} [options]
 * @returns {string} Python source
 */
export function kerasCode(settings, problem, nOutputs, options = {}) {
  const plan = planOf(settings, problem, nOutputs, options);
  if (plan.kind === "perceptron") return perceptronNumpy(plan);
  const lines = [
    ...headerLines(plan, "Keras 3", [
      "# Needs numpy and keras 3 (any backend: JAX, TensorFlow or PyTorch). Keras draws its own",
      "# random numbers, so the weights and curves differ in detail from the playground's.",
    ]),
    ...(plan.s.decay !== "none" ? ["import math", ""] : []),
    "import keras",
    "import numpy as np",
    "",
    ...dataLines(plan, plan.kind === "softmax_mse" ? "onehot" : naturalForm(plan)),
    "",
    ...kerasModelLines(plan),
    "",
    ...kerasTrainingLines(plan),
  ];
  return lines.join("\n") + "\n";
}
