// @ts-check
// The JAX + optax script: its header and imports around the shared data section and the JAX
// model and training sections. Must not import the Keras or perceptron writers.

import { jaxModelLines } from "./jax_model.js";
import { jaxTrainingLines } from "./jax_training.js";
import { planOf } from "./plan.js";
import { dataLines, headerLines, naturalForm } from "./sections.js";

/** @typedef {import("./plan.js").Problem} Problem */
/** @typedef {import("./plan.js").CodeOptions} CodeOptions */

/**
 * A complete JAX + optax script equivalent to the current configuration.
 * @param {Record<string, any>} settings the playground's settings (docs/protocol.md section 8)
 * @param {Problem} problem
 * @param {number} nOutputs classes (multiclass) or labels (multilabel); 1 otherwise
 * @param {CodeOptions} [options]
 * @returns {string} Python source
 */
export function jaxCode(settings, problem, nOutputs, options = {}) {
  const plan = planOf(settings, problem, nOutputs, options);
  const lines = [
    ...headerLines(plan, "JAX + optax", [
      "# Needs numpy, jax and optax. It follows the playground's engine: the same feature columns,",
      "# weight initialisation, losses, L1/L2 penalty, dropout and per-epoch learning-rate schedule;",
      "# only the random numbers differ.",
    ]),
    "import math",
    "",
    "import jax",
    "import jax.numpy as jnp",
    "import numpy as np",
    "import optax",
    "",
    ...dataLines(plan, plan.kind.startsWith("softmax") ? "labels" : naturalForm(plan)),
    "",
    ...jaxModelLines(plan),
    ...jaxTrainingLines(plan),
  ];
  return lines.join("\n") + "\n";
}
