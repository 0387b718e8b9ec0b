// @ts-check
// The Keras script's model section: seed, init and penalty comments, and the Sequential layers
// with the output head each loss kind needs. Must not import keras_training.js.

import { penalised } from "./plan.js";
import { pyCall, pyFloat, pyInt } from "./python.js";
import { KERAS_ACTIVATIONS, KERAS_INITS, LEAKY_SLOPE } from "./vocabulary.js";

/** @typedef {import("./plan.js").Plan} Plan */
/** @typedef {import("./plan.js").LossKind} LossKind */

/**
 * Loss kind -> [the output layer's activation (null: logits or linear), what it outputs]. The
 * perceptron never gets here: kerasCode hands it to the numpy script.
 * @type {Record<LossKind, [string | null, string]>}
 */
const OUTPUT_HEADS = {
  sigmoid_ce: [null, "logits (the loss applies the sigmoid)"],
  sigmoid_ce_naive: ['"sigmoid"', "probabilities"],
  sigmoid_mse: ['"sigmoid"', "probabilities"],
  softmax_ce: [null, "logits (the loss applies the softmax)"],
  softmax_ce_naive: ['"softmax"', "probabilities"],
  softmax_mse: ['"softmax"', "probabilities"],
  linear_mse: [null, "linear, any sign"],
  relu_mse: ['"relu"', "relu, never negative"],
  perceptron: [null, ""],
};

/**
 * The model section, from its heading to `model.summary()`.
 * @param {Plan} plan
 * @returns {string[]}
 */
export function kerasModelLines(plan) {
  const s = plan.s;
  const regularizer = penalised(plan)
    ? `keras.regularizers.L1L2(l1=${pyFloat(Number(s.l1))}, l2=${pyFloat(Number(s.l2))})`
    : null;
  /**
   * @param {number} units
   * @param {string | null} activation
   */
  const dense = (units, activation) => {
    const args = [pyInt(units)];
    if (activation) args.push(`activation=${activation}`);
    args.push(`kernel_initializer=${KERAS_INITS[/** @type {keyof typeof KERAS_INITS} */ (s.init)]}`);
    if (regularizer) args.push("kernel_regularizer=regularizer");
    return pyCall("        ", "keras.layers.Dense", args, ",");
  };

  const layers = [`        keras.Input(shape=(${plan.features.length},)),`];
  plan.hidden.forEach((units, i) => {
    const activation = plan.activations[i];
    const kerasActivation = KERAS_ACTIVATIONS[/** @type {keyof typeof KERAS_ACTIVATIONS} */ (activation)];
    layers.push(...dense(units, kerasActivation));
    if (activation === "leaky_relu") {
      layers.push(`        keras.layers.LeakyReLU(negative_slope=${pyFloat(LEAKY_SLOPE)}),  # the playground's leaky_relu slope`);
    }
    if (plan.dropout[i] > 0) layers.push(`        keras.layers.Dropout(${pyFloat(plan.dropout[i])}),`);
  });
  const [outputActivation, outputComment] = OUTPUT_HEADS[plan.kind];
  const perLabel = plan.problem === "multilabel" ? ", one sigmoid per label" : "";
  layers.push(`        # output layer: ${outputComment}${perLabel}`, ...dense(plan.nOutputs, outputActivation));

  const lines = [
    "# ---- model ---------------------------------------------------------------------------",
    `keras.utils.set_random_seed(${pyInt(s.seed)})  # the playground's seed`,
  ];
  if (s.init === "glorot_normal" || s.init === "he_normal") {
    lines.push(`# ${s.init}: Keras truncates the normal (same variance); the playground does not.`);
  } else if (s.init === "zeros") {
    lines.push("# zeros: every neuron of a layer starts and stays identical (the symmetry problem).");
  }
  if (regularizer) {
    lines.push(
      "# L1/L2 penalty on every layer's weights (not the biases): l1 * sum|W| + l2 * sum W^2.",
      `regularizer = ${regularizer}`,
    );
  }
  lines.push("model = keras.Sequential(", "    [", ...layers, "    ]", ")", "model.summary()");
  return lines;
}
